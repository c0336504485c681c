"""Receivables (应收账款): what each customer owes, its ageing, the overdue invoices, and
the customer statement (对账单) — the same shapes as payables, seen from the other side.

Owed = opening receivable + invoices − credit notes − receipts. Invoices count on their
date, credit notes on the day of the return, receipts on the day received.
"""

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.core.db import utcnow
from app.core.errors import NotFound
from app.extensions import db
from app.finance.services import BUCKETS, bucket_of
from app.finance.statement import entry, period, printed_statement, running, total_of
from app.partners.models import Customer
from app.partners.services import own_customers_only
from app.sales.models import CustomerInvoice, CustomerReceipt, SalesReturn

ZERO = Decimal(0)
TOTALS = {
    "invoice": ("invoiced", "increase"),
    "credit_note": ("credited", "decrease"),
    "receipt": ("received", "decrease"),
}
KINDS = tuple(TOTALS)


def _sums(stmt) -> dict[int, Decimal]:
    return {key: Decimal(value or 0) for key, value in db.session.execute(stmt)}


def _customers(customer_id: int | None = None):
    stmt = select(Customer).order_by(Customer.code)
    if customer_id is not None:
        stmt = stmt.where(Customer.id == customer_id)
    own = own_customers_only()
    if own is not None:
        stmt = stmt.where(Customer.salesperson_id == own)
    return stmt


def balance_of(customer: Customer) -> Decimal:
    """What one customer owes now."""
    return (
        customer.opening_receivable
        + total_of(CustomerInvoice.total, CustomerInvoice.customer_id == customer.id)
        - total_of(SalesReturn.credit, SalesReturn.customer_id == customer.id)
        - total_of(CustomerReceipt.amount, CustomerReceipt.customer_id == customer.id)
    )


def receivables(args: dict) -> dict:
    """Per customer: opening, invoiced, credited, received, balance; unallocated receipts
    (prepayments) and the open amount of invoices past due."""
    today = utcnow().date()
    by = CustomerInvoice.customer_id
    invoiced = _sums(select(by, func.sum(CustomerInvoice.total)).group_by(by))
    overdue = select(by).where(CustomerInvoice.overdue_on(today))
    overdue_total = _sums(overdue.add_columns(func.sum(CustomerInvoice.total)).group_by(by))
    overdue_settled = _sums(
        overdue.add_columns(func.sum(CustomerInvoice.paid + CustomerInvoice.credited)).group_by(by)
    )
    credited = _sums(
        select(SalesReturn.customer_id, func.sum(SalesReturn.credit)).group_by(
            SalesReturn.customer_id
        )
    )
    by_receipt = CustomerReceipt.customer_id
    received = _sums(select(by_receipt, func.sum(CustomerReceipt.amount)).group_by(by_receipt))
    allocated = _sums(select(by_receipt, func.sum(CustomerReceipt.allocated)).group_by(by_receipt))

    items = []
    for customer in db.session.scalars(_customers(args.get("customer_id"))):
        cid = customer.id
        row = {
            "customer": {"id": cid, "code": customer.code, "name": customer.name},
            "opening": customer.opening_receivable,
            "invoiced": invoiced.get(cid, ZERO),
            "credited": credited.get(cid, ZERO),
            "received": received.get(cid, ZERO),
            "prepayment": received.get(cid, ZERO) - allocated.get(cid, ZERO),
            "overdue": overdue_total.get(cid, ZERO) - overdue_settled.get(cid, ZERO),
            "credit_limit": customer.credit_limit,
            "credit_days": customer.credit_days,
        }
        row["balance"] = row["opening"] + row["invoiced"] - row["credited"] - row["received"]
        if any(row[key] for key in ("opening", "invoiced", "credited", "received")):
            items.append(row)
    keys = ("opening", "invoiced", "credited", "received", "balance", "prepayment", "overdue")
    totals = {key: sum((row[key] for row in items), ZERO) for key in keys}
    return {"as_of": today, "items": items, "totals": totals}


