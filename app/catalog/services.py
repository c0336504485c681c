"""Categories and products. Each public function owns its transaction."""

from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select

from app.catalog.codes import gtin_check_digit_ok, gtin_forms, has_gtin_shape, pinyin_initials
from app.catalog.images import image_path, store_image
from app.catalog.models import (
    Category,
    Product,
    ProductBarcode,
    ProductPrice,
    ProductUnit,
    ProductWarehouseSetting,
)
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound, ValidationProblem
from app.core.pagination import escape_like
from app.core.records import check_version, code_taken, duplicate_code, normalise_code
from app.extensions import db

# --- categories ---------------------------------------------------------------------------


def category_tree() -> list[dict]:
    """All categories as a tree, siblings by sort order then name."""
    rows = db.session.scalars(select(Category).order_by(Category.sort_order, Category.name)).all()
    nodes = {
        c.id: {
            "id": c.id,
            "name": c.name,
            "parent_id": c.parent_id,
            "sort_order": c.sort_order,
            "version": c.version,
            "children": [],
        }
        for c in rows
    }
    roots = []
    for node in nodes.values():
        parent = nodes.get(node["parent_id"])
        (parent["children"] if parent else roots).append(node)
    return roots


def category_with_descendants(category_id: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for cid, parent in db.session.execute(select(Category.id, Category.parent_id)):
        children.setdefault(parent, []).append(cid)
    found, todo = set(), [category_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def get_category(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound(f"No category with id {category_id}.")
    return category


def _check_parent(parent_id: int | None, *, moving_id: int | None = None) -> None:
    if parent_id is None:
        return
    if db.session.get(Category, parent_id) is None:
        raise ValidationProblem({"parent_id": [f"no such category: {parent_id}"]})
    if moving_id is not None and parent_id in category_with_descendants(moving_id):
        raise ValidationProblem({"parent_id": ["a category cannot move under itself"]})


def _check_sibling_name(name: str, parent_id: int | None, *, except_id: int | None = None):
    stmt = select(Category.id).where(
        func.lower(Category.name) == name.lower(),
        Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id,
    )
    if except_id is not None:
        stmt = stmt.where(Category.id != except_id)
    if db.session.scalar(stmt) is not None:
        raise Conflict(
            f"There is already a category '{name}' here.",
            type="duplicate",
            errors={"name": ["already exists"]},
        )


def create_category(name: str, parent_id: int | None = None, sort_order: int = 0) -> Category:
    name = name.strip()
    _check_parent(parent_id)
    _check_sibling_name(name, parent_id)
    category = Category(name=name, parent_id=parent_id, sort_order=sort_order)
    db.session.add(category)
    db.session.commit()
    return category


def update_category(category_id: int, changes: dict) -> Category:
    category = get_category(category_id)
    check_version(category, changes["version"])
    parent_id = changes.get("parent_id", category.parent_id)
    name = changes.get("name", category.name).strip()
    _check_parent(parent_id, moving_id=category.id)
    _check_sibling_name(name, parent_id, except_id=category.id)
    category.name, category.parent_id = name, parent_id
    if "sort_order" in changes:
        category.sort_order = changes["sort_order"]
    db.session.commit()
    return category


def delete_category(category_id: int) -> None:
    """Only an empty category goes: no sub-categories, no products."""
    category = get_category(category_id)
    if db.session.scalar(select(exists().where(Category.parent_id == category.id))):
        raise Conflict("Move or delete its sub-categories first.", type="category-not-empty")
    if db.session.scalar(select(exists().where(Product.category_id == category.id))):
        raise Conflict("Products still use this category.", type="category-not-empty")
    db.session.delete(category)
    db.session.commit()


# --- products -----------------------------------------------------------------------------


def product_query(
    q: str | None = None,
    category_id: int | None = None,
    brand: str | None = None,
    active: bool | None = None,
):
    """Products matching a search on name, SKU, spec, brand, pinyin initials or barcode."""
    stmt = select(Product)
    if q and q.strip():
        text = q.strip().lower()
        pattern = f"%{escape_like(text)}%"
        barcode_hit = exists().where(
            ProductBarcode.product_id == Product.id, func.lower(ProductBarcode.code) == text
        )
        stmt = stmt.where(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (Product.name, Product.sku, Product.spec, Product.brand)
                ),
                Product.pinyin_initials.like(pattern, escape="\\"),
                barcode_hit,
            )
        )
    if category_id is not None:
        stmt = stmt.where(Product.category_id.in_(category_with_descendants(category_id)))
    if brand:
        stmt = stmt.where(func.lower(Product.brand) == brand.strip().lower())
    if active is not None:
        stmt = stmt.where(Product.active.is_(active))
    return stmt


def get_product(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound(f"No product with id {product_id}.")
    return product


@dataclass
class KnownCodes:
    """SKUs and barcodes already in the database, looked up once for a batch of products.

    Without it each product asks the database itself (one product at a time).
    """

    sku_ids: dict[str, int]
    code_owners: dict[str, tuple[int, str]]  # barcode → (product id, SKU)


def find_by_code(code: str) -> tuple[Product, ProductUnit | None] | None:
    """(product, unit or None) for a barcode (in any GTIN form) or a SKU."""
    barcode = db.session.scalar(
        select(ProductBarcode).where(ProductBarcode.code.in_(gtin_forms(code.strip())))
    )
    if barcode is not None:
        return db.session.get(Product, barcode.product_id), barcode.unit
    product = db.session.scalar(select(Product).where(Product.sku == normalise_code(code)))
    return (product, None) if product else None


def known_codes(skus: list[str], codes: list[str]) -> KnownCodes:
    skus = [normalise_code(s) for s in skus]
    sku_ids = dict(
        db.session.execute(select(Product.sku, Product.id).where(Product.sku.in_(skus))).all()
    )
    owners = db.session.execute(
        select(ProductBarcode.code, Product.id, Product.sku)
        .join(Product)
        .where(ProductBarcode.code.in_(codes))
    ).all()
    return KnownCodes(sku_ids, {code: (pid, sku) for code, pid, sku in owners})


def create_product(data: dict) -> Product:
    product = add_product(data)
    db.session.commit()
    return product


def add_product(data: dict, known: KnownCodes | None = None) -> Product:
    """Check and add a product to the caller's transaction (imports write many at once)."""
    product = Product()
    _apply(product, data, known)
    db.session.add(product)
    return product


def change_product(product: Product, changes: dict, known: KnownCodes | None = None) -> Product:
    """Check and apply changes within the caller's transaction."""
    _apply(product, changes, known)
    return product


def update_product(product_id: int, changes: dict) -> Product:
    product = get_product(product_id)
    check_version(product, changes["version"])
    _apply(product, changes)
    db.session.commit()
    return product


def archive_product(product_id: int) -> None:
    """Products are archived, never deleted: documents and stock point at them."""
    product = get_product(product_id)
    product.active = False
    product.archived_at = utcnow()
    db.session.commit()


_SIMPLE_FIELDS = (
    "name", "spec", "brand", "category_id", "unit", "retail_price", "wholesale_price",
    "min_price", "safety_stock", "reorder_point", "reorder_qty", "track_batches",
    "track_expiry", "shelf_life_days", "expiry_alert_days", "allow_negative_stock", "active",
)  # fmt: skip


def _apply(product: Product, data: dict, known: KnownCodes | None = None) -> None:
    """Check the whole change first, then write it: a refusal changes nothing."""
    _check_product(product, data, known)
    if "sku" in data:
        product.sku = normalise_code(data["sku"])
    for field in _SIMPLE_FIELDS:
        if field in data:
            value = data[field]
            setattr(product, field, value.strip() if isinstance(value, str) else value)
    if "name" in data:
        product.pinyin_initials = pinyin_initials(product.name)
    if data.get("active") is True:
        product.archived_at = None
    unit_codes = _sync_units(product, data["units"]) if "units" in data else None
    if "barcodes" in data or unit_codes is not None:
        plain = data.get("barcodes", [b.code for b in product.barcodes if b.unit_id is None])
        _sync_barcodes(product, plain, unit_codes)
    if "level_prices" in data:
        _sync_level_prices(product, data["level_prices"])
    if "warehouse_settings" in data:
        _sync_warehouse_settings(product, data["warehouse_settings"])


def _check_product(product: Product, data: dict, known: KnownCodes | None) -> None:
    errors: dict[str, list[str]] = {}
    if "sku" in data:
        sku = normalise_code(data["sku"])
        if known is not None:
            taken = known.sku_ids.get(sku, product.id) != product.id
        else:
            taken = code_taken(Product, sku, column=Product.sku, except_id=product.id)
        if taken:
            raise duplicate_code("product", sku, field="sku")
    category_id = data.get("category_id")
    if category_id is not None and db.session.get(Category, category_id) is None:
        errors["category_id"] = [f"no such category: {category_id}"]

    track_expiry = data.get("track_expiry", product.track_expiry)
    shelf_life = data.get("shelf_life_days", product.shelf_life_days)
    if track_expiry and not shelf_life:
        errors["shelf_life_days"] = ["required when expiry is tracked"]

    base_unit = data.get("unit", product.unit)
    if "units" in data:
        names = [u["name"].strip() for u in data["units"]]
        if len(set(names)) != len(names):
            errors["units"] = ["each unit name once"]
        elif base_unit in names:
            errors["units"] = [f"'{base_unit}' is the base unit already"]

    codes = _requested_codes(product, data)
    if codes is not None:
        if len(set(codes)) != len(codes):
            errors["barcodes"] = ["each barcode once (across the product and its units)"]
        bad = [c for c in codes if has_gtin_shape(c) and not gtin_check_digit_ok(c)]
        if bad:
            errors.setdefault("barcodes", []).append(f"wrong check digit: {', '.join(bad)}")

    if "warehouse_settings" in data:
        ids = [s["warehouse_id"] for s in data["warehouse_settings"]]
        warehouses = _warehouse_table()
        existing_ids = set(
            db.session.scalars(select(warehouses.c.id).where(warehouses.c.id.in_(ids)))
        )
        if len(set(ids)) != len(ids):
            errors["warehouse_settings"] = ["each warehouse once"]
        elif missing := sorted(set(ids) - existing_ids):
            errors["warehouse_settings"] = [f"no such warehouse: {', '.join(map(str, missing))}"]

    if errors:
        raise ValidationProblem(errors)
    if codes:
        _check_codes_free(product, codes, known)


def _requested_codes(product: Product, data: dict) -> list[str] | None:
    """Every code the product will carry after this change, or None if codes don't change."""
    if "barcodes" not in data and "units" not in data:
        return None
    plain = data.get("barcodes", [b.code for b in product.barcodes if b.unit_id is None])
    if "units" in data:
        unit_codes = [u["barcode"] for u in data["units"] if u.get("barcode")]
    else:
        unit_codes = [b.code for b in product.barcodes if b.unit_id is not None]
    return [c.strip() for c in plain] + [c.strip() for c in unit_codes]


def _check_codes_free(product: Product, codes: list[str], known: KnownCodes | None) -> None:
    if known is not None:
        owners = (known.code_owners.get(code) for code in codes)
        taken = [
            (code, o[1]) for code, o in zip(codes, owners, strict=True) if o and o[0] != product.id
        ]
    else:
        stmt = (
            select(ProductBarcode.code, Product.sku)
            .join(Product)
            .where(ProductBarcode.code.in_(codes))
        )
        if product.id is not None:
            stmt = stmt.where(ProductBarcode.product_id != product.id)
        taken = db.session.execute(stmt).all()
    if taken:
        which = ", ".join(f"{code} ({sku})" for code, sku in taken)
        raise Conflict(
            f"Barcode already used by another product: {which}.",
            type="duplicate",
            errors={"barcodes": [f"already used: {code}" for code, _ in taken]},
        )


def _sync_units(product: Product, wanted: list[dict]) -> list[tuple[ProductUnit, str]]:
    """Keep units by name (their ids stay stable), drop the rest, add new ones.

    Returns each unit with the barcode it should carry ("" for none).
    """
    by_name = {u.name: u for u in product.units}
    result = []
    for spec in wanted:
        unit = by_name.get(spec["name"].strip()) or ProductUnit(name=spec["name"].strip())
        unit.factor = spec["factor"]
        result.append((unit, (spec.get("barcode") or "").strip()))
    product.units[:] = [unit for unit, _ in result]
    return result


def _sync_barcodes(
    product: Product,
    plain_codes: list[str],
    unit_codes: list[tuple[ProductUnit, str]] | None,
) -> None:
    """Keep existing rows by code (never delete and re-insert a unique code in one flush)."""
    wanted: dict[str, ProductUnit | None] = {code.strip(): None for code in plain_codes}
    if unit_codes is None:  # units unchanged: keep their barcodes as they are
        wanted.update({b.code: b.unit for b in product.barcodes if b.unit_id is not None})
    else:
        wanted.update({code: unit for unit, code in unit_codes if code})
    existing = {b.code: b for b in product.barcodes}
    rows = []
    for code, unit in wanted.items():
        row = existing.get(code) or ProductBarcode(code=code)
        row.unit = unit
        rows.append(row)
    product.barcodes[:] = rows


def _sync_level_prices(product: Product, prices: dict) -> None:
    existing = {p.price_level: p for p in product.level_prices}
    rows = []
    for level, price in prices.items():
        row = existing.get(level) or ProductPrice(price_level=level)
        row.price = price
        rows.append(row)
    product.level_prices[:] = rows


def _sync_warehouse_settings(product: Product, settings: list[dict]) -> None:
    existing = {s.warehouse_id: s for s in product.warehouse_settings}
    rows = []
    for spec in settings:
        row = existing.get(spec["warehouse_id"]) or ProductWarehouseSetting(
            warehouse_id=spec["warehouse_id"]
        )
        for field in ("safety_stock", "reorder_point", "reorder_qty"):
            setattr(row, field, spec.get(field))
        rows.append(row)
    product.warehouse_settings[:] = rows


def set_product_image(product_id: int, data: bytes) -> Product:
    product = get_product(product_id)
    product.image_key = store_image(product.id, data)
    db.session.commit()
    return product


def remove_product_image(product_id: int) -> None:
    """Forget the picture; the files stay until a clean-up (older views may cache them)."""
    product = get_product(product_id)
    product.image_key = None
    db.session.commit()


def product_image_file(product_id: int, size: str):
    product = get_product(product_id)
    if product.image_key is None:
        raise NotFound("This product has no picture.")
    path = image_path(product.id, product.image_key, size)
    if not path.is_file():
        raise NotFound("The picture file is missing.")
    return path


def _warehouse_table():
    """The warehouses table, reached through the foreign key: inventory builds on the
    catalogue, so the catalogue does not import it."""
    (key,) = ProductWarehouseSetting.__table__.c.warehouse_id.foreign_keys
    return key.column.table
