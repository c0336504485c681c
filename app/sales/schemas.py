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
from app.purchasing.schemas import TotalsSchema
from app.sales.documents import LANGUAGES
from app.sales.models import DISPOSITIONS, HOLD_REASONS, INVOICE_STATES, METHODS, STATES

# Selling prices are for those who sell and those who bill; floor staff never see them.
PRICE = restricted("sales:write", "finance:read")
PRICE_MAX = Decimal("9999999999.999999")
RATE = validate.Range(min=0, max=1)
NOTE = validate.Length(max=500)


# --- input -----------------------------------------------------------------------------------


class SalesOrderLineInSchema(Schema):
    product_id = fields.Integer(required=True, strict=True)
    unit = fields.String(
        validate=validate.Length(min=1, max=10),
        metadata={"description": "A unit of the product; its base unit if left out"},
    )
    qty = DecimalString(3, required=True, validate=validate.Range(max=QTY_MAX))
    unit_price = DecimalString(
        6,
        load_default=None,
        allow_none=True,
        minimum=0,
        validate=validate.Range(max=PRICE_MAX),
        metadata={"description": "Per `unit`, excluding tax; default: the customer's "
                  "price level. Below the product's minimum only for a manager."},
    )  # fmt: skip
    discount = DecimalString(4, load_default=None, allow_none=True, validate=RATE,
                             metadata={"description": 'A rate: "0.05" is 5 % off'})  # fmt: skip
    tax_rate = DecimalString(4, load_default=None, allow_none=True, validate=RATE,
                             metadata={"description": 'Default "0.13" (13 % VAT)'})  # fmt: skip


def _lines(**kwargs) -> fields.List:
    return fields.List(
        fields.Nested(SalesOrderLineInSchema), validate=validate.Length(min=1, max=500), **kwargs
    )


class SalesOrderCreateSchema(Schema):
    client_id = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The id the PWA gave an order taken offline; sending the "
                  "same client_id again returns that order (200), never a second one"},
    )  # fmt: skip
    customer_id = fields.Integer(required=True, strict=True)
    warehouse_id = fields.Integer(required=True, strict=True)
    delivery_address = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=255),
        metadata={"description": "Default: the customer's default delivery address"},
    )
    note = fields.String(load_default="", validate=NOTE)
    lines = _lines(required=True)


class SalesOrderUpdateSchema(Schema):
    version = fields.Integer(required=True, strict=True)
    customer_id = fields.Integer(strict=True)
    warehouse_id = fields.Integer(strict=True)
    delivery_address = fields.String(allow_none=True, validate=validate.Length(max=255))
    note = fields.String(validate=NOTE)
    lines = _lines(metadata={"description": "Replaces every line"})


class SalesOrderListArgsSchema(ListArgsSchema):
    state = fields.String(validate=validate.OneOf(STATES))
    customer_id = fields.Integer()
    warehouse_id = fields.Integer()
    salesperson_id = fields.Integer()
    client_id = fields.String(validate=validate.Length(max=64))


class SalesTransitionSchema(Schema):
    note = fields.String(load_default="", validate=NOTE)


# --- output ----------------------------------------------------------------------------------


class SalesOrderLineSchema(RestrictedFieldsSchema):
    id = fields.Integer()
    line_no = fields.Integer()
    product = fields.Nested(ProductRefSchema)
    unit = fields.String()
    factor = DecimalString(3)
    qty = DecimalString(3, metadata={"description": "In `unit`"})
    base_qty = DecimalString(3)
    reserved_base_qty = DecimalString(3, metadata={"description": "Held for this line now"})
    shipped_qty = DecimalString(3, metadata={"description": "In `unit`"})
    shipped_base_qty = DecimalString(3)
    list_price = DecimalString(6, metadata=restricted("sales:write", "finance:read",
                               description="The customer's level price per `unit`"))  # fmt: skip
    unit_price = DecimalString(6, metadata=restricted("sales:write", "finance:read",
                               description="Excl. tax"))  # fmt: skip
    discount = DecimalString(4, metadata=PRICE)
    tax_rate = DecimalString(4, metadata=PRICE)
    amount = DecimalString(2, metadata=PRICE)
    tax = DecimalString(2, metadata=PRICE)
    total = DecimalString(2, metadata=PRICE)
    price_approved_by = fields.Nested(UserRefSchema, allow_none=True, metadata=PRICE)


