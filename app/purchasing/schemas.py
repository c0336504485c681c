from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.schemas import DecimalString, ListArgsSchema, RestrictedFieldsSchema, restricted
from app.inventory.schemas import (
    QTY_MAX,
    BatchRefSchema,
    ProductRefSchema,
    RefSchema,
    UserRefSchema,
)
from app.purchasing.models import STATES

COST = restricted("cost:read")
PRICE_MAX = Decimal("9999999999.999999")
RATE = validate.Range(min=0, max=1)
NOTE = validate.Length(max=500)


def _rate(**kwargs) -> DecimalString:
    return DecimalString(4, validate=RATE, load_default=Decimal(0), **kwargs)


# --- input -----------------------------------------------------------------------------------


class OrderLineInSchema(Schema):
    product_id = fields.Integer(required=True, strict=True)
    unit = fields.String(
        validate=validate.Length(min=1, max=10),
        metadata={"description": "A unit of the product; its base unit if left out"},
    )
    qty = DecimalString(3, required=True, validate=validate.Range(max=QTY_MAX))
    unit_price = DecimalString(
        6,
        required=True,
        minimum=0,
        validate=validate.Range(max=PRICE_MAX),
        metadata={"description": "Per `unit`, excluding tax"},
    )
    tax_rate = _rate(metadata={"description": 'e.g. "0.13" for 13 % VAT'})
    discount = _rate(metadata={"description": 'A rate: "0.05" is 5 % off'})


class OrderCreateSchema(Schema):
    supplier_id = fields.Integer(required=True, strict=True)
    warehouse_id = fields.Integer(required=True, strict=True)
    expected_date = fields.Date(allow_none=True, load_default=None)
    note = fields.String(load_default="", validate=NOTE)
    lines = fields.List(
        fields.Nested(OrderLineInSchema),
        required=True,
        validate=validate.Length(min=1, max=500),
    )


class OrderUpdateSchema(Schema):
    version = fields.Integer(required=True, strict=True)
    supplier_id = fields.Integer(strict=True)
    warehouse_id = fields.Integer(strict=True)
    expected_date = fields.Date(allow_none=True)
    note = fields.String(validate=NOTE)
    lines = fields.List(
        fields.Nested(OrderLineInSchema),
        validate=validate.Length(min=1, max=500),
        metadata={"description": "Replaces every line"},
    )


class OrderListArgsSchema(ListArgsSchema):
    state = fields.String(validate=validate.OneOf(STATES))
    supplier_id = fields.Integer()
    warehouse_id = fields.Integer()


class TransitionSchema(Schema):
    note = fields.String(load_default="", validate=NOTE)


class ReceiptLineInSchema(Schema):
    po_line_id = fields.Integer(strict=True)
    code = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={"description": "A barcode or SKU of a product on the order; a case "
                  "barcode means its unit"},
    )  # fmt: skip
    qty = DecimalString(3, required=True, validate=validate.Range(max=QTY_MAX))
    unit = fields.String(
        validate=validate.Length(min=1, max=10),
        metadata={"description": "Default: the code's unit, else the order line's unit"},
    )
    batch = fields.String(allow_none=True, validate=validate.Length(max=40))
    expiry = fields.Date(allow_none=True)
    location_id = fields.Integer(strict=True, allow_none=True)

    @validates_schema
    def _one_line(self, data, **kwargs):
        if (data.get("po_line_id") is None) == (data.get("code") is None):
            raise ValidationError("Give either po_line_id or code.", "po_line_id")


class ReceiptCreateSchema(Schema):
    note = fields.String(load_default="", validate=NOTE)
    lines = fields.List(
        fields.Nested(ReceiptLineInSchema),
        required=True,
        validate=validate.Length(min=1, max=500),
    )


class ReturnLineInSchema(Schema):
    receipt_line_id = fields.Integer(required=True, strict=True)
    qty = DecimalString(3, required=True, validate=validate.Range(max=QTY_MAX))
    unit = fields.String(
        validate=validate.Length(min=1, max=10),
        metadata={"description": "A unit of the product; the receipt line's if left out"},
    )


class ReturnCreateSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=200))
    note = fields.String(load_default="", validate=NOTE)
    lines = fields.List(
        fields.Nested(ReturnLineInSchema),
        required=True,
        validate=validate.Length(min=1, max=500),
    )


