from marshmallow import Schema, fields, validate


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
    kind = fields.String(metadata={"description": "product | unit | location | unknown"})
    code = fields.String()
    product = fields.Dict()
    unit = fields.Dict(allow_none=True)
    quantity = fields.String(metadata={"description": "Base units one scan stands for"})
    location = fields.Dict()
    warehouse = fields.Dict()
    gs1 = fields.Dict(metadata={"description": "gtin, lot, expiry, serial, quantity…"})
