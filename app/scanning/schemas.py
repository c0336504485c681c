from marshmallow import Schema, fields, validate
from webargs.fields import DelimitedList

from app.scanning.labels import LAYOUTS


class CodeSchema(Schema):
    format = fields.String(
        metadata={"description": "EAN-13, EAN-8, UPC-E, Code128, Code39, ITF, QR"}
    )
    text = fields.String(metadata={"description": "EAN/UPC as a 13-digit GTIN"})


class DecodeResultSchema(Schema):
    codes = fields.List(fields.Nested(CodeSchema))


class ResolveArgsSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ResolvedSchema(Schema):
    kind = fields.String(
        metadata={"description": "product | unit | batch | location | document | unknown"}
    )
    code = fields.String()
    product = fields.Dict()
    unit = fields.Dict(allow_none=True)
    quantity = fields.String(metadata={"description": "Base units one scan stands for"})
    location = fields.Dict()
    warehouse = fields.Dict()
    gs1 = fields.Dict(metadata={"description": "gtin, lot, expiry, serial, quantity…"})
    batch = fields.Dict(metadata={"description": "{id, number, expiry}: a known batch"})
    document = fields.Dict(metadata={"description": "{id, number, type, status}"})


MAX_LABEL_IDS = 200


class LabelArgsSchema(Schema):
    ids = DelimitedList(
        fields.Integer(strict=False, validate=validate.Range(min=1)),
        required=True,
        validate=validate.Length(min=1, max=MAX_LABEL_IDS, error=f"Give 1 to {MAX_LABEL_IDS} ids."),
        metadata={"description": "Record ids, comma-separated: 1,2,3 (repeat one to repeat it)"},
    )
    layout = fields.String(
        load_default="50x30",
        validate=validate.OneOf(LAYOUTS),
        metadata={"description": "50x30: one label per 50 × 30 mm page; a4: 27 to an A4 sheet"},
    )
    copies = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "Labels per id"},
    )
    price = fields.Boolean(
        load_default=False, metadata={"description": "Products: print the retail price"}
    )
