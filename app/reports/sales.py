"""Sales and purchasing reports: gross margin (毛利), top sellers, the sales and the purchase
summaries.

Sales figures come from what moved, not from what was ordered: each shipment line in the
period adds its base quantity, its revenue (the order line's amount, excluding tax, for
what shipped — rounded per shipment line as the shipment shows it) and its cost (COGS at
moving average, stored on the line); each sales return line in the period takes its own
quantity, revenue and cost back off. A written-off return still takes its revenue and
quantity off, but not its cost: those goods never came back into stock, so what they cost
stays in COGS. Everything is summed in SQL over one UNION ALL of those two kinds of line.
"""

from decimal import Decimal

from marshmallow import fields, validate
from sqlalchemy import case, func, literal, null, select, union_all
from sqlalchemy.sql.expression import ColumnElement

from app.auth.models import User
from app.catalog.models import Category, Product
from app.core.db import Money
from app.core.sql import day_of, month_of, prorated_cents
from app.partners.models import Customer, Supplier
from app.purchasing.models import PurchaseOrder, PurchaseOrderLine
from app.reports.registry import (
    Column,
    PeriodArgsSchema,
    Report,
    ReportQuery,
    Scope,
    period_bounds,
    period_facts,
)
from app.sales.models import (
    SalesOrder,
    SalesOrderLine,
    SalesReturn,
    SalesReturnLine,
    Shipment,
    ShipmentLine,
)

ZERO = Decimal(0)

# --- what was sold: shipments less returns ----------------------------------------------------


SOLD_FIGURES = ("qty", "revenue", "cost")


def sold_lines(start, end, scope: Scope, by: tuple[str, ...] | None = None):
    """One row per shipment line and per return line in [start, end): the order's
    customer, salesperson and warehouse, the product, the month and day, and the signed base
    quantity, revenue and cost. With `by` (some of those keys), the figures come summed by
    them inside each kind of line: SQLite then never writes every line out (0.4 s of a
    two-year report at 600k shipment lines)."""
    order, order_line, shipped = SalesOrder, SalesOrderLine, ShipmentLine
    dims = {
        "order_id": order.id,
        "customer_id": order.customer_id,
        "salesperson_id": order.salesperson_id,
        "product_id": order_line.product_id,
    }
    shipments = (
        {
            **dims,
            "month": month_of(Shipment.shipped_at),
            "day": day_of(Shipment.shipped_at),
            "qty": shipped.base_qty,
            "revenue": prorated_cents(order_line.amount, shipped.base_qty, order_line.base_qty),
            "cost": shipped.cost,
        },
        lambda stmt: (
            stmt.select_from(shipped)
            .join(Shipment, Shipment.id == shipped.shipment_id)
            .join(order_line, order_line.id == shipped.order_line_id)
            .join(order, order.id == order_line.order_id)
            .where(Shipment.shipped_at >= start, Shipment.shipped_at < end)
        ),
    )
    back = SalesReturnLine
    restocked = SalesReturn.disposition == "restock"
    returns = (
        {
            **dims,
            "month": month_of(SalesReturn.returned_at),
            "day": day_of(SalesReturn.returned_at),
            "qty": -back.base_qty,
            "revenue": -back.revenue,
            "cost": case((restocked, -back.cost), else_=literal(ZERO, Money())),
        },
        lambda stmt: (
            stmt.select_from(back)
            .join(SalesReturn, SalesReturn.id == back.return_id)
            .join(shipped, shipped.id == back.shipment_line_id)
            .join(order_line, order_line.id == shipped.order_line_id)
            .join(order, order.id == order_line.order_id)
            .where(SalesReturn.returned_at >= start, SalesReturn.returned_at < end)
        ),
    )
    parts = []
    for columns, joined in (shipments, returns):
        if by is None:
            part = select(*(column.label(name) for name, column in columns.items()))
        else:
            keys = [columns[name].label(name) for name in by]
            sums = [func.sum(columns[name]).label(name) for name in SOLD_FIGURES]
            part = select(*keys, *sums).group_by(*(columns[name] for name in by))
        part = joined(part)
        # Returns count against the warehouse that sold, like the rest of the order.
        part = scope.apply(part, order_line.product_id, order.warehouse_id)
        if scope.customer_id is not None:
            part = part.where(order.customer_id == scope.customer_id)
        if scope.salesperson_id is not None:
            part = part.where(order.salesperson_id == scope.salesperson_id)
        parts.append(part)
    return union_all(*parts).subquery("sold")


