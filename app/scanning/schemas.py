from marshmallow import Schema, fields


class CodeSchema(Schema):
    format = fields.String(
        metadata={"description": "EAN-13, EAN-8, UPC-E, Code128, Code39, ITF, QR"}
    )
    text = fields.String(metadata={"description": "EAN/UPC as a 13-digit GTIN"})


class DecodeResultSchema(Schema):
    codes = fields.List(fields.Nested(CodeSchema))
