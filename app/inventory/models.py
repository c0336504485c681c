from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.audit import Audited
from app.core.db import Money, Quantity, TimestampMixin, UnitCost, UTCDateTime, VersionMixin
from app.extensions import db


class Warehouse(Audited, TimestampMixin, VersionMixin, db.Model):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # stored upper-case
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Location(Audited, TimestampMixin, VersionMixin, db.Model):
    """A place inside a warehouse (zone-aisle-shelf, e.g. A-01-03)."""

    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("warehouse_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))  # stored upper-case
    name: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Batch(TimestampMixin, db.Model):
    """A lot of one product (批次), with its expiry where the product tracks one."""

    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("product_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    expiry: Mapped[date | None] = mapped_column(Date)


class StockDocument(TimestampMixin, db.Model):
    """One posting of stock: a stock-in, stock-out, transfer, adjustment or write-off.

    Later documents (receipts, shipments, stocktakes) post through the same service and
    point here with `source_type`/`source_id`.
    """

    __tablename__ = "stock_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    type: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(12), default="posted")  # posted | cancelled
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    to_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    reason: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source_type: Mapped[str | None] = mapped_column(String(30))
    source_id: Mapped[int | None] = mapped_column(Integer)

    lines: Mapped[list["StockDocumentLine"]] = relationship(
        order_by="StockDocumentLine.line_no", lazy="selectin"
    )


class StockDocumentLine(db.Model):
    """A line as the user asked for it (unit and quantity as entered)."""

    __tablename__ = "stock_document_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("stock_documents.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    unit: Mapped[str] = mapped_column(String(10))
    factor: Mapped[Decimal] = mapped_column(Quantity())
    qty: Mapped[Decimal] = mapped_column(Quantity())  # in `unit`; for adjust, the count
    base_qty: Mapped[Decimal] = mapped_column(Quantity())
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    unit_cost: Mapped[Decimal | None] = mapped_column(UnitCost())  # per base unit, stock-in


class LedgerEntry(db.Model):
    """One signed movement of one product at one place. Append-only: never updated.

    qty_after / value_after are the running totals for the product in the warehouse.
    """

    __tablename__ = "stock_ledger"
    __table_args__ = (
        Index("ix_stock_ledger_product_warehouse", "product_id", "warehouse_id", "id"),
        # A product's standing at a moment (reports): its last line before that moment.
        Index(
            "ix_stock_ledger_product_warehouse_posted",
            "product_id",
            "warehouse_id",
            "posted_at",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("stock_documents.id"), index=True)
    document_line_id: Mapped[int] = mapped_column(ForeignKey("stock_document_lines.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    qty: Mapped[Decimal] = mapped_column(Quantity())
    unit_cost: Mapped[Decimal] = mapped_column(UnitCost())
    value: Mapped[Decimal] = mapped_column(Money())
    qty_after: Mapped[Decimal] = mapped_column(Quantity())
    value_after: Mapped[Decimal] = mapped_column(Money())
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("stock_ledger.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class StockBalance(db.Model):
    """What is at one place now: product × warehouse × location × batch.

    A cache of the ledger (`stock verify` rebuilds and compares), written only by
    inventory.ledger. `place` ("<location id>:<batch id>", 0 for none) makes each place
    exactly one row even where the location or batch is NULL.
    """

    __tablename__ = "stock_balances"
    __table_args__ = (
        UniqueConstraint("product_id", "warehouse_id", "place"),
        Index("ix_stock_balances_warehouse_product", "warehouse_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    place: Mapped[str] = mapped_column(String(24))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"))
    on_hand: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    reserved: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    on_order: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))


def place_key(location_id: int | None, batch_id: int | None) -> str:
    return f"{location_id or 0}:{batch_id or 0}"


class StockValuation(db.Model):
    """Quantity, value and moving-average cost of a product in a warehouse.

    Its row is also the lock every posting for that product × warehouse takes first.
    """

    __tablename__ = "stock_valuations"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), primary_key=True)
    qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    value: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    avg_cost: Mapped[Decimal] = mapped_column(UnitCost(), default=Decimal(0))


# --- what kind of movement a ledger line is ------------------------------------------------

# Stock-ins and stock-outs get their kind from the document that posted them; a free
# stock-in or stock-out, and opening stock, are "other".
KIND_BY_SOURCE = {
    ("in", "purchase_order"): "purchase",
    ("in", "sales_order"): "return",  # a customer's return
    ("out", "sales_order"): "sale",
    ("out", "purchase_return"): "return",  # goods sent back to their supplier
}
KIND_BY_TYPE = {"transfer": "transfer", "adjust": "adjustment", "write_off": "adjustment"}
IN_KINDS = ("purchase", "return", "transfer", "adjustment", "other")
OUT_KINDS = ("sale", "return", "transfer", "adjustment", "other")
SIDES = {"in": IN_KINDS, "out": OUT_KINDS}


def movement_kind_of(document_type: str, source_type: str | None) -> str:
    """purchase | sale | return | transfer | adjustment | other, of a document's lines."""
    kind = KIND_BY_SOURCE.get((document_type, source_type))
    return kind or KIND_BY_TYPE.get(document_type, "other")


def total_column(side: str, kind: str | None, figure: str) -> str:
    """The column of StockMonthTotals for one side, kind (None: all of them) and figure
    (qty or value)."""
    return f"{side}_{kind}_{figure}" if kind else f"{side}_{figure}"


# Each side's total is stored beside its kinds: reports at 1M ledger lines read it rather
# than add five columns up for every product × warehouse. `lines` counts ledger lines.
TOTAL_COLUMNS = (
    "lines",
    *(
        total_column(side, kind, figure)
        for side, kinds in SIDES.items()
        for kind in (None, *kinds)
        for figure in ("qty", "value")
    ),
)


def _total_type(name: str):
    if name == "lines":
        return Integer()
    return Quantity() if name.endswith("_qty") else Money()


class StockMonthTotals(db.Model):
    """Running totals of a product in a warehouse up to the end of a month (月结).

    How many ledger lines, and what came in and what went out by kind and in all, from
    its first ledger line to the last one of `month` ('YYYY-MM', UTC), each side
    positive; a cancellation's reversing line counts on the side of the line it reverses,
    negated. A row exists for each month with a movement: the totals at the end of any
    later month are those of the last row before it. Quantity on hand is Σ in − Σ out,
    and likewise value. Kept by inventory.ledger in the posting's transaction, rebuilt
    from the ledger by inventory.periods.rebuild.
    """

    __table__ = Table(
        "stock_month_totals",
        db.metadata,
        Column("product_id", ForeignKey("products.id"), primary_key=True),
        Column("warehouse_id", ForeignKey("warehouses.id"), primary_key=True),
        Column("month", String(7), primary_key=True),
        *(Column(name, _total_type(name), nullable=False) for name in TOTAL_COLUMNS),
    )


def users_table():
    """The users table, reached through a foreign key: users are assigned warehouses, so
    auth builds on inventory and inventory does not import auth."""
    (key,) = StockDocument.__table__.c.user_id.foreign_keys
    return key.column.table
