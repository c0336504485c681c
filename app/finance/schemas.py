from decimal import Decimal

from marshmallow import Schema, fields, validate

from app.core.schemas import DecimalString, ListArgsSchema
from app.finance.models import BILL_STATES, METHODS
from app.finance.services import BUCKETS
from app.finance.statement import KINDS, LANGUAGES
from app.inventory.schemas import QTY_MAX, ProductRefSchema, RefSchema, UserRefSchema
from app.purchasing.schemas import PRICE_MAX, RATE, DocumentRefSchema, TotalsSchema

NOTE = validate.Length(max=500)
AMOUNT_MAX = Decimal("9999999999999999.99")
POSITIVE_AMOUNT = validate.Range(min=Decimal("0.01"), max=AMOUNT_MAX)


# --- input -----------------------------------------------------------------------------------


class BillLineInSchema(Schema):
    receipt_line_id = fields.Integer(required=True, strict=True)
    qty = DecimalString(
        3,
        required=True,
        validate=validate.Range(min=0, min_inclusive=False, max=QTY_MAX),
        metadata={"description": "In the receipt line's unit"},
    )
    unit_price = DecimalString(
        6,
        minimum=0,
        validate=validate.Range(max=PRICE_MAX),
        load_default=None,
        metadata={"description": "Excl. tax, per unit; the order's net price if left out"},
    )
    tax_rate = DecimalString(
        4, validate=RATE, load_default=None,
        metadata={"description": "The order line's rate if left out"},
    )  # fmt: skip


