from datetime import UTC
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.schemas import (
    CODE,
    DecimalString,
    ListArgsSchema,
    RestrictedFieldsSchema,
    restricted,
)
from app.inventory.ledger import API_KINDS, KINDS

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


# --- stock -----------------------------------------------------------------------------------

COST = restricted("cost:read")
QTY_MAX = Decimal("999999999999.999")


class MovementLineInSchema(Schema):
    product_id = fields.Integer(strict=True)
    code = fields.String(validate=validate.Length(min=1, max=500))
    qty = DecimalString(3, required=True, validate=validate.Range(max=QTY_MAX))
    unit = fields.String(validate=validate.Length(min=1, max=10))
    location_id = fields.Integer(strict=True, allow_none=True)
    to_location_id = fields.Integer(strict=True, allow_none=True)
    batch = fields.String(allow_none=True, validate=validate.Length(max=40))
    expiry = fields.Date(allow_none=True)
    unit_cost = DecimalString(
        6, minimum=0, allow_none=True, validate=validate.Range(max=Decimal("99999999999999"))
    )

    @validates_schema
    def _one_product(self, data, **kwargs):
        if (data.get("product_id") is None) == (data.get("code") is None):
            raise ValidationError("Give either product_id or code.", "product_id")


class MovementCreateSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(API_KINDS))
    warehouse_id = fields.Integer(required=True, strict=True)
    to_warehouse_id = fields.Integer(strict=True, allow_none=True)
    reason = fields.String(load_default="", validate=validate.Length(max=20))
    note = fields.String(load_default="", validate=validate.Length(max=500))
    override_expired = fields.Boolean(load_default=False)
    lines = fields.List(
        fields.Nested(MovementLineInSchema),
        required=True,
        validate=validate.Length(min=1, max=500),
    )


class RefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class ProductRefSchema(Schema):
    id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    unit = fields.String()


class BatchRefSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    expiry = fields.Date(allow_none=True)


class UserRefSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()


class MovementLineSchema(RestrictedFieldsSchema):
    id = fields.Integer()
    line_no = fields.Integer()
    product = fields.Nested(ProductRefSchema)
    unit = fields.String()
    factor = DecimalString(3)
    qty = DecimalString(3, metadata={"description": "As entered (for adjust: the count)"})
    base_qty = DecimalString(3)
    unit_cost = DecimalString(6, allow_none=True, metadata=COST)
    location = fields.Nested(RefSchema, allow_none=True)
    to_location = fields.Nested(RefSchema, allow_none=True)
    batch = fields.Nested(BatchRefSchema, allow_none=True)


class LedgerEntrySchema(RestrictedFieldsSchema):
    id = fields.Integer()
    product_id = fields.Integer()
    warehouse_id = fields.Integer()
    location_id = fields.Integer(allow_none=True)
    batch_id = fields.Integer(allow_none=True)
    qty = DecimalString(3, metadata={"description": "Signed, in base units"})
    qty_after = DecimalString(3, metadata={"description": "Product in this warehouse after"})
    unit_cost = DecimalString(6, metadata=COST)
    value = DecimalString(2, metadata=COST)
    value_after = DecimalString(2, metadata=COST)
    reverses_id = fields.Integer(allow_none=True)
    posted_at = fields.DateTime()


class BalanceAfterSchema(Schema):
    product = fields.Nested(ProductRefSchema)
    warehouse = fields.Nested(RefSchema)
    on_hand = DecimalString(3)
    reserved = DecimalString(3)
    available = DecimalString(3, metadata={"description": "on_hand − reserved"})
    on_order = DecimalString(3)


class WarehouseBalanceSchema(BalanceAfterSchema, RestrictedFieldsSchema):
    location = fields.Nested(RefSchema, allow_none=True)
    batch = fields.Nested(BatchRefSchema, allow_none=True)
    safety_stock = DecimalString(3, metadata={"description": "by=warehouse only"})
    below_safety = fields.Boolean(metadata={"description": "by=warehouse only"})
    avg_cost = DecimalString(6, allow_none=True, metadata=COST)
    value = DecimalString(2, allow_none=True, metadata=COST)


class MovementSummarySchema(Schema):
    id = fields.Integer()
    number = fields.String()
    type = fields.String()
    status = fields.String(metadata={"description": "posted | cancelled"})
    warehouse = fields.Nested(RefSchema)
    to_warehouse = fields.Nested(RefSchema, allow_none=True)
    reason = fields.String()
    note = fields.String()
    user = fields.Nested(UserRefSchema)
    posted_at = fields.DateTime()
    cancelled_at = fields.DateTime(allow_none=True)
    cancelled_by = fields.Nested(UserRefSchema, allow_none=True)
    line_count = fields.Integer()


class MovementSchema(MovementSummarySchema):
    lines = fields.List(fields.Nested(MovementLineSchema))
    entries = fields.List(fields.Nested(LedgerEntrySchema))
    balances = fields.List(
        fields.Nested(BalanceAfterSchema),
        metadata={"description": "Each product × warehouse the document touched, after it"},
    )


class MovementListArgsSchema(ListArgsSchema):
    type = fields.String(validate=validate.OneOf(KINDS))
    status = fields.String(validate=validate.OneOf(("posted", "cancelled")))
    warehouse_id = fields.Integer()
    product_id = fields.Integer()
    from_ = fields.AwareDateTime(data_key="from", attribute="from", default_timezone=UTC)
    to = fields.AwareDateTime(default_timezone=UTC)


class BalanceListArgsSchema(ListArgsSchema):
    product_id = fields.Integer()
    warehouse_id = fields.Integer()
    location_id = fields.Integer()
    batch_id = fields.Integer()
    by = fields.String(
        load_default="place",
        validate=validate.OneOf(("place", "warehouse")),
        metadata={"description": "place: per location × batch; warehouse: totals"},
    )
    below_safety = fields.Boolean(
        load_default=False,
        metadata={"description": "Only available < safety (implies by=warehouse)"},
    )


class LedgerListArgsSchema(ListArgsSchema):
    product_id = fields.Integer()
    warehouse_id = fields.Integer()
    location_id = fields.Integer()
    batch_id = fields.Integer()
    document_id = fields.Integer()
    from_ = fields.AwareDateTime(data_key="from", attribute="from", default_timezone=UTC)
    to = fields.AwareDateTime(default_timezone=UTC)


class LedgerLineSchema(RestrictedFieldsSchema):
    id = fields.Integer()
    posted_at = fields.DateTime()
    document = fields.Dict(metadata={"description": "{id, number, type, status}"})
    product = fields.Nested(ProductRefSchema)
    warehouse = fields.Nested(RefSchema)
    location = fields.Nested(RefSchema, allow_none=True)
    batch = fields.Nested(BatchRefSchema, allow_none=True)
    qty = DecimalString(3)
    qty_after = DecimalString(3)
    unit_cost = DecimalString(6, metadata=COST)
    value = DecimalString(2, metadata=COST)
    value_after = DecimalString(2, metadata=COST)
    reverses_id = fields.Integer(allow_none=True)
    user = fields.Nested(UserRefSchema)
