"""Stored notifications: made from alerts inside the transaction that caused them, read and
marked read by their owner; per-user preferences; Web Push subscriptions."""

from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import NotFound, ValidationProblem
from app.core.events import Event, emit
from app.core.security import allowed_warehouse_ids
from app.core.transactions import run_transaction
from app.extensions import db
from app.inventory.models import Warehouse
from app.inventory.refs import warehouse_ref
from app.notifications import recipients
from app.notifications.models import Notification, NotificationPreference, PushSubscription
from app.purchasing.models import PurchaseOrder
from app.sales.models import SalesOrder

# --- alerts → stored notifications -----------------------------------------------------------


class Alert(NamedTuple):
    data: dict  # what the reader needs to see, in no language
    warehouse_id: int | None  # the place it is about
    user_ids: list[int]  # who gets it


def _stock_low(evt: Event) -> Alert:
    warehouse_id = evt.payload["warehouse_id"]
    data = {**evt.payload, "warehouse": warehouse_ref(db.session.get(Warehouse, warehouse_id))}
    return Alert(data, warehouse_id, recipients.recipients("stock.low", warehouse_id))


def _order_status(evt: Event) -> Alert:
    """Only the order's owner hears of it, and not of their own step: they took it."""
    payload = evt.payload
    if payload["type"] == "sales":
        order = db.session.get(SalesOrder, payload["id"])  # in the session already
        owner_id = order.salesperson_id
    else:
        order = db.session.get(PurchaseOrder, payload["id"])
        owner_id = order.created_by_id
    actor_id = (payload.get("by") or {}).get("id")
    if owner_id is None or owner_id == actor_id:
        return Alert(payload, order.warehouse_id, [])
    # Their own order: the warehouses they chose for alerts do not filter it out.
    owner = recipients.recipients("order.status", None, among=[owner_id])
    return Alert(payload, order.warehouse_id, owner)


def _scanned(evt: Event) -> Alert:
    """Alerts of the alerts scan carry everything the reader needs already."""
    warehouse_id = evt.payload.get("warehouse_id")
    return Alert(evt.payload, warehouse_id, recipients.recipients(evt.name, warehouse_id))


# Event name (which is the notification's kind) → who gets what.
ALERTS: dict[str, Callable[[Event], Alert]] = {
    "stock.low": _stock_low,
    "order.status": _order_status,
    "batch.expiring": _scanned,
    "receivable.overdue": _scanned,
    "po.late": _scanned,
}
assert set(ALERTS) == set(recipients.KINDS), "every kind needs its recipients"


def store_notifications(evt: Event) -> None:
    """Event preparer: one notification per recipient of an alert, written in the alert's
    own transaction, each announced to its owner's room once committed."""
    describe = ALERTS.get(evt.name)
    if describe is None:
        return
    alert = describe(evt)
    if not alert.user_ids:
        return
    now = utcnow()
    rows = [
        Notification(user_id=user_id, kind=evt.name, data=alert.data,
                     warehouse_id=alert.warehouse_id, event_id=evt.id, created_at=now)
        for user_id in alert.user_ids
    ]  # fmt: skip
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        emit("notification", as_message(row), rooms=(f"user:{row.user_id}",))


def as_message(row: Notification) -> dict:
    """A notification as JSON, the same shape the API lists."""
    return {
        "id": row.id,
        "kind": row.kind,
        "data": row.data,
        "warehouse_id": row.warehouse_id,
        "event_id": row.event_id,
        "created_at": row.created_at.isoformat(),
        "read_at": row.read_at.isoformat() if row.read_at else None,
    }


# --- the inbox ---------------------------------------------------------------------------------


def notification_query(user_id: int, args: dict):
    """The user's notifications, newest first; with `after_id`, the ones after it, oldest
    first (what a client missed while disconnected)."""
    stmt = select(Notification).where(Notification.user_id == user_id)
    if args.get("unread"):
        stmt = stmt.where(Notification.read_at.is_(None))
    if args.get("kind"):
        stmt = stmt.where(Notification.kind == args["kind"])
    if args.get("after_id") is not None:
        return stmt.where(Notification.id > args["after_id"]).order_by(Notification.id)
    return stmt.order_by(Notification.id.desc())


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def _own(user_id: int, notification_id: int) -> Notification:
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:  # someone else's does not exist for you
        raise NotFound(f"No notification with id {notification_id}.")
    return row


def mark_read(user_id: int, notification_id: int) -> Notification:
    def work():
        row = _own(user_id, notification_id)
        if row.read_at is None:
            row.read_at = utcnow()
        return row

    return run_transaction(work)


