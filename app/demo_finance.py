"""The demo company's supplier bills and payments, made through the finance services as
the demo finance clerk would: one supplier with a bill long overdue and paid in part, one
billed and paid in full, one with a draft bill and goods still to bill, one with a
prepayment. Only when there are no bills yet."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.core.db import utcnow
from app.demo_purchasing import acting_as
from app.extensions import db
from app.finance import services
from app.finance.models import SupplierBill
from app.purchasing.models import PurchaseOrder, PurchaseReceipt, PurchaseReceiptLine


def _receipt_lines(order: PurchaseOrder) -> list[PurchaseReceiptLine]:
    return db.session.scalars(
        select(PurchaseReceiptLine)
        .join(PurchaseReceipt, PurchaseReceipt.id == PurchaseReceiptLine.receipt_id)
        .where(PurchaseReceipt.order_id == order.id)
        .order_by(PurchaseReceiptLine.id)
    ).all()


def _bill(order, lines, bill_no: str, days_ago: int, due_days_ago: int | None = None) -> dict:
    today = utcnow().date()
    return services.create_bill(
        {
            "supplier_id": order.supplier_id,
            "bill_no": bill_no,
            "bill_date": today - timedelta(days=days_ago),
            "due_date": None if due_days_ago is None else today - timedelta(days=due_days_ago),
            "note": "",
            "lines": [{"receipt_line_id": line.id, "qty": line.qty} for line in lines],
        }
    )


def _pay(supplier_id: int, amount: Decimal, days_ago: int, bill: dict | None, **extra) -> None:
    services.create_payment(
        {
            "supplier_id": supplier_id,
            "paid_on": utcnow().date() - timedelta(days=days_ago),
            "amount": amount,
            "method": extra.get("method", "bank"),
            "account": "招商银行 6214 **** 0088",
            "reference": extra.get("reference", ""),
            "note": extra.get("note", ""),
            "allocations": [] if bill is None else [{"bill_id": bill["id"], "amount": amount}],
        }
    )


def seed_finance() -> int:
    """Create the demo bills and payments; returns how many bills (0: some exist already)."""
    if db.session.scalar(select(SupplierBill.id).limit(1)) is not None:
        return 0
    orders = {
        state: db.session.scalars(
            select(PurchaseOrder).where(PurchaseOrder.state == state).order_by(PurchaseOrder.id)
        ).all()
        for state in ("closed", "received", "partially_received", "approved")
    }
    if not all(orders.values()):
        return 0
    bills = 0
    with acting_as("finance"):
        # Overdue: billed 75 days ago, due 45 days ago, a third paid.
        order = orders["closed"][0]
        overdue = services.post_bill(_bill(order, _receipt_lines(order), "FP-2201", 75, 45)["id"])
        part = (Decimal(overdue["totals"]["total"]) / 3).quantize(Decimal("0.01"))
        _pay(order.supplier_id, part, 40, overdue, reference="TX-88120")
        bills += 1

        # Billed ten days ago and paid in full three days ago.
        order = orders["received"][0]
        paid = services.post_bill(_bill(order, _receipt_lines(order), "FP-3307", 10)["id"])
        _pay(order.supplier_id, Decimal(paid["totals"]["total"]), 3, paid, method="alipay")
        bills += 1

        # A draft for the first line of a part-received order; the rest is still to bill.
        order = orders["partially_received"][0]
        _bill(order, _receipt_lines(order)[:1], "FP-4410", 1)
        bills += 1

        # Money sent ahead for an approved order: a prepayment.
        order = orders["approved"][0]
        _pay(order.supplier_id, Decimal("1000.00"), 2, None, note="预付货款 prepayment")
    return bills
