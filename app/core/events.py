"""A small in-process event hub.

Services call `emit()` inside their transaction; the event is held on the session and
published to subscribers only after that transaction commits (and dropped on rollback),
so nobody hears of a change that did not happen. The realtime area subscribes and pushes
events to WebSocket rooms. Preparers see each event while its transaction is still open,
so what an event leaves behind (a stored notification) commits or rolls back with it.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.db import utcnow
from app.extensions import db

log = logging.getLogger(__name__)

_PENDING = "jxc_pending_events"
_PREPARED = "jxc_prepared_events"


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict
    rooms: tuple[str, ...] = ()
    # Fields only some may see, by the permission they need: {"cost:read": {"value": …}}.
    restricted: dict = field(default_factory=dict)
    at: datetime = field(default_factory=utcnow)
    # Clients drop an event they have seen (a message queue may deliver one twice).
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


Subscriber = Callable[[Event], None]


class EventHub:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._preparers: list[Subscriber] = []

    def prepare_with(self, preparer: Subscriber) -> Subscriber:
        """Run `preparer(event)` inside the transaction, before it commits; it may write
        rows and emit further events (which are prepared in turn)."""
        self._preparers.append(preparer)
        return preparer

    def prepare(self, evt: Event) -> None:
        for preparer in list(self._preparers):
            preparer(evt)

    def subscribe(self, subscriber: Subscriber) -> Subscriber:
        self._subscribers.append(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.remove(subscriber)

    def publish(self, evt: Event) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber(evt)
            except Exception:  # one broken listener must not stop the others
                log.exception("event subscriber failed for %s", evt.name)


def hub() -> EventHub:
    return current_app.extensions["jxc_events"]


def emit(name: str, payload: dict, rooms=(), restricted: dict | None = None) -> None:
    """Queue an event on the current transaction; published after commit."""
    session = db.session()
    evt = Event(name, payload, tuple(rooms), restricted or {})
    if not session.in_transaction():
        hub().publish(evt)
        return
    session.info.setdefault(_PENDING, []).append(evt)


def _before_commit(session: Session) -> None:
    pending = session.info.get(_PENDING, [])
    done = session.info.setdefault(_PREPARED, 0)
    while done < len(pending):  # a preparer may emit more events: prepare those too
        hub().prepare(pending[done])
        done += 1
    session.info[_PREPARED] = done  # what they added is flushed by the commit itself


def _after_commit(session: Session) -> None:
    session.info.pop(_PREPARED, None)
    pending = session.info.pop(_PENDING, [])
    for evt in pending:
        hub().publish(evt)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_PREPARED, None)


def init_events(app) -> None:
    app.extensions["jxc_events"] = EventHub()
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "before_commit", _before_commit)
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_soft_rollback", _after_rollback_soft)


def _after_rollback_soft(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction rolled back
        _after_rollback(session)
