"""The manager's dashboard (经营看板): a handful of figures and series in one answer.

Sales are what the sales reports count: shipped, net of returns, excluding tax, by shipment
and return date (UTC). Orders are sales orders taken (not drafts, not cancelled) by when
they were created. Each period runs from its start to now and is compared with the same
number of days just before it: today with yesterday, this week (from Monday) with the same
days of last week, this month with the same days of last month. Cost figures (margin,
stock value) only for cost:read, overdue receivables only for finance:read, all within the
warehouses the caller may see.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import Schema, fields
from sqlalchemy import func, select

from app.catalog.models import Category, Product
from app.core.db import utcnow
from app.core.schemas import DecimalString
from app.core.security import caller_can
from app.core.sql import day_of
from app.extensions import db
from app.inventory import stock
from app.inventory.models import StockValuation, Warehouse
from app.notifications.alerts import due_batches
from app.reports.registry import COST_PERMISSION, ReportArgsSchema, Scope, day_start
from app.reports.sales import sold_lines
from app.sales.models import CustomerInvoice, SalesOrder

ZERO = Decimal(0)
TREND_DAYS = 30
TOP_SELLERS = 5
TAKEN = ("draft", "cancelled")  # states of orders not (or no longer) taken


class DashboardArgsSchema(ReportArgsSchema):
    class Meta:
        fields = ("warehouse_id",)


# --- periods ----------------------------------------------------------------------------------


def _periods(today: date) -> dict[str, tuple[date, date, date, date]]:
    """name → (from, to, previous from, previous to), whole days, both ends included."""
    week_start = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    last_month_start = (month_start - timedelta(days=1)).replace(day=1)
    same_day_last_month = min(
        last_month_start + (today - month_start), month_start - timedelta(days=1)
    )
    return {
        "today": (today, today, today - timedelta(days=1), today - timedelta(days=1)),
        "week": (week_start, today, week_start - timedelta(days=7), today - timedelta(days=7)),
        "month": (month_start, today, last_month_start, same_day_last_month),
    }


def _sales(first: date, last: date, scope: Scope) -> tuple[Decimal, Decimal]:
    sold = sold_lines(day_start(first), day_start(last + timedelta(days=1)), scope)
    revenue, cost = db.session.execute(
        select(func.coalesce(func.sum(sold.c.revenue), 0), func.coalesce(func.sum(sold.c.cost), 0))
    ).one()
    return revenue, cost


def _in_scope(stmt, scope: Scope):
    """Only the orders of the warehouses the caller asked for and may see."""
    if scope.warehouse_ids is None:
        return stmt
    return stmt.where(SalesOrder.warehouse_id.in_(scope.warehouse_ids))


def _orders_taken(first: date, last: date, scope: Scope) -> int:
    o = SalesOrder
    stmt = select(func.count()).where(
        o.created_at >= day_start(first),
        o.created_at < day_start(last + timedelta(days=1)),
        o.state.not_in(TAKEN),
    )
    return db.session.scalar(_in_scope(stmt, scope))


def _change_pct(now: Decimal, before: Decimal) -> Decimal | None:
    if not before:
        return None
    return ((now - before) * 100 / before).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _period(bounds, scope: Scope) -> dict:
    first, last, previous_first, previous_last = bounds
    revenue, _ = _sales(first, last, scope)
    previous, _ = _sales(previous_first, previous_last, scope)
    return {
        "from": first,
        "to": last,
        "revenue": revenue,
        "orders": _orders_taken(first, last, scope),
        "previous": {
            "from": previous_first,
            "to": previous_last,
            "revenue": previous,
            "orders": _orders_taken(previous_first, previous_last, scope),
        },
        "change_pct": _change_pct(revenue, previous),
    }


def _margin(revenue: Decimal, cogs: Decimal) -> dict:
    margin = revenue - cogs
    return {"revenue": revenue, "cogs": cogs, "margin": margin, "margin_pct": _pct(margin, revenue)}


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- series -----------------------------------------------------------------------------------


def _trend(today: date, scope: Scope) -> list[dict]:
    first = today - timedelta(days=TREND_DAYS - 1)
    sold = sold_lines(day_start(first), day_start(today + timedelta(days=1)), scope)
    revenue = dict(
        db.session.execute(
            select(sold.c.day, func.sum(sold.c.revenue).label("revenue")).group_by(sold.c.day)
        ).all()
    )
    o, day = SalesOrder, day_of(SalesOrder.created_at)
    taken = select(day, func.count()).where(o.created_at >= day_start(first), o.state.not_in(TAKEN))
    orders = dict(db.session.execute(_in_scope(taken, scope).group_by(day)).all())
    days = [(first + timedelta(days=n)).isoformat() for n in range(TREND_DAYS)]
    return [
        {"date": day, "revenue": revenue.get(day, ZERO), "orders": orders.get(day, 0)}
        for day in days
    ]


def _top_sellers(today: date, scope: Scope) -> list[dict]:
    first = today - timedelta(days=TREND_DAYS - 1)
    sold = sold_lines(day_start(first), day_start(today + timedelta(days=1)), scope)
    qty, revenue = func.sum(sold.c.qty).label("qty"), func.sum(sold.c.revenue).label("revenue")
    rows = db.session.execute(
        select(Product.id, Product.sku, Product.name, Product.unit, qty, revenue)
        .join(Product, Product.id == sold.c.product_id)
        .group_by(Product.id, Product.sku, Product.name, Product.unit)
        .having(func.sum(sold.c.qty) > 0)
        .order_by(qty.desc(), Product.sku)
        .limit(TOP_SELLERS)
    )
    return [
        {
            "product_id": r.id,
            "sku": r.sku,
            "product_name": r.name,
            "unit": r.unit,
            "qty": r.qty,
            "revenue": r.revenue,
        }  # fmt: skip
        for r in rows
    ]


def _orders_by_status(today: date, scope: Scope) -> list[dict]:
    o = SalesOrder
    since = day_start(today - timedelta(days=TREND_DAYS - 1))
    stmt = select(o.state, func.count()).where(o.created_at >= since).group_by(o.state)
    return [
        {"state": state, "count": count}
        for state, count in db.session.execute(_in_scope(stmt, scope))
    ]


def _margin_by_category(first: date, today: date, scope: Scope) -> list[dict]:
    sold = sold_lines(day_start(first), day_start(today + timedelta(days=1)), scope)
    revenue, cogs = func.sum(sold.c.revenue), func.sum(sold.c.cost)
    rows = db.session.execute(
        select(Category.id, Category.name, revenue.label("revenue"), cogs.label("cogs"))
        .select_from(sold)
        .join(Product, Product.id == sold.c.product_id)
        .outerjoin(Category, Category.id == Product.category_id)
        .group_by(Category.id, Category.name)
        .order_by(revenue.desc())
    )
    return [
        {"category_id": r.id, "category_name": r.name, **_margin(r.revenue, r.cogs)} for r in rows
    ]


def _stock_value(scope: Scope) -> dict:
    v = StockValuation
    stmt = (
        select(Warehouse.id, Warehouse.code, Warehouse.name, func.sum(v.value).label("value"))
        .join(Warehouse, Warehouse.id == v.warehouse_id)
        .group_by(Warehouse.id, Warehouse.code, Warehouse.name)
        .order_by(Warehouse.code)
    )
    if scope.warehouse_ids is not None:
        stmt = stmt.where(v.warehouse_id.in_(scope.warehouse_ids))
    by_warehouse = [
        {
            "warehouse_id": r.id,
            "warehouse_code": r.code,
            "warehouse_name": r.name,
            "value": r.value,
        }  # fmt: skip
        for r in db.session.execute(stmt)
    ]
    return {"total": sum((w["value"] for w in by_warehouse), ZERO), "by_warehouse": by_warehouse}


def _overdue_receivables(today: date, scope: Scope) -> dict:
    i = CustomerInvoice
    stmt = select(func.count(), func.sum(i.total - i.paid - i.credited)).where(i.overdue_on(today))
    if scope.warehouse_ids is not None:
        stmt = stmt.where(i.order_id.in_(_in_scope(select(SalesOrder.id), scope)))
    count, amount = db.session.execute(stmt).one()
    return {"count": count, "amount": amount if amount is not None else Decimal("0.00")}


# --- the whole ---------------------------------------------------------------------------------


def dashboard(scope: Scope) -> dict:
    today = utcnow().date()
    periods = _periods(today)
    month_first = periods["month"][0]
    answer = {
        "as_of": utcnow(),
        "periods": {name: _period(bounds, scope) for name, bounds in periods.items()},
        "low_stock": _low_stock(scope),
        "expiring": len(due_batches(today, scope.warehouse_ids)),
        "orders_by_status": _orders_by_status(today, scope),
        "top_sellers": _top_sellers(today, scope),
        "trend": _trend(today, scope),
        "notes": [NOTE],
    }
    if caller_can(COST_PERMISSION):
        answer["margin"] = _margin(*_sales(month_first, today, scope))
        answer["margin_by_category"] = _margin_by_category(month_first, today, scope)
        answer["stock_value"] = _stock_value(scope)
    if caller_can("finance:read"):
        answer["overdue_receivables"] = _overdue_receivables(today, scope)
    return answer


def _low_stock(scope: Scope) -> int:
    """Product × warehouse rows below their safety stock, as the stock list counts them
    (which keeps to the caller's warehouses itself; one asked for is passed on)."""
    args = {"below_safety": True, "page": 1, "per_page": 1}
    if scope.warehouse_ids is not None and len(scope.warehouse_ids) == 1:
        (args["warehouse_id"],) = scope.warehouse_ids
    return stock.balances_by_warehouse(args)["total"]


NOTE = (
    "Sales: shipped net of returns, excluding tax; orders: taken (not drafts, not "
    "cancelled). Each period runs to now and is compared with as many days just before it. "
    "Trend, top sellers and orders by status: the last 30 days. Margin: this month."
)


# --- the response shape -----------------------------------------------------------------------


class _PreviousSchema(Schema):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    revenue = DecimalString(2)
    orders = fields.Integer()


class _PeriodSchema(_PreviousSchema):
    previous = fields.Nested(_PreviousSchema)
    change_pct = DecimalString(2, allow_none=True, metadata={"description": "Of revenue"})


class _MarginSchema(Schema):
    revenue = DecimalString(2)
    cogs = DecimalString(2)
    margin = DecimalString(2)
    margin_pct = DecimalString(2, allow_none=True)


class _CategoryMarginSchema(_MarginSchema):
    category_id = fields.Integer(allow_none=True)
    category_name = fields.String(allow_none=True)


class _WarehouseValueSchema(Schema):
    warehouse_id = fields.Integer()
    warehouse_code = fields.String()
    warehouse_name = fields.String()
    value = DecimalString(2)


class _StockValueSchema(Schema):
    total = DecimalString(2)
    by_warehouse = fields.List(fields.Nested(_WarehouseValueSchema))


class _OverdueSchema(Schema):
    count = fields.Integer()
    amount = DecimalString(2)


class _StatusSchema(Schema):
    state = fields.String()
    count = fields.Integer()


class _SellerSchema(Schema):
    product_id = fields.Integer()
    sku = fields.String()
    product_name = fields.String()
    unit = fields.String()
    qty = DecimalString(3)
    revenue = DecimalString(2)


class _DaySchema(Schema):
    date = fields.String()
    revenue = DecimalString(2)
    orders = fields.Integer()


class DashboardSchema(Schema):
    as_of = fields.DateTime()
    periods = fields.Dict(keys=fields.String(), values=fields.Nested(_PeriodSchema))
    margin = fields.Nested(_MarginSchema, metadata={"description": "cost:read only"})
    margin_by_category = fields.List(
        fields.Nested(_CategoryMarginSchema), metadata={"description": "cost:read only"}
    )
    stock_value = fields.Nested(_StockValueSchema, metadata={"description": "cost:read only"})
    low_stock = fields.Integer()
    expiring = fields.Integer()
    overdue_receivables = fields.Nested(
        _OverdueSchema, metadata={"description": "finance:read only"}
    )
    orders_by_status = fields.List(fields.Nested(_StatusSchema))
    top_sellers = fields.List(fields.Nested(_SellerSchema))
    trend = fields.List(fields.Nested(_DaySchema))
    notes = fields.List(fields.String())
