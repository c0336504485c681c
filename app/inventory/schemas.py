from marshmallow import Schema, fields, validate

from app.core.schemas import ListArgsSchema

CODE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
    error="1–32 letters, digits, '.', '_' or '-', starting with a letter or digit.",
)
NAME = validate.Length(min=1, max=120)


class WarehouseSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String()
    name = fields.String()
    address = fields.String()
    active = fields.Boolean()
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


class WarehouseCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=NAME)
    address = fields.String(load_default="", validate=validate.Length(max=255))


class WarehouseUpdateSchema(Schema):
    version = fields.Integer(required=True, strict=True)
    code = fields.String(validate=CODE)
    name = fields.String(validate=NAME)
    address = fields.String(validate=validate.Length(max=255))
    active = fields.Boolean()


class WarehouseListArgsSchema(ListArgsSchema):
    active = fields.Boolean()


class LocationSchema(Schema):
    id = fields.Integer(dump_only=True)
    warehouse_id = fields.Integer(dump_only=True)
    code = fields.String()
    name = fields.String()
    active = fields.Boolean()
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


class LocationCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(load_default="", validate=validate.Length(max=120))


class LocationUpdateSchema(Schema):
    version = fields.Integer(required=True, strict=True)
    code = fields.String(validate=CODE)
    name = fields.String(validate=validate.Length(max=120))
    active = fields.Boolean()


class LocationListArgsSchema(ListArgsSchema):
    active = fields.Boolean()
