from decimal import Decimal

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from app.core.schemas import (
    DecimalString,
    ListArgsSchema,
    RestrictedFieldsSchema,
    SyncArgsSchema,
    restricted,
)

SKU = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$",
    error="1–40 letters, digits, '.', '_', '/' or '-', starting with a letter or digit.",
)
BARCODE = validate.Regexp(r"^[\x21-\x7e]{1,64}$", error="1–64 visible characters without spaces.")
UNIT_NAME = validate.Length(min=1, max=10)
PRICE_LEVEL = validate.Regexp(
    r"^[a-z0-9_-]{1,20}$", error="1–20 lower-case letters, digits, '_' or '-'."
)


def money(**kwargs):
    return DecimalString(2, minimum=0, **kwargs)


def quantity(**kwargs):
    return DecimalString(3, minimum=0, **kwargs)


# --- categories ---------------------------------------------------------------------------


class CategorySchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    parent_id = fields.Integer(allow_none=True)
    sort_order = fields.Integer()
    version = fields.Integer(dump_only=True)


class CategoryTreeSchema(CategorySchema):
    children = fields.List(fields.Nested(lambda: CategoryTreeSchema()))


class CategoryCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    parent_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    sort_order = fields.Integer(load_default=0, strict=True)


class CategoryUpdateSchema(Schema):
    version = fields.Integer(required=True, strict=True)
    name = fields.String(validate=validate.Length(min=1, max=60))
    parent_id = fields.Integer(allow_none=True, strict=True)
    sort_order = fields.Integer(strict=True)


class CategoryListSchema(Schema):
    items = fields.List(fields.Nested(CategoryTreeSchema))


# --- products -----------------------------------------------------------------------------


class UnitSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=UNIT_NAME)
    factor = DecimalString(3, required=True, metadata={"description": "Base units in one"})
    barcode = fields.String(load_default=None, allow_none=True, validate=BARCODE)

    @validates_schema
    def _positive_factor(self, data, **kwargs):
        if "factor" in data and data["factor"] <= 0:
            raise ValidationError("Must be greater than 0.", "factor")


class WarehouseSettingSchema(Schema):
    warehouse_id = fields.Integer(required=True, strict=True)
    safety_stock = quantity(allow_none=True, load_default=None)
    reorder_point = quantity(allow_none=True, load_default=None)
    reorder_qty = quantity(allow_none=True, load_default=None)


class ProductSchema(RestrictedFieldsSchema):
    id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    pinyin_initials = fields.String()
    spec = fields.String()
    brand = fields.String()
    category_id = fields.Integer(allow_none=True)
    unit = fields.String()
    barcodes = fields.Method("_plain_barcodes")
    units = fields.Method("_units")
    retail_price = money()
    wholesale_price = money()
    min_price = money()
    level_prices = fields.Method("_level_prices")
    last_cost = DecimalString(6, metadata=restricted("cost:read"))
    avg_cost = DecimalString(6, metadata=restricted("cost:read"))
    safety_stock = quantity()
    reorder_point = quantity()
    reorder_qty = quantity()
    warehouse_settings = fields.List(fields.Nested(WarehouseSettingSchema))
    track_batches = fields.Boolean()
    track_expiry = fields.Boolean()
    shelf_life_days = fields.Integer(allow_none=True)
    expiry_alert_days = fields.Integer(allow_none=True)
    allow_negative_stock = fields.Boolean()
    active = fields.Boolean()
    image_url = fields.Method("_image_url", metadata={"description": "Add ?size=thumb for 320 px"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()

    def _image_url(self, product):
        if product.image_key is None:
            return None
        # The key changes with the picture, so clients may cache each URL for good.
        return f"/api/v1/products/{product.id}/image?v={product.image_key}"

    def _plain_barcodes(self, product):
        return [b.code for b in product.barcodes if b.unit_id is None]

    def _units(self, product):
        unit_codes = {b.unit_id: b.code for b in product.barcodes if b.unit_id is not None}
        return [
            {"id": u.id, "name": u.name, "factor": str(u.factor), "barcode": unit_codes.get(u.id)}
            for u in product.units
        ]

    def _level_prices(self, product):
        return {p.price_level: str(p.price) for p in product.level_prices}


class ProductWriteSchema(Schema):
    """The fields a product is created with; PATCH takes any of them plus `version`."""

    sku = fields.String(required=True, validate=SKU)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    spec = fields.String(load_default="", validate=validate.Length(max=120))
    brand = fields.String(load_default="", validate=validate.Length(max=60))
    category_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    unit = fields.String(load_default="个", validate=UNIT_NAME)
    barcodes = fields.List(
        fields.String(validate=BARCODE), load_default=list, validate=validate.Length(max=50)
    )
    units = fields.List(
        fields.Nested(UnitSchema), load_default=list, validate=validate.Length(max=10)
    )
    retail_price = money(load_default=Decimal(0))
    wholesale_price = money(load_default=Decimal(0))
    min_price = money(load_default=Decimal(0))
    level_prices = fields.Dict(
        keys=fields.String(validate=PRICE_LEVEL), values=money(), load_default=dict
    )
    safety_stock = quantity(load_default=Decimal(0))
    reorder_point = quantity(load_default=Decimal(0))
    reorder_qty = quantity(load_default=Decimal(0))
    warehouse_settings = fields.List(fields.Nested(WarehouseSettingSchema), load_default=list)
    track_batches = fields.Boolean(load_default=False)
    track_expiry = fields.Boolean(load_default=False)
    shelf_life_days = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=36500)
    )
    expiry_alert_days = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(min=0, max=3650),
        metadata={"description": "Days before expiry a batch is announced; null: the default"},
    )
    allow_negative_stock = fields.Boolean(load_default=False)
    active = fields.Boolean(load_default=True)


class ProductUpdateSchema(ProductWriteSchema):
    version = fields.Integer(required=True, strict=True)


# PATCH: only what is sent changes (no defaults), but `version` is always required.
product_update_schema = ProductUpdateSchema(partial=tuple(ProductWriteSchema._declared_fields))


class ImageArgsSchema(Schema):
    size = fields.String(load_default="full", validate=validate.OneOf(["full", "thumb"]))
    v = fields.String(metadata={"description": "The picture's key, for caching"})


class ProductListArgsSchema(ListArgsSchema, SyncArgsSchema):
    category_id = fields.Integer(metadata={"description": "Includes its sub-categories"})
    brand = fields.String()
    active = fields.Boolean()
