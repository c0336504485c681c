"""Supplier bills, supplier payments and payables (应付账款).

A bill is matched three ways: each line bills a receipt line (never more than was
received, less what went back and what other bills already cover) at a price and tax
rate compared with its order line; differences are allowed and flagged. Payments are
allocated to posted bills, never beyond a bill's open amount; what is not allocated is a
prepayment. Every write locks the supplier row first, so bills and payments of one
supplier queue and each is checked against what the one before it wrote.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask_login import current_user
from sqlalchemy import func, select

from app.core.db import utcnow
from app.core.errors import Conflict, NotFound, ValidationProblem
from app.core.numbering import next_number
from app.core.transactions import run_transaction
from app.extensions import db
from app.finance import allocations
from app.finance.models import (
    SupplierBill,
    SupplierBillLine,
    SupplierPayment,
    SupplierPaymentAllocation,
)
from app.inventory.refs import product_refs, user_ref
from app.partners.models import Supplier
from app.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
    PurchaseReturn,
    PurchaseReturnLine,
)
from app.purchasing.services import net_unit_cost
from app.trade.lines import AMOUNT_MAX, line_amounts, plain

ZERO = Decimal(0)
CENT = Decimal("0.01")
PRICE_PLACES = Decimal("0.000001")
QTY_PLACES = Decimal("0.001")
OWING = ("posted", "paid")  # bills that count in payables
# Ageing buckets by days past due, each with its last day (the last has none): one rule for
# bucket_of here and for the ageing reports, which bucket in SQL.
BUCKET_LIMITS = (
    ("not_due", 0),
    ("days_1_30", 30),
    ("days_31_60", 60),
    ("days_61_90", 90),
    ("over_90", None),
)
BUCKETS = tuple(name for name, _ in BUCKET_LIMITS)


class InvalidBillState(Conflict):
    type = "invalid-state"

    def __init__(self, bill: SupplierBill, to: str):
        super().__init__(
            f"{bill.number} is {bill.state}; it cannot become {to}.", state=bill.state, to=to
        )


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _supplier_ref(supplier_id: int) -> dict:
    supplier = db.session.get(Supplier, supplier_id)
    return {"id": supplier.id, "code": supplier.code, "name": supplier.name}


def _locked_supplier(supplier_id: int, errors: dict | None = None) -> Supplier | None:
    """The supplier row, locked for this transaction: its bills and payments queue on it."""
    supplier = db.session.scalar(
        select(Supplier).where(Supplier.id == supplier_id).with_for_update()
    )
    if supplier is None:
        if errors is None:
            raise NotFound(f"No supplier with id {supplier_id}.")
        errors["supplier_id"] = [f"no supplier with id {supplier_id}"]
    return supplier


# --- bills: reading --------------------------------------------------------------------------


def bill_query(args: dict | None = None):
    args = args or {}
    stmt = select(SupplierBill)
    for field in ("state", "supplier_id"):
        if args.get(field) is not None:
            stmt = stmt.where(getattr(SupplierBill, field) == args[field])
    return stmt


def get_bill(bill_id: int, *, lock: bool = False) -> SupplierBill:
    stmt = select(SupplierBill).where(SupplierBill.id == bill_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    bill = db.session.scalar(stmt)
    if bill is None:
        raise NotFound(f"No supplier bill with id {bill_id}.")
    return bill


def bill_summary(bill: SupplierBill) -> dict:
    return {
        "id": bill.id,
        "number": bill.number,
        "supplier": _supplier_ref(bill.supplier_id),
        "bill_no": bill.bill_no,
        "bill_date": bill.bill_date,
        "due_date": bill.due_date,
        "state": bill.state,
        "note": bill.note,
        "totals": {"amount": bill.amount, "tax": bill.tax, "total": bill.total},
        "paid": bill.paid,
        "open": bill.total - bill.paid if bill.state in OWING else ZERO,
        "has_variances": bill.has_variances,
        "created_by": user_ref(bill.created_by_id),
        "created_at": bill.created_at,
        "posted_at": bill.posted_at,
    }


def bill_detail(bill: SupplierBill) -> dict:
    products = product_refs({line.product_id for line in bill.lines})
    receipts = dict(
        db.session.execute(
            select(PurchaseReceiptLine.id, PurchaseReceipt)
            .join(PurchaseReceipt, PurchaseReceipt.id == PurchaseReceiptLine.receipt_id)
            .where(PurchaseReceiptLine.id.in_([line.receipt_line_id for line in bill.lines]))
        ).all()
    )
    orders = {
        order.id: order
        for order in db.session.scalars(
            select(PurchaseOrder).where(
                PurchaseOrder.id.in_({receipt.order_id for receipt in receipts.values()})
            )
        )
    }
    lines = []
    for line in bill.lines:
        receipt = receipts[line.receipt_line_id]
        order = orders[receipt.order_id]
        lines.append(
            {
                "id": line.id,
                "line_no": line.line_no,
                "receipt_line_id": line.receipt_line_id,
                "po_line_id": line.order_line_id,
                "receipt": {"id": receipt.id, "number": receipt.number},
                "purchase_order": {"id": order.id, "number": order.number},
                "product": products[line.product_id],
                "unit": line.unit,
                "qty": line.qty,
                "base_qty": line.base_qty,
                "unit_price": line.unit_price,
                "tax_rate": line.tax_rate,
                "amount": line.amount,
                "tax": line.tax,
                "total": line.total,
                "order_unit_price": line.order_unit_price,
                "order_tax_rate": line.order_tax_rate,
                "price_variance": line.price_variance,
                "tax_variance": line.tax_rate - line.order_tax_rate,
                "qty_variance": line.qty_variance,
            }
        )
    return {**bill_summary(bill), "lines": lines}


# --- bills: writing --------------------------------------------------------------------------


def create_bill(data: dict) -> dict:
    """Check a bill against receipts and orders and save it as a draft, BL-<year>-<n>."""

    def work():
        errors: dict[str, list[str]] = {}
        supplier = _locked_supplier(data["supplier_id"], errors)
        bill_no = data["bill_no"].strip()
        if not bill_no:
            errors["bill_no"] = ["must not be blank"]
        elif supplier is not None:
            taken = db.session.scalar(
                select(SupplierBill.number).where(
                    SupplierBill.supplier_id == supplier.id, SupplierBill.bill_no == bill_no
                )
            )
            if taken:
                errors["bill_no"] = [f"this supplier's bill {bill_no} is already {taken}"]
        due_date = data.get("due_date")
        if supplier is not None and due_date is None:
            due_date = data["bill_date"] + timedelta(days=supplier.payment_terms_days)
        if due_date is not None and due_date < data["bill_date"]:
            errors["due_date"] = ["must not be before bill_date"]
        lines = _checked_lines(supplier.id, data["lines"], errors) if supplier else []
        if errors:
            raise ValidationProblem(errors)

        bill = SupplierBill(
            number=next_number("BL"),
            supplier_id=supplier.id,
            bill_no=bill_no,
            bill_date=data["bill_date"],
            due_date=due_date,
            state="draft",
            note=(data.get("note") or "").strip(),
            paid=ZERO,
            created_by_id=current_user.id,
            lines=[SupplierBillLine(line_no=n, **line) for n, line in enumerate(lines, 1)],
        )
        bill.amount, bill.tax, bill.total = (
            sum((line[key] for line in lines), ZERO) for key in ("amount", "tax", "total")
        )
        if bill.total > AMOUNT_MAX:
            raise ValidationProblem({"lines": ["the bill's total is too large"]})
        bill.has_variances = any(
            line["price_variance"] or line["qty_variance"] or
            line["tax_rate"] != line["order_tax_rate"] for line in lines
        )  # fmt: skip
        db.session.add(bill)
        db.session.flush()
        return bill_detail(bill)

    return run_transaction(work)


def _checked_lines(supplier_id: int, rows: Sequence[dict], errors: dict,
                   exclude_bill_id: int | None = None) -> list[dict]:  # fmt: skip
    """Bill lines priced and compared with their receipt and order lines; a line that bills
    more than is left to bill of its receipt line adds an error naming it."""
    ids = {row["receipt_line_id"] for row in rows}
    pairs = {
        receipt_line.id: (receipt_line, order_line)
        for receipt_line, order_line in db.session.execute(
            select(PurchaseReceiptLine, PurchaseOrderLine)
            .join(PurchaseReceipt, PurchaseReceipt.id == PurchaseReceiptLine.receipt_id)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseReceipt.order_id)
            .join(PurchaseOrderLine, PurchaseOrderLine.id == PurchaseReceiptLine.order_line_id)
            .where(PurchaseReceiptLine.id.in_(ids), PurchaseOrder.supplier_id == supplier_id)
            .execution_options(populate_existing=True)
        ).all()
    }
    billed = _billed_base_qty(ids, ("draft", *OWING), exclude_bill_id)
    lines = []
    for index, row in enumerate(rows):
        pair = pairs.get(row["receipt_line_id"])
        if pair is None:
            errors[f"lines.{index}.receipt_line_id"] = [
                f"no receipt line {row['receipt_line_id']} from this supplier"
            ]
            continue
        receipt_line, order_line = pair
        factor = _factor(receipt_line, order_line)
        base_qty = (row["qty"] * factor).quantize(QTY_PLACES, rounding=ROUND_HALF_UP)
        left = receipt_line.base_qty - receipt_line.returned_base_qty - billed[receipt_line.id]
        if base_qty > left:
            errors[f"lines.{index}.qty"] = [
                f"line {index + 1} bills {plain(row['qty'])} {receipt_line.unit} but only "
                f"{plain(max(left, ZERO) / factor)} is left to bill of receipt line "
                f"{receipt_line.id} (received {plain(receipt_line.base_qty / factor)}, "
                f"returned {plain(receipt_line.returned_base_qty / factor)}, "
                f"billed {plain(billed[receipt_line.id] / factor)})"
            ]
        billed[receipt_line.id] += base_qty
        order_price = _order_price(order_line, factor)
        unit_price = order_price if row.get("unit_price") is None else row["unit_price"]
        tax_rate = order_line.tax_rate if row.get("tax_rate") is None else row["tax_rate"]
        amount, tax, total = line_amounts(row["qty"], unit_price, ZERO, tax_rate)
        lines.append(
            {
                "receipt_line_id": receipt_line.id,
                "order_line_id": order_line.id,
                "product_id": order_line.product_id,
                "unit": receipt_line.unit,
                "qty": row["qty"],
                "base_qty": base_qty,
                "unit_price": unit_price,
                "tax_rate": tax_rate,
                "amount": amount,
                "tax": tax,
                "total": total,
                "order_unit_price": order_price,
                "order_tax_rate": order_line.tax_rate,
                "price_variance": unit_price - order_price,
                "qty_variance": ((base_qty - max(left, ZERO)) / factor).quantize(QTY_PLACES),
            }
        )
    return lines


def _factor(receipt_line: PurchaseReceiptLine, order_line: PurchaseOrderLine) -> Decimal:
    """Base units in one of the receipt line's units."""
    if receipt_line.unit == order_line.unit:
        return order_line.factor
    return receipt_line.base_qty / receipt_line.qty


