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
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import and_, func, insert, select, update

from app.catalog.models import Product, ProductWarehouseSetting
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound
from app.core.events import emit
from app.core.numbering import next_number
from app.core.transactions import insert_ignoring_duplicates, run_transaction
from app.extensions import db
from app.inventory.models import (
    Batch,
    LedgerEntry,
    StockBalance,
    StockDocument,
    StockDocumentLine,
    StockValuation,
    place_key,
)

ZERO = Decimal(0)
CENT = Decimal("0.01")
COST_PLACES = Decimal("0.000001")

NUMBER_PREFIXES = {
    "in": "IN",
    "out": "OUT",
    "transfer": "TR",
    "adjust": "ADJ",
    "write_off": "WO",
}
KINDS = tuple(NUMBER_PREFIXES)

_balances = StockBalance.__table__
_valuations = StockValuation.__table__
_ledger = LedgerEntry.__table__
_products = Product.__table__


class NotEnoughStock(Conflict):
    type = "insufficient-stock"

    def __init__(self, product: Product, warehouse_id: int, requested, available, *, line=None):
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

    product: Product
    qty: Decimal  # base units, > 0 (for adjust: the counted quantity, >= 0)
    unit: str = ""
    factor: Decimal = Decimal(1)
    entered_qty: Decimal | None = None
    location_id: int | None = None
    to_location_id: int | None = None
    batch_number: str | None = None
    expiry: date | None = None
    unit_cost: Decimal | None = None  # stock-in only; per base unit


@dataclass
class _Valuation:
    qty: Decimal
    value: Decimal
    avg_cost: Decimal
    safety_stock: Decimal = ZERO
    available_before: Decimal | None = None
    touched: bool = field(default=False)


@dataclass
class _Posting:
    """Working state of one posting, discarded at commit."""

    document_id: int
    user_id: int
    at: datetime
    allow_expired: bool
    valuations: dict[tuple[int, int], _Valuation] = field(default_factory=dict)
    entries: list[dict] = field(default_factory=list)


