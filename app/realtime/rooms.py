"""Which Socket.IO rooms a user's connection joins, and what the rooms are called.

Events name plain rooms ("warehouse:1", "role:manager", "user:5"). A connection joins
each of them in the tier its permissions allow: someone who may see costs joins
"warehouse:1#cost" instead of "warehouse:1", so an event's cost fields are sent to the
cost rooms only and never travel to a client that may not see them.
"""

from sqlalchemy import select

from app.core.security import allowed_warehouse_ids
from app.extensions import db
from app.inventory.models import Warehouse

COST_PERMISSION = "cost:read"


def room_name(room: str, *, sees_cost: bool) -> str:
    """The Socket.IO room for an event room in one permission tier."""
    return f"{room}#cost" if sees_cost else room


def rooms_for(user) -> list[str]:
    """Every room a connection of `user` joins: theirs, their roles', their warehouses'."""
    sees_cost = user.can(COST_PERMISSION)
    rooms = [
        f"user:{user.id}",
        *(f"role:{role}" for role in user.roles or ()),
        *(f"warehouse:{warehouse_id}" for warehouse_id in visible_warehouse_ids(user)),
    ]
    return [room_name(room, sees_cost=sees_cost) for room in rooms]


def visible_warehouse_ids(user) -> list[int]:
    """Scoped staff hear their own warehouses; everyone else every active one."""
    scoped = allowed_warehouse_ids(user)
    if scoped is not None:
        return sorted(scoped)
    query = select(Warehouse.id).where(Warehouse.active).order_by(Warehouse.id)
    return list(db.session.scalars(query))