class SuggestionArgsSchema(Schema):
    warehouse_id = fields.Integer(required=True)
    basis = fields.String(
        load_default="fixed",
        validate=validate.OneOf(("fixed", "forecast")),
        metadata={
            "description": "fixed: the reorder point and quantity set on the product; "
            "forecast: from its demand forecast at REPLENISHMENT_SERVICE_LEVEL"
        },
    )


class ForecastArgsSchema(Schema):
    product_id = fields.Integer(required=True)
    warehouse_id = fields.Integer(required=True)
    service_level = DecimalString(
        2,
        load_default=None,
        validate=validate.OneOf([Decimal(level) for level in ("0.90", "0.95", "0.98", "0.99")]),
        metadata={"description": "Cycle service level; default REPLENISHMENT_SERVICE_LEVEL"},
    )


class SuggestedLineInSchema(Schema):
    product_id = fields.Integer(required=True, strict=True)
    qty = DecimalString(
        3,
        required=True,
        validate=validate.Range(max=QTY_MAX),
        metadata={"description": "In the product's base unit"},
    )
    supplier_id = fields.Integer(strict=True, allow_none=True, load_default=None)


class SuggestionOrderSchema(Schema):
    warehouse_id = fields.Integer(required=True, strict=True)
    lines = fields.List(
        fields.Nested(SuggestedLineInSchema),
        required=True,
        validate=validate.Length(min=1, max=500),
    )


# --- output ----------------------------------------------------------------------------------


class TotalsSchema(Schema):
    amount = DecimalString(2, metadata={"description": "Excluding tax"})
    tax = DecimalString(2)
    total = DecimalString(2, metadata={"description": "价税合计: amount + tax"})


class OrderLineSchema(RestrictedFieldsSchema):
    id = fields.Integer()
    line_no = fields.Integer()
    product = fields.Nested(ProductRefSchema)
    unit = fields.String()
    factor = DecimalString(3)
    qty = DecimalString(3, metadata={"description": "In `unit`"})
    base_qty = DecimalString(3)
    received_qty = DecimalString(3, metadata={"description": "In `unit`"})
    received_base_qty = DecimalString(3)
    unit_price = DecimalString(6, metadata=restricted("cost:read", description="Excl. tax"))
    discount = DecimalString(4, metadata=COST)
    tax_rate = DecimalString(4, metadata=COST)
    amount = DecimalString(2, metadata=restricted("cost:read", description="After discount"))
    tax = DecimalString(2, metadata=COST)
    total = DecimalString(2, metadata=COST)


class OrderSummarySchema(RestrictedFieldsSchema):
    id = fields.Integer()
    number = fields.String()
    state = fields.String(metadata={"description": " | ".join(STATES)})
    supplier = fields.Nested(RefSchema)
    warehouse = fields.Nested(RefSchema)
    expected_date = fields.Date(allow_none=True)
    note = fields.String()
    totals = fields.Nested(TotalsSchema, metadata=COST)
    line_count = fields.Integer()
    created_by = fields.Nested(UserRefSchema)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class OrderSchema(OrderSummarySchema):
    lines = fields.List(fields.Nested(OrderLineSchema))


class HistorySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    user = fields.Nested(UserRefSchema)
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    note = fields.String()


class DocumentRefSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()


class ReceiptLineSchema(RestrictedFieldsSchema):
    id = fields.Integer()
    po_line_id = fields.Integer()
    product = fields.Nested(ProductRefSchema)
    unit = fields.String()
    qty = DecimalString(3, metadata={"description": "In `unit`, as received"})
    base_qty = DecimalString(3)
    returned_base_qty = DecimalString(3, metadata={"description": "Sent back since"})
    unit_cost = DecimalString(6, metadata=restricted("cost:read", description="Per base unit"))
    batch = fields.Nested(BatchRefSchema, allow_none=True)
    location = fields.Nested(RefSchema, allow_none=True)


class ReceiptSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    order = fields.Nested(DocumentRefSchema)
    document = fields.Nested(DocumentRefSchema, metadata={"description": "The stock-in"})
    user = fields.Nested(UserRefSchema)
    received_at = fields.DateTime()
    note = fields.String()
    lines = fields.List(fields.Nested(ReceiptLineSchema))


class ReceiptCreatedSchema(ReceiptSchema):
    purchase_order = fields.Nested(OrderSchema, metadata={"description": "The order after it"})