class SalesOrderSummarySchema(RestrictedFieldsSchema):
    id = fields.Integer()
    number = fields.String()
    client_id = fields.String(allow_none=True)
    state = fields.String(metadata={"description": " | ".join(STATES)})
    hold_reason = fields.String(allow_none=True, metadata={"description": " | ".join(HOLD_REASONS)})
    customer = fields.Nested(RefSchema)
    warehouse = fields.Nested(RefSchema)
    salesperson = fields.Nested(UserRefSchema, allow_none=True)
    delivery_address = fields.String()
    note = fields.String()
    totals = fields.Nested(TotalsSchema, metadata=PRICE)
    line_count = fields.Integer()
    created_by = fields.Nested(UserRefSchema)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class SalesOrderSchema(SalesOrderSummarySchema):
    lines = fields.List(fields.Nested(SalesOrderLineSchema))


class SalesHistorySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    user = fields.Nested(UserRefSchema)
    event = fields.String(metadata={"description": "created | state (later: shipped, "
                                    "invoiced, paid, returned)"})  # fmt: skip
    from_ = fields.String(data_key="from", attribute="from", allow_none=True)
    to = fields.String(allow_none=True)
    note = fields.String()
    data = fields.Dict()


class ShipmentLineInSchema(Schema):
    so_line_id = fields.Integer(strict=True)
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
    batch = fields.String(allow_none=True, validate=validate.Length(max=40),
                          metadata={"description": "Default: first expiry first out"})  # fmt: skip
    location_id = fields.Integer(strict=True, allow_none=True)

    @validates_schema
    def _one_line(self, data, **kwargs):
        if (data.get("so_line_id") is None) == (data.get("code") is None):
            raise ValidationError("Give either so_line_id or code.", "so_line_id")