def ageing(args: dict) -> dict:
    """Open amounts of invoices dated by `as_of`, by days past their due date."""
    as_of: date = args.get("as_of") or utcnow().date()
    stmt = select(CustomerInvoice).where(
        CustomerInvoice.state == "posted", CustomerInvoice.invoice_date <= as_of
    )
    visible = [c.id for c in db.session.scalars(_customers(args.get("customer_id")))]
    stmt = stmt.where(CustomerInvoice.customer_id.in_(visible))
    customers = {
        c.id: c for c in db.session.scalars(select(Customer).where(Customer.id.in_(visible)))
    }
    rows: dict[int, dict] = {}
    for invoice in db.session.scalars(stmt):
        customer = customers[invoice.customer_id]
        row = rows.setdefault(
            invoice.customer_id,
            {
                "customer": {"id": customer.id, "code": customer.code, "name": customer.name},
                **dict.fromkeys((*BUCKETS, "total"), ZERO),
            },
        )
        row[bucket_of((as_of - invoice.due_date).days)] += invoice.open_amount
        row["total"] += invoice.open_amount
    items = sorted(rows.values(), key=lambda row: row["customer"]["code"])
    totals = {key: sum((row[key] for row in items), ZERO) for key in (*BUCKETS, "total")}
    return {"as_of": as_of, "items": items, "totals": totals}


def statement(customer_id: int, start: date | None, end: date | None) -> dict:
    """The statement of one customer from `start` to `end`, both days included."""
    start, end = period(start, end)
    customer = db.session.scalar(_customers(customer_id))
    if customer is None:
        raise NotFound(f"No customer with id {customer_id}.")
    mine = CustomerInvoice.customer_id == customer_id
    invoices = db.session.scalars(
        select(CustomerInvoice).where(mine, CustomerInvoice.invoice_date.between(start, end))
    )
    receipts = db.session.scalars(
        select(CustomerReceipt).where(
            CustomerReceipt.customer_id == customer_id,
            CustomerReceipt.received_on.between(start, end),
        )
    )
    credit_notes = db.session.scalars(
        select(SalesReturn).where(SalesReturn.customer_id == customer_id, SalesReturn.credit > 0)
    ).all()
    entries = [
        *(entry(i.invoice_date, "invoice", i.id, i.number, "", increase=i.total) for i in invoices),
        *(
            entry(
                r.returned_at.date(),
                "credit_note",
                r.id,
                r.credit_note_number,
                r.number,
                decrease=r.credit,
            )
            for r in credit_notes
            if start <= r.returned_at.date() <= end
        ),
        *(
            entry(r.received_on, "receipt", r.id, r.number, r.reference, decrease=r.amount)
            for r in receipts
        ),
    ]
    opening = (
        customer.opening_receivable
        + total_of(CustomerInvoice.total, mine, CustomerInvoice.invoice_date < start)
        - sum((r.credit for r in credit_notes if r.returned_at.date() < start), ZERO)
        - total_of(
            CustomerReceipt.amount,
            CustomerReceipt.customer_id == customer_id,
            CustomerReceipt.received_on < start,
        )
    )
    return {
        "customer": {"id": customer.id, "code": customer.code, "name": customer.name},
        "start": start,
        "end": end,
        **running(opening, entries, TOTALS),
    }


WORDS = {
    "zh-CN": {
        "title": "客户对账单",
        "party": "客户",
        "period": "期间",
        "printed": "打印日期",
        "date": "日期",
        "kind": "类型",
        "number": "单号",
        "reference": "参考",
        "increase": "应收增加",
        "decrease": "应收减少",
        "balance": "余额",
        "opening": "期初余额",
        "closing": "期末余额",
        "total": "本期合计",
        "invoice": "发票",
        "credit_note": "红字/退货",
        "receipt": "收款",
        "footer": "请核对上述往来明细，如有不符请于收到后 7 日内告知。",
    },
    "en": {
        "title": "Customer statement",
        "party": "Customer",
        "period": "Period",
        "printed": "Printed",
        "date": "Date",
        "kind": "Type",
        "number": "Number",
        "reference": "Reference",
        "increase": "Owed more",
        "decrease": "Owed less",
        "balance": "Balance",
        "opening": "Opening balance",
        "closing": "Closing balance",
        "total": "Period total",
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "receipt": "Receipt",
        "footer": "Please check the entries above and tell us of any difference within 7 days.",
    },
}
LANGUAGES = tuple(WORDS)


def printed(data: dict, lang: str):
    return printed_statement(data, WORDS[lang], data["customer"])
