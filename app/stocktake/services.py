"""Stocktakes (盘点单): the document, its scope, its states and what each step does.

draft → counting (`start`) → review (`submit`) → posted (`approve`); a draft, a count or
a review can be cancelled. `recount` sends chosen keys back to the counters (from review,
back to counting). Each public function owns its transaction; every change of state goes
through `_set_state()` (history row, and a `stocktake.progress` event after the commit).

The expected quantity while the warehouse keeps working
-------------------------------------------------------
Sales, receipts and transfers go on during a count. `start` takes the warehouse's
valuation rows — the lock every posting of a product there takes first (FOR UPDATE on
PostgreSQL; SQLite writers hold the write lock from BEGIN IMMEDIATE) — so no posting is
half-done, and records in the same transaction:

* the snapshot: per key (product × location × batch) in scope with stock on hand ≠ 0,
  that quantity (`StocktakeLine.snapshot_qty`);
* the ledger's high-water mark: the largest ledger entry id (`Stocktake.ledger_mark`).

From then on, for a key:

    expected = snapshot + Σ qty of the ledger entries of that product, warehouse,
               location and batch with id > mark that are
               - movements of goods posted at or before the key's last count in its
                 current round (a key not counted yet: up to now), or
               - corrections of the books (adjustments, below), whenever posted
    difference = counted − expected

A sale or receipt before a key is counted is in its expected quantity; one after it is
in neither the count nor the expected quantity: neither shows as a variance. Approval
posts each key's difference — exactly the correction — as one adjustment through the
ledger, on top of whatever the place holds by then (`quantities.post_differences`).

Adjustments (`adjust` documents: another stocktake's posting, or a count set by hand)
correct the books instead of moving goods, so they count in the expected quantity
whenever they are posted after the mark. Two stocktakes counting the same stock
therefore never post the same correction twice: whichever is approved second corrects
only what the first left wrong (where two counts disagree, the one approved last wins).
The stocktake's own adjustment is never counted in.

Keys not counted: `submit` refuses (409 `uncounted-keys`, with how many) while any key
has no count in its current round, unless asked `uncounted_as_zero`: then each such key
gets a count of 0 by the submitter, and approval posts it as a loss. A full count and a
cycle count follow the same rule; a review therefore always has a count for every key.

Limit: on PostgreSQL a product posted into the warehouse for the very first time while
`start` runs (its valuation row does not exist yet, so there is nothing to lock) may
miss the mark by that one posting; the key is then not in the snapshot either.
"""

from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import and_, case, func, insert, select, update

from app.auth.models import User
from app.catalog.models import Category, Product
from app.catalog.services import category_with_descendants
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, NotFound, ValidationProblem
from app.core.events import emit
from app.core.numbering import next_number
from app.core.permissions import permissions_for
from app.core.records import check_version
from app.core.security import allowed_warehouse_ids, caller_can
from app.core.transactions import run_transaction
from app.extensions import db
from app.inventory.models import LedgerEntry, Location, StockBalance, StockDocument, Warehouse
from app.inventory.refs import history_entry, location_ref, user_ref, warehouse_ref
from app.stocktake import quantities
from app.stocktake.models import (
    Stocktake,
    StocktakeCategory,
    StocktakeCount,
    StocktakeCounter,
    StocktakeHistory,
    StocktakeLine,
    StocktakeLocation,
)

APPROVE = "stocktake:approve"  # expected quantities of a blind count, recounts, posting
COUNT = "stocktake:write"
OPEN = ("counting", "review")
CANCELLABLE = ("draft", "counting", "review")
PROGRESS_EVENT = "stocktake.progress"


class InvalidState(Conflict):
    type = "invalid-state"

    def __init__(self, stocktake: Stocktake, to: str, detail: str | None = None):
        super().__init__(
            detail or f"{stocktake.number} is {stocktake.state}; it cannot become {to}.",
            state=stocktake.state,
            to=to,
        )


