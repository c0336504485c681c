"""What is in stock and how it got there: balances and the ledger, as paged lists."""

from sqlalchemy import func, select

from app.catalog.models import Product, ProductWarehouseSetting
from app.core.pagination import list_page
from app.core.security import allowed_warehouse_ids
from app.inventory.models import (
    Batch,
    LedgerEntry,
    Location,
    StockBalance,
    StockDocument,
    StockValuation,
    Warehouse,
    users_table,
)
from app.inventory.refs import batch_ref, location_ref, product_ref, warehouse_ref

PRODUCT_SEARCH = (Product.sku, Product.name, Product.pinyin_initials)


def _visible(stmt, warehouse_column):
    allowed = allowed_warehouse_ids()
    return stmt if allowed is None else stmt.where(warehouse_column.in_(allowed))


def _filtered(stmt, args: dict, product_column, warehouse_column):
    if args.get("product_id") is not None:
        stmt = stmt.where(product_column == args["product_id"])
    if args.get("warehouse_id") is not None:
        stmt = stmt.where(warehouse_column == args["warehouse_id"])
    return _visible(stmt, warehouse_column)


# --- balances --------------------------------------------------------------------------------


def balances_by_place(args: dict) -> dict:
    """One row per product × warehouse × location × batch that holds, owes or expects stock."""
    b = StockBalance
    stmt = (
        select(b, Product, Warehouse, Location, Batch)
        .join(Product, Product.id == b.product_id)
        .join(Warehouse, Warehouse.id == b.warehouse_id)
        .outerjoin(Location, Location.id == b.location_id)
        .outerjoin(Batch, Batch.id == b.batch_id)
        .where((b.on_hand != 0) | (b.reserved != 0) | (b.on_order != 0))
    )
    stmt = _filtered(stmt, args, b.product_id, b.warehouse_id)
    if args.get("location_id") is not None:
        stmt = stmt.where(b.location_id == args["location_id"])
    if args.get("batch_id") is not None:
        stmt = stmt.where(b.batch_id == args["batch_id"])
    page = list_page(
        stmt,
        args,
        search=PRODUCT_SEARCH,
        sortable={
            "sku": Product.sku,
            "warehouse": Warehouse.code,
            "location": Location.code,
            "expiry": Batch.expiry,
            "on_hand": b.on_hand,
            "available": b.on_hand - b.reserved,
        },
        default_sort="sku,warehouse,location,expiry",
        rows=True,
    )
    page["items"] = [
        {
            "product": product_ref(product),
            "warehouse": warehouse_ref(warehouse),
            "location": location_ref(location),
            "batch": batch_ref(batch),
            "on_hand": balance.on_hand,
            "reserved": balance.reserved,
            "available": balance.on_hand - balance.reserved,
            "on_order": balance.on_order,
        }
        for balance, product, warehouse, location, batch in page["items"]
    ]
    return page


def balances_by_warehouse(args: dict) -> dict:
    """One row per product × warehouse: totals, safety stock, and value at moving average."""
    b = StockBalance
    totals = (
        select(
            b.product_id,
            b.warehouse_id,
            func.sum(b.on_hand).label("on_hand"),
            func.sum(b.reserved).label("reserved"),
            func.sum(b.on_order).label("on_order"),
        )
        .group_by(b.product_id, b.warehouse_id)
        .subquery()
    )
    setting = ProductWarehouseSetting
    safety = func.coalesce(setting.safety_stock, Product.safety_stock).label("safety_stock")
    available = totals.c.on_hand - totals.c.reserved
    stmt = (
        select(totals, Product, Warehouse, StockValuation, safety)
        .join(Product, Product.id == totals.c.product_id)
        .join(Warehouse, Warehouse.id == totals.c.warehouse_id)
        .outerjoin(
            StockValuation,
            (StockValuation.product_id == totals.c.product_id)
            & (StockValuation.warehouse_id == totals.c.warehouse_id),
        )
        .outerjoin(
            setting,
            (setting.product_id == totals.c.product_id)
            & (setting.warehouse_id == totals.c.warehouse_id),
        )
    )
    stmt = _filtered(stmt, args, totals.c.product_id, totals.c.warehouse_id)
    if args.get("below_safety"):
        stmt = stmt.where(safety > 0, available < safety)
    page = list_page(
        stmt,
        args,
        search=PRODUCT_SEARCH,
        sortable={
            "sku": Product.sku,
            "warehouse": Warehouse.code,
            "on_hand": totals.c.on_hand,
            "available": available,
            "shortfall": available - safety,
        },
        default_sort="sku,warehouse",
        rows=True,
    )
    page["items"] = [
        {
            "product": product_ref(row.Product),
            "warehouse": warehouse_ref(row.Warehouse),
            "location": None,
            "batch": None,
            "on_hand": row.on_hand,
            "reserved": row.reserved,
            "available": row.on_hand - row.reserved,
            "on_order": row.on_order,
            "safety_stock": row.safety_stock,
            "below_safety": row.safety_stock > 0 and row.on_hand - row.reserved < row.safety_stock,
            "avg_cost": row.StockValuation.avg_cost if row.StockValuation else None,
            "value": row.StockValuation.value if row.StockValuation else None,
        }
        for row in page["items"]
    ]
    return page


# --- the ledger ------------------------------------------------------------------------------


def ledger_page(args: dict) -> dict:
    """Ledger lines, newest first, each with the running quantity and value of its product
    in its warehouse after it."""
    e, users = LedgerEntry, users_table()
    stmt = (
        select(e, StockDocument, Product, Warehouse, Location, Batch, users.c.username)
        .join(StockDocument, StockDocument.id == e.document_id)
        .join(Product, Product.id == e.product_id)
        .join(Warehouse, Warehouse.id == e.warehouse_id)
        .outerjoin(Location, Location.id == e.location_id)
        .outerjoin(Batch, Batch.id == e.batch_id)
        .join(users, users.c.id == e.user_id)
    )
    stmt = _filtered(stmt, args, e.product_id, e.warehouse_id)
    for field in ("location_id", "batch_id", "document_id"):
        if args.get(field) is not None:
            stmt = stmt.where(getattr(e, field) == args[field])
    if args.get("from") is not None:
        stmt = stmt.where(e.posted_at >= args["from"])
    if args.get("to") is not None:
        stmt = stmt.where(e.posted_at < args["to"])
    page = list_page(
        stmt,
        args,
        search=PRODUCT_SEARCH,
        sortable={"id": e.id, "posted_at": e.posted_at},
        default_sort="-id",
        rows=True,
    )
    page["items"] = [
        {
            "id": entry.id,
            "posted_at": entry.posted_at,
            "document": {
                "id": document.id,
                "number": document.number,
                "type": document.type,
                "status": document.status,
            },
            "product": product_ref(product),
            "warehouse": warehouse_ref(warehouse),
            "location": location_ref(location),
            "batch": batch_ref(batch),
            "qty": entry.qty,
            "unit_cost": entry.unit_cost,
            "value": entry.value,
            "qty_after": entry.qty_after,
            "value_after": entry.value_after,
            "reverses_id": entry.reverses_id,
            "user": {"id": entry.user_id, "username": username},
        }
        for entry, document, product, warehouse, location, batch, username in page["items"]
    ]
    return page
