from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.audit import Audited
from app.core.db import TimestampMixin, UTCDateTime, utcnow
from app.extensions import db


class Notification(db.Model):
    """One alert for one user, kept so that a phone that was off sees it on return.

    `data` holds facts (ids, numbers, names, quantities as strings), never sentences: the
    PWA words them in the reader's language. A derived record like a ledger line: written
    by the system with the change that caused it, so not audited.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_recent", "user_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    # The event that caused it: a client that heard the live event drops the duplicate.
    event_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationPreference(Audited, TimestampMixin, db.Model):
    """Which kinds a user wants, and from which warehouses. No row: the role's defaults
    (app.notifications.recipients.DEFAULT_KINDS)."""

    __tablename__ = "notification_preferences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    # None: every warehouse the user may see.
    warehouse_ids: Mapped[list[int] | None] = mapped_column(JSON)


class PushSubscription(Audited, db.Model):
    """A browser's Web Push subscription (one per installed PWA), owned by the user who
    last registered it."""

    __tablename__ = "push_subscriptions"
    # The keys decrypt what is pushed to this browser: not copied into the audit log.
    __audit_exclude__ = frozenset({"p256dh", "auth"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))


class AlertMark(db.Model):
    """An item the alerts scan has announced: a batch entering its alert window or
    expiring in a warehouse, an overdue invoice, a late order. The unique key makes
    "announce once" hold when two scans run at the same time."""

    __tablename__ = "alert_marks"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(60))
    marked_on: Mapped[date] = mapped_column(Date)
