"""Stock health: dead stock (呆滞), stock ageing by receipt date (库龄) and batch expiry (效期).

Days are whole UTC days: a line posted on the day N days before today is N days old, so
every age boundary is a comparison of `posted_at` with the start of a day, the same on
both databases. Values are at the moving average: a share of the stock's value
(StockValuation) in proportion to the quantity, never a batch's or a receipt's own cost.
"""

from datetime import timedelta
from decimal import Decimal

from marshmallow import fields, validate
from sqlalchemy import Integer, and_, case, cast, func, null, or_, select

from app.catalog.models import Product
from app.core.db import utcnow
from app.extensions import db
from app.inventory.models import (
    Batch,
    LedgerEntry,
    StockBalance,
    StockDocument,
    StockValuation,
    Warehouse,
)
from app.inventory.periods import movement_kind
from app.reports.registry import Column, Report, ReportArgsSchema, ReportQuery, Scope, day_start
from app.reports.stock import PRODUCT_COLUMNS, WAREHOUSE_COLUMNS, product_and_warehouse

ZERO = Decimal(0)
# Demand for a product: sold, sent to another warehouse or issued by a free stock-out.
# Counts, write-offs and goods sent back to the supplier do not make stock move again.
OUTBOUND_KINDS = ("sale", "transfer", "other")


