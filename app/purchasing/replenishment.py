"""Replenishment from a demand forecast (智能补货).

Demand is what left a warehouse for customers, net of what they sent back: the ledger lines
of documents posted for sales orders, summed per UTC day. Each product × warehouse sold in
the last HISTORY_DAYS gets a forecast (app.purchasing.forecast) kept in `demand_forecasts`
with the parts of its safety stock and reorder point; `refresh` remakes them all (daily,
from the scheduler or `flask forecast refresh`).

The service level is chosen when reading, so the stored parts are those that do not depend
on it: safety stock = z × sigma_lead, reorder point = lead_demand + safety stock, order up
to = reorder point + review_demand; below the reorder point, order up to that level in whole
packs. `figures` spells that once, in SQL, for the report, the
reorder screen and one product's page alike.
"""

import math
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import NormalDist

from flask import current_app
from sqlalchemy import and_, case, delete, func, literal, select, type_coerce

from app.catalog.models import Product
from app.core.db import Quantity, Rate, utcnow
from app.core.errors import NotFound, ValidationProblem
from app.core.sql import day_of, qty_times, round_up_to
from app.core.transactions import run_transaction
from app.extensions import db
from app.inventory.models import LedgerEntry, StockBalance, StockDocument, Warehouse
from app.inventory.refs import warehouse_ref
from app.partners.models import Supplier
from app.purchasing import forecast
from app.purchasing.models import DemandForecast
from app.purchasing.sourcing import last_order_lines, order_multiples

HISTORY_DAYS = 84  # twelve weeks: enough weekly seasons to judge one, recent enough to matter
HOLDOUT_DAYS = 28
HORIZON_DAYS = 28
SERVICE_LEVELS = ("0.90", "0.95", "0.98", "0.99")
CUSTOMER_DOCUMENTS = "sales_order"  # stock documents that moved goods to or from customers
ZERO = Decimal(0)
QTY = Decimal("0.001")