def _order_price(order_line: PurchaseOrderLine, factor: Decimal) -> Decimal:
    """The order's price after discount, excluding tax, per `factor` base units."""
    return (net_unit_cost(order_line) * factor).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)


def billable(supplier_id: int) -> dict:
    """Receipt lines of a supplier with something left to bill (received − returned −
    billed by drafts and posted bills), oldest first, in each receipt line's unit."""
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        raise ValidationProblem({"supplier_id": [f"no supplier with id {supplier_id}"]})
    rows = db.session.execute(
        select(PurchaseReceiptLine, PurchaseReceipt, PurchaseOrderLine, PurchaseOrder)
        .join(PurchaseReceipt, PurchaseReceipt.id == PurchaseReceiptLine.receipt_id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == PurchaseReceiptLine.order_line_id)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(
            PurchaseOrder.supplier_id == supplier_id,
            PurchaseReceiptLine.base_qty > PurchaseReceiptLine.returned_base_qty,
        )
        .order_by(PurchaseReceipt.received_at, PurchaseReceiptLine.id)
    ).all()
    billed = _billed_base_qty({row[0].id for row in rows}, ("draft", *OWING))
    products = product_refs({row[2].product_id for row in rows})
    items = []
    for receipt_line, receipt, order_line, order in rows:
        left = receipt_line.base_qty - receipt_line.returned_base_qty - billed[receipt_line.id]
        if left <= 0:
            continue
        factor = _factor(receipt_line, order_line)

        def in_unit(base_qty, factor=factor):
            return (base_qty / factor).quantize(QTY_PLACES, rounding=ROUND_HALF_UP)

        items.append(
            {
                "receipt_line_id": receipt_line.id,
                "receipt": {"id": receipt.id, "number": receipt.number},
                "received_at": receipt.received_at,
                "purchase_order": {"id": order.id, "number": order.number},
                "product": products[order_line.product_id],
                "unit": receipt_line.unit,
                "received_qty": in_unit(receipt_line.base_qty),
                "returned_qty": in_unit(receipt_line.returned_base_qty),
                "billed_qty": in_unit(billed[receipt_line.id]),
                "left_qty": in_unit(left),
                "unit_price": _order_price(order_line, factor),
                "tax_rate": order_line.tax_rate,
            }
        )
    return {"supplier": _supplier_ref(supplier_id), "items": items}


