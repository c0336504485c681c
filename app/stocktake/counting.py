"""Counting: batches of counts from several counters at once, and the lines as counters see
them (without the expected quantity in a blind count).

A count line keeps its counter, its time and the key's round; a key's counted quantity
is the sum of its counts in its current round (`quantities.current_counts`). Counts are
appended, never updated, so counters counting the same key at once never overwrite one
another. A key nobody expected is made on its first count and flagged `unexpected`.
"""

from collections.abc import Sequence
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import and_, select

from app.catalog.models import Product
from app.core.db import utcnow
from app.core.errors import ValidationProblem
from app.core.pagination import list_page
from app.core.transactions import insert_ignoring_duplicates, run_transaction
from app.extensions import db
from app.inventory.models import Batch, Location, Warehouse, place_key
from app.inventory.movements import stock_line
from app.inventory.refs import batch_ref, location_ref, product_refs, user_ref
from app.stocktake import quantities
from app.stocktake.models import Stocktake, StocktakeCount, StocktakeLine
from app.stocktake.services import (
    InvalidState,
    Scope,
    announce_progress,
    check_counter,
    get_stocktake,
    sees_expected,
)

LINE_STATUSES = ("uncounted", "counted", "recount", "unexpected")


def record_counts(stocktake_id: int, rows: Sequence[dict]) -> dict:
    """Add a batch of counts by the caller, all or nothing: a bad line is a 422 naming
    `lines.<n>.<field>`. Returns the keys touched and the progress after."""

    def work():
        stocktake = get_stocktake(stocktake_id, share=True)
        if stocktake.state != "counting":
            raise InvalidState(stocktake, "counted", f"{stocktake.number} is {stocktake.state}; "
                               "counts are taken while it is counting.")  # fmt: skip
        check_counter(stocktake)
        warehouse = db.session.get(Warehouse, stocktake.warehouse_id)
        scope = Scope.of(stocktake)
        categories = scope.product_categories()
        errors: dict[str, list[str]] = {}
        counts = []
        for index, row in enumerate(rows):
            problems: dict[str, list[str]] = {}
            count = _count(stocktake, warehouse, scope, categories, row, problems)
            for field, reasons in problems.items():
                errors[f"lines.{index}.{field}"] = reasons
            if count is not None and not problems:
                counts.append(count)
        if errors:
            raise ValidationProblem(errors)

        # Keys in one order for every counter: two batches making the same new keys at
        # once wait for each other instead of deadlocking.
        keys = sorted({key for key, *_ in counts}, key=lambda k: (k[0], place_key(*k[1:])))
        lines = {key: _line_for(stocktake, *key) for key in keys}
        now = utcnow()
        touched: dict[int, StocktakeLine] = {}
        for key, qty, unit, entered in counts:
            line = lines[key]
            touched[line.id] = line
            db.session.add(
                StocktakeCount(
                    stocktake_id=stocktake.id,
                    line_id=line.id,
                    round=line.round,
                    user_id=current_user.id,
                    qty=qty,
                    unit=unit,
                    entered_qty=entered,
                    at=now,
                )
            )
        db.session.flush()
        places = {line.location_id for line in touched.values()}
        progress = announce_progress(
            stocktake, location_id=places.pop() if len(places) == 1 else None
        )
        return {"lines": line_views(stocktake, list(touched.values())), "progress": progress}

    return run_transaction(work)


def _count(stocktake, warehouse, scope: Scope, categories, row: dict, problems: dict):
    """((product, location, batch), base qty, unit, qty as entered) for one request line,
    or None with `problems` filled in."""
    line = stock_line("adjust", row, warehouse, None, problems)
    if line is None:
        return None
    product = db.session.get(Product, line.product_id)
    if categories is not None and product.category_id not in categories:
        field = "product_id" if row.get("product_id") is not None else "code"
        problems[field] = [f"{product.sku} is not in the categories this stocktake counts"]
    location_id = line.location_id
    if "location_id" not in problems:
        if not scope.has_location(location_id):
            problems["location_id"] = [
                "outside the locations this stocktake counts"
                if location_id is not None
                else "choose one of the locations this stocktake counts"
            ]
        elif location_id is None and _needs_location(stocktake, product.id, warehouse):
            problems["location_id"] = [f"choose a location: {warehouse.code} has locations"]
    batch_id = None
    if line.batch_number and "batch" not in problems:
        batch_id = db.session.scalar(
            select(Batch.id).where(
                Batch.product_id == product.id, Batch.number == line.batch_number
            )
        )
        if batch_id is None:
            problems["batch"] = [f"{product.sku} has no batch {line.batch_number}"]
    entered = line.entered_qty if line.entered_qty is not None else line.qty
    return (product.id, location_id, batch_id), line.qty, line.unit, entered


