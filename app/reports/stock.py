"""Stock reports: the balance at any date, the ledger, and the in/out summary (进销存汇总).

All three read the ledger's running balances rather than add up its history: the figures
of a product in a warehouse at a moment are those of its last ledger line before it
(`max(id)` per product × warehouse), found through the (product, warehouse, posted_at)
index; only the lines inside a period are summed.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import fields
from sqlalchemy import Integer, and_, case, cast, func, null, or_, select

from app.catalog.models import Product, ProductWarehouseSetting
from app.core.db import Percent, Quantity, UnitCost, utcnow
from app.core.errors import ValidationProblem
from app.inventory.models import (
    IN_KINDS,
    OUT_KINDS,
    SIDES,
    Batch,
    LedgerEntry,
    Location,
    StockBalance,
    StockDocument,
    StockValuation,
    Warehouse,
    total_column,
)
from app.inventory.periods import (
    STANDING_COLUMNS,
    is_inward,
    movement_kind,
    period,
    standing,
    totals_before,
)
from app.reports.registry import (
    Column,
    PeriodArgsSchema,
    Report,
    ReportArgsSchema,
    ReportQuery,
    Scope,
    day_start,
    period_bounds,
    period_facts,
)

ZERO = Decimal(0)
COST_PLACES = Decimal("0.000001")
CENT = Decimal("0.01")

KIND_NAMES = {
    "purchase": ("采购", "purchase"),
    "return": ("退货", "return"),
    "transfer": ("调拨", "transfer"),
    "adjustment": ("盘点/报损", "adjustment"),
    "sale": ("销售", "sale"),
    "other": ("其他", "other"),
}


# --- shared pieces ----------------------------------------------------------------------------

PRODUCT_COLUMNS = (
    Column("product_id", "商品ID", "Product id", "id"),
    Column("sku", "商品编码", "SKU", sortable=True),
    Column("product_name", "商品名称", "Product", sortable=True),
    Column("unit", "单位", "Unit"),
)
WAREHOUSE_COLUMNS = (
    Column("warehouse_id", "仓库ID", "Warehouse id", "id"),
    Column("warehouse_code", "仓库编码", "Warehouse code", sortable=True),
    Column("warehouse_name", "仓库", "Warehouse"),
)


def product_and_warehouse():
    return (
        Product.id.label("product_id"),
        Product.sku.label("sku"),
        Product.name.label("product_name"),
        Product.unit.label("unit"),
        Warehouse.id.label("warehouse_id"),
        Warehouse.code.label("warehouse_code"),
        Warehouse.name.label("warehouse_name"),
    )


def _standing_before(moment, scope: Scope):
    """(product_id, warehouse_id, qty, value) of each product × warehouse just before
    `moment`: Σ in − Σ out of its running totals then."""
    before = totals_before(moment, scope.apply, "before", STANDING_COLUMNS)
    return select(
        before.c.product_id,
        before.c.warehouse_id,
        standing(before, "qty").label("qty"),
        standing(before, "value").label("value"),
    ).subquery("standing")


# --- stock-balance ----------------------------------------------------------------------------


class StockBalanceArgsSchema(ReportArgsSchema):
    as_of = fields.Date(
        load_default=None,
        metadata={"description": "End of this day (UTC); default today, i.e. now"},
    )
    below_safety = fields.Boolean(
        load_default=False, metadata={"description": "Only rows below their safety stock"}
    )


STOCK_BALANCE_COLUMNS = (
    *PRODUCT_COLUMNS,
    *WAREHOUSE_COLUMNS,
    Column("on_hand", "现存量", "On hand", "qty", summed=True, sortable=True),
    Column("reserved", "已预留", "Reserved", "qty", summed=True),
    Column("available", "可用量", "Available", "qty", summed=True, sortable=True),
    Column("on_order", "在途量", "On order", "qty", summed=True),
    Column("avg_cost", "移动平均成本", "Average cost", "unit_cost", cost=True),
    Column("value", "库存金额", "Value", "money", cost=True, summed=True, sortable=True),
    Column("safety_stock", "安全库存", "Safety stock", "qty"),
    Column("below_safety", "低于安全库存", "Below safety", "flag", sortable=True),
)

PAST_BALANCE_NOTES = [
    "on_hand and value are the ledger's running balances after the last posting on or "
    "before as_of (UTC).",
    "reserved, available and on_order are known only for now: null for a past date; "
    "below_safety then compares on_hand with today's safety stock.",
]


def _balances_now(scope: Scope):
    b, v = StockBalance, StockValuation
    sums = select(
        b.product_id,
        b.warehouse_id,
        func.sum(b.on_hand).label("on_hand"),
        func.sum(b.reserved).label("reserved"),
        func.sum(b.on_order).label("on_order"),
    ).group_by(b.product_id, b.warehouse_id)
    sums = scope.apply(sums, b.product_id, b.warehouse_id).subquery("sums")
    return (
        select(sums, v.avg_cost, v.value)
        .outerjoin(
            v, and_(v.product_id == sums.c.product_id, v.warehouse_id == sums.c.warehouse_id)
        )
        .where(or_(sums.c.on_hand != 0, sums.c.reserved != 0, sums.c.on_order != 0))
        .subquery("figures")
    )


def _balances_at(moment, scope: Scope):
    standing = _standing_before(moment, scope)
    unknown = cast(null(), Quantity())  # typed, so PostgreSQL can sum it
    return (
        select(
            standing.c.product_id,
            standing.c.warehouse_id,
            standing.c.qty.label("on_hand"),
            unknown.label("reserved"),
            unknown.label("on_order"),
            cast(null(), UnitCost()).label("avg_cost"),  # derived per row: value / on_hand
            standing.c.value,
        )
        .where(or_(standing.c.qty != 0, standing.c.value != 0))
        .subquery("figures")
    )


def _average_from_value(row: dict) -> None:
    on_hand, value = row["on_hand"], row["value"]
    if row["avg_cost"] is None and on_hand and on_hand > 0 and value is not None:
        row["avg_cost"] = (value / on_hand).quantize(COST_PLACES)


def build_stock_balance(args: dict, scope: Scope) -> ReportQuery:
    today = utcnow().date()
    as_of = args.get("as_of") or today
    if as_of > today:
        raise ValidationProblem({"as_of": ["must not be in the future"]})
    past = as_of < today
    if past:
        figures = _balances_at(day_start(as_of + timedelta(days=1)), scope)
    else:
        figures = _balances_now(scope)
    setting = ProductWarehouseSetting
    safety = func.coalesce(setting.safety_stock, Product.safety_stock)
    available = figures.c.on_hand - figures.c.reserved
    below_safety = and_(safety > 0, func.coalesce(available, figures.c.on_hand) < safety)
    stmt = (
        select(
            *product_and_warehouse(),
            figures.c.on_hand,
            figures.c.reserved,
            available.label("available"),
            figures.c.on_order,
            figures.c.avg_cost,
            figures.c.value,
            safety.label("safety_stock"),
            below_safety.label("below_safety"),
        )
        .select_from(figures)
        .join(Product, Product.id == figures.c.product_id)
        .join(Warehouse, Warehouse.id == figures.c.warehouse_id)
        .outerjoin(
            setting,
            and_(
                setting.product_id == figures.c.product_id,
                setting.warehouse_id == figures.c.warehouse_id,
            ),
        )
    )
    if args.get("below_safety"):
        stmt = stmt.where(below_safety)
    return ReportQuery(
        stmt,
        default_sort="sku,warehouse_code",
        tiebreak=("product_id", "warehouse_id"),
        finish=_average_from_value if past else None,
        notes=PAST_BALANCE_NOTES if past else [],
        facts=[("截至日期", "As of", as_of.isoformat())],
    )


# --- stock-ledger -----------------------------------------------------------------------------

STOCK_LEDGER_COLUMNS = (
    Column("id", "流水号", "Line", "id", sortable=True),
    Column("posted_at", "过账时间", "Posted at", "datetime", sortable=True),
    Column("document_id", "单据ID", "Document id", "id"),
    Column("document_number", "单据号", "Document", sortable=True),
    Column("document_type", "单据类型", "Document type"),
    Column("kind", "业务类型", "Kind"),
    *PRODUCT_COLUMNS,
    *WAREHOUSE_COLUMNS,
    Column("location_code", "库位", "Location"),
    Column("batch_number", "批次", "Batch"),
    Column("in_qty", "入库数量", "In", "qty", summed=True, sortable=True),
    Column("out_qty", "出库数量", "Out", "qty", summed=True, sortable=True),
    Column("qty_after", "结存数量", "Balance", "qty"),
    Column("unit_cost", "单位成本", "Unit cost", "unit_cost", cost=True),
    Column("value", "金额", "Value", "money", cost=True, summed=True),
    Column("value_after", "结存金额", "Balance value", "money", cost=True),
)


def build_stock_ledger(args: dict, scope: Scope) -> ReportQuery:
    start, end = period_bounds(args)
    e, d = LedgerEntry, StockDocument
    inward = is_inward(e)
    stmt = (
        select(
            e.id.label("id"),
            e.posted_at.label("posted_at"),
            d.id.label("document_id"),
            d.number.label("document_number"),
            d.type.label("document_type"),
            movement_kind(d).label("kind"),
            *product_and_warehouse(),
            Location.code.label("location_code"),
            Batch.number.label("batch_number"),
            case((inward, e.qty), else_=ZERO).label("in_qty"),
            case((inward, ZERO), else_=-e.qty).label("out_qty"),
            e.qty_after.label("qty_after"),
            e.unit_cost.label("unit_cost"),
            e.value.label("value"),
            e.value_after.label("value_after"),
        )
        .join(d, d.id == e.document_id)
        .join(Product, Product.id == e.product_id)
        .join(Warehouse, Warehouse.id == e.warehouse_id)
        .outerjoin(Location, Location.id == e.location_id)
        .outerjoin(Batch, Batch.id == e.batch_id)
        .where(e.posted_at >= start, e.posted_at < end)
    )
    return ReportQuery(
        scope.apply(stmt, e.product_id, e.warehouse_id),
        default_sort="posted_at",
        tiebreak=("id",),
        facts=period_facts(args),
        totals=_ledger_totals(start, end, scope),
    )


def _ledger_totals(start, end, scope: Scope):
    """The ledger lines' count and totals in [start, end), from what each product ×
    warehouse moved: over a long period, the month totals rather than every line."""
    moves = period(
        start, end, scope.apply, columns=("lines", *STANDING_COLUMNS), with_opening=False
    )

    def total(column):
        return func.coalesce(func.sum(column), 0)

    return select(
        total(moves.moved("lines")).label("total"),
        total(moves.moved("in_qty")).label("in_qty"),
        total(moves.moved("out_qty")).label("out_qty"),
        total(moves.moved("in_value") - moves.moved("out_value")).label("value"),
    ).select_from(moves.source)


# --- inout-summary ----------------------------------------------------------------------------


def _side_columns(side: str, zh: str, en: str, kinds: tuple[str, ...]) -> tuple[Column, ...]:
    columns = [
        Column(f"{side}_qty", f"{zh}数量", f"{en} qty", "qty", summed=True, sortable=True),
        Column(f"{side}_value", f"{zh}金额", f"{en} value", "money", cost=True, summed=True),
    ]
    for kind in kinds:
        kind_zh, kind_en = KIND_NAMES[kind]
        key = f"{side}_by_kind.{kind}"
        columns += [
            Column(f"{key}.qty", f"{kind_zh}{zh}数量", f"{en} {kind_en} qty", "qty", summed=True),
            Column(
                f"{key}.value",
                f"{kind_zh}{zh}金额",
                f"{en} {kind_en} value",
                "money",
                cost=True,
                summed=True,
            ),  # fmt: skip
        ]
    return tuple(columns)


INOUT_SUMMARY_COLUMNS = (
    *PRODUCT_COLUMNS,
    *WAREHOUSE_COLUMNS,
    Column("opening_qty", "期初数量", "Opening qty", "qty", summed=True, sortable=True),
    Column("opening_value", "期初金额", "Opening value", "money", cost=True, summed=True),
    *_side_columns("in", "入库", "In", IN_KINDS),
    *_side_columns("out", "出库", "Out", OUT_KINDS),
    Column("closing_qty", "期末数量", "Closing qty", "qty", summed=True, sortable=True),
    Column("closing_value", "期末金额", "Closing value", "money", cost=True, summed=True),
    Column("turnover", "周转率(次)", "Turnover", "times"),
    Column("days_of_cover", "可供天数", "Days of cover", "count"),
)


INOUT_SUMMARY_NOTES = [
    "Opening is the stock just before `from`, closing at the end of `to` (UTC); a "
    "cancellation counts on the side of the movement it cancels, negated.",
    "turnover = sales out at cost / average stock value, (opening value + closing value) / "
    "2; null without stock value. days_of_cover = closing qty / sales out per day of the "
    "period up to today; null without sales.",
]


def build_inout_summary(args: dict, scope: Scope) -> ReportQuery:
    """Closing is opening + what moved (inventory.periods.period), so opening + in − out =
    closing holds to the cent by construction; it also equals the ledger's running
    balance at the period's end (tests check both)."""
    start, end = period_bounds(args)
    figures_of = period(start, end, scope.apply)
    opening, moved = figures_of.opening, figures_of.moved
    opening_qty, opening_value = standing(opening, "qty"), standing(opening, "value")
    figures = [opening_qty.label("opening_qty"), opening_value.label("opening_value")]
    for side, kinds in SIDES.items():
        for figure in ("qty", "value"):
            figures.append(moved(f"{side}_{figure}").label(f"{side}_{figure}"))
            figures += [
                moved(total_column(side, kind, figure)).label(f"{side}_by_kind__{kind}__{figure}")
                for kind in kinds
            ]
    in_qty, out_qty = moved("in_qty"), moved("out_qty")
    figures += [
        (opening_qty + in_qty - out_qty).label("closing_qty"),
        (opening_value + moved("in_value") - moved("out_value")).label("closing_value"),
        cast(null(), Percent()).label("turnover"),  # worked out per row
        cast(null(), Integer).label("days_of_cover"),
    ]
    stmt = (
        select(*product_and_warehouse(), *figures)
        .select_from(figures_of.source)
        .join(Product, Product.id == opening.c.product_id)
        .join(Warehouse, Warehouse.id == opening.c.warehouse_id)
        .where(or_(opening_qty != 0, opening_value != 0, in_qty != 0, out_qty != 0))
    )
    # Sales per day over the days of the period that have begun (this month so far).
    days = (min(args["to"], utcnow().date()) - args["from"]).days + 1

    def finish(row: dict) -> None:
        average_value = (row["opening_value"] + row["closing_value"]) / 2
        sold_value = row["out_by_kind__sale__value"]
        if average_value > 0:
            row["turnover"] = (sold_value / average_value).quantize(CENT, ROUND_HALF_UP)
        sold_per_day = row["out_by_kind__sale__qty"] / days if days > 0 else ZERO
        if sold_per_day > 0:
            row["days_of_cover"] = int(
                (row["closing_qty"] / sold_per_day).to_integral_value(ROUND_HALF_UP)
            )

    return ReportQuery(
        stmt,
        default_sort="sku,warehouse_code",
        tiebreak=("product_id", "warehouse_id"),
        finish=finish,
        notes=INOUT_SUMMARY_NOTES,
        facts=period_facts(args),
    )


