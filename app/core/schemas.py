"""Shared marshmallow pieces: the problem body, list arguments and the list envelope."""

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, post_dump, validate

# Codes of warehouses, locations, suppliers, customers…
CODE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
    error="1–32 letters, digits, '.', '_' or '-', starting with a letter or digit.",
)


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


class SyncArgsSchema(Schema):
    """?updated_since= for delta sync: records changed at or after that moment (archived
    ones included, so a device can drop them), oldest change first."""

    updated_since = fields.AwareDateTime(
        load_default=None,
        metadata={"description": "ISO 8601 with offset; keep the largest updated_at seen"},
    )


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


def restricted(*permissions: str, **metadata) -> dict:
    """Field metadata: only callers holding one of `permissions` receive this field."""
    note = f"Only for callers with {' or '.join(permissions)}; absent otherwise."
    description = metadata.pop("description", "")
    return {"requires": permissions, "description": f"{description} {note}".strip(), **metadata}


class RestrictedFieldsSchema(Schema):
    """Leaves out fields marked `restricted(...)` for callers without the permission.

    Cost, margin and supplier prices are absent from the JSON, not blanked, so no client
    can show what the role may not see.
    """

    @post_dump
    def _drop_restricted(self, data, **kwargs):
        from app.core.security import caller_can

        for name, field in self.dump_fields.items():
            permissions = field.metadata.get("requires")
            if permissions and not any(caller_can(p) for p in permissions):
                data.pop(field.data_key or name, None)
        return data


class DecimalString(fields.Decimal):
    """A decimal sent and returned as a string ("12.50"), with at most `places` decimals.

    Too many decimals is a validation error, not a silent rounding.
    """

    def __init__(self, places: int, *, minimum=None, **kwargs):
        kwargs.setdefault("validate", [])
        super().__init__(as_string=True, allow_nan=False, **kwargs)
        self.max_places = places
        self.minimum = minimum

    def _validated(self, value):
        number = super()._validated(value)
        if number is None:
            return None
        if not number.is_finite():
            raise self.make_error("special")
        if -number.as_tuple().exponent > self.max_places:
            raise ValidationError(f"Use at most {self.max_places} decimal places.")
        if self.minimum is not None and number < self.minimum:
            raise ValidationError(f"Must be at least {self.minimum}.")
        return number

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None:
            value = Decimal(value).quantize(Decimal(1).scaleb(-self.max_places))
        return super()._serialize(value, attr, obj, **kwargs)