def post_movements(kind: str, warehouse_id: int, lines: Sequence[Line], **options) -> int:
    """Post a stock document in its own transaction; returns the document id."""
    return run_transaction(lambda: post(kind, warehouse_id, lines, **options).id)


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
) -> StockDocument:
    """Post a document inside the caller's transaction (see module docstring)."""
    now = utcnow()
    document = StockDocument(
        number=next_number(NUMBER_PREFIXES.get(kind, kind.upper()), now),
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
    db.session.add(document)
    db.session.flush()
    posting = _Posting(document.id, user_id, now, allow_expired)

    groups = {(line.product.id, warehouse_id) for line in lines}
    if kind == "transfer":
        groups |= {(line.product.id, to_warehouse_id) for line in lines}
    _lock(posting, groups, {line.product.id: line.product for line in lines})

    for number, line in enumerate(lines, start=1):
        batch_id = _batch_for(line, creating=kind == "in")
        line_id = _add_document_line(document.id, number, line, kind, batch_id)
        if kind == "in":
            cost = line.unit_cost
            if cost is None:
                cost = _default_in_cost(posting, line, warehouse_id)
            _put(posting, line_id, line.product, warehouse_id, line.location_id, batch_id,
                 line.qty, cost)  # fmt: skip
        elif kind in ("out", "write_off"):
            _take(posting, line_id, line.product, warehouse_id, line.location_id, batch_id,
                  line.qty, line=number,
                  allow_expired=allow_expired or reason == "expired")  # fmt: skip
        elif kind == "transfer":
            taken = _take(posting, line_id, line.product, warehouse_id, line.location_id,
                          batch_id, line.qty, line=number, allow_expired=allow_expired)  # fmt: skip
            for entry in taken:  # the goods arrive with the cost they left at
                _put(posting, line_id, line.product, to_warehouse_id, line.to_location_id,
                     entry["batch_id"], -entry["qty"], entry["unit_cost"],
                     value=-entry["value"])  # fmt: skip
        elif kind == "adjust":
            _adjust(posting, line_id, line, warehouse_id, batch_id, number)
        else:
            raise ValueError(f"unknown stock document type {kind!r}")

    if kind == "in":
        _note_receipt_costs(lines)
    _finish(posting)
    return document


def cancel(document_id: int, *, user_id: int) -> StockDocument:
    """Post reversing lines for a document (inside the caller's transaction)."""
    document = db.session.get(StockDocument, document_id)
    if document is None:
        raise NotFound(f"No stock document with id {document_id}.")
    if document.status == "cancelled":
        raise Conflict(f"{document.number} is already cancelled.", type="already-cancelled")
    originals = db.session.execute(
        select(_ledger).where(_ledger.c.document_id == document_id).order_by(_ledger.c.id)
    ).all()
    posting = _Posting(document.id, user_id, utcnow(), allow_expired=True)
    products = {
        p.id: p
        for p in db.session.scalars(
            select(Product).where(Product.id.in_({o.product_id for o in originals}))
        )
    }
    _lock(posting, {(o.product_id, o.warehouse_id) for o in originals}, products)
    # Take back what came in first: a transfer's arrival is removed before its departure
    # is restored, so a refusal names the place that no longer has the goods.
    for original in sorted(originals, key=lambda o: (o.qty < 0, o.id)):
        product = products[original.product_id]
        if original.qty > 0:
            _take(posting, original.document_line_id, product, original.warehouse_id,
                  original.location_id, original.batch_id, original.qty, allow_expired=True,
                  exact=True, unit_cost=original.unit_cost, value=original.value,
                  reverses=original.id)  # fmt: skip
        else:
            _put(posting, original.document_line_id, product, original.warehouse_id,
                 original.location_id, original.batch_id, -original.qty, original.unit_cost,
                 value=-original.value, reverses=original.id)  # fmt: skip
    document.status = "cancelled"
    document.cancelled_at = posting.at
    document.cancelled_by_id = user_id
    _finish(posting)
    return document


# --- the steps -----------------------------------------------------------------------------


def _lock(posting: _Posting, groups: Iterable[tuple[int, int]], products: dict) -> None:
    """Lock (and create) the valuation rows in sorted order; remember what they hold."""
    postgres = db.engine.dialect.name == "postgresql"
    for product_id, warehouse_id in sorted(groups):
        key = (_valuations.c.product_id == product_id, _valuations.c.warehouse_id == warehouse_id)
        query = select(_valuations.c.qty, _valuations.c.value, _valuations.c.avg_cost).where(*key)
        if postgres:
            query = query.with_for_update()
        row = db.session.execute(query).first()
        if row is None:
            db.session.execute(
                insert_ignoring_duplicates(_valuations).values(
                    product_id=product_id, warehouse_id=warehouse_id, qty=0, value=0, avg_cost=0
                )
            )
            row = db.session.execute(query).first()
        safety = _safety_stock(products[product_id], warehouse_id)
        valuation = _Valuation(row.qty, row.value, row.avg_cost, safety)
        if safety > 0:
            valuation.available_before = row.qty - _reserved(product_id, warehouse_id)
        posting.valuations[(product_id, warehouse_id)] = valuation


def _put(posting, line_id, product, warehouse_id, location_id, batch_id, qty, unit_cost,
         *, value=None, reverses=None) -> dict:  # fmt: skip
    """Stock arrives: at `unit_cost`, or with a known `value` (transfers, reversals)."""
    place = _place(product.id, warehouse_id, location_id, batch_id)
    changed = db.session.execute(
        update(_balances).where(*place).values(on_hand=_balances.c.on_hand + qty)
    ).rowcount
    if not changed:
        db.session.execute(
            insert(_balances).values(
                product_id=product.id,
                warehouse_id=warehouse_id,
                place=place_key(location_id, batch_id),
                location_id=location_id,
                batch_id=batch_id,
                on_hand=qty,
                reserved=0,
                on_order=0,
            )
        )
    valuation = posting.valuations[(product.id, warehouse_id)]
    if value is None:
        value = _money(qty * unit_cost)
    if valuation.qty + qty == 0:
        value = -valuation.value  # nothing left: nothing left of its value either
    return _entry(posting, valuation, line_id, product.id, warehouse_id, location_id, batch_id,
                  qty, unit_cost, value, reverses)  # fmt: skip


def _take(posting, line_id, product, warehouse_id, location_id, batch_id, qty, *,
          allow_expired, line=None, exact=False, unit_cost=None, value=None,
          reverses=None) -> list[dict]:  # fmt: skip
    """Stock leaves: picked from the places that have it (FEFO for batches), each taken
    with a conditional UPDATE; refused when there is not enough."""
    valuation = posting.valuations[(product.id, warehouse_id)]
    picks, available = _pick(product, warehouse_id, location_id, batch_id, qty,
                             allow_expired=allow_expired, exact=exact)  # fmt: skip
    picked = sum((q for _, _, _, q in picks), ZERO)
    if picked < qty:
        if not _may_go_negative(product):
            raise NotEnoughStock(product, warehouse_id, qty, available, line=line)
        picks.append((None, location_id, batch_id, qty - picked))
    entries = []
    for balance_id, place_location, place_batch, part in picks:
        if balance_id is None:  # allowed below zero: the rest comes off the named place
            _put_negative(product.id, warehouse_id, place_location, place_batch, part)
        else:
            changed = db.session.execute(
                update(_balances)
                .where(
                    _balances.c.id == balance_id,
                    _balances.c.on_hand - _balances.c.reserved >= part,
                )
                .values(on_hand=_balances.c.on_hand - part)
            ).rowcount
            if changed != 1:  # only if someone wrote around the valuation lock
                raise NotEnoughStock(product, warehouse_id, qty, available, line=line)
        cost = unit_cost if unit_cost is not None else valuation.avg_cost
        if valuation.qty == part:
            part_value = valuation.value  # the last of it takes the rest of the value
        elif value is not None and len(picks) == 1:
            part_value = value
        else:
            part_value = _money(part * cost)
        entries.append(
            _entry(
                posting,
                valuation,
                line_id,
                product.id,
                warehouse_id,
                place_location,
                place_batch,
                -part,
                cost,
                -part_value,
                reverses,
            )  # fmt: skip
        )
    return entries


def _adjust(posting, line_id, line: Line, warehouse_id, batch_id, number) -> None:
    """Set one place to the counted quantity by posting the difference."""
    place = _place(line.product.id, warehouse_id, line.location_id, batch_id)
    on_hand = db.session.scalar(select(_balances.c.on_hand).where(*place)) or ZERO
    difference = line.qty - on_hand
    if difference > 0:
        _put(posting, line_id, line.product, warehouse_id, line.location_id, batch_id,
             difference, _default_in_cost(posting, line, warehouse_id))  # fmt: skip
    elif difference < 0:
        _take(posting, line_id, line.product, warehouse_id, line.location_id, batch_id,
              -difference, allow_expired=True, exact=True, line=number)  # fmt: skip


def _pick(product, warehouse_id, location_id, batch_id, qty, *, allow_expired, exact):
    """Which places to take `qty` from, and how much is available to this request.

    Returns ([(balance_id, location_id, batch_id, qty)], available). A named location or
    batch narrows the choice; otherwise batches go first-expiry-first-out, then by place.
    """
    query = (
        select(
            _balances.c.id,
            _balances.c.location_id,
            _balances.c.batch_id,
            _balances.c.on_hand,
            _balances.c.reserved,
            Batch.expiry,
        )
        .outerjoin(Batch, Batch.id == _balances.c.batch_id)
        .where(_balances.c.product_id == product.id, _balances.c.warehouse_id == warehouse_id)
    )
    rows = db.session.execute(query).all()
    # Reservations held for the warehouse as a whole (open sales orders) stay untouched.
    free_in_warehouse = sum((r.on_hand - r.reserved for r in rows), ZERO)
    today = utcnow().date()

    def eligible(row) -> bool:
        if exact or location_id is not None:
            if row.location_id != location_id:
                return False
        if exact or batch_id is not None:
            if row.batch_id != batch_id:
                return False
        return allow_expired or row.expiry is None or row.expiry >= today

    candidates = sorted(
        (r for r in rows if eligible(r) and r.on_hand - r.reserved > 0),
        key=lambda r: (r.expiry or date.max, r.batch_id or 0, r.location_id or 0, r.id),
    )
    available = min(sum((r.on_hand - r.reserved for r in candidates), ZERO), free_in_warehouse)
    available = max(available, ZERO)
    picks, wanted = [], min(qty, available)
    for row in candidates:
        if wanted <= 0:
            break
        part = min(wanted, row.on_hand - row.reserved)
        picks.append((row.id, row.location_id, row.batch_id, part))
        wanted -= part
    if not picks and batch_id is not None and not allow_expired:
        _refuse_expired(product, batch_id)
    return picks, available


def _refuse_expired(product: Product, batch_id: int) -> None:
    batch = db.session.get(Batch, batch_id)
    if batch is not None and batch.expiry is not None and batch.expiry < utcnow().date():
        raise Conflict(
            f"Batch {batch.number} of {product.sku} expired on {batch.expiry.isoformat()}; "
            "issuing it needs a manager's override.",
            type="expired-batch",
            errors={"batch": ["expired"]},
        )


def _put_negative(product_id, warehouse_id, location_id, batch_id, qty) -> None:
    place = _place(product_id, warehouse_id, location_id, batch_id)
    changed = db.session.execute(
        update(_balances).where(*place).values(on_hand=_balances.c.on_hand - qty)
    ).rowcount
    if not changed:
        db.session.execute(
            insert(_balances).values(
                product_id=product_id,
                warehouse_id=warehouse_id,
                place=place_key(location_id, batch_id),
                location_id=location_id,
                batch_id=batch_id,
                on_hand=-qty,
                reserved=0,
                on_order=0,
            )
        )


def _entry(posting, valuation, line_id, product_id, warehouse_id, location_id, batch_id, qty,
           unit_cost, value, reverses) -> dict:  # fmt: skip
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
        "product_id": product_id,
        "warehouse_id": warehouse_id,
        "location_id": location_id,
        "batch_id": batch_id,
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


def _note_receipt_costs(lines: Sequence[Line]) -> None:
    """The catalogue shows the last purchase cost; it changes only with a receipt."""
    for line in lines:
        if line.unit_cost is not None:
            _set_product_cost(line.product.id, last_cost=_cost(line.unit_cost))


def _set_product_cost(product_id: int, **costs) -> None:
    """Costs are facts of the ledger, not edits of the product: no version bump (an open
    product form stays saveable) and no audit entry (the ledger is the record)."""
    db.session.execute(update(_products).where(_products.c.id == product_id).values(**costs))


def _finish(posting: _Posting) -> None:
    """Write the ledger lines and valuations; queue the events for after the commit."""
    if posting.entries:
        db.session.execute(insert(_ledger), posting.entries)
    for (product_id, warehouse_id), valuation in posting.valuations.items():
        if not valuation.touched:
            continue
        db.session.execute(
            update(_valuations)
            .where(
                _valuations.c.product_id == product_id,
                _valuations.c.warehouse_id == warehouse_id,
            )
            .values(qty=valuation.qty, value=valuation.value, avg_cost=valuation.avg_cost)
        )
        _announce(product_id, warehouse_id, valuation)
    _refresh_product_averages({p for (p, _), v in posting.valuations.items() if v.touched})


def _refresh_product_averages(product_ids: set[int]) -> None:
    """Product.avg_cost: the moving average over all warehouses that hold the product."""
    for product_id in product_ids:
        qty, value = db.session.execute(
            select(func.sum(_valuations.c.qty), func.sum(_valuations.c.value)).where(
                _valuations.c.product_id == product_id, _valuations.c.qty > 0
            )
        ).one()
        if qty:
            _set_product_cost(product_id, avg_cost=_cost(value / qty))


def _announce(product_id: int, warehouse_id: int, valuation: _Valuation) -> None:
    reserved = _reserved(product_id, warehouse_id)
    available = valuation.qty - reserved
    product = db.session.get(Product, product_id)
    summary = {"id": product.id, "sku": product.sku, "name": product.name}
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
    )
    before, safety = valuation.available_before, valuation.safety_stock
    if before is not None:
        if before >= safety > available:  # crossed below: once, not on every movement
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


