"""The stock ledger: the only code that changes stock quantities.

Every posting, from any document, goes through `post()` (inside a transaction the caller
runs with `core.transactions.run_transaction`), or `post_movements()` which is that in
one call. A posting:

1. takes the product × warehouse valuation rows it touches, in sorted order (a row lock
   on PostgreSQL; SQLite writers already hold the database's write lock from BEGIN
   IMMEDIATE), so two documents never deadlock and a product's moving average is
   computed by one writer at a time;
2. takes stock out with a conditional UPDATE (`on_hand - reserved >= :q`, rowcount
   checked) and refuses with 409 rather than go below zero, unless the product or the
   ALLOW_NEGATIVE_STOCK setting allows it;
3. appends ledger lines with the cost and the running quantity and value per product ×
   warehouse, and queues `stock.changed` / `stock.low` for after the commit.

`expect()` keeps the quantity on order (open purchase orders) beside the stock, and
`reserve()` the quantity promised to confirmed sales orders: it never promises more than
is available (on hand in unexpired stock − reserved), under the same row lock as postings.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from flask import current_app
from sqlalchemy import select, update

from app.core.db import utcnow
from app.core.driver import Driver
from app.core.errors import Conflict, NotFound
from app.core.events import emit
from app.core.numbering import next_number
from app.core.transactions import insert_ignoring_duplicates, run_transaction
from app.extensions import db
from app.inventory import ledger_sql as sql
from app.inventory import periods
from app.inventory.ledger_sql import ProductFacts
from app.inventory.models import Batch, movement_kind_of, place_key

ZERO = Decimal(0)
CENT = Decimal("0.01")
COST_PLACES = Decimal("0.000001")

NUMBER_PREFIXES = {
    "in": "IN",
    "out": "OUT",
    "transfer": "TR",
    "adjust": "ADJ",
    "write_off": "WO",
    "opening": "OB",
}
KINDS = tuple(NUMBER_PREFIXES)
# Opening stock is posted only by its import; the movements API posts the rest.
API_KINDS = tuple(kind for kind in KINDS if kind != "opening")
# Opening stock (期初) comes in exactly like a stock-in.
STOCK_IN_KINDS = ("in", "opening")


class Shortages(Conflict):
    """Some of what was asked to be reserved is not available; `short` lists each."""

    type = "insufficient-stock"

    def __init__(self, short: list[dict]):
        names = ", ".join(f"{s['product']['sku']} (requested {s['requested']}, available "
                          f"{s['available']})" for s in short)  # fmt: skip
        super().__init__(f"Not enough stock to reserve: {names}.", short=short)


class NotEnoughStock(Conflict):
    type = "insufficient-stock"

    def __init__(self, product, warehouse_id: int, requested, available, *, line=None):
        requested, available = _plain(requested), _plain(available)
        super().__init__(
            f"Not enough stock of {product.sku} {product.name}: "
            f"requested {requested}, available {available}.",
            product={"id": product.id, "sku": product.sku, "name": product.name},
            warehouse_id=warehouse_id,
            requested=requested,
            available=available,
            **({"line": line} if line is not None else {}),
        )


def _plain(value) -> str:
    """12.000 → "12", 1.500 → "1.5": quantities as people write them."""
    text = format(Decimal(value).normalize(), "f")
    return text


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _cost(value: Decimal) -> Decimal:
    return value.quantize(COST_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    """One document line, resolved: product, base-unit quantity and where."""

    product_id: int
    qty: Decimal  # base units, > 0 (for adjust: the counted quantity, >= 0)
    unit: str = ""
    factor: Decimal = Decimal(1)
    entered_qty: Decimal | None = None
    location_id: int | None = None
    to_location_id: int | None = None
    batch_number: str | None = None
    expiry: date | None = None
    # Per base unit. A stock-in comes in at it; a stock-out (`out`) given one leaves at it,
    # from exactly the named place, instead of at the moving average: goods sent back to
    # their supplier leave at the cost they came in at.
    unit_cost: Decimal | None = None


class Place(NamedTuple):
    """Where stock is: a product in a warehouse, at a location (or none), of a batch (or none)."""

    product: ProductFacts
    warehouse_id: int
    location_id: int | None
    batch_id: int | None

    @property
    def group(self) -> tuple[int, int]:
        """The product × warehouse whose valuation (and lock) this place belongs to."""
        return (self.product.id, self.warehouse_id)


@dataclass
class _Valuation:
    qty: Decimal
    value: Decimal
    avg_cost: Decimal
    reserved: Decimal  # reservations are not the ledger's: fixed during a posting
    safety_stock: Decimal
    qty_elsewhere: Decimal = ZERO  # the product in its other warehouses (for its average)
    value_elsewhere: Decimal = ZERO
    touched: bool = False

    def __post_init__(self):
        self.available_before = self.qty - self.reserved


@dataclass
class _Posting:
    """Working state of one posting, discarded at commit."""

    document_id: int
    user_id: int
    at: datetime
    run: Callable = field(repr=False)  # executes a statement on the posting's connection
    movement: str = "other"  # what kind of movement its lines are (movement_kind_of)
    valuations: dict[tuple[int, int], _Valuation] = field(default_factory=dict)
    products: dict[int, ProductFacts] = field(default_factory=dict)
    entries: list[dict] = field(default_factory=list)


def post_movements(kind: str, warehouse_id: int, lines: Sequence[Line], **options) -> int:
    """Post a stock document in its own transaction; returns the document id."""
    return run_transaction(lambda: post(kind, warehouse_id, lines, **options))


def post(
    kind: str,
    warehouse_id: int,
    lines: Sequence[Line],
    *,
    user_id: int,
    to_warehouse_id: int | None = None,
    reason: str = "",
    note: str = "",
    allow_expired: bool = False,
    source: tuple[str, int] | None = None,
) -> int:
    """Post a document inside the caller's transaction (see module docstring); its id."""
    now = utcnow()
    run = Driver(db.session.connection())
    document_id = _add_document(
        run,
        number=next_number(NUMBER_PREFIXES.get(kind, kind.upper()), now, run=run),
        type=kind,
        status="posted",
        warehouse_id=warehouse_id,
        to_warehouse_id=to_warehouse_id,
        reason=reason,
        note=note,
        user_id=user_id,
        posted_at=now,
        source_type=source[0] if source else None,
        source_id=source[1] if source else None,
    )
    movement = movement_kind_of(kind, source[0] if source else None)
    posting = _Posting(document_id, user_id, now, run, movement)
    groups = {(line.product_id, warehouse_id) for line in lines}
    if kind == "transfer":
        groups |= {(line.product_id, to_warehouse_id) for line in lines}
    _lock(posting, groups)

    stock_in = kind in STOCK_IN_KINDS
    batch_ids = [
        _batch_for(posting.products[line.product_id], line, creating=stock_in) for line in lines
    ]
    costed = stock_in or kind == "out"  # the lines that carry a cost of their own
    line_ids = _add_document_lines(document_id, lines, batch_ids, posting, costed)
    rows = zip(lines, line_ids, batch_ids, strict=True)
    for number, (line, line_id, batch_id) in enumerate(rows, 1):
        here = Place(posting.products[line.product_id], warehouse_id, line.location_id, batch_id)
        if stock_in:
            cost = line.unit_cost
            if cost is None:
                cost = _default_in_cost(posting, here)
            _put(posting, line_id, here, line.qty, cost)
        elif kind == "out" and line.unit_cost is not None:
            expired_ok = allow_expired or reason == "expired"
            _take(
                posting,
                line_id,
                here,
                line.qty,
                allow_expired=expired_ok,
                exact=True,
                unit_cost=line.unit_cost,
                line=number,
            )
            _revalue(posting.valuations[here.group])
        elif kind in ("out", "write_off"):
            expired_ok = allow_expired or reason == "expired"
            _take(posting, line_id, here, line.qty, allow_expired=expired_ok, line=number)
        elif kind == "transfer":
            taken = _take(
                posting, line_id, here, line.qty, allow_expired=allow_expired, line=number
            )
            for entry in taken:  # the goods arrive with the batch and cost they left with
                there = here._replace(
                    warehouse_id=to_warehouse_id,
                    location_id=line.to_location_id,
                    batch_id=entry["batch_id"],
                )
                _put(
                    posting,
                    line_id,
                    there,
                    -entry["qty"],
                    entry["unit_cost"],
                    value=-entry["value"],
                )
        elif kind == "adjust":
            _adjust(posting, line_id, here, line.qty, line=number)
        else:
            raise ValueError(f"unknown stock document type {kind!r}")

    _finish(posting, receipt_costs=_receipt_costs(lines) if stock_in else {})
    return document_id


