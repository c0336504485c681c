"""Receivable and payable ageing (账龄) as reports: open amounts per customer or supplier by
days past due on `as_of`, in the buckets of the finance ageing (finance.services), so the
figures are those of /receivables/ageing and /payables/ageing, summed in SQL.

Like those, they count posted invoices (bills) dated by `as_of` at their open amount now,
and leave out opening balances. Money here is what is owed, not cost: every caller with
reports:read sees it.
"""

from datetime import timedelta
from decimal import Decimal

from marshmallow import fields
from sqlalchemy import case, func, select

from app.core.db import utcnow
from app.finance.models import SupplierBill
from app.finance.services import BUCKET_LIMITS
from app.partners.models import Customer, Supplier
from app.partners.services import own_customers_only
from app.reports.registry import Column, Report, ReportArgsSchema, ReportQuery, Scope
from app.sales.models import CustomerInvoice

ZERO = Decimal(0)
BUCKET_NAMES = {
    "not_due": ("未到期", "Not due"),
    "days_1_30": ("逾期1–30天", "1–30 days overdue"),
    "days_31_60": ("逾期31–60天", "31–60 days overdue"),
    "days_61_90": ("逾期61–90天", "61–90 days overdue"),
    "over_90": ("逾期90天以上", "Over 90 days overdue"),
}


class _AgeingArgsSchema(ReportArgsSchema):
    class Meta:
        exclude = ("warehouse_id", "category_id", "product_id")  # not about stock

    as_of = fields.Date(load_default=None, metadata={"description": "Default today (UTC)"})


class ReceivableAgeingArgsSchema(_AgeingArgsSchema):
    customer_id = fields.Integer(load_default=None)


class PayableAgeingArgsSchema(_AgeingArgsSchema):
    supplier_id = fields.Integer(load_default=None)


def _columns(party: str, zh: str, en: str) -> tuple[Column, ...]:
    return (
        Column(f"{party}_id", f"{zh}ID", f"{en} id", "id"),
        Column(f"{party}_code", f"{zh}编码", f"{en} code", sortable=True),
        Column(f"{party}_name", zh, en, sortable=True),
        *(
            Column(name, *BUCKET_NAMES[name], "money", summed=True, sortable=True)
            for name, _ in BUCKET_LIMITS
        ),
        # `total` is the row count in a page: the sum of the buckets is the balance.
        Column("balance", "未结余额", "Open balance", "money", summed=True, sortable=True),
    )


def _as_of(args: dict):
    return args.get("as_of") or utcnow().date()  # a future date too, as the finance ageing


def _by_bucket(due_date, as_of, open_amount) -> list:
    """The open amount summed per bucket, bucketed as finance.services.bucket_of does:
    `days past due <= last day` is `due_date >= as_of − last day`."""
    bucket = case(
        *(
            (due_date >= as_of - timedelta(days=last_day), name)
            for name, last_day in BUCKET_LIMITS
            if last_day is not None
        ),
        else_=BUCKET_LIMITS[-1][0],
    )
    return [
        func.sum(case((bucket == name, open_amount), else_=ZERO)).label(name)
        for name, _ in BUCKET_LIMITS
    ] + [func.sum(open_amount).label("balance")]


def _report_query(party, prefix: str, party_id, stmt, as_of) -> ReportQuery:
    sums = stmt.group_by(party_id).subquery("sums")
    figures = [sums.c[name] for name, _ in BUCKET_LIMITS]
    stmt = select(
        party.id.label(f"{prefix}_id"),
        party.code.label(f"{prefix}_code"),
        party.name.label(f"{prefix}_name"),
        *figures,
        sums.c.balance,
    ).join(sums, sums.c.party_id == party.id)
    return ReportQuery(
        stmt,
        default_sort=f"{prefix}_code",
        tiebreak=(f"{prefix}_id",),
        facts=[("截至日期", "As of", as_of.isoformat())],
    )


def build_receivable_ageing(args: dict, scope: Scope) -> ReportQuery:
    as_of = _as_of(args)
    i = CustomerInvoice
    open_amount = i.total - i.paid - i.credited
    stmt = select(i.customer_id.label("party_id"), *_by_bucket(i.due_date, as_of, open_amount))
    stmt = stmt.where(i.state == "posted", i.invoice_date <= as_of)
    if scope.customer_id is not None:
        stmt = stmt.where(i.customer_id == scope.customer_id)
    if (own := own_customers_only()) is not None:  # a salesperson sees their own customers
        mine = select(Customer.id).where(Customer.salesperson_id == own)
        stmt = stmt.where(i.customer_id.in_(mine))
    return _report_query(Customer, "customer", i.customer_id, stmt, as_of)


def build_payable_ageing(args: dict, scope: Scope) -> ReportQuery:
    as_of = _as_of(args)
    b = SupplierBill
    stmt = select(b.supplier_id.label("party_id"), *_by_bucket(b.due_date, as_of, b.total - b.paid))
    stmt = stmt.where(b.state == "posted", b.bill_date <= as_of)
    if scope.supplier_id is not None:
        stmt = stmt.where(b.supplier_id == scope.supplier_id)
    return _report_query(Supplier, "supplier", b.supplier_id, stmt, as_of)


REPORTS = (
    Report(
        name="receivable-ageing",
        title_zh="应收账龄表",
        title_en="Receivable ageing",
        description="Open amounts of posted customer invoices per customer by days past due on "
        "`as_of` (default today): not due, 1–30, 31–60, 61–90, over 90.",
        args=ReceivableAgeingArgsSchema,
        permission="finance:read",  # what is owed is finance's, as on the ageing screens
        columns=_columns("customer", "客户", "Customer"),
        build=build_receivable_ageing,
    ),
    Report(
        name="payable-ageing",
        title_zh="应付账龄表",
        title_en="Payable ageing",
        description="Open amounts of posted supplier bills per supplier by days past due on "
        "`as_of` (default today): not due, 1–30, 31–60, 61–90, over 90.",
        args=PayableAgeingArgsSchema,
        permission="finance:read",
        columns=_columns("supplier", "供应商", "Supplier"),
        build=build_payable_ageing,
    ),
)
