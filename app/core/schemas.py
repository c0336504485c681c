"""Shared marshmallow pieces: the problem body, list arguments and the list envelope."""

from marshmallow import Schema, fields, validate


class ProblemSchema(Schema):
    type = fields.String(metadata={"description": "A URI naming the kind of problem"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Field name → reasons, for validation errors"},
    )


class ListArgsSchema(Schema):
    """?page=&per_page=&q=&sort=; per_page is capped by API_MAX_PER_PAGE."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=None, validate=validate.Range(min=1))
    q = fields.String(load_default=None, validate=validate.Length(max=200))
    sort = fields.String(load_default=None, validate=validate.Length(max=200))


_envelopes: dict[type, type[Schema]] = {}


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The list envelope {items, total, page, per_page} around one item schema."""
    if item_schema not in _envelopes:
        name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
        _envelopes[item_schema] = Schema.from_dict(
            {
                "items": fields.List(fields.Nested(item_schema)),
                "total": fields.Integer(),
                "page": fields.Integer(),
                "per_page": fields.Integer(),
            },
            name=name,
        )
    return _envelopes[item_schema]