def cancel(document_id: int, *, user_id: int) -> int:
    """Post reversing lines for a document (inside the caller's transaction)."""
    documents = sql.documents
    document = db.session.execute(
        select(
            documents.c.number, documents.c.status, documents.c.type, documents.c.source_type
        ).where(documents.c.id == document_id)
    ).first()
    if document is None:
        raise NotFound(f"No stock document with id {document_id}.")
    if document.status == "cancelled":
        raise Conflict(f"{document.number} is already cancelled.", type="already-cancelled")
    originals = db.session.execute(
        select(sql.ledger).where(sql.ledger.c.document_id == document_id).order_by(sql.ledger.c.id)
    ).all()
    run = Driver(db.session.connection())
    movement = movement_kind_of(document.type, document.source_type)
    posting = _Posting(document_id, user_id, utcnow(), run, movement)
    _lock(posting, {(o.product_id, o.warehouse_id) for o in originals})
    # Take back what came in first: a transfer's arrival is removed before its departure
    # is restored, so a refusal names the place that no longer has the goods.
    for original in sorted(originals, key=lambda o: (o.qty < 0, o.id)):
        where = Place(
            posting.products[original.product_id],
            original.warehouse_id,
            original.location_id,
            original.batch_id,
        )
        line_id, cost = original.document_line_id, original.unit_cost
        if original.qty > 0:
            _take(
                posting,
                line_id,
                where,
                original.qty,
                allow_expired=True,
                exact=True,
                unit_cost=cost,
                value=original.value,
                reverses=original.id,
            )
        else:
            _put(
                posting,
                line_id,
                where,
                -original.qty,
                cost,
                value=-original.value,
                reverses=original.id,
            )
    db.session.execute(
        update(documents)
        .where(documents.c.id == document_id)
        .values(
            status="cancelled",
            cancelled_at=posting.at,
            cancelled_by_id=user_id,
            updated_at=posting.at,
        )
    )
    _finish(posting, receipt_costs={})
    return document_id