def _billed_base_qty(receipt_line_ids, states, exclude_bill_id=None) -> defaultdict:
    """Base units billed so far per receipt line, by bills in `states`."""
    stmt = (
        select(SupplierBillLine.receipt_line_id, func.sum(SupplierBillLine.base_qty))
        .join(SupplierBill, SupplierBill.id == SupplierBillLine.bill_id)
        .where(SupplierBill.state.in_(states))
        .group_by(SupplierBillLine.receipt_line_id)
    )
    if receipt_line_ids is not None:
        stmt = stmt.where(SupplierBillLine.receipt_line_id.in_(list(receipt_line_ids)))
    if exclude_bill_id is not None:
        stmt = stmt.where(SupplierBill.id != exclude_bill_id)
    billed: defaultdict = defaultdict(Decimal)
    billed.update({line_id: Decimal(qty) for line_id, qty in db.session.execute(stmt)})
    return billed


def post_bill(bill_id: int) -> dict:
    """Confirm a draft: it counts in payables from now on. Its quantities are checked
    again, since returns may have come since it was entered."""

    def work():
        supplier_id = get_bill(bill_id).supplier_id
        _locked_supplier(supplier_id)
        bill = get_bill(bill_id, lock=True)
        if bill.state != "draft":
            raise InvalidBillState(bill, "posted")
        errors: dict[str, list[str]] = {}
        rows = [{"receipt_line_id": line.receipt_line_id, "qty": line.qty,
                 "unit_price": line.unit_price, "tax_rate": line.tax_rate}
                for line in bill.lines]  # fmt: skip
        _checked_lines(supplier_id, rows, errors, exclude_bill_id=bill.id)
        if errors:
            raise ValidationProblem(errors, "The bill bills more than is left to bill.")
        bill.state = "posted"
        bill.posted_at = utcnow()
        db.session.flush()
        return bill_detail(bill)

    return run_transaction(work)