def z_score(service_level: Decimal) -> Decimal:
    """The standard normal quantile of a cycle service level, to 4 places."""
    z = NormalDist().inv_cdf(float(service_level))
    return Decimal(str(z)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def default_service_level() -> Decimal:
    return Decimal(current_app.config["REPLENISHMENT_SERVICE_LEVEL"])


# --- demand -----------------------------------------------------------------------------------


def history_window(today: date | None = None) -> tuple[date, date]:
    """The whole days of history a forecast is made from: up to yesterday (today has not
    finished selling)."""
    today = today or utcnow().date()
    return today - timedelta(days=HISTORY_DAYS), today - timedelta(days=1)


def daily_demand(
    first: date, last: date, product_id: int | None = None, warehouse_id: int | None = None
) -> dict[tuple[int, int], list[Decimal]]:
    """Demand per product × warehouse per day from `first` to `last`, every day present,
    for the pairs with any customer movement in that time."""
    e, d = LedgerEntry, StockDocument
    start = datetime.combine(first, datetime.min.time(), tzinfo=utcnow().tzinfo)
    end = start + timedelta(days=(last - first).days + 1)
    day = day_of(e.posted_at)
    stmt = (
        select(e.product_id, e.warehouse_id, day, type_coerce(-func.sum(e.qty), Quantity()))
        .join(d, d.id == e.document_id)
        .where(d.source_type == CUSTOMER_DOCUMENTS, e.posted_at >= start, e.posted_at < end)
        .group_by(e.product_id, e.warehouse_id, day)
    )
    if product_id is not None:
        stmt = stmt.where(e.product_id == product_id)
    if warehouse_id is not None:
        stmt = stmt.where(e.warehouse_id == warehouse_id)
    days = (last - first).days + 1
    series: dict[tuple[int, int], list[Decimal]] = {}
    for product, warehouse, on, qty in db.session.execute(stmt):
        offset = (date.fromisoformat(on) - first).days
        series.setdefault((product, warehouse), [ZERO] * days)[offset] = qty
    return series


# --- the stored forecasts ---------------------------------------------------------------------


def _qty(value: float) -> Decimal:
    return Decimal(str(value)).quantize(QTY, rounding=ROUND_HALF_UP)


def _stored(pair, series, suppliers, packs, now) -> dict:
    product_id, warehouse_id = pair
    made = forecast.forecast(series, HORIZON_DAYS)
    scored = forecast.accuracy(series, holdout=HOLDOUT_DAYS)
    last = suppliers.get(product_id)
    config = current_app.config
    lead = last.lead_time_days if last is not None else config["REPLENISHMENT_DEFAULT_LEAD_DAYS"]
    review = config["REPLENISHMENT_REVIEW_DAYS"]
    return {
        "product_id": product_id,
        "warehouse_id": warehouse_id,
        "method": made.method,
        "history_days": len(series),
        "daily_demand": _qty(made.level),
        "sigma": _qty(made.sigma),
        "supplier_id": last.supplier_id if last is not None else None,
        "lead_time_days": lead,
        "lead_demand": _qty(made.level * lead),
        "sigma_lead": _qty(made.sigma * math.sqrt(lead)),
        "review_demand": _qty(made.level * review),
        "pack": packs.get(product_id, Decimal(1)),
        "mase": None if scored.mase is None else Decimal(str(round(scored.mase, 4))),
        "mape": None if scored.mape is None else Decimal(str(round(scored.mape, 2))),
        "computed_at": now,
    }


@dataclass(frozen=True)
class Refreshed:
    count: int
    computed_at: datetime
    seconds: float


def refresh(today: date | None = None) -> Refreshed:
    """Remake every stored forecast from the sales of the last HISTORY_DAYS (those of
    products no longer sold are dropped), in one transaction."""
    started = time.perf_counter()
    now = utcnow()
    series = daily_demand(*history_window(today))
    product_ids = sorted({product for product, _ in series})
    suppliers = _suppliers(product_ids)
    packs = order_multiples(product_ids)
    rows = [_stored(pair, days, suppliers, packs, now) for pair, days in series.items()]

    def work():
        db.session.execute(delete(DemandForecast))
        for chunk in range(0, len(rows), 1000):
            db.session.execute(DemandForecast.__table__.insert(), rows[chunk : chunk + 1000])

    run_transaction(work)
    return Refreshed(len(rows), now, time.perf_counter() - started)


def refresh_if_stale(max_age: timedelta) -> Refreshed | None:
    """Refresh when no forecast is younger than `max_age` (the scheduler's daily run)."""
    newest = db.session.scalar(select(func.max(DemandForecast.computed_at)))
    db.session.rollback()  # end the read before a long computation
    if newest is not None and utcnow() - newest < max_age:
        return None
    return refresh()


@dataclass(frozen=True)
class _Supplier:
    supplier_id: int
    lead_time_days: int


def _suppliers(product_ids) -> dict[int, _Supplier]:
    """Each product's supplier (that of its latest order line) and their lead time."""
    lines = last_order_lines(product_ids)
    lead_times = dict(
        db.session.execute(
            select(Supplier.id, Supplier.lead_time_days).where(
                Supplier.id.in_({line.supplier_id for line in lines.values()})
            )
        ).all()
    )
    return {
        product: _Supplier(line.supplier_id, lead_times[line.supplier_id])
        for product, line in lines.items()
    }


# --- the figures at a service level -----------------------------------------------------------


def stock_position(warehouse_id: int | None = None):
    """on hand, reserved and on order per product × warehouse (of one, if given): a
    subquery."""
    b = StockBalance
    stmt = select(
        b.product_id,
        b.warehouse_id,
        type_coerce(func.sum(b.on_hand), Quantity()).label("on_hand"),
        type_coerce(func.sum(b.reserved), Quantity()).label("reserved"),
        type_coerce(func.sum(b.on_order), Quantity()).label("on_order"),
    ).group_by(b.product_id, b.warehouse_id)
    if warehouse_id is not None:
        stmt = stmt.where(b.warehouse_id == warehouse_id)
    return stmt.subquery("position")


@dataclass(frozen=True)
class Figures:
    """SQL for one forecast row at a service level, given its stock position."""

    safety_stock: object
    reorder_point: object
    order_up_to: object
    position: object
    suggested_qty: object


def figures(f, position, service_level: Decimal) -> Figures:
    """The replenishment arithmetic over a `demand_forecasts` row `f` and a stock position
    subquery (outer-joined: no stock rows is no stock)."""
    z = literal(z_score(service_level), Rate())
    safety = qty_times(type_coerce(f.sigma_lead, Quantity()), z)
    reorder_point = type_coerce(f.lead_demand + safety, Quantity())
    order_up_to = type_coerce(reorder_point + f.review_demand, Quantity())
    on_hand, reserved, on_order = (
        func.coalesce(position.c[name], literal(ZERO, Quantity()))
        for name in ("on_hand", "reserved", "on_order")
    )
    stock = type_coerce(on_hand + on_order - reserved, Quantity())
    shortfall = type_coerce(order_up_to - stock, Quantity())
    suggested = case(
        (and_(stock < reorder_point, shortfall > 0), round_up_to(shortfall, f.pack)),
        else_=literal(ZERO, Quantity()),
    )
    return Figures(safety, reorder_point, order_up_to, stock, type_coerce(suggested, Quantity()))


# --- one product's forecast, for its chart ----------------------------------------------------


def detail(product_id: int, warehouse_id: int, service_level: Decimal) -> dict:
    """One product in one warehouse: its daily history, the hold-out (the last days forecast
    by a model fitted without them), the days ahead, and the stored figures."""
    product = db.session.get(Product, product_id)
    warehouse = db.session.get(Warehouse, warehouse_id)
    errors = {}
    if product is None:
        errors["product_id"] = ["no such product"]
    if warehouse is None:
        errors["warehouse_id"] = ["no such warehouse"]
    if errors:
        raise ValidationProblem(errors)
    first, last = history_window()
    history = daily_demand(first, last, product_id, warehouse_id).get(
        (product_id, warehouse_id), [ZERO] * ((last - first).days + 1)
    )
    made = forecast.forecast(history, HORIZON_DAYS)
    scored = forecast.accuracy(history, holdout=HOLDOUT_DAYS)
    stored = _stored_figures(product_id, warehouse_id, service_level)
    if stored is None:
        raise NotFound("No forecast for this product in this warehouse: it sold nothing lately.")
    held = scored.holdout
    days = [first + timedelta(days=n) for n in range(len(history))]
    return {
        "product": {
            "id": product.id,
            "sku": product.sku,
            "name": product.name,
            "unit": product.unit,
        },  # fmt: skip
        "warehouse": warehouse_ref(warehouse),
        "service_level": service_level,
        "history": [{"date": day, "qty": qty} for day, qty in zip(days, history, strict=True)],
        "holdout": [
            {"date": day, "actual": actual, "forecast": _qty(predicted)}
            for day, actual, predicted in zip(
                days[-held:] if held else [],
                history[-held:] if held else [],
                scored.predicted,
                strict=True,
            )
        ],  # fmt: skip
        "forecast": [
            {"date": last + timedelta(days=n + 1), "qty": _qty(qty)}
            for n, qty in enumerate(made.daily)
        ],
        **stored,
    }


def _stored_figures(product_id: int, warehouse_id: int, service_level: Decimal) -> dict | None:
    f, position = DemandForecast, stock_position()
    at = figures(f, position, service_level)
    row = db.session.execute(
        select(
            f.method,
            f.daily_demand,
            f.lead_time_days,
            f.mase,
            f.mape,
            f.computed_at,
            Supplier.id.label("supplier_id"),
            Supplier.code,
            Supplier.name,
            *(
                func.coalesce(position.c[name], literal(ZERO, Quantity())).label(name)
                for name in ("on_hand", "reserved", "on_order")
            ),
            at.safety_stock.label("safety_stock"),
            at.reorder_point.label("reorder_point"),
            at.order_up_to.label("order_up_to"),
            at.position.label("position"),
            at.suggested_qty.label("suggested_qty"),
        )  # fmt: skip
        .outerjoin(Supplier, Supplier.id == f.supplier_id)
        .outerjoin(
            position,
            and_(position.c.product_id == f.product_id, position.c.warehouse_id == f.warehouse_id),
        )
        .where(f.product_id == product_id, f.warehouse_id == warehouse_id)
    ).one_or_none()
    if row is None:
        return None
    values = dict(row._mapping)
    supplier = (
        {"id": values["supplier_id"], "code": values["code"], "name": values["name"],
         "lead_time_days": values["lead_time_days"]}
        if values["supplier_id"] is not None else None
    )  # fmt: skip
    for key in ("supplier_id", "code", "name"):
        del values[key]
    return {**values, "supplier": supplier}