# --- grouping ---------------------------------------------------------------------------------

GROUP_COLUMNS = (
    Column("group_id", "ID", "Id", "id"),
    Column("group_code", "编码", "Code", sortable=True),
    Column("group_name", "名称", "Name", sortable=True),
)


def _grouped(sold, group_by: str) -> tuple[list[ColumnElement], list[ColumnElement], list]:
    """(group id/code/name, GROUP BY, outer joins) for one way of grouping sold lines."""
    if group_by == "month":
        month = sold.c.month
        return [null().label("group_id"), month.label("group_code"),
                month.label("group_name")], [month], []  # fmt: skip
    if group_by == "product":
        return _by(Product, Product.sku, Product.name, sold.c.product_id)
    if group_by == "category":
        # A product's own category; products without one make a group with no id.
        joins = [(Product, Product.id == sold.c.product_id),
                 (Category, Category.id == Product.category_id)]  # fmt: skip
        code = func.coalesce(Category.name, "—")
        return ([Category.id.label("group_id"), code.label("group_code"),
                 code.label("group_name")], [Category.id, Category.name], joins)  # fmt: skip
    if group_by == "customer":
        return _by(Customer, Customer.code, Customer.name, sold.c.customer_id)
    if group_by == "salesperson":
        return _by(User, User.username, User.display_name, sold.c.salesperson_id)
    return _by(Supplier, Supplier.code, Supplier.name, sold.c.supplier_id)


def _by(model, code, name, key):
    return (
        [model.id.label("group_id"), code.label("group_code"), name.label("group_name")],
        [model.id, code, name],
        [(model, model.id == key)],
    )


def _grouped_stmt(source, group_by: str, *figures):
    keys, group, joins = _grouped(source, group_by)
    stmt = select(*keys, *figures).select_from(source)
    for model, on in joins:
        stmt = stmt.outerjoin(model, on)
    return stmt.group_by(*group)


class GroupedPeriodArgsSchema(PeriodArgsSchema):
    customer_id = fields.Integer(load_default=None)
    salesperson_id = fields.Integer(load_default=None)


def _group_by_field(choices: tuple[str, ...]) -> fields.String:
    return fields.String(
        load_default=choices[0],
        validate=validate.OneOf(choices),
        metadata={"description": f"One row per {' | '.join(choices)}"},
    )


# --- gross-margin -----------------------------------------------------------------------------


class GrossMarginArgsSchema(GroupedPeriodArgsSchema):
    group_by = _group_by_field(("product", "category", "customer", "salesperson", "month"))


FIGURE_COLUMNS = (
    Column("qty", "数量", "Qty", "qty", summed=True, sortable=True),
    Column("revenue", "销售收入", "Revenue", "money", summed=True, sortable=True),
)
MARGIN_COLUMNS = (
    Column("cogs", "销售成本", "COGS", "money", cost=True, summed=True, sortable=True),
    Column("margin", "毛利", "Margin", "money", cost=True, summed=True, sortable=True),
    Column(
        "margin_pct", "毛利率%", "Margin %", "percent", cost=True, percent_of=("margin", "revenue")
    ),  # fmt: skip
)
GROSS_MARGIN_NOTES = [
    "revenue excludes tax: the order line's amount after discount for what shipped, less "
    "what came back in the period; cogs is the stored cost the goods left stock at, less "
    "the cost of restocked returns.",
    "A written-off return reduces qty and revenue but not cogs: the goods are lost.",
    "margin_pct = margin / revenue × 100, null when revenue is 0.",
]