# --- the steps -----------------------------------------------------------------------------


def _lock(posting: _Posting, groups: Iterable[tuple[int, int]]) -> None:
    """Lock (and create) the valuation rows in sorted order; read what they hold, with the
    product's facts, its safety stock there and the quantity reserved there."""
    dialect = db.engine.dialect.name
    query = sql.VALUATION_FOR_UPDATE if dialect == "postgresql" else sql.VALUATION
    for product_id, warehouse_id in sorted(groups):
        key = {"product_id": product_id, "warehouse_id": warehouse_id}
        row = posting.run(query, key).first()
        if row is None:
            fresh = {"qty": 0, "value": 0, "avg_cost": 0}
            posting.run(sql.NEW_VALUATION[dialect], {**key, **fresh})
            row = posting.run(query, key).first()
            if row is None:
                raise NotFound(f"No product with id {product_id}.")
        facts = row._asdict()
        posting.products[product_id] = ProductFacts(*(facts[n] for n in ProductFacts._fields))
        posting.valuations[(product_id, warehouse_id)] = _Valuation(
            row.qty,
            row.value,
            row.avg_cost,
            row.reserved,
            row.safety_stock or ZERO,
            row.qty_elsewhere,
            row.value_elsewhere,
        )


def _put(posting, line_id, place: Place, qty, unit_cost, *, value=None, reverses=None) -> dict:
    """Stock arrives: at `unit_cost`, or with a known `value` (transfers, reversals)."""
    _add_on_hand(posting, place, qty)
    valuation = posting.valuations[place.group]
    if value is None:
        value = _money(qty * unit_cost)
    if valuation.qty + qty == 0:
        value = -valuation.value  # nothing left: nothing left of its value either
    return _entry(posting, line_id, place, qty, unit_cost, value, reverses)


