from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.audit import Audited
from app.core.db import (
    Money,
    Percent,
    Quantity,
    Rate,
    TimestampMixin,
    UnitCost,
    UTCDateTime,
    VersionMixin,
)
from app.extensions import db

STATES = ("draft", "approved", "partially_received", "received", "closed", "cancelled")


class PurchaseOrder(Audited, TimestampMixin, VersionMixin, db.Model):
    """采购订单. Amounts are stored as the sums of the rounded lines (价税合计)."""

    __tablename__ = "purchase_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    expected_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    tax: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    lines: Mapped[list["PurchaseOrderLine"]] = relationship(
        cascade="all, delete-orphan", order_by="PurchaseOrderLine.line_no", lazy="selectin"
    )


class PurchaseOrderLine(Audited, db.Model):
    """What is ordered of one product, in one of its units, and how much has arrived."""

    __tablename__ = "purchase_order_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    unit: Mapped[str] = mapped_column(String(10))
    factor: Mapped[Decimal] = mapped_column(Quantity())  # base units in one `unit`
    qty: Mapped[Decimal] = mapped_column(Quantity())  # in `unit`
    base_qty: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal] = mapped_column(UnitCost())  # per `unit`, excluding tax
    tax_rate: Mapped[Decimal] = mapped_column(Rate())
    discount: Mapped[Decimal] = mapped_column(Rate())
    amount: Mapped[Decimal] = mapped_column(Money())  # after discount, excluding tax
    tax: Mapped[Decimal] = mapped_column(Money())
    total: Mapped[Decimal] = mapped_column(Money())
    received_base_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))


class PurchaseOrderHistory(db.Model):
    """One change of an order's state: who, when, from, to. Append-only."""

    __tablename__ = "purchase_order_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")


class PurchaseReceipt(db.Model):
    """Goods received against an order (收货单). The stock came in through the ledger as
    the stock document `document_id`; this row ties that document to the order."""

    __tablename__ = "purchase_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("stock_documents.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(500), default="")

    lines: Mapped[list["PurchaseReceiptLine"]] = relationship(
        order_by="PurchaseReceiptLine.id", lazy="selectin"
    )


class PurchaseReceiptLine(db.Model):
    """How much of one order line arrived with a receipt, and its stock document line."""

    __tablename__ = "purchase_receipt_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("purchase_receipts.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_lines.id"), index=True)
    document_line_id: Mapped[int] = mapped_column(ForeignKey("stock_document_lines.id"))
    unit: Mapped[str] = mapped_column(String(10))
    qty: Mapped[Decimal] = mapped_column(Quantity())  # in `unit`, as entered
    base_qty: Mapped[Decimal] = mapped_column(Quantity())
    # Sent back since (purchase returns); the order's received quantity stays as it was.
    returned_base_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))


class PurchaseReturn(db.Model):
    """Goods sent back to the supplier from a receipt (退货). The stock left through the
    ledger as the stock document `document_id`, at the receipt's cost."""

    __tablename__ = "purchase_returns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("purchase_receipts.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    # Set in the same transaction, right after the stock-out that names this return.
    document_id: Mapped[int | None] = mapped_column(ForeignKey("stock_documents.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    returned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(500), default="")

    lines: Mapped[list["PurchaseReturnLine"]] = relationship(
        order_by="PurchaseReturnLine.id", lazy="selectin"
    )


class PurchaseReturnLine(db.Model):
    """How much of one receipt line went back, and its stock document line."""

    __tablename__ = "purchase_return_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("purchase_returns.id"), index=True)
    receipt_line_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_receipt_lines.id"), index=True
    )
    document_line_id: Mapped[int] = mapped_column(ForeignKey("stock_document_lines.id"))
    unit: Mapped[str] = mapped_column(String(10))
    qty: Mapped[Decimal] = mapped_column(Quantity())  # in `unit`, as entered
    base_qty: Mapped[Decimal] = mapped_column(Quantity())


class DemandForecast(db.Model):
    """The latest demand forecast of a product in a warehouse, remade by the daily refresh
    (app.purchasing.replenishment): what replenishment needs at any service level."""

    __tablename__ = "demand_forecasts"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(
        ForeignKey("warehouses.id"), primary_key=True, index=True
    )
    method: Mapped[str] = mapped_column(String(20))  # ses | holt_winters | croston | …
    history_days: Mapped[int] = mapped_column(Integer)
    daily_demand: Mapped[Decimal] = mapped_column(Quantity())  # mean per day going forward
    sigma: Mapped[Decimal] = mapped_column(Quantity())  # the daily noise around it
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    lead_time_days: Mapped[int] = mapped_column(Integer)
    lead_demand: Mapped[Decimal] = mapped_column(Quantity())  # daily demand × lead time
    sigma_lead: Mapped[Decimal] = mapped_column(Quantity())  # sigma × √lead time; × z: safety
    review_demand: Mapped[Decimal] = mapped_column(Quantity())  # one review period's demand
    pack: Mapped[Decimal] = mapped_column(Quantity())  # ordered in whole multiples of this
    mase: Mapped[Decimal | None] = mapped_column(Rate())
    mape: Mapped[Decimal | None] = mapped_column(Percent())
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