# --- scope -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a stocktake counts: some locations (none: all) and some categories with their
    sub-categories (none: every product)."""

    location_ids: frozenset[int]
    category_ids: frozenset[int]

    @classmethod
    def of(cls, stocktake: Stocktake) -> "Scope":
        locations = select(StocktakeLocation.location_id).where(
            StocktakeLocation.stocktake_id == stocktake.id
        )
        categories = select(StocktakeCategory.category_id).where(
            StocktakeCategory.stocktake_id == stocktake.id
        )
        return cls(
            frozenset(db.session.scalars(locations)), frozenset(db.session.scalars(categories))
        )

    def product_categories(self) -> frozenset[int] | None:
        """Every category whose products are counted (sub-categories too); None: all."""
        if not self.category_ids:
            return None
        found: set[int] = set()
        for category_id in self.category_ids:
            found |= category_with_descendants(category_id)
        return frozenset(found)

    def has_location(self, location_id: int | None) -> bool:
        return not self.location_ids or location_id in self.location_ids


# --- reading ---------------------------------------------------------------------------------


def stocktake_query(args: dict | None = None):
    """Stocktakes the caller may see: warehouse-scoped staff those of their warehouses."""
    args = args or {}
    stmt = select(Stocktake)
    for field in ("state", "warehouse_id"):
        if args.get(field) is not None:
            stmt = stmt.where(getattr(Stocktake, field) == args[field])
    allowed = allowed_warehouse_ids()
    if allowed is not None:
        stmt = stmt.where(Stocktake.warehouse_id.in_(allowed))
    return stmt


def get_stocktake(stocktake_id: int, *, lock: bool = False, share: bool = False) -> Stocktake:
    """The stocktake if the caller may see it. `lock`: locked and read afresh for a change
    of state (FOR UPDATE on PostgreSQL; SQLite writers hold the write lock), so two
    approvals queue. `share`: counts hold it shared (FOR SHARE), so counters never wait
    for each other but a change of state waits for the counts in flight."""
    stmt = stocktake_query().where(Stocktake.id == stocktake_id)
    if lock or share:
        stmt = stmt.with_for_update(read=share and not lock, of=Stocktake)
        stmt = stmt.execution_options(populate_existing=True)
    stocktake = db.session.scalar(stmt)
    if stocktake is None:
        raise NotFound(f"No stocktake with id {stocktake_id}.")
    return stocktake


def sees_expected(stocktake: Stocktake) -> bool:
    """Counters of a blind count do not see what is expected; reviewers always do."""
    return not stocktake.blind or caller_can(APPROVE)


def check_sees_expected(stocktake: Stocktake) -> None:
    if not sees_expected(stocktake):
        raise Forbidden(f"{stocktake.number} is a blind count; its variances are for reviewers.")


def stocktake_summaries(stocktakes) -> list[dict]:
    progress = progress_of([s.id for s in stocktakes])
    return [_summary(s, progress[s.id]) for s in stocktakes]


def stocktake_detail(stocktake: Stocktake) -> dict:
    scope = Scope.of(stocktake)
    locations = db.session.scalars(
        select(Location).where(Location.id.in_(list(scope.location_ids))).order_by(Location.code)
    )
    categories = db.session.execute(
        select(Category.id, Category.name)
        .where(Category.id.in_(list(scope.category_ids)))
        .order_by(Category.name)
    )
    counter_ids = db.session.scalars(
        select(StocktakeCounter.user_id).where(StocktakeCounter.stocktake_id == stocktake.id)
    )
    return {
        **_summary(stocktake, progress_of([stocktake.id])[stocktake.id]),
        "locations": [location_ref(location) for location in locations],
        "categories": [dict(row._mapping) for row in categories],
        "counters": sorted((user_ref(i) for i in counter_ids), key=lambda u: u["username"]),
    }


def _summary(stocktake: Stocktake, progress: dict) -> dict:
    document = None
    if stocktake.document_id is not None:
        number = db.session.scalar(
            select(StockDocument.number).where(StockDocument.id == stocktake.document_id)
        )
        document = {"id": stocktake.document_id, "number": number}
    return {
        "id": stocktake.id,
        "number": stocktake.number,
        "warehouse": warehouse_ref(db.session.get(Warehouse, stocktake.warehouse_id)),
        "mode": stocktake.mode,
        "blind": stocktake.blind,
        "state": stocktake.state,
        "note": stocktake.note,
        "created_by": user_ref(stocktake.created_by_id),
        "created_at": stocktake.created_at,
        "updated_at": stocktake.updated_at,
        "started_at": stocktake.started_at,
        "submitted_at": stocktake.submitted_at,
        "approved_at": stocktake.approved_at,
        "approved_by": user_ref(stocktake.approved_by_id),
        "cancelled_at": stocktake.cancelled_at,
        "document": document,
        "progress": progress,
        "version": stocktake.version,
    }


def stocktake_history(stocktake_id: int) -> list[dict]:
    get_stocktake(stocktake_id)
    rows = db.session.scalars(
        select(StocktakeHistory)
        .where(StocktakeHistory.stocktake_id == stocktake_id)
        .order_by(StocktakeHistory.id)
    )
    return [history_entry(row) for row in rows]


# --- progress --------------------------------------------------------------------------------


def _key_tallies(line, counts) -> tuple:
    """Columns that count keys: expected (in the snapshot), counted (of those, counted in
    their current round), unexpected (found, not in the snapshot) and awaiting a recount."""
    counted = counts.c.line_id.is_not(None)

    def how_many(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (
        how_many(line.unexpected.is_(False)).label("expected_keys"),
        how_many(and_(line.unexpected.is_(False), counted)).label("counted_keys"),
        how_many(line.unexpected.is_(True)).label("unexpected_keys"),
        how_many(and_(line.round > 1, counts.c.line_id.is_(None))).label("recount_keys"),
    )


PROGRESS_KEYS = ("expected_keys", "counted_keys", "unexpected_keys", "recount_keys")


def progress_of(stocktake_ids: list[int]) -> dict[int, dict]:
    """{stocktake id: {expected_keys, counted_keys, unexpected_keys, recount_keys}}."""
    line = StocktakeLine
    counts = quantities.current_counts(stocktake_ids)
    rows = db.session.execute(
        select(line.stocktake_id, *_key_tallies(line, counts))
        .outerjoin(counts, counts.c.line_id == line.id)
        .where(line.stocktake_id.in_(stocktake_ids))
        .group_by(line.stocktake_id)
    )
    found = {row.stocktake_id: {k: int(getattr(row, k)) for k in PROGRESS_KEYS} for row in rows}
    return {i: found.get(i, dict.fromkeys(PROGRESS_KEYS, 0)) for i in stocktake_ids}


def progress_detail(stocktake_id: int) -> dict:
    """Keys counted of those expected, per location and per counter."""
    stocktake = get_stocktake(stocktake_id)
    line, count = StocktakeLine, StocktakeCount
    counts = quantities.current_counts([stocktake.id])
    by_location = db.session.execute(
        select(line.location_id, *_key_tallies(line, counts))
        .outerjoin(counts, counts.c.line_id == line.id)
        .where(line.stocktake_id == stocktake.id)
        .group_by(line.location_id)
    ).all()
    locations = {
        location.id: location
        for location in db.session.scalars(
            select(Location).where(
                Location.id.in_([r.location_id for r in by_location if r.location_id])
            )
        )
    }
    by_counter = {
        row.user_id: row
        for row in db.session.execute(
            select(count.user_id, func.count().label("lines"), func.max(count.at).label("last_at"))
            .where(count.stocktake_id == stocktake.id)
            .group_by(count.user_id)
        )
    }
    assigned = db.session.scalars(
        select(StocktakeCounter.user_id).where(StocktakeCounter.stocktake_id == stocktake.id)
    )
    counters = [
        {
            "user": user_ref(user_id),
            "lines": by_counter[user_id].lines if user_id in by_counter else 0,
            "last_at": by_counter[user_id].last_at if user_id in by_counter else None,
        }
        for user_id in set(by_counter) | set(assigned)
    ]
    counters.sort(key=lambda c: (-c["lines"], c["user"]["username"]))
    places = [
        {
            "location": location_ref(locations.get(row.location_id)),
            "expected_keys": int(row.expected_keys),
            "counted_keys": int(row.counted_keys),
        }
        for row in by_location
    ]
    places.sort(key=lambda p: p["location"]["code"] if p["location"] else "")
    return {
        **progress_of([stocktake.id])[stocktake.id],
        "by_location": places,
        "by_counter": counters,
    }


def announce_progress(stocktake: Stocktake, *, location_id: int | None = None) -> dict:
    """Queue `stocktake.progress` for after the commit: how far the count is, never what
    is expected or what it is worth. Returns that progress."""
    db.session.flush()
    progress = progress_of([stocktake.id])[stocktake.id]
    emit(
        PROGRESS_EVENT,
        {
            "id": stocktake.id,
            "number": stocktake.number,
            "warehouse_id": stocktake.warehouse_id,
            "state": stocktake.state,
            "progress": progress,
            "by": user_ref(current_user.id),
            "location_id": location_id,
        },
        rooms=("role:manager", "role:clerk", f"warehouse:{stocktake.warehouse_id}"),
    )
    return progress


# --- writing ---------------------------------------------------------------------------------


def create_stocktake(data: dict) -> dict:
    """Check a new stocktake, number it ST-<year>-<n> and save it as a draft."""

    def work():
        errors: dict[str, list[str]] = {}
        warehouse = _checked_warehouse(data["warehouse_id"], errors)
        scope = _checked_scope(warehouse, data, errors)
        if errors:
            raise ValidationProblem(errors)
        stocktake = Stocktake(
            number=next_number("ST"),
            warehouse_id=warehouse.id,
            mode=data["mode"],
            blind=data["blind"],
            state="draft",
            note=(data.get("note") or "").strip(),
            created_by_id=current_user.id,
        )
        db.session.add(stocktake)
        db.session.flush()
        _set_scope(stocktake, *scope)
        _record(stocktake, "created", to_state="draft")
        db.session.flush()
        return stocktake_detail(stocktake)

    return run_transaction(work)


def update_stocktake(stocktake_id: int, changes: dict) -> dict:
    """Change a draft; `version` must match. Lists given replace the ones there."""

    def work():
        stocktake = get_stocktake(stocktake_id, lock=True)
        if stocktake.state != "draft":
            raise InvalidState(stocktake, "draft", f"{stocktake.number} is {stocktake.state}; "
                               "only a draft can be changed.")  # fmt: skip
        check_version(stocktake, changes["version"])
        scope = Scope.of(stocktake)
        counters = db.session.scalars(
            select(StocktakeCounter.user_id).where(StocktakeCounter.stocktake_id == stocktake.id)
        )
        wanted = {
            "warehouse_id": stocktake.warehouse_id,
            "mode": stocktake.mode,
            "blind": stocktake.blind,
            "note": stocktake.note,
            "location_ids": sorted(scope.location_ids),
            "category_ids": sorted(scope.category_ids),
            "counter_ids": sorted(counters),
            **{k: v for k, v in changes.items() if k != "version"},
        }
        errors: dict[str, list[str]] = {}
        warehouse = _checked_warehouse(wanted["warehouse_id"], errors)
        checked = _checked_scope(warehouse, wanted, errors)
        if errors:
            raise ValidationProblem(errors)
        stocktake.warehouse_id = warehouse.id
        stocktake.mode, stocktake.blind = wanted["mode"], wanted["blind"]
        stocktake.note = (wanted["note"] or "").strip()
        _set_scope(stocktake, *checked)
        stocktake.updated_at = utcnow()  # a change of scope alone is a new version too
        db.session.flush()
        return stocktake_detail(stocktake)

    return run_transaction(work)


def start(stocktake_id: int, note: str = "") -> dict:
    """draft → counting: take the snapshot and the ledger's mark (see the module's
    docstring), while the warehouse's postings wait."""

    def work():
        stocktake = get_stocktake(stocktake_id, lock=True)
        if stocktake.state != "draft":
            raise InvalidState(stocktake, "counting")
        quantities.lock_valuations(stocktake.warehouse_id)
        mark = db.session.scalar(select(func.max(LedgerEntry.id))) or 0
        _take_snapshot(stocktake, Scope.of(stocktake))
        stocktake.ledger_mark, stocktake.started_at = mark, utcnow()
        _set_state(stocktake, "counting", note)
        db.session.flush()
        return stocktake_detail(stocktake)

    return run_transaction(work)