# --- the reports ------------------------------------------------------------------------------

REPORTS = (
    Report(
        name="stock-balance",
        title_zh="库存余额表",
        title_en="Stock balance",
        description="On hand, reserved, available, on order and value at moving average per "
        "product × warehouse, now or at the end of a past day (`as_of`), with the safety "
        "stock and whether it is undercut.",
        args=StockBalanceArgsSchema,
        columns=STOCK_BALANCE_COLUMNS,
        build=build_stock_balance,
    ),
    Report(
        name="stock-ledger",
        title_zh="进出库流水",
        title_en="Stock ledger",
        description="Every ledger line in a period (`from`, `to` required) with its document, "
        "quantity in or out and the running quantity and value of its product in its "
        "warehouse after it.",
        args=PeriodArgsSchema,
        columns=STOCK_LEDGER_COLUMNS,
        build=build_stock_ledger,
    ),
    Report(
        name="inout-summary",
        title_zh="进销存汇总表",
        title_en="Stock in/out summary",
        description="Per product × warehouse for a period (`from`, `to` required): opening, in "
        "and out by kind (purchase, return, transfer, adjustment, sale, other) and closing, "
        "in quantity and value; opening + in − out = closing.",
        args=PeriodArgsSchema,
        columns=INOUT_SUMMARY_COLUMNS,
        build=build_inout_summary,
    ),
)
