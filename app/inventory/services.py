from sqlalchemy import select

from app.core.security import allowed_warehouse_ids
from app.extensions import db
from app.inventory.models import Warehouse


def warehouse_query(active: bool | None = None):
    """Warehouses the current user may see (scoped staff: only their own)."""
    stmt = select(Warehouse)
    if active is not None:
        stmt = stmt.where(Warehouse.active.is_(active))
    allowed = allowed_warehouse_ids()
    if allowed is not None:
        stmt = stmt.where(Warehouse.id.in_(allowed))
    return stmt


def ensure_warehouse(code: str, name: str, address: str = "") -> Warehouse:
    """Create the warehouse unless one with this code exists (used by the demo seed)."""
    warehouse = db.session.scalar(select(Warehouse).where(Warehouse.code == code))
    if warehouse is None:
        warehouse = Warehouse(code=code, name=name, address=address)
        db.session.add(warehouse)
        db.session.commit()
    return warehouse