def submit(stocktake_id: int, note: str = "", uncounted_as_zero: bool = False) -> dict:
    """counting → review, once every key has a count in its current round; with
    `uncounted_as_zero`, each key still uncounted is counted 0 by the submitter."""

    def work():
        stocktake = get_stocktake(stocktake_id, lock=True)
        if stocktake.state != "counting":
            raise InvalidState(stocktake, "review")
        line = StocktakeLine
        counts = quantities.current_counts([stocktake.id])
        uncounted = db.session.execute(
            select(line.id, line.round, Product.unit)
            .join(Product, Product.id == line.product_id)
            .outerjoin(counts, counts.c.line_id == line.id)
            .where(line.stocktake_id == stocktake.id, counts.c.line_id.is_(None))
        ).all()
        if uncounted and not uncounted_as_zero:
            raise Conflict(
                f"{len(uncounted)} keys of {stocktake.number} have no count yet; count them, "
                "or submit with uncounted_as_zero to count them as none there.",
                type="uncounted-keys",
                uncounted=len(uncounted),
            )
        now = utcnow()
        if uncounted:
            db.session.execute(
                insert(StocktakeCount),
                [
                    {
                        "stocktake_id": stocktake.id,
                        "line_id": row.id,
                        "round": row.round,
                        "user_id": current_user.id,
                        "qty": 0,
                        "unit": row.unit,
                        "entered_qty": 0,
                        "at": now,
                    }
                    for row in uncounted
                ],
            )
        stocktake.submitted_at = now
        data = {"counted_as_zero": len(uncounted)} if uncounted else None
        _set_state(stocktake, "review", note, data=data)
        db.session.flush()
        return stocktake_detail(stocktake)

    return run_transaction(work)