def _place(product_id, warehouse_id, location_id, batch_id):
    return (
        _balances.c.product_id == product_id,
        _balances.c.warehouse_id == warehouse_id,
        _balances.c.place == place_key(location_id, batch_id),
    )


def _reserved(product_id: int, warehouse_id: int) -> Decimal:
    total = db.session.execute(
        select(_balances.c.reserved).where(
            and_(_balances.c.product_id == product_id, _balances.c.warehouse_id == warehouse_id)
        )
    ).scalars()
    return sum(total, ZERO)


def _safety_stock(product: Product, warehouse_id: int) -> Decimal:
    setting = db.session.get(ProductWarehouseSetting, (product.id, warehouse_id))
    if setting is not None and setting.safety_stock is not None:
        return setting.safety_stock
    return product.safety_stock or ZERO


def _may_go_negative(product: Product) -> bool:
    return product.allow_negative_stock or current_app.config.get("ALLOW_NEGATIVE_STOCK", False)


def _default_in_cost(posting: _Posting, line: Line, warehouse_id: int) -> Decimal:
    """Goods found or received without a price come in at the current average (or the
    last purchase cost when there is none), so they do not dilute the valuation."""
    valuation = posting.valuations[(line.product.id, warehouse_id)]
    return valuation.avg_cost or line.product.last_cost or ZERO


