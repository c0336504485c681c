"""Warehouses and their locations. Each public function owns its transaction."""

from sqlalchemy import select

from app.core.errors import NotFound
from app.core.records import check_version, code_taken, duplicate_code, normalise_code
from app.core.security import allowed_warehouse_ids
from app.extensions import db
from app.inventory.models import Location, Warehouse

# --- warehouses --------------------------------------------------------------------------


def warehouse_query(active: bool | None = None):
    """Warehouses the current user may see (scoped staff: only their own)."""
    stmt = select(Warehouse)
    if active is not None:
        stmt = stmt.where(Warehouse.active.is_(active))
    allowed = allowed_warehouse_ids()
    if allowed is not None:
        stmt = stmt.where(Warehouse.id.in_(allowed))
    return stmt


def get_warehouse(warehouse_id: int) -> Warehouse:
    """A warehouse the current user may see; others do not exist for them."""
    warehouse = db.session.scalar(warehouse_query().where(Warehouse.id == warehouse_id))
    if warehouse is None:
        raise NotFound(f"No warehouse with id {warehouse_id}.")
    return warehouse


def create_warehouse(code: str, name: str, address: str = "") -> Warehouse:
    code = normalise_code(code)
    if code_taken(Warehouse, code):
        raise duplicate_code("warehouse", code)
    warehouse = Warehouse(code=code, name=name.strip(), address=address.strip())
    db.session.add(warehouse)
    db.session.commit()
    return warehouse


def update_warehouse(warehouse_id: int, changes: dict) -> Warehouse:
    warehouse = get_warehouse(warehouse_id)
    check_version(warehouse, changes["version"])
    if "code" in changes:
        code = normalise_code(changes["code"])
        if code_taken(Warehouse, code, except_id=warehouse.id):
            raise duplicate_code("warehouse", code)
        warehouse.code = code
    for field in ("name", "address"):
        if field in changes:
            setattr(warehouse, field, changes[field].strip())
    if "active" in changes:
        warehouse.active = changes["active"]
    db.session.commit()
    return warehouse


def archive_warehouse(warehouse_id: int) -> None:
    """Warehouses are never deleted (stock and documents point at them): archive."""
    warehouse = get_warehouse(warehouse_id)
    warehouse.active = False
    db.session.commit()


def ensure_warehouse(code: str, name: str, address: str = "") -> Warehouse:
    """Create the warehouse unless one with this code exists (used by the demo seed)."""
    warehouse = db.session.scalar(select(Warehouse).where(Warehouse.code == code))
    if warehouse is None:
        warehouse = create_warehouse(code, name, address)
    return warehouse


# --- locations ---------------------------------------------------------------------------


def location_query(warehouse_id: int, active: bool | None = None):
    get_warehouse(warehouse_id)  # 404 for a warehouse the user may not see
    stmt = select(Location).where(Location.warehouse_id == warehouse_id)
    if active is not None:
        stmt = stmt.where(Location.active.is_(active))
    return stmt


def get_location(warehouse_id: int, location_id: int) -> Location:
    location = db.session.scalar(location_query(warehouse_id).where(Location.id == location_id))
    if location is None:
        raise NotFound(f"No location with id {location_id} in warehouse {warehouse_id}.")
    return location


def create_location(warehouse_id: int, code: str, name: str = "") -> Location:
    warehouse = get_warehouse(warehouse_id)
    code = normalise_code(code)
    if code_taken(Location, code, Location.warehouse_id == warehouse.id):
        raise duplicate_code("location in this warehouse", code)
    location = Location(warehouse_id=warehouse.id, code=code, name=name.strip())
    db.session.add(location)
    db.session.commit()
    return location


def update_location(warehouse_id: int, location_id: int, changes: dict) -> Location:
    location = get_location(warehouse_id, location_id)
    check_version(location, changes["version"])
    if "code" in changes:
        code = normalise_code(changes["code"])
        if code_taken(Location, code, Location.warehouse_id == warehouse_id, except_id=location.id):
            raise duplicate_code("location in this warehouse", code)
        location.code = code
    if "name" in changes:
        location.name = changes["name"].strip()
    if "active" in changes:
        location.active = changes["active"]
    db.session.commit()
    return location


def archive_location(warehouse_id: int, location_id: int) -> None:
    location = get_location(warehouse_id, location_id)
    location.active = False
    db.session.commit()


def ensure_locations(warehouse_id: int, codes: list[str]) -> int:
    """Create the locations that are missing (used by the demo seed); returns how many."""
    existing = set(
        db.session.scalars(select(Location.code).where(Location.warehouse_id == warehouse_id))
    )
    missing = [code for code in codes if code not in existing]
    db.session.add_all(Location(warehouse_id=warehouse_id, code=code) for code in missing)
    db.session.commit()
    return len(missing)