def recount(stocktake_id: int, line_ids: list[int], note: str = "") -> dict:
    """Send keys back to the counters: each starts a new round, so its earlier counts no
    longer count; a stocktake in review goes back to counting."""

    def work():
        stocktake = get_stocktake(stocktake_id, lock=True)
        if stocktake.state not in OPEN:
            detail = (
                f"{stocktake.number} is {stocktake.state}; only a count or a review has recounts."
            )
            raise InvalidState(stocktake, "counting", detail)
        wanted = sorted(set(line_ids))
        found = set(
            db.session.scalars(
                select(StocktakeLine.id).where(
                    StocktakeLine.stocktake_id == stocktake.id, StocktakeLine.id.in_(wanted)
                )
            )
        )
        missing = [i for i in wanted if i not in found]
        if missing:
            names = ", ".join(map(str, missing))
            raise ValidationProblem({"line_ids": [f"not lines of {stocktake.number}: {names}"]})
        db.session.execute(
            update(StocktakeLine)
            .where(StocktakeLine.id.in_(wanted))
            .values(round=StocktakeLine.round + 1)
        )
        data = {"line_ids": wanted}
        if stocktake.state == "review":
            _set_state(stocktake, "counting", note, event="recount", data=data)
        else:
            _record(stocktake, "recount", note=note, data=data)
            announce_progress(stocktake)
        db.session.flush()
        return stocktake_detail(stocktake)

    return run_transaction(work)


