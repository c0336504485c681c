from marshmallow import Schema, fields

from app.core.schemas import ListArgsSchema


class WarehouseSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    address = fields.String()
    active = fields.Boolean()
    version = fields.Integer()


class WarehouseListArgsSchema(ListArgsSchema):
    active = fields.Boolean()
