from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.audit import Audited
from app.core.db import Money, Quantity, TimestampMixin, UnitCost, UTCDateTime, VersionMixin
from app.extensions import db


class Category(Audited, TimestampMixin, VersionMixin, db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Product(Audited, TimestampMixin, VersionMixin, db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)  # stored upper-case
    name: Mapped[str] = mapped_column(String(200))
    # 助记码: first letters of the name's pinyin, for "kkl" → 可口可乐.
    pinyin_initials: Mapped[str] = mapped_column(String(200), default="", index=True)
    spec: Mapped[str] = mapped_column(String(120), default="")
    brand: Mapped[str] = mapped_column(String(60), default="", index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    unit: Mapped[str] = mapped_column(String(10), default="个")

    retail_price: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    wholesale_price: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    min_price: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    # Written by stock receipts only; read-only in the catalogue.
    last_cost: Mapped[Decimal] = mapped_column(UnitCost(), default=Decimal(0))
    avg_cost: Mapped[Decimal] = mapped_column(UnitCost(), default=Decimal(0))

    safety_stock: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    reorder_point: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    reorder_qty: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))

    track_batches: Mapped[bool] = mapped_column(Boolean, default=False)
    track_expiry: Mapped[bool] = mapped_column(Boolean, default=False)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    # Days before a batch's expiry that it is announced; None: the EXPIRY_ALERT_DAYS setting.
    expiry_alert_days: Mapped[int | None] = mapped_column(Integer)
    allow_negative_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Key of the stored picture (see catalog.images); None: no picture.
    image_key: Mapped[str | None] = mapped_column(String(32))

    units: Mapped[list["ProductUnit"]] = relationship(
        cascade="all, delete-orphan", order_by="ProductUnit.id", lazy="selectin"
    )
    barcodes: Mapped[list["ProductBarcode"]] = relationship(
        cascade="all, delete-orphan", order_by="ProductBarcode.id", lazy="selectin"
    )
    level_prices: Mapped[list["ProductPrice"]] = relationship(
        cascade="all, delete-orphan", order_by="ProductPrice.price_level", lazy="selectin"
    )
    warehouse_settings: Mapped[list["ProductWarehouseSetting"]] = relationship(
        cascade="all, delete-orphan",
        order_by="ProductWarehouseSetting.warehouse_id",
        lazy="selectin",
    )


class ProductUnit(Audited, db.Model):
    """A packing unit: 箱 = 12 个. Its barcode (if any) lives in product_barcodes."""

    __tablename__ = "product_units"
    __table_args__ = (UniqueConstraint("product_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    name: Mapped[str] = mapped_column(String(10))
    factor: Mapped[Decimal] = mapped_column(Quantity())  # base units in one of this unit


class ProductBarcode(Audited, db.Model):
    """Every code that means this product; with a unit, it means one of that unit."""

    __tablename__ = "product_barcodes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("product_units.id"))
    unit: Mapped[ProductUnit | None] = relationship(lazy="joined")


class ProductPrice(Audited, db.Model):
    """The price for one customer price level (e.g. vip, dealer)."""

    __tablename__ = "product_prices"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    price_level: Mapped[str] = mapped_column(String(20), primary_key=True)
    price: Mapped[Decimal] = mapped_column(Money())


class ProductWarehouseSetting(Audited, db.Model):
    """Per-warehouse stock levels; an empty value inherits the product's."""

    __tablename__ = "product_warehouse_settings"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), primary_key=True)
    safety_stock: Mapped[Decimal | None] = mapped_column(Quantity())
    reorder_point: Mapped[Decimal | None] = mapped_column(Quantity())
    reorder_qty: Mapped[Decimal | None] = mapped_column(Quantity())
