from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.audit import Audited
from app.core.db import Money, TimestampMixin, VersionMixin
from app.extensions import db

# Opening payables are accounts data: finance keeps them, purchasing settles them.
PAYABLE_READERS = ("finance:read", "purchasing:read")


class Supplier(Audited, TimestampMixin, VersionMixin, db.Model):
    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # stored upper-case
    name: Mapped[str] = mapped_column(String(120))
    contact: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    tax_id: Mapped[str] = mapped_column(String(40), default="")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    lead_time_days: Mapped[int] = mapped_column(Integer, default=7)
    rating: Mapped[int | None] = mapped_column(Integer)  # 1–5; None: not rated yet
    # 期初应付: what we owed the supplier when we started using the system.
    opening_payable: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(500), default="")


class Customer(Audited, TimestampMixin, VersionMixin, db.Model):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # stored upper-case
    name: Mapped[str] = mapped_column(String(120))
    # 助记码: first letters of the name's pinyin, so "hl" finds 华联.
    pinyin_initials: Mapped[str] = mapped_column(String(200), default="", index=True)
    # Small lists always read and written with the customer: [{name, phone, title}].
    contacts: Mapped[list[dict]] = mapped_column(JSON, default=list)
    # [{label, address, is_default}], at most one default.
    delivery_addresses: Mapped[list[dict]] = mapped_column(JSON, default=list)
    price_level: Mapped[str] = mapped_column(String(20), default="retail")
    credit_limit: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"))
    credit_days: Mapped[int] = mapped_column(Integer, default=0)
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # 期初应收: what the customer owed us when we started using the system.
    opening_receivable: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(500), default="")
