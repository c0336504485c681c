"""Replenishment (智能补货): each product × warehouse's stored demand forecast with its safety
stock, reorder point and suggested order at the chosen service level, against the stock it
has now. The arithmetic is app.purchasing.replenishment.figures, as on the reorder screen."""

from decimal import Decimal

from marshmallow import fields, validate
from sqlalchemy import and_, func, literal, select

from app.catalog.models import Product
from app.core.db import Quantity
from app.core.sql import money_times
from app.inventory.models import StockValuation, Warehouse
from app.partners.models import Supplier
from app.purchasing import replenishment
from app.purchasing.models import DemandForecast
from app.reports.registry import Column, Report, ReportArgsSchema, ReportQuery, Scope
from app.reports.stock import PRODUCT_COLUMNS, WAREHOUSE_COLUMNS, product_and_warehouse

ZERO = Decimal(0)


class ReplenishmentArgsSchema(ReportArgsSchema):
    supplier_id = fields.Integer(load_default=None)
    service_level = fields.String(
        load_default=None,
        validate=validate.OneOf(replenishment.SERVICE_LEVELS),
        metadata={"description": "Cycle service level; default REPLENISHMENT_SERVICE_LEVEL"},
    )
    only_to_order = fields.Boolean(
        load_default=True, metadata={"description": "Only products to order now"}
    )


COLUMNS = (
    *PRODUCT_COLUMNS,
    *WAREHOUSE_COLUMNS,
    Column("supplier_id", "供应商ID", "Supplier id", "id"),
    Column("supplier_name", "供应商", "Supplier"),
    Column("lead_time_days", "采购提前期(天)", "Lead time (days)", "count"),
    Column("method", "预测方法", "Method"),
    Column("daily_demand", "日均需求", "Daily demand", "qty", sortable=True),
    Column("safety_stock", "安全库存", "Safety stock", "qty"),
    Column("reorder_point", "再订货点", "Reorder point", "qty"),
    Column("order_up_to", "补货上限", "Order up to", "qty"),
    Column("on_hand", "现存量", "On hand", "qty", summed=True),
    Column("on_order", "在途量", "On order", "qty", summed=True),
    Column("reserved", "已预留", "Reserved", "qty", summed=True),
    Column("position", "可用+在途", "Position", "qty", sortable=True),
    Column("suggested_qty", "建议采购量", "Suggested qty", "qty", summed=True, sortable=True),
    Column(
        "suggested_value",
        "建议采购金额",
        "Suggested value",
        "money",
        cost=True,
        summed=True,
        sortable=True,
    ),  # fmt: skip
    Column("mase", "MASE", "MASE", "ratio"),
    Column("mape", "MAPE %", "MAPE %", "percent"),
    Column("history_days", "历史天数", "History days", "count"),
    Column("forecast_at", "预测时间", "Forecast at", "datetime"),
)

NOTES = [
    "Demand is what went to customers net of returns, per day over the last 84 days; "
    "forecasts are remade daily (forecast_at).",
    "safety_stock = z(service level) × daily noise × √lead time; reorder_point = daily "
    "demand × lead time + safety_stock; below it (position = on hand + on order − reserved), "
    "order up to reorder_point + one review period's demand, in whole packs.",
    "mase below 1 beats repeating last week; mape is the mean error on days with demand, "
    "both on the last 28 days forecast without them.",
]


def build_replenishment(args: dict, scope: Scope) -> ReportQuery:
    level = Decimal(args["service_level"] or replenishment.default_service_level())
    f, position, v = DemandForecast, replenishment.stock_position(), StockValuation
    at = replenishment.figures(f, position, level)
    stmt = (
        select(
            *product_and_warehouse(),
            f.supplier_id.label("supplier_id"),
            Supplier.name.label("supplier_name"),
            f.lead_time_days.label("lead_time_days"),
            f.method.label("method"),
            f.daily_demand.label("daily_demand"),
            at.safety_stock.label("safety_stock"),
            at.reorder_point.label("reorder_point"),
            at.order_up_to.label("order_up_to"),
            *(
                func.coalesce(position.c[name], literal(ZERO, Quantity())).label(name)
                for name in ("on_hand", "on_order", "reserved")
            ),  # fmt: skip
            at.position.label("position"),
            at.suggested_qty.label("suggested_qty"),
            money_times(at.suggested_qty, func.coalesce(v.avg_cost, 0)).label("suggested_value"),
            f.mase.label("mase"),
            f.mape.label("mape"),
            f.history_days.label("history_days"),
            f.computed_at.label("forecast_at"),
        )
        .select_from(f)
        .join(Product, Product.id == f.product_id)
        .join(Warehouse, Warehouse.id == f.warehouse_id)
        .outerjoin(Supplier, Supplier.id == f.supplier_id)
        .outerjoin(
            position,
            and_(position.c.product_id == f.product_id, position.c.warehouse_id == f.warehouse_id),
        )
        .outerjoin(v, and_(v.product_id == f.product_id, v.warehouse_id == f.warehouse_id))
    )
    stmt = scope.apply(stmt, f.product_id, f.warehouse_id)
    if scope.supplier_id is not None:
        stmt = stmt.where(f.supplier_id == scope.supplier_id)
    if args["only_to_order"]:
        stmt = stmt.where(at.suggested_qty > 0)
    return ReportQuery(
        stmt,
        default_sort="-suggested_qty",
        tiebreak=("sku", "warehouse_code"),
        notes=NOTES,
        facts=[("服务水平", "Service level", str(level))],
    )


REPORTS = (
    Report(
        name="replenishment",
        title_zh="智能补货建议",
        title_en="Replenishment",
        description="Per product × warehouse: the forecast daily demand from the sales "
        "history (exponential smoothing, weekly Holt-Winters or Croston), safety stock at "
        "the chosen `service_level` and the supplier's lead time, the reorder point, the "
        "suggested order and the forecast's error on a hold-out (MASE, MAPE).",
        args=ReplenishmentArgsSchema,
        columns=COLUMNS,
        build=build_replenishment,
    ),
)
