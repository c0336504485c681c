"""The columns of each master-data sheet: one definition for export (and import)."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
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
    # Import: how a cell becomes the API value (None: the column is export-only).
    parse: Callable[[Any], Any] | None = None
    required: bool = False
    note: str = ""

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"


def field(key: str, zh: str, en: str, parse=None, **options) -> Column:
    """A column that is the record's attribute of the same name."""
    return Column(key, zh, en, attrgetter(key), parse=parse, **options)


def quantity(key: str, zh: str, en: str) -> Column:
    """A quantity column, written without padding zeros (24, not 24.000)."""
    return Column(key, zh, en, lambda record: _plain(getattr(record, key)), parse=number)


# --- cells → API values (errors are left to the API schema, which names the field) -------


def text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # a code typed as a number: 6901234567892, not 6.9e12
    return str(cell).strip()


def number(cell):
    value = text(cell)
    return value or None


def whole(cell):
    value = text(cell)
    return int(value) if value.lstrip("-").isdigit() else (value or None)


_TRUE = {"y", "yes", "true", "1", "是", "启用"}
_FALSE = {"n", "no", "false", "0", "否", "停用", ""}


def yes_no(cell):
    value = text(cell).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return value  # not a yes/no: the schema says so


_DATE = re.compile(r"(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*[-/.月]?\s*(\d{1,2})\s*日?")


def date_cell(cell):
    """A date cell, or a date typed as text (2027-03-31, 2027/3/31, 20270331) → ISO text."""
    if isinstance(cell, datetime | date):
        return cell.strftime("%Y-%m-%d")
    value = text(cell)
    match = _DATE.fullmatch(value)
    if match:
        year, month, day = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return value or None  # not a date: the schema says so


def split_list(cell) -> list[str]:
    return [part.strip() for part in re.split(r"[;；,，\n]", text(cell)) if part.strip()]


def units_cell(cell) -> list[dict]:
    """箱=24:6901234567885;包=6 → [{name, factor, barcode}]."""
    units = []
    for part in split_list(cell):
        name, _, rest = part.partition("=")
        factor, _, barcode = rest.partition(":")
        units.append(
            {"name": name.strip(), "factor": factor.strip(), "barcode": barcode.strip() or None}
        )
    return units


def pairs_cell(cell) -> dict:
    """vip=3.00;dealer=2.80 → {level: price}."""
    pairs = {}
    for part in split_list(cell):
        key, _, value = part.partition("=")
        pairs[key.strip()] = value.strip()
    return pairs


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
        field("sku", "商品编码", "SKU", text, required=True, note="唯一，不分大小写 / unique"),
        field("name", "名称", "Name", text, required=True),
        field("spec", "规格型号", "Spec", text),
        field("brand", "品牌", "Brand", text),
        Column(
            "category", "分类", "Category", lambda p: category_paths.get(p.category_id, ""),
            parse=text, note="分类路径，如 饮料/碳酸 / category path",
        ),
        field("unit", "基本单位", "Unit", text, note="默认 个 / default pcs"),
        Column(
            "barcodes", "条码", "Barcodes",
            lambda p: _joined(b.code for b in p.barcodes if b.unit_id is None),
            parse=split_list, note="多个用 ; 分隔 / separate with ;",
        ),
        Column(
            "units", "包装单位", "Units (name=factor:barcode)", _units, parse=units_cell,
            note="箱=24:6901234567885;包=6",
        ),
        field("retail_price", "零售价", "Retail price", number),
        field("wholesale_price", "批发价", "Wholesale price", number),
        field("min_price", "最低售价", "Minimum price", number),
        Column(
            "level_prices", "等级价", "Level prices (level=price)",
            lambda p: _joined(f"{lp.price_level}={lp.price}" for lp in p.level_prices),
            parse=pairs_cell, note="vip=3.00;dealer=2.80",
        ),
        quantity("safety_stock", "安全库存", "Safety stock"),
        quantity("reorder_point", "补货点", "Reorder point"),
        quantity("reorder_qty", "补货量", "Reorder qty"),
        field("track_batches", "批次管理", "Track batches", yes_no, note="Y/N"),
        field("track_expiry", "保质期管理", "Track expiry", yes_no, note="Y/N"),
        field("shelf_life_days", "保质期天数", "Shelf life days", whole),
        field("allow_negative_stock", "允许负库存", "Allow negative stock", yes_no, note="Y/N"),
        field("active", "启用", "Active", yes_no, note="Y/N"),
        field("last_cost", "最近进价", "Last cost", requires=("cost:read",)),
        field("avg_cost", "平均成本", "Average cost", requires=("cost:read",)),
    ]  # fmt: skip


