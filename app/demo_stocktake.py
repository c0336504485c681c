"""The demo company's stocktakes, made through the stocktake services as the demo manager
and store clerk would: a posted count of aisle A-01 that found one key short and one
over, and a count of aisle B-01 in progress, part counted by the clerk. Only when there
are no stocktakes yet."""

from decimal import Decimal

from sqlalchemy import func, select

from app.auth.models import User
from app.demo_purchasing import acting_as
from app.extensions import db
from app.inventory.models import Batch, Location, StockBalance, Warehouse
from app.stocktake import counting, services
from app.stocktake.models import Stocktake, StocktakeLine


def seed_stocktakes() -> int:
    """Create the demo stocktakes; returns how many (0: some exist already)."""
    if db.session.scalar(select(Stocktake.id).limit(1)) is not None:
        return 0
    warehouse = db.session.scalar(select(Warehouse).order_by(Warehouse.code))
    clerk = db.session.scalar(select(User).where(User.username == "clerk"))
    if warehouse is None or clerk is None:
        return 0

    posted = _started(warehouse, "A-01-", clerk, "年中盘点 A 区 mid-year count, aisle A-01")
    lines = _lines(posted["id"])
    short = next((line for line in lines if not _reserved(warehouse.id, line.product_id)), None)
    over = next((line for line in lines if line is not short), None)
    found = {short: Decimal(-1), over: Decimal(2)}  # what the count finds off the books
    with acting_as("clerk"):
        if lines:
            rows = [_count(line, line.snapshot_qty + found.get(line, 0)) for line in lines]
            counting.record_counts(posted["id"], rows)
        services.submit(posted["id"], "A-01 点完 all counted")
    with acting_as("manager"):
        services.approve(posted["id"], "差异已核实 variances checked")

    in_progress = _started(warehouse, "B-01-", clerk, "循环盘点 cycle count, aisle B-01")
    lines = _lines(in_progress["id"])
    if lines:
        with acting_as("clerk"):
            counting.record_counts(
                in_progress["id"], [_count(line, line.snapshot_qty) for line in lines[::2]]
            )
    return 2


def _started(warehouse: Warehouse, aisle: str, clerk: User, note: str) -> dict:
    locations = db.session.scalars(
        select(Location.id)
        .where(Location.warehouse_id == warehouse.id, Location.code.startswith(aisle))
        .order_by(Location.code)
    ).all()
    with acting_as("manager"):
        made = services.create_stocktake(
            {
                "warehouse_id": warehouse.id,
                "mode": "cycle",
                "blind": False,
                "location_ids": list(locations),
                "category_ids": [],
                "counter_ids": [clerk.id],
                "note": note,
            }
        )
        return services.start(made["id"])


def _lines(stocktake_id: int) -> list[StocktakeLine]:
    return db.session.scalars(
        select(StocktakeLine)
        .where(StocktakeLine.stocktake_id == stocktake_id)
        .order_by(StocktakeLine.location_id, StocktakeLine.product_id)
    ).all()


def _reserved(warehouse_id: int, product_id: int) -> bool:
    """Does an open sales order hold some of it? (A loss must leave that alone.)"""
    reserved = db.session.scalar(
        select(func.sum(StockBalance.reserved)).where(
            StockBalance.warehouse_id == warehouse_id, StockBalance.product_id == product_id
        )
    )
    return bool(reserved)


def _count(line: StocktakeLine, qty: Decimal) -> dict:
    batch = db.session.get(Batch, line.batch_id) if line.batch_id else None
    return {
        "product_id": line.product_id,
        "location_id": line.location_id,
        "batch": batch.number if batch else None,
        "qty": max(Decimal(qty), Decimal(0)),
    }