def cancel_bill(bill_id: int) -> dict:
    def work():
        bill = get_bill(bill_id, lock=True)
        if bill.state != "draft":
            raise InvalidBillState(bill, "cancelled")
        bill.state = "cancelled"
        db.session.flush()
        return bill_detail(bill)

    return run_transaction(work)


# --- payments --------------------------------------------------------------------------------


def payment_query(args: dict | None = None):
    args = args or {}
    stmt = select(SupplierPayment)
    for field in ("supplier_id", "method"):
        if args.get(field) is not None:
            stmt = stmt.where(getattr(SupplierPayment, field) == args[field])
    return stmt


def get_payment(payment_id: int) -> SupplierPayment:
    payment = db.session.get(SupplierPayment, payment_id)
    if payment is None:
        raise NotFound(f"No supplier payment with id {payment_id}.")
    return payment


def payment_detail(payment: SupplierPayment) -> dict:
    bills = {
        bill.id: bill
        for bill in db.session.scalars(
            select(SupplierBill).where(
                SupplierBill.id.in_({a.bill_id for a in payment.allocations})
            )
        )
    }
    return {
        "id": payment.id,
        "number": payment.number,
        "supplier": _supplier_ref(payment.supplier_id),
        "paid_on": payment.paid_on,
        "amount": payment.amount,
        "allocated": payment.allocated,
        "unallocated": payment.amount - payment.allocated,
        "method": payment.method,
        "account": payment.account,
        "reference": payment.reference,
        "note": payment.note,
        "created_by": user_ref(payment.created_by_id),
        "created_at": payment.created_at,
        "allocations": [
            {
                "id": allocation.id,
                "bill": {
                    "id": allocation.bill_id,
                    "number": bills[allocation.bill_id].number,
                    "bill_no": bills[allocation.bill_id].bill_no,
                },
                "amount": allocation.amount,
                "allocated_at": allocation.allocated_at,
            }
            for allocation in payment.allocations
        ],
    }