def _take(
    posting,
    line_id,
    place: Place,
    qty,
    *,
    allow_expired,
    line=None,
    exact=False,
    unit_cost=None,
    value=None,
    reverses=None,
) -> list[dict]:
    """Stock leaves: picked from the places that have it (FEFO for batches), each taken
    with a conditional UPDATE; refused when there is not enough."""
    valuation = posting.valuations[place.group]
    picks, available = _pick(posting, place, qty, allow_expired=allow_expired, exact=exact)
    picked = sum((part for _, _, part in picks), ZERO)
    if picked < qty:
        if not _may_go_negative(place.product):
            raise NotEnoughStock(place.product, place.warehouse_id, qty, available, line=line)
        picks.append((None, place, qty - picked))  # allowed below zero: off the named place
    entries = []
    for balance_id, source, part in picks:
        if balance_id is None:
            _add_on_hand(posting, source, -part)
        else:
            changed = posting.run(sql.TAKE, {"balance_id": balance_id, "take": part}).rowcount
            if changed != 1:  # only if someone wrote around the valuation lock
                raise NotEnoughStock(place.product, place.warehouse_id, qty, available, line=line)
        cost = unit_cost if unit_cost is not None else valuation.avg_cost
        if valuation.qty == part:
            part_value = valuation.value  # the last of it takes the rest of the value
        elif value is not None and len(picks) == 1:
            part_value = value
        else:
            part_value = _money(part * cost)
        entries.append(_entry(posting, line_id, source, -part, cost, -part_value, reverses))
    return entries


def _revalue(valuation: _Valuation) -> None:
    """After an issue at a cost other than the average, the average is what is left:
    its value over its quantity."""
    if valuation.qty > 0:
        valuation.avg_cost = _cost(valuation.value / valuation.qty)


def _adjust(posting, line_id, place: Place, counted: Decimal, *, line: int) -> None:
    """Set one place to the counted quantity by posting the difference."""
    on_hand = posting.run(sql.ON_HAND_AT, _place_params(place)).scalar() or ZERO
    difference = counted - on_hand
    if difference > 0:
        _put(posting, line_id, place, difference, _default_in_cost(posting, place))
    elif difference < 0:
        _take(posting, line_id, place, -difference, allow_expired=True, exact=True, line=line)


def _pick(posting, place: Place, qty, *, allow_expired, exact):
    """Which places to take `qty` from, and how much is available to this request.

    Returns ([(balance_id, place, qty)], available). A named location or batch narrows
    the choice; otherwise batches go first-expiry-first-out, then by location.
    """
    key = {"product_id": place.product.id, "warehouse_id": place.warehouse_id}
    rows = posting.run(sql.PLACES, key).all()
    # Reservations held for the warehouse as a whole (open sales orders) stay untouched.
    free_in_warehouse = sum((r.on_hand - r.reserved for r in rows), ZERO)
    today = utcnow().date()

    def eligible(row) -> bool:
        if (exact or place.location_id is not None) and row.location_id != place.location_id:
            return False
        if (exact or place.batch_id is not None) and row.batch_id != place.batch_id:
            return False
        return allow_expired or row.expiry is None or row.expiry >= today

    candidates = sorted(
        (r for r in rows if eligible(r) and r.on_hand - r.reserved > 0), key=fefo_order
    )
    available = min(sum((r.on_hand - r.reserved for r in candidates), ZERO), free_in_warehouse)
    available = max(available, ZERO)
    picks, wanted = [], min(qty, available)
    for row in candidates:
        if wanted <= 0:
            break
        part = min(wanted, row.on_hand - row.reserved)
        source = Place(place.product, place.warehouse_id, row.location_id, row.batch_id)
        picks.append((row.id, source, part))
        wanted -= part
    if not picks and place.batch_id is not None and not allow_expired:
        _refuse_expired(place.product, place.batch_id)
    return picks, available


def fefo_order(place) -> tuple:
    """The order stock leaves in when no place is named: first expiry first out, then by
    batch and location."""
    return (place.expiry or date.max, place.batch_id or 0, place.location_id or 0, place.id)