def approve(stocktake_id: int, note: str = "") -> dict:
    """review → posted: every key's difference is posted as one adjustment (ADJ-…) in
    this transaction; the stocktake keeps its id. A second approval finds it posted."""

    def work():
        stocktake = get_stocktake(stocktake_id, lock=True)
        if stocktake.state != "review":
            raise InvalidState(stocktake, "posted")
        stocktake.document_id = quantities.post_differences(
            stocktake, user_id=current_user.id, note=f"盘点 {stocktake.number}"
        )
        stocktake.approved_at = utcnow()
        stocktake.approved_by_id = current_user.id
        _set_state(stocktake, "posted", note)
        db.session.flush()
        return stocktake_detail(stocktake)

    return run_transaction(work)


def cancel(stocktake_id: int, note: str = "") -> dict:
    """Cancel a draft, a count or a review; nothing was posted, the counts stay on record."""

    def work():
        stocktake = get_stocktake(stocktake_id, lock=True)
        if stocktake.state not in CANCELLABLE:
            raise InvalidState(stocktake, "cancelled")
        stocktake.cancelled_at = utcnow()
        _set_state(stocktake, "cancelled", note)
        db.session.flush()
        return stocktake_detail(stocktake)

    return run_transaction(work)


# --- steps -----------------------------------------------------------------------------------


def _take_snapshot(stocktake: Stocktake, scope: Scope) -> None:
    """One line per key in scope holding stock (≠ 0: negative stock is counted too)."""
    balance = StockBalance
    stmt = select(
        balance.product_id, balance.location_id, balance.batch_id, balance.place, balance.on_hand
    ).where(balance.warehouse_id == stocktake.warehouse_id, balance.on_hand != 0)
    if scope.location_ids:
        stmt = stmt.where(balance.location_id.in_(list(scope.location_ids)))
    categories = scope.product_categories()
    if categories is not None:
        stmt = stmt.join(Product, Product.id == balance.product_id).where(
            Product.category_id.in_(list(categories))
        )
    rows = [
        {
            "stocktake_id": stocktake.id,
            "product_id": row.product_id,
            "location_id": row.location_id,
            "batch_id": row.batch_id,
            "place": row.place,
            "snapshot_qty": row.on_hand,
            "unexpected": False,
            "round": 1,
        }
        for row in db.session.execute(stmt.order_by(balance.product_id, balance.place))
    ]
    if rows:
        db.session.execute(insert(StocktakeLine), rows)


