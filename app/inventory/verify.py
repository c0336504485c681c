"""`flask stock verify`: replay the ledger and compare it with the cached balances."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.inventory import periods
from app.inventory.models import (
    TOTAL_COLUMNS,
    LedgerEntry,
    StockBalance,
    StockMonthTotals,
    StockValuation,
    place_key,
)

ZERO = Decimal(0)


@dataclass(frozen=True)
class Difference:
    what: str  # "balance" (a place), "valuation" (product × warehouse), "month" (its totals)
    key: tuple
    field: str
    stored: Decimal
    from_ledger: Decimal

    def __str__(self) -> str:
        return (
            f"{self.what} {self.key}: {self.field} is {self.stored}, "
            f"the ledger says {self.from_ledger}"
        )


def differences() -> list[Difference]:
    """Every cached quantity or value that the ledger does not add up to."""
    found: list[Difference] = []
    e = LedgerEntry
    ledger_places = {
        (row.product_id, row.warehouse_id, place_key(row.location_id, row.batch_id)): row.qty
        for row in db.session.execute(
            select(
                e.product_id,
                e.warehouse_id,
                e.location_id,
                e.batch_id,
                func.sum(e.qty).label("qty"),
            ).group_by(e.product_id, e.warehouse_id, e.location_id, e.batch_id)
        )
    }
    stored_places = {
        (b.product_id, b.warehouse_id, b.place): b.on_hand
        for b in db.session.scalars(select(StockBalance))
    }
    for key in sorted(ledger_places.keys() | stored_places.keys()):
        stored, replayed = stored_places.get(key, ZERO), ledger_places.get(key, ZERO)
        if stored != replayed:
            found.append(Difference("balance", key, "on_hand", stored, replayed))

    totals = {
        (row.product_id, row.warehouse_id): (row.qty, row.value)
        for row in db.session.execute(
            select(
                e.product_id,
                e.warehouse_id,
                func.sum(e.qty).label("qty"),
                func.sum(e.value).label("value"),
            ).group_by(e.product_id, e.warehouse_id)
        )
    }
    valuations = {
        (v.product_id, v.warehouse_id): v for v in db.session.scalars(select(StockValuation))
    }
    for key in sorted(totals.keys() | valuations.keys()):
        qty, value = totals.get(key, (ZERO, ZERO))
        valuation = valuations.get(key)
        stored_qty = valuation.qty if valuation else ZERO
        stored_value = valuation.value if valuation else ZERO
        if stored_qty != qty:
            found.append(Difference("valuation", key, "qty", stored_qty, qty))
        if stored_value != value:
            found.append(Difference("valuation", key, "value", stored_value, value))
    found.extend(_running_totals())
    found.extend(_month_totals())
    return found


def _running_totals() -> list[Difference]:
    """The last line of each product × warehouse carries the totals after it."""
    e = LedgerEntry
    last_ids = select(func.max(e.id)).group_by(e.product_id, e.warehouse_id)
    found = []
    for entry in db.session.scalars(select(e).where(e.id.in_(last_ids))):
        valuation = db.session.get(StockValuation, (entry.product_id, entry.warehouse_id))
        stored = valuation.qty if valuation else ZERO
        if entry.qty_after != stored:
            key = (entry.product_id, entry.warehouse_id)
            found.append(Difference("valuation", key, "qty_after", stored, entry.qty_after))
    return found


def _month_totals() -> list[Difference]:
    """Each month's running totals are what the ledger adds up to by then."""
    key_of = ("product_id", "warehouse_id", "month")
    replayed = {
        tuple(row[k] for k in key_of): row
        for row in db.session.execute(periods.from_ledger()).mappings()
    }
    stored = {
        tuple(row[k] for k in key_of): row
        for row in db.session.execute(select(StockMonthTotals.__table__)).mappings()
    }
    found = []
    for key in sorted(replayed.keys() | stored.keys()):
        for name in TOTAL_COLUMNS:
            kept = stored[key][name] if key in stored else 0
            added = replayed[key][name] if key in replayed else 0
            if kept != added:
                found.append(Difference("month", key, name, kept, added))
    return found