def pick_places(product_id: int, warehouse_id: int, qty: Decimal) -> list[dict]:
    """Where `qty` base units would be taken from, in the order a stock-out takes them:
    [{location_id, batch_id, expiry, qty}]; less than asked when less is there."""
    run = Driver(db.session.connection())
    rows = run(sql.PLACES, {"product_id": product_id, "warehouse_id": warehouse_id}).all()
    today = utcnow().date()
    fresh = sorted(
        (r for r in rows if (r.expiry is None or r.expiry >= today) and r.on_hand > 0),
        key=fefo_order,
    )
    picks = []
    for row in fresh:
        if qty <= 0:
            break
        part = min(qty, row.on_hand)
        picks.append({"location_id": row.location_id, "batch_id": row.batch_id,
                      "expiry": row.expiry, "qty": part})  # fmt: skip
        qty -= part
    return picks


def _refuse_expired(product: ProductFacts, batch_id: int) -> None:
    batch = db.session.get(Batch, batch_id)
    if batch is not None and batch.expiry is not None and batch.expiry < utcnow().date():
        raise Conflict(
            f"Batch {batch.number} of {product.sku} expired on {batch.expiry.isoformat()}; "
            "issuing it needs a manager's override.",
            type="expired-batch",
            errors={"batch": ["expired"]},
        )


def _add_on_hand(posting, place: Place, qty: Decimal) -> None:
    """on_hand += qty at a place, creating its balance row on first use."""
    where = _place_params(place)
    if not posting.run(sql.ADD_ON_HAND, {**where, "delta": qty}).rowcount:
        posting.run(
            sql.NEW_PLACE,
            {
                "product_id": place.product.id,
                "warehouse_id": place.warehouse_id,
                "place": where["b_place"],
                "location_id": place.location_id,
                "batch_id": place.batch_id,
                "on_hand": qty,
                "reserved": 0,
                "on_order": 0,
            },
        )


def expect(product_id: int, warehouse_id: int, delta: Decimal, run: Driver | None = None) -> None:
    """on_order += delta (base units; negative as goods arrive or an order ends) for a
    product in a warehouse, on its warehouse-level balance row, inside the caller's
    transaction. Purchasing says how much; only this module writes the quantity."""
    run = run or Driver(db.session.connection())
    where = {
        "b_product": product_id,
        "b_warehouse": warehouse_id,
        "b_place": place_key(None, None),
        "delta": delta,
    }
    if run(sql.ADD_ON_ORDER, where).rowcount:
        return
    # Two orders may expect a product in a warehouse for the first time at once: one
    # insert wins, and both then add to the same row.
    run(sql.NEW_EMPTY_PLACE[db.engine.dialect.name], _empty_place(product_id, warehouse_id))
    run(sql.ADD_ON_ORDER, where)


def reserve(warehouse_id: int, wanted: Sequence[tuple[object, int, Decimal]], *,
            user_id: int) -> None:  # fmt: skip
    """Reserve (or, with negative quantities, release) base units of products in a
    warehouse, inside the caller's transaction. `wanted` is (the caller's key for the
    line, product id, quantity). All or nothing: if any product lacks what its lines ask
    together, `Shortages` (409) lists each such line with what it asked and what is
    available, and nothing is reserved."""
    run = Driver(db.session.connection())
    posting = _Posting(document_id=0, user_id=user_id, at=utcnow(), run=run)
    by_product: dict[int, Decimal] = {}
    for _, product_id, qty in wanted:
        by_product[product_id] = by_product.get(product_id, ZERO) + qty
    _lock(posting, ((product_id, warehouse_id) for product_id in by_product))
    available = {
        product_id: _reservable(run, product_id, warehouse_id)
        for product_id, qty in by_product.items()
        if qty > 0
    }
    short = [
        {"key": key, "product": _summary(posting.products[product_id]),
         "requested": _plain(qty), "available": _plain(max(available[product_id], ZERO))}
        for key, product_id, qty in wanted
        if product_id in available and by_product[product_id] > available[product_id]
    ]  # fmt: skip
    if short:
        raise Shortages(short)
    for product_id, delta in sorted(by_product.items()):
        if not delta:
            continue
        where = {"b_product": product_id, "b_warehouse": warehouse_id,
                 "b_place": place_key(None, None), "delta": delta}  # fmt: skip
        if not run(sql.ADD_RESERVED, where).rowcount:
            run(sql.NEW_EMPTY_PLACE[db.engine.dialect.name], _empty_place(product_id, warehouse_id))
            run(sql.ADD_RESERVED, where)
        valuation = posting.valuations[(product_id, warehouse_id)]
        valuation.reserved += delta
        _announce(posting.products[product_id], warehouse_id, valuation)