def _sums(sold):
    return (
        func.sum(sold.c.qty).label("qty"),
        func.sum(sold.c.revenue).label("revenue"),
        func.sum(sold.c.cost).label("cogs"),
        func.sum(sold.c.revenue - sold.c.cost).label("margin"),
    )


# The sold lines' key each way of grouping needs.
GROUP_KEYS = {
    "product": "product_id",
    "category": "product_id",
    "customer": "customer_id",
    "salesperson": "salesperson_id",
    "month": "month",
}


def build_gross_margin(args: dict, scope: Scope) -> ReportQuery:
    sold = sold_lines(*period_bounds(args), scope, by=(GROUP_KEYS[args["group_by"]],))
    return ReportQuery(
        _grouped_stmt(sold, args["group_by"], *_sums(sold)),
        default_sort="group_code",
        tiebreak=("group_code", "group_id"),
        notes=GROSS_MARGIN_NOTES,
        facts=period_facts(args),
    )


# --- top-sellers ------------------------------------------------------------------------------

TOP_SELLERS_COLUMNS = (
    Column("product_id", "商品ID", "Product id", "id"),
    Column("sku", "商品编码", "SKU", sortable=True),
    Column("product_name", "商品名称", "Product", sortable=True),
    Column("unit", "单位", "Unit"),
    *FIGURE_COLUMNS,
    Column("margin", "毛利", "Margin", "money", cost=True, summed=True, sortable=True),
)


def build_top_sellers(args: dict, scope: Scope) -> ReportQuery:
    sold = sold_lines(*period_bounds(args), scope, by=("product_id",))
    qty, revenue, _, margin = _sums(sold)
    stmt = (
        select(
            Product.id.label("product_id"),
            Product.sku.label("sku"),
            Product.name.label("product_name"),
            Product.unit.label("unit"),
            qty,
            revenue,
            margin,
        )  # fmt: skip
        .select_from(sold)
        .join(Product, Product.id == sold.c.product_id)
        .group_by(Product.id, Product.sku, Product.name, Product.unit)
    )
    return ReportQuery(
        stmt,
        default_sort="-qty",
        tiebreak=("sku", "product_id"),
        notes=["Ranked by the sort (default -qty): qty and revenue net of returns."],
        facts=period_facts(args),
    )


# --- sales-summary ----------------------------------------------------------------------------


class SalesSummaryArgsSchema(GroupedPeriodArgsSchema):
    group_by = _group_by_field(("customer", "product", "month", "salesperson"))


SALES_SUMMARY_COLUMNS = (
    *GROUP_COLUMNS,
    # Not summed: one order may fall in several rows (several products, months).
    Column("orders", "订单数", "Orders", "count", sortable=True),
    *FIGURE_COLUMNS,
)


def build_sales_summary(args: dict, scope: Scope) -> ReportQuery:
    by = (GROUP_KEYS[args["group_by"]], "order_id")  # orders counted apart, once each
    sold = sold_lines(*period_bounds(args), scope, by=by)
    qty, revenue, *_ = _sums(sold)
    orders = func.count(sold.c.order_id.distinct()).label("orders")
    return ReportQuery(
        _grouped_stmt(sold, args["group_by"], orders, qty, revenue),
        default_sort="group_code",
        tiebreak=("group_code", "group_id"),
        notes=[
            "orders: orders with a shipment or return in the period; qty and revenue "
            "(excluding tax) are net of returns."
        ],  # fmt: skip
        facts=period_facts(args),
    )


# --- purchase-summary -------------------------------------------------------------------------


class PurchaseSummaryArgsSchema(PeriodArgsSchema):
    group_by = _group_by_field(("supplier", "product", "month"))
    supplier_id = fields.Integer(load_default=None)