def supplier_columns(payable_readers: tuple[str, ...]) -> list[Column]:
    return [
        field("code", "编码", "Code", text, required=True),
        field("name", "名称", "Name", text, required=True),
        field("contact", "联系人", "Contact", text),
        field("phone", "电话", "Phone", text),
        field("address", "地址", "Address", text),
        field("tax_id", "税号", "Tax ID", text),
        field("payment_terms_days", "账期天数", "Payment terms days", whole),
        field("lead_time_days", "交货天数", "Lead time days", whole),
        field("rating", "评级", "Rating", whole, note="1-5"),
        field("opening_payable", "期初应付", "Opening payable", number, requires=payable_readers),
        field("active", "启用", "Active"),  # export only: archive in the app
        field("note", "备注", "Note", text),
    ]


def _first(items: list[dict], key: str, *, prefer_default: bool = False) -> str:
    if not items:
        return ""
    if prefer_default:
        items = sorted(items, key=lambda item: not item.get("is_default"))
    return items[0].get(key, "")


def customer_columns(salesperson_names: dict[int, str]) -> list[Column]:
    """Contact, phone and address are the first contact and the default address."""
    return [
        field("code", "编码", "Code", text, required=True),
        field("name", "名称", "Name", text, required=True),
        Column("contact", "联系人", "Contact", lambda c: _first(c.contacts, "name"), parse=text),
        Column("phone", "电话", "Phone", lambda c: _first(c.contacts, "phone"), parse=text),
        Column(
            "address", "收货地址", "Delivery address",
            lambda c: _first(c.delivery_addresses, "address", prefer_default=True), parse=text,
        ),
        field("price_level", "价格等级", "Price level", text, note="retail / vip …"),
        field("credit_limit", "信用额度", "Credit limit", number),
        field("credit_days", "信用天数", "Credit days", whole),
        Column(
            "salesperson", "业务员", "Salesperson",
            lambda c: salesperson_names.get(c.salesperson_id, ""),
            parse=text, note="用户名 / username",
        ),
        field("opening_receivable", "期初应收", "Opening receivable", number),
        field("active", "启用", "Active"),  # export only: archive in the app
        field("note", "备注", "Note", text),
    ]  # fmt: skip


def _entry(key: str, zh: str, en: str, parse, **options) -> Column:
    """A column that is only imported (a row of a stock document, not a record)."""
    return Column(key, zh, en, lambda record: None, parse=parse, **options)


def opening_stock_columns() -> list[Column]:
    return [
        _entry("warehouse", "仓库编码", "Warehouse code", text, required=True),
        _entry("code", "商品SKU或条码", "SKU or barcode", text, required=True,
               note="箱码即按箱计 / a case barcode means its unit"),
        _entry("location", "库位", "Location code", text, note="可空 / optional"),
        _entry("batch", "批号", "Batch", text, note="批次或保质期管理的商品必填 / "
               "required when the product tracks batches or expiry"),
        _entry("expiry", "有效期", "Expiry", date_cell,
               note="YYYY-MM-DD，仅随批号 / only with a batch"),
        _entry("qty", "数量", "Quantity", number, required=True, note="> 0"),
        _entry("unit", "单位", "Unit", text,
               note="默认基本单位；箱 等包装单位按换算 / default: the base unit"),
        _entry("unit_cost", "单位成本", "Unit cost", number, required=True,
               note="每个所填单位的成本 / per the row's unit"),
    ]  # fmt: skip
