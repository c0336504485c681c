from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.audit import Audited
from app.core.db import (
    Money,
    Quantity,
    Rate,
    TimestampMixin,
    UnitCost,
    UTCDateTime,
    VersionMixin,
)
from app.extensions import db

STATES = (
    "draft",
    "on_hold",
    "confirmed",
    "partially_shipped",
    "shipped",
    "completed",
    "cancelled",
)
HOLD_REASONS = ("credit_limit", "manual")


class SalesOrder(Audited, TimestampMixin, VersionMixin, db.Model):
    """销售订单. Amounts are the sums of the rounded lines (价税合计). While confirmed and
    not yet shipped in full, each line's remainder is reserved in the order's warehouse."""

    __tablename__ = "sales_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    # The id a PWA gave an order taken offline: the same order sent twice is one order.
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    hold_reason: Mapped[str | None] = mapped_column(String(20))
    delivery_address: Mapped[str] = mapped_column(String(255), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    tax: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    lines: Mapped[list["SalesOrderLine"]] = relationship(
        cascade="all, delete-orphan", order_by="SalesOrderLine.line_no", lazy="selectin"
    )


class SalesOrderLine(Audited, db.Model):
    __tablename__ = "sales_order_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    unit: Mapped[str] = mapped_column(String(10))
    factor: Mapped[Decimal] = mapped_column(Quantity())  # base units in one `unit`
    qty: Mapped[Decimal] = mapped_column(Quantity())  # in `unit`
    base_qty: Mapped[Decimal] = mapped_column(Quantity())
    # The customer's price-level price when the line was entered, per `unit`.
    list_price: Mapped[Decimal] = mapped_column(UnitCost())
    unit_price: Mapped[Decimal] = mapped_column(UnitCost())  # per `unit`, excluding tax
    tax_rate: Mapped[Decimal] = mapped_column(Rate())
    discount: Mapped[Decimal] = mapped_column(Rate())
    amount: Mapped[Decimal] = mapped_column(Money())  # after discount, excluding tax
    tax: Mapped[Decimal] = mapped_column(Money())
    total: Mapped[Decimal] = mapped_column(Money())
    # A manager who let this line go below the product's minimum price.
    price_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reserved_base_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    shipped_base_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))


class SalesOrderHistory(db.Model):
    """What happened to an order, in order: created, each change of state, later each
    shipment, invoice, payment and return (`event`, with what to show in `data`)."""

    __tablename__ = "sales_order_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class Shipment(db.Model):
    """出库发货: goods leaving against a sales order, posted through the ledger as one
    stock-out (OUT-…) with its own number SH-…, its carrier and tracking number."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("stock_documents.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    carrier: Mapped[str] = mapped_column(String(60), default="")
    tracking_no: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(String(500), default="")

    lines: Mapped[list["ShipmentLine"]] = relationship(order_by="ShipmentLine.id", lazy="selectin")


class ShipmentLine(db.Model):
    """One order line's part of a shipment, with the cost it left the stock at (COGS)."""

    __tablename__ = "shipment_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("sales_order_lines.id"), index=True)
    document_line_id: Mapped[int] = mapped_column(ForeignKey("stock_document_lines.id"))
    unit: Mapped[str] = mapped_column(String(10))
    qty: Mapped[Decimal] = mapped_column(Quantity())  # in `unit`, as entered
    base_qty: Mapped[Decimal] = mapped_column(Quantity())
    cost: Mapped[Decimal] = mapped_column(Money())  # what the stock gave up, at moving average
    returned_base_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    invoiced_base_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))


INVOICE_STATES = ("posted", "paid")
METHODS = ("cash", "bank", "alipay", "wechat", "other")
DISPOSITIONS = ("restock", "write_off")


class CustomerInvoice(Audited, TimestampMixin, db.Model):
    """销售发票: what a customer owes for shipped goods, line by shipment line, due
    `credit_days` after its date. Receipts pay it; credit notes for goods sent back after
    it was issued reduce it."""

    __tablename__ = "customer_invoices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id"), index=True)
    invoice_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(20), default="posted", index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    tax: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    paid: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))  # receipts allocated
    credited: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))  # credit notes
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    lines: Mapped[list["CustomerInvoiceLine"]] = relationship(
        cascade="all, delete-orphan", order_by="CustomerInvoiceLine.line_no", lazy="selectin"
    )

    @property
    def open_amount(self) -> Decimal:
        return self.total - self.paid - self.credited

    @classmethod
    def overdue_on(cls, day: date):
        """SQL: still open (posted, not yet paid) and due before `day`."""
        return and_(cls.state == "posted", cls.due_date < day)


class CustomerInvoiceLine(Audited, db.Model):
    __tablename__ = "customer_invoice_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("customer_invoices.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    shipment_line_id: Mapped[int] = mapped_column(ForeignKey("shipment_lines.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("sales_order_lines.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    unit: Mapped[str] = mapped_column(String(10))  # the order line's
    qty: Mapped[Decimal] = mapped_column(Quantity())
    base_qty: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal] = mapped_column(UnitCost())
    discount: Mapped[Decimal] = mapped_column(Rate())
    tax_rate: Mapped[Decimal] = mapped_column(Rate())
    amount: Mapped[Decimal] = mapped_column(Money())
    tax: Mapped[Decimal] = mapped_column(Money())
    total: Mapped[Decimal] = mapped_column(Money())


class CustomerReceipt(Audited, TimestampMixin, db.Model):
    """收款: money from a customer; what is not allocated to invoices is a prepayment."""

    __tablename__ = "customer_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    allocated: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    method: Mapped[str] = mapped_column(String(10))
    account: Mapped[str] = mapped_column(String(60), default="")
    reference: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    allocations: Mapped[list["CustomerReceiptAllocation"]] = relationship(
        order_by="CustomerReceiptAllocation.id", lazy="selectin"
    )


class CustomerReceiptAllocation(Audited, db.Model):
    """Part of a receipt applied to one invoice. Append-only."""

    __tablename__ = "customer_receipt_allocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("customer_receipts.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("customer_invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    allocated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class SalesReturn(db.Model):
    """销售退货 against a shipment: restocked into a chosen warehouse at the cost the goods
    left at, or written off when damaged. Goods already invoiced earn a credit note (CN-)
    that reduces the invoice's open amount."""

    __tablename__ = "sales_returns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("sales_orders.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    disposition: Mapped[str] = mapped_column(String(10))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("stock_documents.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    returned_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    credit_note_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    credit: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))  # incl. tax

    lines: Mapped[list["SalesReturnLine"]] = relationship(
        order_by="SalesReturnLine.id", lazy="selectin"
    )


class SalesReturnLine(db.Model):
    __tablename__ = "sales_return_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("sales_returns.id"), index=True)
    shipment_line_id: Mapped[int] = mapped_column(ForeignKey("shipment_lines.id"), index=True)
    unit: Mapped[str] = mapped_column(String(10))
    qty: Mapped[Decimal] = mapped_column(Quantity())  # in `unit`, as entered
    base_qty: Mapped[Decimal] = mapped_column(Quantity())
    cost: Mapped[Decimal] = mapped_column(Money())  # at the cost it left with
    revenue: Mapped[Decimal] = mapped_column(Money())  # net of tax, what it was sold for
    credit: Mapped[Decimal] = mapped_column(Money())  # incl. tax; 0 when not yet invoiced
    # Which invoice its credit reduced, if any.
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("customer_invoices.id"))
