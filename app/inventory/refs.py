"""Small JSON references to related records ({id, code, name}) in stock responses."""

from sqlalchemy import select

from app.catalog.models import Product
from app.extensions import db
from app.inventory.models import Batch, Location, Warehouse, users_table


def product_refs(ids) -> dict[int, dict]:
    """{id: {id, sku, name, unit}} for several products in one query (no relationships)."""
    columns = (Product.id, Product.sku, Product.name, Product.unit)
    rows = db.session.execute(select(*columns).where(Product.id.in_(list(ids))))
    return {row.id: dict(row._mapping) for row in rows}


def product_ref(product: Product) -> dict:
    return {"id": product.id, "sku": product.sku, "name": product.name, "unit": product.unit}


def warehouse_ref(warehouse: Warehouse | None) -> dict | None:
    if warehouse is None:
        return None
    return {"id": warehouse.id, "code": warehouse.code, "name": warehouse.name}


def location_ref(location: Location | None) -> dict | None:
    if location is None:
        return None
    return {"id": location.id, "code": location.code, "name": location.name}


def batch_ref(batch: Batch | None) -> dict | None:
    if batch is None:
        return None
    return {"id": batch.id, "number": batch.number, "expiry": batch.expiry}


def user_ref(user_id: int | None) -> dict | None:
    """{id, username, display_name} of a user, read from the users table once per session:
    a list of documents names the same few people on every row."""
    if user_id is None:
        return None
    known = db.session.info.setdefault("jxc_user_refs", {})
    if user_id not in known:
        users = users_table()
        row = db.session.execute(
            select(users.c.id, users.c.username, users.c.display_name).where(users.c.id == user_id)
        ).one()
        known[user_id] = dict(row._mapping)
    return dict(known[user_id])


def history_entry(row) -> dict:
    """One row of a document's history (its model has at, user_id, event, from_state,
    to_state, note and data), as the API shows it."""
    return {
        "id": row.id,
        "at": row.at,
        "user": user_ref(row.user_id),
        "event": row.event,
        "from": row.from_state,
        "to": row.to_state,
        "note": row.note,
        "data": row.data or {},
    }
