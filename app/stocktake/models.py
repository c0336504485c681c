from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.audit import Audited
from app.core.db import Quantity, TimestampMixin, UTCDateTime, VersionMixin
from app.extensions import db

STATES = ("draft", "counting", "review", "posted", "cancelled")
MODES = ("full", "cycle")


class Stocktake(Audited, TimestampMixin, VersionMixin, db.Model):
    """盘点单: a count of a warehouse, or of some of its locations and/or categories.

    At start it records what the stock held per key (product × location × batch) in
    `stocktake_lines` and the ledger's high-water mark `ledger_mark`; see
    `stocktake.services` for how the expected quantity follows the stock from there.
    """

    __tablename__ = "stocktakes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    mode: Mapped[str] = mapped_column(String(10), default="full")
    # Blind: counters do not see the expected quantities.
    blind: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    # The largest ledger entry id when the snapshot was taken: later entries moved stock
    # during the count.
    ledger_mark: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The adjustment that posted the differences (None until approved, or if none differed).
    document_id: Mapped[int | None] = mapped_column(ForeignKey("stock_documents.id"))


class StocktakeLocation(Audited, db.Model):
    """A location the stocktake counts (none: the whole warehouse)."""

    __tablename__ = "stocktake_locations"

    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktakes.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)


class StocktakeCategory(Audited, db.Model):
    """A category (with its sub-categories) the stocktake counts (none: every product)."""

    __tablename__ = "stocktake_categories"

    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktakes.id"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)


class StocktakeCounter(Audited, db.Model):
    """A user assigned to count (none assigned: anyone who may count)."""

    __tablename__ = "stocktake_counters"

    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktakes.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class StocktakeLine(db.Model):
    """One key of the count: a product at a location (or none) of a batch (or none).

    Made at start for every key in scope that held stock, with that quantity; made when
    first counted for a key nobody expected (`unexpected`). A recount starts a new
    `round`: only counts of the current round make the counted quantity.
    """

    __tablename__ = "stocktake_lines"
    __table_args__ = (UniqueConstraint("stocktake_id", "product_id", "place"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktakes.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    # "<location id>:<batch id>" as in stock_balances: one row per key even with NULLs.
    place: Mapped[str] = mapped_column(String(24))
    snapshot_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    unexpected: Mapped[bool] = mapped_column(Boolean, default=False)
    round: Mapped[int] = mapped_column(Integer, default=1)


class StocktakeCount(db.Model):
    """What one counter counted of one key at one moment. Append-only: a recount adds a
    round, earlier rounds stay as the record."""

    __tablename__ = "stocktake_counts"
    __table_args__ = (Index("ix_stocktake_counts_line_round", "line_id", "round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktakes.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("stocktake_lines.id"))
    round: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity())  # base units
    unit: Mapped[str] = mapped_column(String(10))  # as entered
    entered_qty: Mapped[Decimal] = mapped_column(Quantity())  # in `unit`
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class StocktakeHistory(db.Model):
    """What happened to a stocktake, in order: created, each change of state, recounts."""

    __tablename__ = "stocktake_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktakes.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str | None] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(String(500), default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