def _set_state(stocktake: Stocktake, to: str, note: str = "", *, event: str = "state",
               data: dict | None = None) -> None:  # fmt: skip
    """Move a stocktake (locked by the caller) to `to`: history row, and the progress
    event after the commit."""
    _record(stocktake, event, from_state=stocktake.state, to_state=to, note=note, data=data)
    stocktake.state = to
    announce_progress(stocktake)


def _record(stocktake: Stocktake, event: str, *, from_state=None, to_state=None, note="",
            data=None) -> None:  # fmt: skip
    db.session.add(
        StocktakeHistory(
            stocktake_id=stocktake.id,
            at=utcnow(),
            user_id=current_user.id,
            event=event,
            from_state=from_state,
            to_state=to_state,
            note=(note or "").strip()[:500],
            data=data or {},
        )
    )


def _set_scope(stocktake: Stocktake, locations, categories, counters) -> None:
    """Make the stocktake's locations, categories and counters these (the audit log then
    shows only what was taken out and what was added)."""
    for model, column, wanted in (
        (StocktakeLocation, "location_id", locations),
        (StocktakeCategory, "category_id", categories),
        (StocktakeCounter, "user_id", counters),
    ):
        rows = db.session.scalars(select(model).where(model.stocktake_id == stocktake.id))
        there = {getattr(row, column): row for row in rows}
        for key, row in there.items():
            if key not in wanted:
                db.session.delete(row)
        db.session.add_all(
            model(stocktake_id=stocktake.id, **{column: key}) for key in wanted if key not in there
        )


def _checked_warehouse(warehouse_id: int, errors: dict) -> Warehouse | None:
    warehouse = db.session.get(Warehouse, warehouse_id)
    allowed = allowed_warehouse_ids()
    if warehouse is None or (allowed is not None and warehouse.id not in allowed):
        errors["warehouse_id"] = ["no such warehouse"]
        return None
    if not warehouse.active:
        errors["warehouse_id"] = [f"warehouse {warehouse.code} is archived"]
    return warehouse


def _checked_scope(warehouse: Warehouse | None, data: dict, errors: dict) -> tuple:
    """(location ids, category ids, counter ids) checked against the warehouse."""
    location_ids = sorted(set(data.get("location_ids") or ()))
    category_ids = sorted(set(data.get("category_ids") or ()))
    counter_ids = sorted(set(data.get("counter_ids") or ()))
    if data["mode"] == "cycle" and not (location_ids or category_ids):
        errors["mode"] = ["a cycle count names some locations or categories"]
    if warehouse is not None and location_ids:
        known = set(
            db.session.scalars(
                select(Location.id).where(
                    Location.id.in_(location_ids), Location.warehouse_id == warehouse.id
                )
            )
        )
        unknown = [i for i in location_ids if i not in known]
        if unknown:
            errors["location_ids"] = [
                f"no such location in {warehouse.code}: {', '.join(map(str, unknown))}"
            ]
    if category_ids:
        known = set(db.session.scalars(select(Category.id).where(Category.id.in_(category_ids))))
        unknown = [i for i in category_ids if i not in known]
        if unknown:
            errors["category_ids"] = [f"no such category: {', '.join(map(str, unknown))}"]
    if warehouse is not None and counter_ids:
        refused = [
            f"{i}" if user is None else user.username
            for i, user in ((i, db.session.get(User, i)) for i in counter_ids)
            if user is None or not _may_count_in(user, warehouse.id)
        ]
        if refused:
            errors["counter_ids"] = [
                f"cannot count in {warehouse.code}: {', '.join(refused)} (no such active user, "
                "no stocktake role, or not assigned to this warehouse)"
            ]
    return location_ids, category_ids, counter_ids


def _may_count_in(user: User, warehouse_id: int) -> bool:
    if not user.active or COUNT not in permissions_for(user.roles or ()):
        return False
    allowed = allowed_warehouse_ids(user)
    return allowed is None or warehouse_id in allowed


def check_counter(stocktake: Stocktake) -> None:
    """With counters assigned, only they (and reviewers) count."""
    assigned = set(
        db.session.scalars(
            select(StocktakeCounter.user_id).where(StocktakeCounter.stocktake_id == stocktake.id)
        )
    )
    if assigned and current_user.id not in assigned and not caller_can(APPROVE):
        raise Forbidden(f"{stocktake.number} is counted by the counters assigned to it.")