def create_payment(data: dict) -> dict:
    """Record a payment, numbered PM-<year>-<n>, and apply it to the bills named."""

    def work():
        errors: dict[str, list[str]] = {}
        supplier = _locked_supplier(data["supplier_id"], errors)
        if errors:
            raise ValidationProblem(errors)
        allocations = _checked_allocations(supplier.id, data["amount"], data["allocations"])
        payment = SupplierPayment(
            number=next_number("PM"),
            supplier_id=supplier.id,
            paid_on=data["paid_on"],
            amount=data["amount"],
            allocated=ZERO,
            method=data["method"],
            account=data["account"].strip(),
            reference=data["reference"].strip(),
            note=data["note"].strip(),
            created_by_id=current_user.id,
        )
        db.session.add(payment)
        db.session.flush()
        _apply(payment, allocations)
        return payment_detail(payment)

    return run_transaction(work)


def allocate_payment(payment_id: int, data: dict) -> dict:
    """Apply what is left of a payment (a prepayment) to posted bills."""

    def work():
        supplier_id = get_payment(payment_id).supplier_id
        _locked_supplier(supplier_id)
        payment = db.session.scalar(
            select(SupplierPayment)
            .where(SupplierPayment.id == payment_id)
            .execution_options(populate_existing=True)
        )
        allocations = _checked_allocations(
            supplier_id, payment.amount - payment.allocated, data["allocations"]
        )
        _apply(payment, allocations)
        return payment_detail(payment)

    return run_transaction(work)


def _checked_allocations(supplier_id: int, available: Decimal, rows: Sequence[dict]):
    bills = {
        bill.id: bill
        for bill in db.session.scalars(
            select(SupplierBill)
            .where(SupplierBill.id.in_({row["bill_id"] for row in rows}))
            .execution_options(populate_existing=True)
        )
    }
    return allocations.checked(rows, bills, key="bill_id", owner=lambda bill: bill.supplier_id,
                               owner_id=supplier_id, available=available, what="bill")  # fmt: skip


def _apply(payment: SupplierPayment, fitting) -> None:
    def make(bill, amount, at, user_id):
        return SupplierPaymentAllocation(bill_id=bill.id, amount=amount, allocated_at=at,
                                         user_id=user_id)  # fmt: skip

    allocations.apply(payment, fitting, make, user_id=current_user.id)
    db.session.flush()


# --- payables --------------------------------------------------------------------------------


def _sums(stmt) -> dict[int, Decimal]:
    return {key: Decimal(value or 0) for key, value in db.session.execute(stmt)}


def return_credits(supplier_id: int | None = None) -> list[dict]:
    """Credit notes for goods billed (posted) and then sent back, one per purchase return
    that earned any: {supplier_id, return_id, number, date, amount}, valued at the order's
    net price plus its tax rate. Goods returned before billing are simply not billable, so
    they owe nothing and earn no credit: per receipt line, a return earns credit only for
    what it takes back beyond what was still unbilled when it was made."""
    stmt = (
        select(
            PurchaseReturnLine,
            PurchaseReturn,
            PurchaseReceiptLine,
            PurchaseOrderLine,
            PurchaseOrder.supplier_id,
        )  # fmt: skip
        .join(PurchaseReturn, PurchaseReturn.id == PurchaseReturnLine.return_id)
        .join(PurchaseReceiptLine, PurchaseReceiptLine.id == PurchaseReturnLine.receipt_line_id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == PurchaseReceiptLine.order_line_id)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
    )
    if supplier_id is not None:
        stmt = stmt.where(PurchaseOrder.supplier_id == supplier_id)
    returned = db.session.execute(stmt).all()
    # When each receipt line was billed: (posted_at, base units) of posted bills.
    billings: dict[int, list] = defaultdict(list)
    for receipt_line_id, posted_at, base_qty in db.session.execute(
        select(SupplierBillLine.receipt_line_id, SupplierBill.posted_at, SupplierBillLine.base_qty)
        .join(SupplierBill, SupplierBill.id == SupplierBillLine.bill_id)
        .where(
            SupplierBill.state.in_(OWING),
            SupplierBillLine.receipt_line_id.in_({row[2].id for row in returned}),
        )
    ):
        billings[receipt_line_id].append((posted_at, base_qty))

    credits: dict[int, dict] = {}
    returned_so_far: dict[int, Decimal] = defaultdict(Decimal)
    for line, ret, receipt_line, order_line, supplier in sorted(
        returned, key=lambda row: (row[1].returned_at, row[0].id)
    ):
        billed = sum((qty for at, qty in billings[receipt_line.id] if at <= ret.returned_at),
                     ZERO)  # fmt: skip
        before = returned_so_far[receipt_line.id]
        returned_so_far[receipt_line.id] += line.base_qty

        unbilled = receipt_line.base_qty - billed  # what a return may take back for free
        qty = max(before + line.base_qty - unbilled, ZERO) - max(before - unbilled, ZERO)
        credit = credits.setdefault(
            ret.id, {"supplier_id": supplier, "return_id": ret.id, "number": ret.number,
                     "date": ret.returned_at.date(), "amount": ZERO}
        )  # fmt: skip
        if qty > 0:
            credit["amount"] += line_amounts(qty, net_unit_cost(order_line), ZERO,
                                             order_line.tax_rate)[2]  # fmt: skip
    return [credit for credit in credits.values() if credit["amount"] > 0]


