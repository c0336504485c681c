"""The columns of each master-data sheet: one definition for export (and import)."""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    value: Callable[[Any], Any]
    # Only callers holding one of these permissions get the column (cost, payables).
    requires: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"


def field(key: str, zh: str, en: str, *, requires: tuple[str, ...] = ()) -> Column:
    """A column that is the record's attribute of the same name."""
    return Column(key, zh, en, attrgetter(key), requires)


def _joined(values) -> str:
    return ";".join(str(v) for v in values)


def _plain(value):
    """Decimals without padding zeros keep a sheet readable: 24.000 → 24."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return value.normalize() if value == value.to_integral() else value
    return value


def _units(product) -> str:
    codes = {b.unit_id: b.code for b in product.barcodes if b.unit_id is not None}
    parts = []
    for unit in product.units:
        part = f"{unit.name}={_plain(unit.factor)}"
        if unit.id in codes:
            part += f":{codes[unit.id]}"
        parts.append(part)
    return _joined(parts)


def product_columns(category_paths: dict[int, str]) -> list[Column]:
    return [
        field("sku", "商品编码", "SKU"),
        field("name", "名称", "Name"),
        field("spec", "规格型号", "Spec"),
        field("brand", "品牌", "Brand"),
        Column("category", "分类", "Category", lambda p: category_paths.get(p.category_id, "")),
        field("unit", "基本单位", "Unit"),
        Column(
            "barcodes", "条码", "Barcodes",
            lambda p: _joined(b.code for b in p.barcodes if b.unit_id is None),
        ),
        Column("units", "包装单位", "Units (name=factor:barcode)", _units),
        field("retail_price", "零售价", "Retail price"),
        field("wholesale_price", "批发价", "Wholesale price"),
        field("min_price", "最低售价", "Minimum price"),
        Column(
            "level_prices", "等级价", "Level prices (level=price)",
            lambda p: _joined(f"{lp.price_level}={lp.price}" for lp in p.level_prices),
        ),
        Column("safety_stock", "安全库存", "Safety stock", lambda p: _plain(p.safety_stock)),
        Column("reorder_point", "补货点", "Reorder point", lambda p: _plain(p.reorder_point)),
        Column("reorder_qty", "补货量", "Reorder qty", lambda p: _plain(p.reorder_qty)),
        field("track_batches", "批次管理", "Track batches"),
        field("track_expiry", "保质期管理", "Track expiry"),
        field("shelf_life_days", "保质期天数", "Shelf life days"),
        field("allow_negative_stock", "允许负库存", "Allow negative stock"),
        field("active", "启用", "Active"),
        field("last_cost", "最近进价", "Last cost", requires=("cost:read",)),
        field("avg_cost", "平均成本", "Average cost", requires=("cost:read",)),
    ]  # fmt: skip


def supplier_columns(payable_readers: tuple[str, ...]) -> list[Column]:
    return [
        field("code", "编码", "Code"),
        field("name", "名称", "Name"),
        field("contact", "联系人", "Contact"),
        field("phone", "电话", "Phone"),
        field("address", "地址", "Address"),
        field("tax_id", "税号", "Tax ID"),
        field("payment_terms_days", "账期天数", "Payment terms days"),
        field("lead_time_days", "交货天数", "Lead time days"),
        field("rating", "评级", "Rating"),
        field("opening_payable", "期初应付", "Opening payable", requires=payable_readers),
        field("active", "启用", "Active"),
        field("note", "备注", "Note"),
    ]  # fmt: skip


def _first(items: list[dict], key: str, *, prefer_default: bool = False) -> str:
    if not items:
        return ""
    if prefer_default:
        items = sorted(items, key=lambda item: not item.get("is_default"))
    return items[0].get(key, "")


def customer_columns(salesperson_names: dict[int, str]) -> list[Column]:
    return [
        field("code", "编码", "Code"),
        field("name", "名称", "Name"),
        Column("contact", "联系人", "Contact", lambda c: _first(c.contacts, "name")),
        Column("phone", "电话", "Phone", lambda c: _first(c.contacts, "phone")),
        Column(
            "address", "收货地址", "Delivery address",
            lambda c: _first(c.delivery_addresses, "address", prefer_default=True),
        ),
        field("price_level", "价格等级", "Price level"),
        field("credit_limit", "信用额度", "Credit limit"),
        field("credit_days", "信用天数", "Credit days"),
        Column(
            "salesperson", "业务员", "Salesperson",
            lambda c: salesperson_names.get(c.salesperson_id, ""),
        ),
        field("opening_receivable", "期初应收", "Opening receivable"),
        field("active", "启用", "Active"),
        field("note", "备注", "Note"),
    ]  # fmt: skip
