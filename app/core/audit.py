"""The audit log: an append-only row for every write to an audited model.

Models opt in with the `Audited` mixin; the session listener below records creates,
updates (changed columns only, before → after) and deletes in the same transaction as
the change itself, so a rolled-back change leaves no audit row.
"""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import JSON, Integer, String, event, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.core.net import client_ip
from app.extensions import db

# Columns that change on every update and say nothing by themselves.
_BOOKKEEPING = frozenset({"updated_at", "version"})


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40), index=True)
    entity: Mapped[str] = mapped_column(String(60), index=True)
    entity_id: Mapped[str | None] = mapped_column(String(60), index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))


class Audited:
    """Mixin: writes to this model are audited. List secrets in __audit_exclude__."""

    __audit_exclude__: frozenset[str] = frozenset()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _columns(obj) -> list[str]:
    return [
        attr.key
        for attr in inspect(obj).mapper.column_attrs
        if attr.key not in type(obj).__audit_exclude__
    ]


def _full(obj) -> dict:
    return {key: _jsonable(getattr(obj, key)) for key in _columns(obj)}


def _changes(obj) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for key in _columns(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        before[key] = _jsonable(history.deleted[0]) if history.deleted else None
        after[key] = _jsonable(history.added[0]) if history.added else None
    return before, after


def _who() -> dict:
    info = {"user_id": None, "username": None, "request_id": None, "ip": None}
    if has_request_context():
        info["request_id"] = g.get("request_id")
        info["ip"] = client_ip()
        if current_user and current_user.is_authenticated:
            info["user_id"] = current_user.id
            info["username"] = current_user.username
    return info


def _entity_id(obj) -> str:
    return ",".join(str(v) for v in inspect(obj).mapper.primary_key_from_instance(obj))


def _after_flush(session: Session, _flush_context) -> None:
    rows = []
    for obj in session.new:
        if isinstance(obj, Audited):
            rows.append(("create", obj, None, _full(obj)))
    for obj in session.dirty:
        if isinstance(obj, Audited) and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if set(after) - _BOOKKEEPING:
                rows.append(("update", obj, before, after))
    for obj in session.deleted:
        if isinstance(obj, Audited):
            rows.append(("delete", obj, _full(obj), None))
    if not rows:
        return
    who = _who()
    session.connection().execute(
        insert(AuditLog.__table__),
        [
            {
                "at": utcnow(),
                "action": action,
                "entity": obj.__tablename__,
                "entity_id": _entity_id(obj),
                "before": before,
                "after": after,
                **who,
            }
            for action, obj, before, after in rows
        ],
    )


def record(action: str, entity: str, entity_id=None, *, before=None, after=None, user=None):
    """Record an event that is not a row change (a login, a failed login, a revoked token).

    The row joins the current transaction; the caller's service commits it.
    """
    who = _who()
    if user is not None:
        who["user_id"], who["username"] = user.id, user.username
    db.session.add(
        AuditLog(
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            before=_jsonable(before),
            after=_jsonable(after),
            **who,
        )
    )


def init_audit() -> None:
    if not event.contains(db.session, "after_flush", _after_flush):
        event.listen(db.session, "after_flush", _after_flush)