def _add_document_line(document_id: int, number: int, line: Line, kind: str, batch_id) -> int:
    return db.session.execute(
        insert(StockDocumentLine.__table__)
        .values(
            document_id=document_id,
            line_no=number,
            product_id=line.product.id,
            unit=line.unit or line.product.unit,
            factor=line.factor,
            qty=line.entered_qty if line.entered_qty is not None else line.qty,
            base_qty=line.qty,
            location_id=line.location_id,
            to_location_id=line.to_location_id,
            batch_id=batch_id,
            unit_cost=line.unit_cost if kind == "in" else None,
        )
        .returning(StockDocumentLine.id)
    ).scalar_one()


def _batch_for(line: Line, *, creating: bool) -> int | None:
    """The batch named on a line; a stock-in creates it, other documents must find it."""
    if not line.batch_number:
        return None
    where = (Batch.product_id == line.product.id, Batch.number == line.batch_number)
    batch = db.session.scalar(select(Batch).where(*where))
    if batch is None:
        if not creating:
            raise NotFound(
                f"{line.product.sku} has no batch {line.batch_number}.",
                errors={"batch": ["unknown batch"]},
            )
        # Two warehouses may receive the same new batch at once: let one insert win.
        db.session.execute(
            insert_ignoring_duplicates(Batch.__table__).values(
                product_id=line.product.id,
                number=line.batch_number,
                expiry=line.expiry,
                created_at=utcnow(),
                updated_at=utcnow(),
            )
        )
        batch = db.session.scalar(select(Batch).where(*where))
    elif line.expiry is not None and batch.expiry != line.expiry:
        raise Conflict(
            f"Batch {batch.number} of {line.product.sku} expires on "
            f"{batch.expiry.isoformat() if batch.expiry else 'no date'}, not "
            f"{line.expiry.isoformat()}.",
            type="batch-expiry-mismatch",
            errors={"expiry": ["differs from the batch's expiry"]},
        )
    return batch.id