def _needs_location(stocktake: Stocktake, product_id: int, warehouse: Warehouse) -> bool:
    """A count without a location is for a warehouse without locations, or for a key that
    has none."""
    if not db.session.scalar(
        select(Location.id)
        .where(Location.warehouse_id == warehouse.id, Location.active.is_(True))
        .limit(1)
    ):
        return False
    unplaced = select(StocktakeLine.id).where(
        StocktakeLine.stocktake_id == stocktake.id,
        StocktakeLine.product_id == product_id,
        StocktakeLine.location_id.is_(None),
    )
    return db.session.scalar(unplaced.limit(1)) is None


def _line_for(stocktake: Stocktake, product_id: int, location_id, batch_id) -> StocktakeLine:
    """The key's line; a key nobody expected gets one now (two counters finding it at once
    make one line between them)."""
    place = place_key(location_id, batch_id)
    where = (
        StocktakeLine.stocktake_id == stocktake.id,
        StocktakeLine.product_id == product_id,
        StocktakeLine.place == place,
    )
    line = db.session.scalar(select(StocktakeLine).where(*where))
    if line is None:
        db.session.execute(
            insert_ignoring_duplicates(StocktakeLine.__table__).values(
                stocktake_id=stocktake.id,
                product_id=product_id,
                location_id=location_id,
                batch_id=batch_id,
                place=place,
                snapshot_qty=Decimal(0),
                unexpected=True,
                round=1,
            )
        )
        line = db.session.scalar(select(StocktakeLine).where(*where))
    return line


# --- reading ---------------------------------------------------------------------------------


def line_page(stocktake_id: int, args: dict) -> dict:
    """A page of the stocktake's keys, by location and SKU; filtered by location, status
    (uncounted, counted, recount, unexpected) and `q` on SKU or name."""
    stocktake = get_stocktake(stocktake_id)
    line = StocktakeLine
    counts = quantities.current_counts([stocktake.id])
    stmt = (
        select(line)
        .join(Product, Product.id == line.product_id)
        .outerjoin(Location, Location.id == line.location_id)
        .outerjoin(counts, counts.c.line_id == line.id)
        .where(line.stocktake_id == stocktake.id)
    )
    if args.get("location_id") is not None:
        stmt = stmt.where(line.location_id == args["location_id"])
    status = args.get("status")
    if status == "uncounted":
        stmt = stmt.where(counts.c.line_id.is_(None))
    elif status == "counted":
        stmt = stmt.where(counts.c.line_id.is_not(None))
    elif status == "recount":
        stmt = stmt.where(and_(line.round > 1, counts.c.line_id.is_(None)))
    elif status == "unexpected":
        stmt = stmt.where(line.unexpected.is_(True))
    page = list_page(
        stmt,
        args,
        search=(Product.sku, Product.name),
        sortable={"location": Location.code, "sku": Product.sku, "id": line.id},
        default_sort="location,sku,id",
    )
    page["items"] = line_views(stocktake, page["items"])
    return page


def line_views(stocktake: Stocktake, lines: Sequence[StocktakeLine]) -> list[dict]:
    """The lines as the caller may see them: `expected` only where `sees_expected`;
    `counted` and `counted_by` from the current round."""
    ids = [line.id for line in lines]
    count, key = StocktakeCount, StocktakeLine
    counted_by: dict[int, list[dict]] = {i: [] for i in ids}
    rows = db.session.execute(
        select(count.line_id, count.user_id, count.qty, count.at)
        .join(key, and_(key.id == count.line_id, key.round == count.round))
        .where(count.line_id.in_(ids))
        .order_by(count.id)
    )
    for row in rows:
        counted_by[row.line_id].append({"user": user_ref(row.user_id), "qty": row.qty,
                                        "at": row.at})  # fmt: skip
    expected = quantities.expected_quantities(stocktake, ids) if sees_expected(stocktake) else None
    products = product_refs({line.product_id for line in lines})
    views = []
    for line in lines:
        counts = counted_by[line.id]
        view = {
            "id": line.id,
            "product": products[line.product_id],
            "location": location_ref(_get(Location, line.location_id)),
            "batch": batch_ref(_get(Batch, line.batch_id)),
            "counted": sum((c["qty"] for c in counts), Decimal(0)) if counts else None,
            "unexpected": line.unexpected,
            "recount": line.round > 1 and not counts,
            "round": line.round,
            "counted_by": counts,
        }
        if expected is not None:
            view["expected"] = expected.get(line.id, line.snapshot_qty)
        views.append(view)
    return views


def _get(model, record_id):
    return None if record_id is None else db.session.get(model, record_id)