def _reservable(run: Driver, product_id: int, warehouse_id: int) -> Decimal:
    """On hand in unexpired stock − everything reserved, for a product in a warehouse."""
    today = utcnow().date()
    rows = run(sql.PLACES, {"product_id": product_id, "warehouse_id": warehouse_id}).all()
    fresh = sum((r.on_hand for r in rows if r.expiry is None or r.expiry >= today), ZERO)
    return fresh - sum((r.reserved for r in rows), ZERO)


def _empty_place(product_id: int, warehouse_id: int) -> dict:
    """A product's warehouse-level balance row, holding nothing yet."""
    return {"product_id": product_id, "warehouse_id": warehouse_id,
            "place": place_key(None, None), "location_id": None, "batch_id": None,
            "on_hand": 0, "reserved": 0, "on_order": 0}  # fmt: skip


def _summary(product: ProductFacts) -> dict:
    return {"id": product.id, "sku": product.sku, "name": product.name, "unit": product.unit}


def _entry(posting, line_id, place: Place, qty, unit_cost, value, reverses) -> dict:
    valuation = posting.valuations[place.group]
    valuation.qty += qty
    valuation.value += value
    if qty > 0 and valuation.qty > 0:
        valuation.avg_cost = _cost(valuation.value / valuation.qty)
    elif valuation.qty <= 0 and qty > 0:
        valuation.avg_cost = _cost(unit_cost)
    valuation.touched = True
    entry = {
        "document_id": posting.document_id,
        "document_line_id": line_id,
        "product_id": place.product.id,
        "warehouse_id": place.warehouse_id,
        "location_id": place.location_id,
        "batch_id": place.batch_id,
        "qty": qty,
        "unit_cost": unit_cost,
        "value": value,
        "qty_after": valuation.qty,
        "value_after": valuation.value,
        "reverses_id": reverses,
        "user_id": posting.user_id,
        "posted_at": posting.at,
    }
    posting.entries.append(entry)
    return entry


def _receipt_costs(lines: Sequence[Line]) -> dict[int, Decimal]:
    """The last purchase cost per product a receipt names."""
    return {line.product_id: _cost(line.unit_cost) for line in lines if line.unit_cost is not None}


def _finish(posting: _Posting, *, receipt_costs: dict[int, Decimal]) -> None:
    """Write the ledger lines, the month's running totals and the valuations; queue the
    events for after the commit."""
    if posting.entries:
        posting.run(sql.ADD_ENTRIES, posting.entries)
        periods.add_postings(posting.run, posting.movement, posting.at, posting.entries)
    for (product_id, warehouse_id), valuation in posting.valuations.items():
        if not valuation.touched:
            continue
        posting.run(
            sql.SAVE_VALUATION,
            {
                "v_product": product_id,
                "v_warehouse": warehouse_id,
                "v_qty": valuation.qty,
                "v_value": valuation.value,
                "v_avg": valuation.avg_cost,
            },
        )
        _announce(posting.products[product_id], warehouse_id, valuation)
        if product_id in receipt_costs:
            _note_costs(posting, product_id, receipt_costs[product_id], valuation)


def _note_costs(posting, product_id: int, last_cost: Decimal, valuation: _Valuation) -> None:
    """The catalogue shows the last purchase cost and the moving average over all
    warehouses. They are facts of the ledger, not edits of the product: no version bump
    (an open product form stays saveable) and no audit entry (the ledger is the record)."""
    qty = valuation.qty_elsewhere + max(valuation.qty, ZERO)
    value = valuation.value_elsewhere + (valuation.value if valuation.qty > 0 else ZERO)
    params = {"cost_product": product_id, "last": last_cost, "at": posting.at}
    if qty > 0:
        posting.run(sql.SET_COSTS, {**params, "average": _cost(value / qty)})
    else:
        posting.run(sql.SET_LAST_COST, params)