def payables(args: dict) -> dict:
    """What each supplier is owed: opening + posted bills − returned credit − payments."""
    today = utcnow().date()
    owing = select(SupplierBill.supplier_id).where(SupplierBill.state.in_(OWING))
    by_supplier = SupplierBill.supplier_id
    billed = _sums(owing.add_columns(func.sum(SupplierBill.total)).group_by(by_supplier))
    overdue_stmt = select(SupplierBill.supplier_id).where(
        SupplierBill.state == "posted", SupplierBill.due_date < today
    )
    overdue_total = _sums(overdue_stmt.add_columns(func.sum(SupplierBill.total))
                          .group_by(by_supplier))  # fmt: skip
    overdue_paid = _sums(overdue_stmt.add_columns(func.sum(SupplierBill.paid))
                         .group_by(by_supplier))  # fmt: skip
    payments = select(SupplierPayment.supplier_id).group_by(SupplierPayment.supplier_id)
    paid = _sums(payments.add_columns(func.sum(SupplierPayment.amount)))
    allocated = _sums(payments.add_columns(func.sum(SupplierPayment.allocated)))
    credits: dict[int, Decimal] = defaultdict(Decimal)
    for credit in return_credits():
        credits[credit["supplier_id"]] += credit["amount"]

    stmt = select(Supplier).order_by(Supplier.code)
    if args.get("supplier_id") is not None:
        stmt = stmt.where(Supplier.id == args["supplier_id"])
    items = []
    for supplier in db.session.scalars(stmt):
        sid = supplier.id
        row = {
            "supplier": {"id": sid, "code": supplier.code, "name": supplier.name},
            "opening": supplier.opening_payable,
            "billed": billed.get(sid, ZERO),
            "returned": credits.get(sid, ZERO),
            "paid": paid.get(sid, ZERO),
            "prepayment": paid.get(sid, ZERO) - allocated.get(sid, ZERO),
            "overdue": overdue_total.get(sid, ZERO) - overdue_paid.get(sid, ZERO),
        }
        row["balance"] = row["opening"] + row["billed"] - row["returned"] - row["paid"]
        if any(row[key] for key in ("opening", "billed", "returned", "paid")):
            items.append(row)
    keys = ("opening", "billed", "returned", "paid", "balance", "prepayment", "overdue")
    totals = {key: sum((row[key] for row in items), ZERO) for key in keys}
    return {"as_of": today, "items": items, "totals": totals}


def bucket_of(days_past_due: int) -> str:
    for name, last_day in BUCKET_LIMITS:
        if last_day is None or days_past_due <= last_day:
            return name
    raise AssertionError("the last bucket has no limit")


def ageing(args: dict) -> dict:
    """Open amounts of posted bills dated by `as_of`, by days past their due date."""
    as_of: date = args.get("as_of") or utcnow().date()
    stmt = select(SupplierBill).where(
        SupplierBill.state == "posted", SupplierBill.bill_date <= as_of
    )
    if args.get("supplier_id") is not None:
        stmt = stmt.where(SupplierBill.supplier_id == args["supplier_id"])
    rows: dict[int, dict] = {}
    for bill in db.session.scalars(stmt):
        row = rows.setdefault(
            bill.supplier_id, {"supplier": _supplier_ref(bill.supplier_id),
                               **dict.fromkeys((*BUCKETS, "total"), ZERO)}
        )  # fmt: skip
        open_amount = bill.total - bill.paid
        row[bucket_of((as_of - bill.due_date).days)] += open_amount
        row["total"] += open_amount
    items = sorted(rows.values(), key=lambda row: row["supplier"]["code"])
    totals = {key: sum((row[key] for row in items), ZERO) for key in (*BUCKETS, "total")}
    return {"as_of": as_of, "items": items, "totals": totals}
