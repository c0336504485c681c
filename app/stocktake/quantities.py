"""What a stocktake counted and expected per key, the variances between them, and their
posting through the ledger. The rule for the expected quantity is stated (and argued) in
`stocktake.services`; this module is where it is computed, in one grouped query."""

from collections.abc import Collection
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func, literal, or_, select

from app.catalog.models import Product
from app.core.db import UTCDateTime, utcnow
from app.extensions import db
from app.inventory import ledger
from app.inventory.models import (
    Batch,
    LedgerEntry,
    Location,
    StockBalance,
    StockDocument,
    StockValuation,
    place_key,
)
from app.inventory.refs import batch_ref, location_ref, product_refs
from app.stocktake.models import Stocktake, StocktakeCount, StocktakeLine

ZERO = Decimal(0)
CENT = Decimal("0.01")
# Stock documents that correct the books rather than move goods: counted adjustments, by
# another stocktake or by hand.
CORRECTIONS = ("adjust",)


def current_counts(stocktake_ids: Collection[int]):
    """A subquery: per line, what was counted in its current round (the sum over counters
    and zones) and when the last of those counts was taken. A line not counted in its
    current round has no row."""
    count, line = StocktakeCount, StocktakeLine
    return (
        select(
            count.line_id.label("line_id"),
            func.sum(count.qty).label("counted"),
            func.max(count.at).label("last_at"),
        )
        .join(line, and_(line.id == count.line_id, line.round == count.round))
        .where(count.stocktake_id.in_(list(stocktake_ids)))
        .group_by(count.line_id)
        .subquery("current_counts")
    )


def counted_quantities(stocktake_id: int) -> dict[int, Decimal]:
    """{line id: counted} for the lines counted in their current round."""
    counts = current_counts([stocktake_id])
    return dict(db.session.execute(select(counts.c.line_id, counts.c.counted)).all())


def expected_quantities(
    stocktake: Stocktake, line_ids: Collection[int] | None = None
) -> dict[int, Decimal]:
    """{line id: expected} — the snapshot plus the key's ledger entries after the mark:
    movements of goods up to the key's last count in its current round (up to now when it
    has none), corrections of the books whenever posted. One query for all the lines,
    however many."""
    line, entry = StocktakeLine, LedgerEntry
    if stocktake.ledger_mark is None:  # not started: nothing is expected yet
        return {}
    counts = current_counts([stocktake.id])
    until = func.coalesce(counts.c.last_at, literal(utcnow(), UTCDateTime()))
    corrections = select(StockDocument.id).where(
        StockDocument.type.in_(CORRECTIONS),
        StockDocument.warehouse_id == stocktake.warehouse_id,
        StockDocument.id != (stocktake.document_id or 0),  # not its own
    )
    moved_here = and_(
        entry.product_id == line.product_id,
        entry.warehouse_id == stocktake.warehouse_id,
        entry.id > stocktake.ledger_mark,
        func.coalesce(entry.location_id, 0) == func.coalesce(line.location_id, 0),
        func.coalesce(entry.batch_id, 0) == func.coalesce(line.batch_id, 0),
        or_(entry.posted_at <= until, entry.document_id.in_(corrections)),
    )
    stmt = (
        select(line.id, line.snapshot_qty, func.sum(entry.qty).label("moved"))
        .outerjoin(counts, counts.c.line_id == line.id)
        .outerjoin(entry, moved_here)
        .where(line.stocktake_id == stocktake.id)
        .group_by(line.id, line.snapshot_qty)
    )
    if line_ids is not None:
        stmt = stmt.where(line.id.in_(list(line_ids)))
    return {row.id: row.snapshot_qty + (row.moved or ZERO) for row in db.session.execute(stmt)}


# --- variances -------------------------------------------------------------------------------


def variances(stocktake: Stocktake) -> list[dict]:
    """Every key with what was expected, what was counted (None: not in its current
    round), the difference, and its cost: per base unit and the difference's value."""
    lines = db.session.scalars(
        select(StocktakeLine).where(StocktakeLine.stocktake_id == stocktake.id)
    ).all()
    expected = expected_quantities(stocktake)
    counted = counted_quantities(stocktake.id)
    products = product_refs({line.product_id for line in lines})
    locations = _by_id(Location, {line.location_id for line in lines})
    batches = _by_id(Batch, {line.batch_id for line in lines})
    costs = _unit_costs(stocktake, {line.product_id for line in lines})
    posted = _posted_values(stocktake)
    rows = []
    for line in lines:
        quantity = counted.get(line.id)
        difference = None if quantity is None else quantity - expected.get(line.id, ZERO)
        unit_cost, value = costs.get(line.product_id, ZERO), None
        if difference is not None:
            value = _money(difference * unit_cost)
        if (line.product_id, line.place) in posted:  # what the adjustment really posted
            moved, value = posted[(line.product_id, line.place)]
            unit_cost = abs(value / moved) if moved else unit_cost
        rows.append(
            {
                "line_id": line.id,
                "product": products[line.product_id],
                "location": location_ref(locations.get(line.location_id)),
                "batch": batch_ref(batches.get(line.batch_id)),
                "unexpected": line.unexpected,
                "expected": expected.get(line.id, ZERO),
                "counted": quantity,
                "difference": difference,
                "unit_cost": unit_cost,
                "value": value,
            }
        )
    return rows