def _share(value, part, whole):
    """value × part / whole, half-up to the cent. On SQLite the figures are scaled integers
    (cents, and thousandths twice), so the scales cancel and integer division is exact;
    adding half the divisor first rounds it (the figures here are never negative)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return (value * part * 2 + whole) / func.nullif(whole * 2, 0)
    return func.round(value * part / func.nullif(whole, 0), 2)


def _stock_on_hand(scope: Scope):
    """Quantity, value and average cost of each product × warehouse holding stock."""
    v = StockValuation
    stmt = select(v.product_id, v.warehouse_id, v.qty, v.value, v.avg_cost).where(v.qty > 0)
    return scope.apply(stmt, v.product_id, v.warehouse_id).subquery("stock")


def _same_group(table, other):
    return and_(
        table.c.product_id == other.c.product_id, table.c.warehouse_id == other.c.warehouse_id
    )


def _days_between(later, earlier) -> int | None:
    return None if later is None or earlier is None else (later - earlier).days


# --- dead-stock -------------------------------------------------------------------------------


class DeadStockArgsSchema(ReportArgsSchema):
    days = fields.Integer(
        load_default=90,
        validate=validate.Range(min=1),
        metadata={"description": "No outbound movement on this many days before today"},
    )


DEAD_STOCK_COLUMNS = (
    *PRODUCT_COLUMNS,
    *WAREHOUSE_COLUMNS,
    Column("on_hand", "现存量", "On hand", "qty", summed=True, sortable=True),
    Column("avg_cost", "移动平均成本", "Average cost", "unit_cost", cost=True),
    Column("value", "占用金额", "Value tied up", "money", cost=True, summed=True, sortable=True),
    Column("last_out_at", "最后出库时间", "Last out", "datetime", sortable=True),
    Column("days_since_out", "未出库天数", "Days since out", "count"),
)
DEAD_STOCK_NOTES = [
    "Outbound movement is a sale, a transfer out or a free stock-out; counts, write-offs "
    "and returns to the supplier do not count, nor do cancelled documents.",
    "last_out_at is null when the product never went out of the warehouse.",
]


def _last_outbound(stock):
    """When the product of each `stock` row last went out of its warehouse: read newest
    first through the (product, warehouse, posted_at) index, stopping at the first
    outbound line — not a scan of the whole ledger."""
    e, d = LedgerEntry, StockDocument
    return (
        select(e.posted_at)
        .join(d, d.id == e.document_id)
        .where(
            e.product_id == stock.c.product_id,
            e.warehouse_id == stock.c.warehouse_id,
            e.qty < 0,
            d.status == "posted",
            movement_kind(d).in_(OUTBOUND_KINDS),
        )
        .order_by(e.posted_at.desc(), e.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def build_dead_stock(args: dict, scope: Scope) -> ReportQuery:
    today = utcnow().date()
    since = day_start(today - timedelta(days=args["days"]))
    stock = _stock_on_hand(scope)
    # Looked up once per row (inlined, the filter and the column would each look it up).
    with_last = (
        select(stock, _last_outbound(stock).label("last_out_at"))
        .cte("with_last_out")
        .prefix_with("MATERIALIZED")
    )
    stmt = (
        select(
            *product_and_warehouse(),
            with_last.c.qty.label("on_hand"),
            with_last.c.avg_cost,
            with_last.c.value,
            with_last.c.last_out_at,
            cast(null(), Integer).label("days_since_out"),  # worked out per row
        )
        .select_from(with_last)
        .join(Product, Product.id == with_last.c.product_id)
        .join(Warehouse, Warehouse.id == with_last.c.warehouse_id)
        .where(or_(with_last.c.last_out_at.is_(None), with_last.c.last_out_at < since))
    )

    def finish(row: dict) -> None:
        last = row["last_out_at"]
        row["days_since_out"] = _days_between(today, last.date() if last else None)

    return ReportQuery(
        stmt,
        default_sort="sku,warehouse_code",  # never a cost column: not all callers see it
        tiebreak=("product_id", "warehouse_id"),
        finish=finish,
        notes=DEAD_STOCK_NOTES,
        facts=[("截至日期", "As of", today.isoformat()), ("未出库天数", "Days", str(args["days"]))],
    )


# --- stock-ageing -----------------------------------------------------------------------------

# (key, zh, en, oldest age in days it holds; None: no limit)
AGE_BUCKETS = (
    ("days_0_30", "0–30天", "0–30 days", 30),
    ("days_31_60", "31–60天", "31–60 days", 60),
    ("days_61_90", "61–90天", "61–90 days", 90),
    ("days_91_180", "91–180天", "91–180 days", 180),
    ("over_180", "180天以上", "Over 180 days", None),
)


def _bucket_columns() -> tuple[Column, ...]:
    columns = []
    for key, zh, en, _ in AGE_BUCKETS:
        columns += [
            Column(f"age.{key}.qty", f"{zh}数量", f"{en} qty", "qty", summed=True),
            Column(f"age.{key}.value", f"{zh}金额", f"{en} value", "money", cost=True, summed=True),
        ]
    return tuple(columns)


STOCK_AGEING_COLUMNS = (
    *PRODUCT_COLUMNS,
    *WAREHOUSE_COLUMNS,
    Column("on_hand", "现存量", "On hand", "qty", summed=True, sortable=True),
    Column("avg_cost", "移动平均成本", "Average cost", "unit_cost", cost=True),
    Column("value", "库存金额", "Value", "money", cost=True, summed=True, sortable=True),
    *_bucket_columns(),
)
STOCK_AGEING_NOTES = [
    "First in, first out: what is on hand is the most recent stock that came in (receipts, "
    "transfers in, returns, count gains), the rest having gone out; its age is the days "
    "since it came into this warehouse.",
    "Bucket values are the stock's value shared by quantity, to the cent; they may differ "
    "from value by a cent in rounding.",
]


def _kept(on_hand, newer, came):
    """Of `came` units that came in, behind `newer` units that came in after them, how
    many are still on hand, first in first out: what on hand leaves after the newer ones,
    at most `came` and never below 0."""
    left = on_hand - newer
    return case((left <= 0, ZERO), (left >= came, came), else_=left)


def build_stock_ageing(args: dict, scope: Scope) -> ReportQuery:
    """What is on hand is the most recent stock that came in: so only the last 180 days'
    receipts need summing, per age bucket; whatever on hand they do not account for is
    older than that."""
    today = utcnow().date()
    e, d = LedgerEntry, StockDocument
    starts = {
        key: day_start(today - timedelta(days=oldest))
        for key, _, _, oldest in AGE_BUCKETS
        if oldest is not None
    }
    bucket = case(*((e.posted_at >= start, key) for key, start in starts.items()))
    came_in = (
        select(
            e.product_id,
            e.warehouse_id,
            *(func.sum(case((bucket == key, e.qty), else_=ZERO)).label(key) for key in starts),
        )
        .join(d, d.id == e.document_id)
        .where(d.status == "posted", e.qty > 0, e.posted_at >= min(starts.values()))
        .group_by(e.product_id, e.warehouse_id)
    )
    came_in = scope.apply(came_in, e.product_id, e.warehouse_id).subquery("came_in")
    stock = _stock_on_hand(scope)
    figures, newer = [], ZERO
    for key, *_ in AGE_BUCKETS:
        if key in starts:
            came = func.coalesce(came_in.c[key], ZERO)
            qty, newer = _kept(stock.c.qty, newer, came), newer + came
        else:  # the oldest bucket: the rest
            qty = case((stock.c.qty > newer, stock.c.qty - newer), else_=ZERO)
        figures += [
            qty.label(f"age__{key}__qty"),
            _share(stock.c.value, qty, stock.c.qty).label(f"age__{key}__value"),
        ]
    stmt = (
        select(
            *product_and_warehouse(),
            stock.c.qty.label("on_hand"),
            stock.c.avg_cost,
            stock.c.value,
            *figures,
        )
        .select_from(stock)
        .join(Product, Product.id == stock.c.product_id)
        .join(Warehouse, Warehouse.id == stock.c.warehouse_id)
        .outerjoin(came_in, _same_group(came_in, stock))
    )
    return ReportQuery(
        stmt,
        default_sort="sku,warehouse_code",
        tiebreak=("product_id", "warehouse_id"),
        notes=STOCK_AGEING_NOTES,
        facts=[("截至日期", "As of", today.isoformat())],
    )


# --- expiry -----------------------------------------------------------------------------------


class ExpiryArgsSchema(ReportArgsSchema):
    within_days = fields.Integer(
        load_default=90,
        validate=validate.Range(min=0),
        metadata={"description": "Batches expiring within this many days, and those expired"},
    )


EXPIRY_COLUMNS = (
    *PRODUCT_COLUMNS,
    *WAREHOUSE_COLUMNS,
    Column("batch_id", "批次ID", "Batch id", "id"),
    Column("batch_number", "批次", "Batch", sortable=True),
    Column("expiry", "到期日", "Expiry", "date", sortable=True),
    Column("days_to_expiry", "剩余天数", "Days to expiry", "count"),
    Column("qty", "数量", "Qty", "qty", summed=True, sortable=True),
    Column("value", "风险金额", "Value at risk", "money", cost=True, summed=True, sortable=True),
)
EXPIRY_NOTES = [
    "days_to_expiry is negative for a batch already expired.",
    "Value at risk is the batch's quantity at the product's moving average in the warehouse.",
]


def build_expiry(args: dict, scope: Scope) -> ReportQuery:
    today = utcnow().date()
    b = StockBalance
    batches = select(
        b.product_id, b.warehouse_id, b.batch_id, func.sum(b.on_hand).label("qty")
    ).group_by(b.product_id, b.warehouse_id, b.batch_id)
    batches = scope.apply(batches, b.product_id, b.warehouse_id).subquery("batch_stock")
    v = StockValuation
    stmt = (
        select(
            *product_and_warehouse(),
            Batch.id.label("batch_id"),
            Batch.number.label("batch_number"),
            Batch.expiry.label("expiry"),
            cast(null(), Integer).label("days_to_expiry"),  # worked out per row
            batches.c.qty,
            _share(v.value, batches.c.qty, v.qty).label("value"),
        )
        .select_from(batches)
        .join(Batch, Batch.id == batches.c.batch_id)
        .join(Product, Product.id == batches.c.product_id)
        .join(Warehouse, Warehouse.id == batches.c.warehouse_id)
        .outerjoin(
            v, and_(v.product_id == batches.c.product_id, v.warehouse_id == batches.c.warehouse_id)
        )
        .where(batches.c.qty > 0, Batch.expiry <= today + timedelta(days=args["within_days"]))
    )

    def finish(row: dict) -> None:
        row["days_to_expiry"] = _days_between(row["expiry"], today)

    return ReportQuery(
        stmt,
        default_sort="expiry,sku,warehouse_code",
        tiebreak=("batch_id", "warehouse_id"),
        finish=finish,
        notes=EXPIRY_NOTES,
        facts=[
            ("截至日期", "As of", today.isoformat()),
            ("天数内到期", "Within days", str(args["within_days"])),
        ],  # fmt: skip
    )


# --- the reports ------------------------------------------------------------------------------

REPORTS = (
    Report(
        name="dead-stock",
        title_zh="呆滞库存表",
        title_en="Dead stock",
        description="Per product × warehouse with stock on hand and no outbound movement (sale, "
        "transfer out, free stock-out) in the last `days` days (default 90): quantity, value "
        "tied up, when it last went out and how many days ago.",
        args=DeadStockArgsSchema,
        columns=DEAD_STOCK_COLUMNS,
        build=build_dead_stock,
    ),
    Report(
        name="stock-ageing",
        title_zh="库龄分析表",
        title_en="Stock ageing",
        description="On-hand stock per product × warehouse by the age of the receipts it comes "
        "from (0–30, 31–60, 61–90, 91–180, over 180 days), first in first out, in quantity "
        "and value at moving average.",
        args=ReportArgsSchema,
        columns=STOCK_AGEING_COLUMNS,
        build=build_stock_ageing,
    ),
    Report(
        name="expiry",
        title_zh="效期预警表",
        title_en="Expiry",
        description="Batches in stock per warehouse expiring within `within_days` days (default "
        "90) or already expired: expiry date, days to it (negative: expired), quantity and "
        "value at risk; soonest first.",
        args=ExpiryArgsSchema,
        columns=EXPIRY_COLUMNS,
        build=build_expiry,
    ),
)