PURCHASE_SUMMARY_COLUMNS = (
    *GROUP_COLUMNS,
    Column("ordered_qty", "订货数量", "Ordered qty", "qty", summed=True, sortable=True),
    Column(
        "ordered_amount",
        "订货金额",
        "Ordered amount",
        "money",
        cost=True,
        summed=True,
        sortable=True,
    ),  # fmt: skip
    Column("received_qty", "到货数量", "Received qty", "qty", summed=True, sortable=True),
    Column("received_value", "到货金额", "Received value", "money", cost=True, summed=True),
)


def build_purchase_summary(args: dict, scope: Scope) -> ReportQuery:
    start, end = period_bounds(args)
    order, line = PurchaseOrder, PurchaseOrderLine
    lines = (
        select(
            order.supplier_id.label("supplier_id"),
            line.product_id.label("product_id"),
            month_of(order.created_at).label("month"),
            line.base_qty,
            line.amount,
            line.received_base_qty,
            prorated_cents(line.amount, line.received_base_qty, line.base_qty).label(
                "received_value"
            ),
        )
        .join(order, order.id == line.order_id)
        .where(order.created_at >= start, order.created_at < end)
        .where(order.state.not_in(("draft", "cancelled")))
    )
    lines = scope.apply(lines, line.product_id, order.warehouse_id)
    if scope.supplier_id is not None:
        lines = lines.where(order.supplier_id == scope.supplier_id)
    lines = lines.subquery("ordered")
    figures = (
        func.sum(lines.c.base_qty).label("ordered_qty"),
        func.sum(lines.c.amount).label("ordered_amount"),
        func.sum(lines.c.received_base_qty).label("received_qty"),
        func.sum(lines.c.received_value).label("received_value"),
    )
    return ReportQuery(
        _grouped_stmt(lines, args["group_by"], *figures),
        default_sort="group_code",
        tiebreak=("group_code", "group_id"),
        notes=[
            "Approved orders (not drafts, not cancelled) dated in the period, amounts "
            "excluding tax; received value is the order line's amount for what arrived, "
            "before any return to the supplier."
        ],  # fmt: skip
        facts=period_facts(args),
    )


# --- the reports ------------------------------------------------------------------------------

REPORTS = (
    Report(
        name="gross-margin",
        title_zh="毛利分析表",
        title_en="Gross margin",
        description="Revenue, cost of goods sold and margin for a period (`from`, `to` "
        "required, by shipment and return date), one row per `group_by`: product, category, "
        "customer, salesperson or month; net of returns.",
        args=GrossMarginArgsSchema,
        columns=(*GROUP_COLUMNS, *FIGURE_COLUMNS, *MARGIN_COLUMNS),
        build=build_gross_margin,
    ),
    Report(
        name="top-sellers",
        title_zh="畅销商品排行",
        title_en="Top sellers",
        description="Products by quantity sold in a period (`from`, `to` required), net of "
        "returns; `sort=-revenue` ranks by revenue.",
        args=GroupedPeriodArgsSchema,
        columns=TOP_SELLERS_COLUMNS,
        build=build_top_sellers,
    ),
    Report(
        name="sales-summary",
        title_zh="销售汇总表",
        title_en="Sales summary",
        description="Orders, quantity and revenue shipped in a period (`from`, `to` required) "
        "net of returns, one row per `group_by`: customer, product, month or salesperson.",
        args=SalesSummaryArgsSchema,
        columns=SALES_SUMMARY_COLUMNS,
        build=build_sales_summary,
    ),
    Report(
        name="purchase-summary",
        title_zh="采购汇总表",
        title_en="Purchase summary",
        description="Quantity and amount ordered from suppliers in a period (`from`, `to` "
        "required, by order date) and how much of it arrived, one row per `group_by`: "
        "supplier, product or month.",
        args=PurchaseSummaryArgsSchema,
        columns=PURCHASE_SUMMARY_COLUMNS,
        build=build_purchase_summary,
    ),
)
