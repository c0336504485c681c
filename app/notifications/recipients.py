"""Who is told what: the kinds of notification, what a reader needs to see each, the
defaults per role, and the choice of recipients for one alert."""

from collections.abc import Iterable

from sqlalchemy import select

from app.auth.models import User
from app.core.permissions import ROLES
from app.core.security import allowed_warehouse_ids
from app.extensions import db
from app.notifications.models import NotificationPreference

# kind → the permissions of which a recipient needs one: an alert shows what it is about.
KINDS: dict[str, tuple[str, ...]] = {
    "stock.low": ("inventory:read",),
    "batch.expiring": ("inventory:read",),
    "order.status": ("sales:read", "purchasing:read"),
    "receivable.overdue": ("finance:read",),
    "po.late": ("purchasing:read",),
}

# What each role gets while the user has not chosen (a user with several roles gets all of
# their roles' kinds). order.status reaches only the order's owner: the salesperson of a
# sales order, whoever created a purchase order.
DEFAULT_KINDS: dict[str, tuple[str, ...]] = {
    "admin": ("stock.low", "batch.expiring", "receivable.overdue"),
    "manager": ("stock.low", "batch.expiring", "receivable.overdue"),
    "purchaser": ("stock.low", "po.late", "order.status"),
    "sales": ("order.status",),
    "finance": ("receivable.overdue",),
    "warehouse": (),
    "clerk": (),
}

assert set(DEFAULT_KINDS) == set(ROLES), "every role needs its default kinds"
assert all(set(kinds) <= set(KINDS) for kinds in DEFAULT_KINDS.values()), "unknown kind"


def default_kinds(roles: Iterable[str]) -> list[str]:
    chosen = {kind for role in roles for kind in DEFAULT_KINDS.get(role, ())}
    return [kind for kind in KINDS if kind in chosen]


def receivable_kinds(user: User) -> list[str]:
    """The kinds this user's roles allow them to receive."""
    return [kind for kind, needs in KINDS.items() if any(user.can(p) for p in needs)]


def wants(user: User, preference: NotificationPreference | None, kind: str,
          warehouse_id: int | None) -> bool:  # fmt: skip
    """Does this user get an alert of `kind` about `warehouse_id` (None: not tied to one)?"""
    kinds = preference.kinds if preference is not None else default_kinds(user.roles or ())
    if kind not in kinds or kind not in receivable_kinds(user):
        return False
    if warehouse_id is None:
        return True
    visible = allowed_warehouse_ids(user)
    if visible is not None and warehouse_id not in visible:
        return False
    chosen = preference.warehouse_ids if preference is not None else None
    return chosen is None or warehouse_id in chosen


def recipients(kind: str, warehouse_id: int | None, *,
               among: Iterable[int] | None = None) -> list[int]:  # fmt: skip
    """Ids of the active users who get this alert, in one query; `among` narrows the
    candidates (the owner of an order)."""
    stmt = (
        select(User, NotificationPreference)
        .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(User.active.is_(True))
        .order_by(User.id)
    )
    if among is not None:
        stmt = stmt.where(User.id.in_(list(among)))
    return [
        user.id
        for user, preference in db.session.execute(stmt).all()
        if wants(user, preference, kind, warehouse_id)
    ]