class ShipmentCreateSchema(Schema):
    carrier = fields.String(load_default="", validate=validate.Length(max=60))
    tracking_no = fields.String(load_default="", validate=validate.Length(max=60))
    note = fields.String(load_default="", validate=NOTE)
    lines = fields.List(
        fields.Nested(ShipmentLineInSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class SalesPrintArgsSchema(Schema):
    lang = fields.String(
        load_default=None,
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "Default: the browser's Accept-Language, else zh-CN"},
    )


class ShipmentPickSchema(Schema):
    qty = DecimalString(3, metadata={"description": "Base units"})
    batch = fields.Nested(BatchRefSchema, allow_none=True)
    location = fields.Nested(RefSchema, allow_none=True)


class ShipmentLineSchema(RestrictedFieldsSchema):
    id = fields.Integer()
    so_line_id = fields.Integer()
    product = fields.Nested(ProductRefSchema)
    unit = fields.String()
    qty = DecimalString(3, metadata={"description": "In `unit`, as shipped"})
    base_qty = DecimalString(3)
    cost = DecimalString(2, metadata=restricted("cost:read", description="COGS at moving average"))
    unit_price = DecimalString(6, metadata=PRICE)
    revenue = DecimalString(2, metadata=restricted("sales:write", "finance:read",
                            description="The order line's amount for what shipped"))  # fmt: skip
    margin = DecimalString(2, metadata=restricted("cost:read", description="revenue − cost"))
    returned_base_qty = DecimalString(3, metadata={"description": "Sent back so far"})
    invoiced_base_qty = DecimalString(3, metadata={"description": "Invoiced so far"})
    picked = fields.List(
        fields.Nested(ShipmentPickSchema), metadata={"description": "Where it came from"}
    )


class SalesDocumentRefSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    state = fields.String()
    status = fields.String()


class ShipmentSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    order = fields.Nested(SalesDocumentRefSchema)
    document = fields.Nested(SalesDocumentRefSchema)
    user = fields.Nested(UserRefSchema)
    shipped_at = fields.DateTime()
    carrier = fields.String()
    tracking_no = fields.String()
    note = fields.String()
    lines = fields.List(fields.Nested(ShipmentLineSchema))


class PickLineSchema(Schema):
    so_line_id = fields.Integer()
    line_no = fields.Integer()
    product = fields.Nested(ProductRefSchema)
    unit = fields.String()
    factor = DecimalString(3)
    qty = DecimalString(3)
    left_qty = DecimalString(3, metadata={"description": "Still to ship, in `unit`"})
    left_base_qty = DecimalString(3)
    picks = fields.List(fields.Nested(ShipmentPickSchema), metadata={"description": "FEFO"})


class PickListSchema(Schema):
    order = fields.Nested(SalesDocumentRefSchema)
    warehouse = fields.Nested(RefSchema)
    lines = fields.List(fields.Nested(PickLineSchema))


# --- invoices, receipts, receivables, returns -------------------------------------------------

POSITIVE_AMOUNT = validate.Range(min=Decimal("0.01"), max=Decimal("9999999999999999.99"))


class CustomerInvoiceCreateSchema(Schema):
    shipment_ids = fields.List(
        fields.Integer(strict=True),
        load_default=None,
        metadata={"description": "Default: every shipment of the order with something left"},
    )
    invoice_date = fields.Date(load_default=None, metadata={"description": "Default: today"})
    note = fields.String(load_default="", validate=NOTE)


class CustomerInvoiceListArgsSchema(ListArgsSchema):
    state = fields.String(validate=validate.OneOf(INVOICE_STATES))
    customer_id = fields.Integer()
    order_id = fields.Integer()
    overdue = fields.Boolean(metadata={"description": "Only open invoices past their due date"})


class CustomerReceiptAllocationInSchema(Schema):
    invoice_id = fields.Integer(required=True, strict=True)
    amount = DecimalString(2, required=True, validate=POSITIVE_AMOUNT)


class CustomerReceiptAllocateSchema(Schema):
    allocations = fields.List(
        fields.Nested(CustomerReceiptAllocationInSchema),
        required=True,
        validate=validate.Length(min=1, max=500),
    )


class CustomerReceiptCreateSchema(Schema):
    customer_id = fields.Integer(required=True, strict=True)
    received_on = fields.Date(required=True)
    amount = DecimalString(2, required=True, validate=POSITIVE_AMOUNT)
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    account = fields.String(load_default="", validate=validate.Length(max=60))
    reference = fields.String(load_default="", validate=validate.Length(max=60))
    note = fields.String(load_default="", validate=NOTE)
    allocations = fields.List(
        fields.Nested(CustomerReceiptAllocationInSchema),
        load_default=list,
        validate=validate.Length(max=500),
        metadata={"description": "What is not allocated is a prepayment"},
    )


class CustomerReceiptListArgsSchema(ListArgsSchema):
    customer_id = fields.Integer()
    method = fields.String(validate=validate.OneOf(METHODS))


class ReceivablesArgsSchema(Schema):
    customer_id = fields.Integer()


class ReceivableAgeingArgsSchema(Schema):
    customer_id = fields.Integer()
    as_of = fields.Date(load_default=None, metadata={"description": "Default: today (UTC)"})


class CustomerStatementArgsSchema(Schema):
    start = fields.Date(
        data_key="from",
        load_default=None,
        metadata={"description": "Default: the 1st of `to`'s month"},
    )
    end = fields.Date(
        data_key="to", load_default=None, metadata={"description": "Default: today (UTC)"}
    )


class PrintedCustomerStatementArgsSchema(CustomerStatementArgsSchema, SalesPrintArgsSchema):
    pass


class SalesReturnLineInSchema(Schema):
    shipment_line_id = fields.Integer(required=True, strict=True)
    qty = DecimalString(3, required=True, validate=validate.Range(max=QTY_MAX))
    unit = fields.String(
        validate=validate.Length(min=1, max=10),
        metadata={"description": "Default: the shipment line's unit"},
    )
    batch = fields.String(
        allow_none=True,
        validate=validate.Length(max=40),
        metadata={"description": "Default: the batch it left from"},
    )
    expiry = fields.Date(allow_none=True)
    location_id = fields.Integer(strict=True, allow_none=True)


class SalesReturnCreateSchema(Schema):
    disposition = fields.String(
        required=True,
        validate=validate.OneOf(DISPOSITIONS),
        metadata={"description": "restock: back into stock at its cost; write_off: damaged"},
    )
    warehouse_id = fields.Integer(
        strict=True,
        load_default=None,
        metadata={"description": "Where restocked goods go; default: the order's warehouse"},
    )
    reason = fields.String(load_default="", validate=validate.Length(max=200))
    note = fields.String(load_default="", validate=NOTE)
    lines = fields.List(
        fields.Nested(SalesReturnLineInSchema),
        required=True,
        validate=validate.Length(min=1, max=500),
    )


class CustomerInvoiceLineSchema(Schema):
    id = fields.Integer()
    line_no = fields.Integer()
    shipment_line_id = fields.Integer()
    so_line_id = fields.Integer()
    product = fields.Nested(ProductRefSchema)
    unit = fields.String()
    qty = DecimalString(3)
    base_qty = DecimalString(3)
    unit_price = DecimalString(6)
    discount = DecimalString(4)
    tax_rate = DecimalString(4)
    amount = DecimalString(2)
    tax = DecimalString(2)
    total = DecimalString(2)


class CustomerInvoiceSummarySchema(Schema):
    id = fields.Integer()
    number = fields.String()
    customer = fields.Nested(RefSchema)
    order = fields.Nested(SalesDocumentRefSchema)
    invoice_date = fields.Date()
    due_date = fields.Date()
    state = fields.String(metadata={"description": " | ".join(INVOICE_STATES)})
    note = fields.String()
    totals = fields.Nested(TotalsSchema)
    paid = DecimalString(2)
    credited = DecimalString(2, metadata={"description": "Credit notes for goods sent back"})
    open = DecimalString(2)
    days_overdue = fields.Integer()
    created_by = fields.Nested(UserRefSchema)
    created_at = fields.DateTime()


class CustomerInvoiceSchema(CustomerInvoiceSummarySchema):
    lines = fields.List(fields.Nested(CustomerInvoiceLineSchema))


class SalesRefSchema(Schema):
    id = fields.Integer()
    number = fields.String()


class CustomerReceiptAllocationSchema(Schema):
    id = fields.Integer()
    invoice = fields.Nested(SalesRefSchema)
    amount = DecimalString(2)
    allocated_at = fields.DateTime()


class CustomerReceiptSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    customer = fields.Nested(RefSchema)
    received_on = fields.Date()
    amount = DecimalString(2)
    allocated = DecimalString(2)
    unallocated = DecimalString(2, metadata={"description": "A prepayment"})
    method = fields.String(metadata={"description": " | ".join(METHODS)})
    account = fields.String()
    reference = fields.String()
    note = fields.String()
    created_by = fields.Nested(UserRefSchema)
    created_at = fields.DateTime()
    allocations = fields.List(fields.Nested(CustomerReceiptAllocationSchema))


class ReceivableRowSchema(Schema):
    customer = fields.Nested(RefSchema)
    opening = DecimalString(2)
    invoiced = DecimalString(2)
    credited = DecimalString(2)
    received = DecimalString(2)
    balance = DecimalString(2)
    prepayment = DecimalString(2)
    overdue = DecimalString(2)
    credit_limit = DecimalString(2)
    credit_days = fields.Integer()


class ReceivableTotalsSchema(Schema):
    opening = DecimalString(2)
    invoiced = DecimalString(2)
    credited = DecimalString(2)
    received = DecimalString(2)
    balance = DecimalString(2)
    prepayment = DecimalString(2)
    overdue = DecimalString(2)


class ReceivablesSchema(Schema):
    as_of = fields.Date()
    items = fields.List(fields.Nested(ReceivableRowSchema))
    totals = fields.Nested(ReceivableTotalsSchema)


class ReceivableBucketsSchema(Schema):
    not_due = DecimalString(2)
    days_1_30 = DecimalString(2)
    days_31_60 = DecimalString(2)
    days_61_90 = DecimalString(2)
    over_90 = DecimalString(2)
    total = DecimalString(2)


class ReceivableAgeingRowSchema(ReceivableBucketsSchema):
    customer = fields.Nested(RefSchema)


class ReceivableAgeingSchema(Schema):
    as_of = fields.Date()
    items = fields.List(fields.Nested(ReceivableAgeingRowSchema))
    totals = fields.Nested(ReceivableBucketsSchema)


class CustomerStatementEntrySchema(Schema):
    date = fields.Date()
    kind = fields.String(metadata={"description": "invoice | credit_note | receipt"})
    id = fields.Integer(metadata={"description": "The invoice's, the return's or the receipt's"})
    number = fields.String()
    reference = fields.String()
    increase = DecimalString(2)
    decrease = DecimalString(2)
    balance = DecimalString(2)


class CustomerStatementTotalsSchema(Schema):
    opening = DecimalString(2)
    invoiced = DecimalString(2)
    credited = DecimalString(2)
    received = DecimalString(2)
    closing = DecimalString(2)


class CustomerStatementSchema(Schema):
    customer = fields.Nested(RefSchema)
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    opening = DecimalString(2)
    entries = fields.List(fields.Nested(CustomerStatementEntrySchema))
    totals = fields.Nested(CustomerStatementTotalsSchema)


class SalesReturnLineSchema(RestrictedFieldsSchema):
    id = fields.Integer()
    shipment_line_id = fields.Integer()
    product = fields.Nested(ProductRefSchema)
    unit = fields.String()
    qty = DecimalString(3)
    base_qty = DecimalString(3)
    cost = DecimalString(2, metadata=restricted("cost:read", description="At the cost it left"))
    revenue = DecimalString(2, metadata=PRICE)
    credit = DecimalString(2, metadata=PRICE)
    invoice_id = fields.Integer(allow_none=True)


class SalesReturnSchema(RestrictedFieldsSchema):
    id = fields.Integer()
    number = fields.String()
    shipment = fields.Nested(SalesRefSchema)
    order = fields.Nested(SalesRefSchema)
    warehouse = fields.Nested(RefSchema)
    disposition = fields.String(metadata={"description": " | ".join(DISPOSITIONS)})
    document = fields.Nested(SalesRefSchema, allow_none=True)
    user = fields.Nested(UserRefSchema)
    returned_at = fields.DateTime()
    reason = fields.String()
    note = fields.String()
    credit_note = fields.String(allow_none=True, metadata={"description": "CN- number"})
    credit = DecimalString(2, metadata=PRICE)
    lines = fields.List(fields.Nested(SalesReturnLineSchema))