def variance_totals(rows: list[dict]) -> dict:
    """How many keys, how many gained and lost, and the value of each side."""
    gains = [r for r in rows if (r["difference"] or ZERO) > 0]
    losses = [r for r in rows if (r["difference"] or ZERO) < 0]
    value_gain = sum((r["value"] or ZERO for r in gains), ZERO)
    value_loss = sum((r["value"] or ZERO for r in losses), ZERO)
    return {
        "keys": len(rows),
        "gains": len(gains),
        "losses": len(losses),
        "value_gain": value_gain,
        "value_loss": value_loss,
        "value_net": value_gain + value_loss,
    }


def _unit_costs(stocktake: Stocktake, product_ids: set[int]) -> dict[int, Decimal]:
    """The cost a gain would come in at and a loss leave at: the moving average of the
    product in the warehouse, else its last purchase cost (as the ledger does)."""
    rows = db.session.execute(
        select(Product.id, Product.last_cost, StockValuation.avg_cost)
        .outerjoin(
            StockValuation,
            and_(
                StockValuation.product_id == Product.id,
                StockValuation.warehouse_id == stocktake.warehouse_id,
            ),
        )
        .where(Product.id.in_(list(product_ids)))
    )
    return {row.id: row.avg_cost or row.last_cost or ZERO for row in rows}


def _posted_values(stocktake: Stocktake) -> dict[tuple[int, str], tuple[Decimal, Decimal]]:
    """{(product, place): (qty, value)} of the adjustment a posted stocktake made."""
    if stocktake.document_id is None:
        return {}
    entry = LedgerEntry
    rows = db.session.execute(
        select(
            entry.product_id,
            entry.location_id,
            entry.batch_id,
            func.sum(entry.qty).label("qty"),
            func.sum(entry.value).label("value"),
        )
        .where(entry.document_id == stocktake.document_id)
        .group_by(entry.product_id, entry.location_id, entry.batch_id)
    )
    return {
        (row.product_id, place_key(row.location_id, row.batch_id)): (row.qty, row.value)
        for row in rows
    }


# --- posting ---------------------------------------------------------------------------------


def post_differences(stocktake: Stocktake, *, user_id: int, note: str) -> int | None:
    """Post every key's counted − expected as one adjustment through the ledger, inside the
    caller's transaction; its document id (None when nothing differs).

    The warehouse's valuation rows of these products are locked first (the ledger's own
    lock, in its order), so no posting moves them between reading the expected quantities
    and posting. The ledger's `adjust` sets a place to a quantity by posting the
    difference: each key is set to what it holds now plus the correction, so stock that
    moved after the count stays moved.
    """
    lines = db.session.scalars(
        select(StocktakeLine).where(StocktakeLine.stocktake_id == stocktake.id)
    ).all()
    lock_valuations(stocktake.warehouse_id, {line.product_id for line in lines})
    expected = expected_quantities(stocktake)
    counted = counted_quantities(stocktake.id)
    corrections = [
        (line, counted[line.id] - expected.get(line.id, ZERO))
        for line in lines
        if line.id in counted and counted[line.id] != expected.get(line.id, ZERO)
    ]
    if not corrections:
        return None
    on_hand = _on_hand(stocktake.warehouse_id, {line.product_id for line, _ in corrections})
    batches = _by_id(Batch, {line.batch_id for line, _ in corrections})
    order = sorted(corrections, key=lambda c: (c[0].product_id, c[0].place))
    adjustments = [
        ledger.Line(
            product_id=line.product_id,
            qty=on_hand.get((line.product_id, line.place), ZERO) + difference,
            location_id=line.location_id,
            batch_number=batches[line.batch_id].number if line.batch_id else None,
        )
        for line, difference in order
    ]
    return ledger.post(
        "adjust",
        stocktake.warehouse_id,
        adjustments,
        user_id=user_id,
        note=note,
        source=("stocktake", stocktake.id),
    )


def lock_valuations(warehouse_id: int, product_ids: Collection[int] | None = None) -> None:
    """Lock the warehouse's valuation rows (of these products), in the order the ledger
    takes them: on PostgreSQL postings of them wait until this transaction ends; SQLite
    writers already hold the database's write lock."""
    stmt = select(StockValuation.product_id).where(StockValuation.warehouse_id == warehouse_id)
    if product_ids is not None:
        stmt = stmt.where(StockValuation.product_id.in_(list(product_ids)))
    db.session.execute(stmt.order_by(StockValuation.product_id).with_for_update())


def _on_hand(warehouse_id: int, product_ids: set[int]) -> dict[tuple[int, str], Decimal]:
    balance = StockBalance
    rows = db.session.execute(
        select(balance.product_id, balance.place, balance.on_hand).where(
            balance.warehouse_id == warehouse_id, balance.product_id.in_(list(product_ids))
        )
    )
    return {(row.product_id, row.place): row.on_hand for row in rows}


def _by_id(model, ids: set) -> dict:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