class ReturnLineSchema(RestrictedFieldsSchema):
    id = fields.Integer()
    receipt_line_id = fields.Integer()
    po_line_id = fields.Integer()
    product = fields.Nested(ProductRefSchema)
    unit = fields.String()
    qty = DecimalString(3, metadata={"description": "In `unit`, as sent back"})
    base_qty = DecimalString(3)
    unit_cost = DecimalString(
        6, metadata=restricted("cost:read", description="Per base unit: the receipt's cost")
    )
    batch = fields.Nested(BatchRefSchema, allow_none=True)
    location = fields.Nested(RefSchema, allow_none=True)
    received_base_qty = DecimalString(3, metadata={"description": "Of the receipt line"})
    returned_base_qty = DecimalString(3, metadata={"description": "Of it, sent back so far"})


class ReturnSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    receipt = fields.Nested(DocumentRefSchema)
    purchase_order = fields.Nested(DocumentRefSchema)
    document = fields.Nested(DocumentRefSchema, metadata={"description": "The stock-out"})
    user = fields.Nested(UserRefSchema)
    returned_at = fields.DateTime()
    reason = fields.String()
    note = fields.String()
    lines = fields.List(fields.Nested(ReturnLineSchema))


class SupplierRefSchema(RefSchema):
    lead_time_days = fields.Integer()


class SuggestionSchema(RestrictedFieldsSchema):
    product = fields.Nested(ProductRefSchema)
    on_hand = DecimalString(3)
    on_order = DecimalString(3)
    reserved = DecimalString(3)
    projected = DecimalString(3, metadata={"description": "on hand + on order − reserved"})
    reorder_point = DecimalString(3)
    reorder_qty = DecimalString(3)
    max_level = DecimalString(3, metadata={"description": "reorder point + reorder qty"})
    order_multiple = DecimalString(
        3, metadata={"description": "The largest packing unit's factor, else 1"}
    )
    suggested_qty = DecimalString(3, metadata={"description": "In the base unit"})
    last_unit = fields.String(
        allow_none=True, metadata={"description": "The unit of the last order line"}
    )
    last_unit_price = DecimalString(
        6,
        allow_none=True,
        metadata=restricted("cost:read", description="Per `last_unit`, excl. tax"),
    )
    last_order = fields.Nested(DocumentRefSchema, allow_none=True)


class SuggestionGroupSchema(Schema):
    supplier = fields.Nested(
        SupplierRefSchema,
        allow_none=True,
        metadata={"description": "Who supplied it last; null: never ordered"},
    )
    lines = fields.List(fields.Nested(SuggestionSchema))


class SuggestionsSchema(Schema):
    warehouse = fields.Nested(RefSchema)
    basis = fields.String()
    groups = fields.List(fields.Nested(SuggestionGroupSchema))


class SuggestedOrdersSchema(Schema):
    orders = fields.List(fields.Nested(OrderSchema))


# --- demand forecasts ------------------------------------------------------------------------


class DayQtySchema(Schema):
    date = fields.Date()
    qty = DecimalString(3)


class HoldoutDaySchema(Schema):
    date = fields.Date()
    actual = DecimalString(3)
    forecast = DecimalString(3)


class DemandForecastSchema(Schema):
    product = fields.Nested(ProductRefSchema)
    warehouse = fields.Nested(RefSchema)
    supplier = fields.Nested(SupplierRefSchema, allow_none=True)
    method = fields.String(metadata={"description": "ses | holt_winters | croston | constant"})
    service_level = DecimalString(2)
    lead_time_days = fields.Integer()
    history = fields.List(
        fields.Nested(DayQtySchema), metadata={"description": "Daily demand, oldest first"}
    )
    holdout = fields.List(
        fields.Nested(HoldoutDaySchema),
        metadata={"description": "The last days, forecast by a model fitted without them"},
    )
    mase = DecimalString(4, allow_none=True, metadata={"description": "< 1 beats naive"})
    mape = DecimalString(2, allow_none=True, metadata={"description": "Percent"})
    forecast = fields.List(fields.Nested(DayQtySchema), metadata={"description": "Days ahead"})
    daily_demand = DecimalString(3)
    safety_stock = DecimalString(3)
    reorder_point = DecimalString(3)
    order_up_to = DecimalString(3)
    on_hand = DecimalString(3)
    on_order = DecimalString(3)
    reserved = DecimalString(3)
    position = DecimalString(3, metadata={"description": "on hand + on order − reserved"})
    suggested_qty = DecimalString(3)
    computed_at = fields.DateTime()


class ForecastRefreshSchema(Schema):
    count = fields.Integer(metadata={"description": "Forecasts made"})
    computed_at = fields.DateTime()
    seconds = DecimalString(2)