def mark_all_read(user_id: int, up_to_id: int | None = None) -> int:
    """Mark the user's unread notifications read (up to `up_to_id`, the newest one the
    reader saw: what arrived since stays unread). Returns how many."""

    def work():
        stmt = update(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
        if up_to_id is not None:
            stmt = stmt.where(Notification.id <= up_to_id)
        return db.session.execute(stmt.values(read_at=utcnow())).rowcount

    return run_transaction(work)


# --- preferences -------------------------------------------------------------------------------


def _preference(user_id: int, *, lock: bool = False) -> NotificationPreference | None:
    stmt = select(NotificationPreference).where(NotificationPreference.user_id == user_id)
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)


def preferences_of(user: User) -> dict:
    return _preferences_view(user, _preference(user.id))


def _preferences_view(user: User, preference: NotificationPreference | None) -> dict:
    defaults = recipients.default_kinds(user.roles)
    return {
        "kinds": list(preference.kinds) if preference is not None else defaults,
        "warehouse_ids": preference.warehouse_ids if preference is not None else None,
        "customised": preference is not None,
        "default_kinds": defaults,
        "available_kinds": recipients.receivable_kinds(user),
    }


def _check_preferences(user: User, kinds: list[str], warehouse_ids: list[int] | None) -> None:
    errors = {}
    receivable = recipients.receivable_kinds(user)
    if refused := [kind for kind in kinds if kind not in receivable]:
        errors["kinds"] = [f"your role does not receive: {', '.join(refused)}"]
    if warehouse_ids:
        existing = set(
            db.session.scalars(select(Warehouse.id).where(Warehouse.id.in_(warehouse_ids)))
        )
        visible = allowed_warehouse_ids(user)
        unseen = [w for w in warehouse_ids if w not in existing or (visible and w not in visible)]
        if unseen:
            errors["warehouse_ids"] = [
                f"not a warehouse you may see: {', '.join(map(str, unseen))}"
            ]
    if errors:
        raise ValidationProblem(errors)


def set_preferences(user: User, data: dict) -> dict:
    """Replace the user's choice of kinds and of warehouses (None: all they may see)."""
    kinds = list(dict.fromkeys(data["kinds"]))
    warehouse_ids = data.get("warehouse_ids")
    if warehouse_ids is not None:
        warehouse_ids = sorted(set(warehouse_ids))

    def work():
        _check_preferences(user, kinds, warehouse_ids)
        preference = _preference(user.id, lock=True)
        if preference is None:
            preference, _ = _insert_or_existing(
                NotificationPreference(user_id=user.id, kinds=kinds, warehouse_ids=warehouse_ids),
                lambda: _preference(user.id, lock=True),
            )
        preference.kinds = kinds
        preference.warehouse_ids = warehouse_ids
        db.session.flush()
        return _preferences_view(user, preference)

    return run_transaction(work)


def _insert_or_existing(row, reload) -> tuple:
    """Insert a row that another request may be inserting at the same moment; if that one
    won, take its row. Returns the row and whether it is ours."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
        return row, True
    except IntegrityError:
        return reload(), False


# --- Web Push subscriptions --------------------------------------------------------------------


def _check_endpoint(endpoint: str) -> None:
    parts = urlsplit(endpoint)
    schemes = ("https", "http") if current_app.config["WEBPUSH_ALLOW_HTTP"] else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValidationProblem({"endpoint": [f"must be an {' or '.join(schemes)} URL"]})


def subscribe(user_id: int, data: dict) -> tuple[PushSubscription, bool]:
    """Keep a browser's subscription for this user; the same endpoint again (another user
    logged in on that phone) moves it to them. Returns it and whether it is new."""
    endpoint = data["endpoint"]
    _check_endpoint(endpoint)

    def find():
        return db.session.scalar(
            select(PushSubscription).where(PushSubscription.endpoint == endpoint).with_for_update()
        )

    def work():
        keys = data["keys"]
        subscription, created = find(), False
        if subscription is None:
            subscription, created = _insert_or_existing(
                PushSubscription(user_id=user_id, endpoint=endpoint, p256dh=keys["p256dh"],
                                 auth=keys["auth"]),
                find,
            )  # fmt: skip
        subscription.user_id = user_id
        subscription.p256dh = keys["p256dh"]
        subscription.auth = keys["auth"]
        subscription.last_error = None
        db.session.flush()
        return subscription, created

    return run_transaction(work)


def unsubscribe(user_id: int, endpoint: str) -> None:
    """Forget the caller's subscription for this endpoint (none: nothing to do)."""

    def work():
        subscription = db.session.scalar(
            select(PushSubscription).where(
                PushSubscription.endpoint == endpoint, PushSubscription.user_id == user_id
            )
        )
        if subscription is not None:
            db.session.delete(subscription)

    run_transaction(work)
