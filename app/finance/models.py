from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.audit import Audited
from app.core.db import Money, Quantity, Rate, TimestampMixin, UnitCost, UTCDateTime
from app.extensions import db

BILL_STATES = ("draft", "posted", "paid", "cancelled")
METHODS = ("cash", "bank", "alipay", "wechat", "other")


class SupplierBill(Audited, TimestampMixin, db.Model):
    """供应商发票: what the supplier charges for goods received, matched line by line to
    receipt lines (quantity) and their order lines (price and tax rate)."""

    __tablename__ = "supplier_bills"
    __table_args__ = (UniqueConstraint("supplier_id", "bill_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    bill_no: Mapped[str] = mapped_column(String(60))  # the supplier's invoice number
    bill_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    amount: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    tax: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    paid: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))  # allocated payments
    has_variances: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list["SupplierBillLine"]] = relationship(
        cascade="all, delete-orphan", order_by="SupplierBillLine.line_no", lazy="selectin"
    )

    @property
    def open_amount(self) -> Decimal:
        return self.total - self.paid


class SupplierBillLine(Audited, db.Model):
    """One billed receipt line, with how it differs from the receipt and the order."""

    __tablename__ = "supplier_bill_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("supplier_bills.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    receipt_line_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_receipt_lines.id"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_lines.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    unit: Mapped[str] = mapped_column(String(10))  # the receipt line's unit
    qty: Mapped[Decimal] = mapped_column(Quantity())
    base_qty: Mapped[Decimal] = mapped_column(Quantity())
    unit_price: Mapped[Decimal] = mapped_column(UnitCost())  # per `unit`, excluding tax
    tax_rate: Mapped[Decimal] = mapped_column(Rate())
    amount: Mapped[Decimal] = mapped_column(Money())
    tax: Mapped[Decimal] = mapped_column(Money())
    total: Mapped[Decimal] = mapped_column(Money())
    # What the order said, per `unit` after its discount, and the differences from it.
    order_unit_price: Mapped[Decimal] = mapped_column(UnitCost())
    order_tax_rate: Mapped[Decimal] = mapped_column(Rate())
    price_variance: Mapped[Decimal] = mapped_column(UnitCost())
    # Billed minus received-less-returned, in `unit`: negative when billed in part.
    qty_variance: Mapped[Decimal] = mapped_column(Quantity())


class SupplierPayment(Audited, TimestampMixin, db.Model):
    """付款: money paid to a supplier; what is not allocated to bills is a prepayment."""

    __tablename__ = "supplier_payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money())
    allocated: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    method: Mapped[str] = mapped_column(String(10))
    account: Mapped[str] = mapped_column(String(60), default="")
    reference: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    allocations: Mapped[list["SupplierPaymentAllocation"]] = relationship(
        order_by="SupplierPaymentAllocation.id", lazy="selectin"
    )


class SupplierPaymentAllocation(Audited, db.Model):
    """Part of a payment applied to one posted bill. Append-only."""

    __tablename__ = "supplier_payment_allocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("supplier_payments.id"), index=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("supplier_bills.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    allocated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
