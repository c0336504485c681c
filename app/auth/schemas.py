from marshmallow import Schema, fields, validate

from app.core.permissions import ROLES
from app.core.schemas import ListArgsSchema

USERNAME = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$",
    error="2–80 letters, digits, '.', '_' or '-', starting with a letter or digit.",
)
PASSWORD = validate.Length(min=8, max=128)
ROLE = validate.OneOf(ROLES)


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=128))


class WarehouseRefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class MeSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.String())
    permissions = fields.Method("_permissions")
    warehouse_ids = fields.List(fields.Integer())
    warehouses = fields.List(fields.Nested(WarehouseRefSchema))
    csrf_token = fields.String()

    def _permissions(self, obj):
        return sorted(obj["permissions"])


class LoginResultSchema(Schema):
    user = fields.Nested(MeSchema)
    csrf_token = fields.String()


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.String())
    warehouse_ids = fields.List(fields.Integer())
    active = fields.Boolean()
    last_login_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class UserCreateSchema(Schema):
    username = fields.String(required=True, validate=USERNAME)
    display_name = fields.String(load_default="", validate=validate.Length(max=120))
    password = fields.String(required=True, load_only=True, validate=PASSWORD)
    roles = fields.List(fields.String(validate=ROLE), required=True)
    warehouse_ids = fields.List(fields.Integer(strict=True), load_default=list)
    active = fields.Boolean(load_default=True)


class UserUpdateSchema(Schema):
    version = fields.Integer(required=True, strict=True)
    display_name = fields.String(validate=validate.Length(max=120))
    password = fields.String(load_only=True, validate=PASSWORD)
    roles = fields.List(fields.String(validate=ROLE))
    warehouse_ids = fields.List(fields.Integer(strict=True))
    active = fields.Boolean()


class UserListArgsSchema(ListArgsSchema):
    role = fields.String(validate=ROLE)
    active = fields.Boolean()


class RoleSchema(Schema):
    name = fields.String()
    permissions = fields.List(fields.String())


class RoleListSchema(Schema):
    items = fields.List(fields.Nested(RoleSchema))


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)


class TokenCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class TokenCreatedSchema(TokenSchema):
    token = fields.String(metadata={"description": "Shown once; store it now."})
