"""Small JSON references to related records ({id, code, name}) in stock responses."""

from app.auth.models import User
from app.catalog.models import Product
from app.inventory.models import Batch, Location, Warehouse


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


def user_ref(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "username": user.username, "display_name": user.display_name}