def _announce(product: ProductFacts, warehouse_id: int, valuation: _Valuation) -> None:
    available = valuation.qty - valuation.reserved
    summary = _summary(product)
    rooms = (f"warehouse:{warehouse_id}",)
    emit(
        "stock.changed",
        {
            "product": summary,
            "warehouse_id": warehouse_id,
            "on_hand": str(valuation.qty),
            "available": str(available),
        },
        rooms,
        restricted={"cost:read": {"value": str(valuation.value.quantize(Decimal("0.01")))}},
    )
    safety = valuation.safety_stock
    if valuation.available_before >= safety > available:  # crossed below: once per crossing
        emit(
            "stock.low",
            {
                "product": summary,
                "warehouse_id": warehouse_id,
                "available": str(available),
                "safety_stock": str(safety),
            },
            rooms,
        )


# --- helpers ---------------------------------------------------------------------------------


def _place_params(place: Place) -> dict:
    return {
        "b_product": place.product.id,
        "b_warehouse": place.warehouse_id,
        "b_place": place_key(place.location_id, place.batch_id),
    }


def _may_go_negative(product: ProductFacts) -> bool:
    return product.allow_negative_stock or current_app.config["ALLOW_NEGATIVE_STOCK"]


def _default_in_cost(posting: _Posting, place: Place) -> Decimal:
    """Goods found or received without a price come in at the current average (or the
    last purchase cost when there is none), so they do not dilute the valuation."""
    return posting.valuations[place.group].avg_cost or place.product.last_cost or ZERO


def _add_document(run, **values) -> int:
    values.setdefault("created_at", values["posted_at"])
    values.setdefault("updated_at", values["posted_at"])
    return run(sql.ADD_DOCUMENT, values).scalar()


def _add_document_lines(document_id, lines, batch_ids, posting, costed: bool) -> list[int]:
    rows = [
        {
            "document_id": document_id,
            "line_no": number,
            "product_id": line.product_id,
            "unit": line.unit or posting.products[line.product_id].unit,
            "factor": line.factor,
            "qty": line.entered_qty if line.entered_qty is not None else line.qty,
            "base_qty": line.qty,
            "location_id": line.location_id,
            "to_location_id": line.to_location_id,
            "batch_id": batch_id,
            "unit_cost": line.unit_cost if costed else None,
        }
        for number, (line, batch_id) in enumerate(zip(lines, batch_ids, strict=True), 1)
    ]
    return [posting.run(sql.ADD_LINES, row).scalar() for row in rows]


def _batch_for(product: ProductFacts, line: Line, *, creating: bool) -> int | None:
    """The batch named on a line; a stock-in creates it, other documents must find it."""
    if not line.batch_number:
        return None
    where = (Batch.product_id == product.id, Batch.number == line.batch_number)
    batch = db.session.scalar(select(Batch).where(*where))
    if batch is None:
        if not creating:
            raise NotFound(
                f"{product.sku} has no batch {line.batch_number}.",
                errors={"batch": ["unknown batch"]},
            )
        # Two warehouses may receive the same new batch at once: let one insert win.
        db.session.execute(
            insert_ignoring_duplicates(Batch.__table__).values(
                product_id=product.id,
                number=line.batch_number,
                expiry=line.expiry,
                created_at=utcnow(),
                updated_at=utcnow(),
            )
        )
        batch = db.session.scalar(select(Batch).where(*where))
    elif line.expiry is not None and batch.expiry != line.expiry:
        raise Conflict(
            f"Batch {batch.number} of {product.sku} expires on "
            f"{batch.expiry.isoformat() if batch.expiry else 'no date'}, not "
            f"{line.expiry.isoformat()}.",
            type="batch-expiry-mismatch",
            errors={"expiry": ["differs from the batch's expiry"]},
        )
    return batch.id