class BillCreateSchema(Schema):
    supplier_id = fields.Integer(required=True, strict=True)
    bill_no = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "The supplier's invoice number, unique per supplier"},
    )
    bill_date = fields.Date(required=True)
    due_date = fields.Date(
        load_default=None,
        metadata={"description": "Default: bill_date + the supplier's payment terms"},
    )
    note = fields.String(load_default="", validate=NOTE)
    lines = fields.List(
        fields.Nested(BillLineInSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class BillListArgsSchema(ListArgsSchema):
    state = fields.String(validate=validate.OneOf(BILL_STATES))
    supplier_id = fields.Integer()


class AllocationInSchema(Schema):
    bill_id = fields.Integer(required=True, strict=True)
    amount = DecimalString(2, required=True, validate=POSITIVE_AMOUNT)


class AllocateSchema(Schema):
    allocations = fields.List(
        fields.Nested(AllocationInSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class PaymentCreateSchema(Schema):
    supplier_id = fields.Integer(required=True, strict=True)
    paid_on = fields.Date(required=True)
    amount = DecimalString(2, required=True, validate=POSITIVE_AMOUNT)
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    account = fields.String(load_default="", validate=validate.Length(max=60))
    reference = fields.String(load_default="", validate=validate.Length(max=60))
    note = fields.String(load_default="", validate=NOTE)
    allocations = fields.List(
        fields.Nested(AllocationInSchema),
        load_default=list,
        validate=validate.Length(max=500),
        metadata={"description": "To posted bills; what is left is a prepayment"},
    )


class PaymentListArgsSchema(ListArgsSchema):
    supplier_id = fields.Integer()
    method = fields.String(validate=validate.OneOf(METHODS))


class PayablesArgsSchema(Schema):
    supplier_id = fields.Integer()


class AgeingArgsSchema(Schema):
    supplier_id = fields.Integer()
    as_of = fields.Date(load_default=None, metadata={"description": "Default: today (UTC)"})


class BillableArgsSchema(Schema):
    supplier_id = fields.Integer(required=True)


class StatementArgsSchema(Schema):
    start = fields.Date(
        data_key="from",
        load_default=None,
        metadata={"description": "Default: the 1st of `to`'s month"},
    )
    end = fields.Date(
        data_key="to", load_default=None, metadata={"description": "Default: today (UTC)"}
    )


class PrintedStatementArgsSchema(StatementArgsSchema):
    lang = fields.String(
        load_default=None,
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "Default: the browser's Accept-Language, else zh-CN"},
    )


# --- output ----------------------------------------------------------------------------------


class BillLineSchema(Schema):
    id = fields.Integer()
    line_no = fields.Integer()
    receipt_line_id = fields.Integer()
    po_line_id = fields.Integer()
    receipt = fields.Nested(DocumentRefSchema)
    purchase_order = fields.Nested(DocumentRefSchema)
    product = fields.Nested(ProductRefSchema)
    unit = fields.String()
    qty = DecimalString(3, metadata={"description": "In `unit`"})
    base_qty = DecimalString(3)
    unit_price = DecimalString(6, metadata={"description": "Excl. tax"})
    tax_rate = DecimalString(4)
    amount = DecimalString(2)
    tax = DecimalString(2)
    total = DecimalString(2)
    order_unit_price = DecimalString(6, metadata={"description": "Per `unit`, after discount"})
    order_tax_rate = DecimalString(4)
    price_variance = DecimalString(6, metadata={"description": "unit_price − order_unit_price"})
    tax_variance = DecimalString(4, metadata={"description": "tax_rate − order_tax_rate"})
    qty_variance = DecimalString(
        3, metadata={"description": "qty − what was left to bill; negative: billed in part"}
    )


class BillSummarySchema(Schema):
    id = fields.Integer()
    number = fields.String()
    supplier = fields.Nested(RefSchema)
    bill_no = fields.String()
    bill_date = fields.Date()
    due_date = fields.Date()
    state = fields.String(metadata={"description": " | ".join(BILL_STATES)})
    note = fields.String()
    totals = fields.Nested(TotalsSchema)
    paid = DecimalString(2)
    open = DecimalString(2, metadata={"description": "total − paid, while posted"})
    has_variances = fields.Boolean()
    created_by = fields.Nested(UserRefSchema)
    created_at = fields.DateTime()
    posted_at = fields.DateTime(allow_none=True)


class BillSchema(BillSummarySchema):
    lines = fields.List(fields.Nested(BillLineSchema))


class BillRefSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    bill_no = fields.String()


class AllocationSchema(Schema):
    id = fields.Integer()
    bill = fields.Nested(BillRefSchema)
    amount = DecimalString(2)
    allocated_at = fields.DateTime()


class PaymentSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    supplier = fields.Nested(RefSchema)
    paid_on = fields.Date()
    amount = DecimalString(2)
    allocated = DecimalString(2)
    unallocated = DecimalString(2, metadata={"description": "A prepayment, to allocate later"})
    method = fields.String(metadata={"description": " | ".join(METHODS)})
    account = fields.String()
    reference = fields.String()
    note = fields.String()
    created_by = fields.Nested(UserRefSchema)
    created_at = fields.DateTime()
    allocations = fields.List(fields.Nested(AllocationSchema))


class PayableFiguresSchema(Schema):
    opening = DecimalString(2, metadata={"description": "期初应付"})
    billed = DecimalString(2, metadata={"description": "Posted bills"})
    returned = DecimalString(2, metadata={"description": "Billed goods sent back, incl. tax"})
    paid = DecimalString(2)
    balance = DecimalString(2, metadata={"description": "opening + billed − returned − paid"})
    prepayment = DecimalString(2, metadata={"description": "Paid but not allocated"})
    overdue = DecimalString(2, metadata={"description": "Open on bills past their due date"})


class PayableSchema(PayableFiguresSchema):
    supplier = fields.Nested(RefSchema)


class PayablesSchema(Schema):
    as_of = fields.Date()
    items = fields.List(fields.Nested(PayableSchema))
    totals = fields.Nested(PayableFiguresSchema)


AgeingFiguresSchema = Schema.from_dict(
    {key: DecimalString(2) for key in (*BUCKETS, "total")}, name="AgeingFiguresSchema"
)


class AgeingRowSchema(AgeingFiguresSchema):
    supplier = fields.Nested(RefSchema)


class AgeingSchema(Schema):
    as_of = fields.Date()
    items = fields.List(fields.Nested(AgeingRowSchema))
    totals = fields.Nested(AgeingFiguresSchema)


class BillableLineSchema(Schema):
    receipt_line_id = fields.Integer()
    receipt = fields.Nested(DocumentRefSchema)
    received_at = fields.DateTime()
    purchase_order = fields.Nested(DocumentRefSchema)
    product = fields.Nested(ProductRefSchema)
    unit = fields.String()
    received_qty = DecimalString(3, metadata={"description": "In `unit`"})
    returned_qty = DecimalString(3)
    billed_qty = DecimalString(3, metadata={"description": "By draft and posted bills"})
    left_qty = DecimalString(3)
    unit_price = DecimalString(
        6, metadata={"description": "The order's, after discount, excl. tax"}
    )
    tax_rate = DecimalString(4)


class BillableSchema(Schema):
    supplier = fields.Nested(RefSchema)
    items = fields.List(fields.Nested(BillableLineSchema))


class StatementEntrySchema(Schema):
    date = fields.Date()
    kind = fields.String(metadata={"description": " | ".join(KINDS)})
    id = fields.Integer(metadata={"description": "The bill's, the return's or the payment's"})
    number = fields.String()
    reference = fields.String(
        metadata={"description": "The supplier's bill number, the payment's reference"}
    )
    increase = DecimalString(2)
    decrease = DecimalString(2)
    balance = DecimalString(2)


class StatementTotalsSchema(Schema):
    opening = DecimalString(2)
    billed = DecimalString(2)
    returned = DecimalString(2)
    paid = DecimalString(2)
    closing = DecimalString(2)


class StatementSchema(Schema):
    supplier = fields.Nested(RefSchema)
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    opening = DecimalString(2)
    entries = fields.List(fields.Nested(StatementEntrySchema))
    totals = fields.Nested(StatementTotalsSchema)
