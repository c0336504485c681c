"""Idempotency-Key: a write sent twice runs once.

Before the view: claim the key in its own committed transaction (a unique row per user
and key). The first request to claim it runs; a duplicate waits for the first to finish
and gets its stored response, marked `Idempotent-Replayed: true`. A key reused with a
different request is a 422; a duplicate still waiting after IDEMPOTENCY_WAIT_SECONDS
gets a 409 of type `idempotency-in-progress`.

The claim is marked `committed` inside the request's own business transaction (a
before_commit hook), so if the process dies between that commit and storing the
response, a retry is refused instead of running the work again.
"""

import hashlib
import time
from datetime import datetime, timedelta

from flask import Response, current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import (
    Boolean,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import SAFE_METHODS, UTCDateTime, utcnow, write_intent
from app.core.errors import Conflict, Problem, is_api_request
from app.extensions import db

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200
# Response headers worth replaying; cookies never are.
_REPLAYED_HEADERS = ("Content-Type", "Location", "ETag")


class IdempotencyKey(db.Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    # in_progress → done; `committed` is set by the request's business transaction.
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="in_progress")
    committed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[str | None] = mapped_column(Text)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)


_table = IdempotencyKey.__table__


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode("latin-1")):
        digest.update(part.encode() + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _claim(user_id: int, key: str, fingerprint: str) -> dict | None:
    """Insert the claim; return the existing row instead when the key is taken."""
    now = utcnow()
    # Replays are the common case for a retrying client: answer them without a write.
    existing = _find(user_id, key)
    if existing is not None and existing["expires_at"] > now:
        return existing
    ttl = timedelta(hours=current_app.config["IDEMPOTENCY_TTL_HOURS"])
    with write_intent(), db.engine.begin() as conn:
        conn.execute(
            delete(_table).where(
                _table.c.user_id == user_id, _table.c.key == key, _table.c.expires_at <= now
            )
        )
        try:
            with conn.begin_nested():
                result = conn.execute(
                    insert(_table).values(
                        user_id=user_id,
                        key=key,
                        fingerprint=fingerprint,
                        state="in_progress",
                        committed=False,
                        created_at=now,
                        expires_at=now + ttl,
                    )
                )
            g.idempotency_row_id = result.inserted_primary_key[0]
            return None
        except IntegrityError:
            pass
        row = conn.execute(
            select(_table).where(_table.c.user_id == user_id, _table.c.key == key)
        ).one()
        return dict(row._mapping)


def _read_one(condition) -> dict | None:
    with write_intent(False), db.engine.connect() as conn:
        row = conn.execute(select(_table).where(condition)).one_or_none()
        conn.rollback()
        return dict(row._mapping) if row else None


def _find(user_id: int, key: str) -> dict | None:
    return _read_one((_table.c.user_id == user_id) & (_table.c.key == key))


def _load(row_id: int) -> dict | None:
    return _read_one(_table.c.id == row_id)


def _replay(row: dict) -> Response:
    headers = dict(
        line.split(": ", 1) for line in (row["response_headers"] or "").splitlines() if line
    )
    response = Response(row["response_body"] or b"", status=row["response_status"])
    for name, value in headers.items():
        response.headers[name] = value
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _in_progress() -> Conflict:
    return Conflict(
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        type="idempotency-in-progress",
        headers={"Retry-After": "1"},
    )


def changes_nothing(func):
    """Mark a POST that only computes an answer (decoding a picture): a retry is harmless,
    so its Idempotency-Key is not stored (a camera sends a few frames a second)."""
    func._jxc_changes_nothing = True
    return func


def begin_idempotent_request() -> Response | None:
    """before_request: claim the key, or answer with the earlier response."""
    if request.method in SAFE_METHODS or not is_api_request():
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "_jxc_changes_nothing", False):
        return None
    key = request.headers.get(HEADER)
    if key is None or not current_user.is_authenticated:
        return None  # anonymous calls (login) are not stored: they may carry secrets
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Problem(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.",
            status=400,
            type="invalid-idempotency-key",
            errors={HEADER: ["invalid"]},
        )
    fingerprint = _fingerprint()
    row = _claim(current_user.id, key, fingerprint)
    if row is None:
        return None  # ours: run the view
    if row["fingerprint"] != fingerprint:
        raise Problem(
            f"This {HEADER} was already used for a different request.",
            status=422,
            type="idempotency-key-reused",
            errors={HEADER: ["used for a different request"]},
        )
    deadline = time.monotonic() + current_app.config["IDEMPOTENCY_WAIT_SECONDS"]
    while row is not None and row["state"] != "done":
        if _abandoned(row):
            if row["committed"]:
                raise Conflict(
                    "The request with this Idempotency-Key was completed, but its response "
                    "was lost; look the result up instead of retrying.",
                    type="idempotency-response-lost",
                )
            _release(row["id"])  # its worker died before changing anything: run again
            return begin_idempotent_request()
        if time.monotonic() >= deadline:
            raise _in_progress()
        time.sleep(0.05)
        row = _load(row["id"])
    if row is None:  # the first attempt failed (5xx) and released the key: run again
        return begin_idempotent_request()
    return _replay(row)


def _abandoned(row: dict) -> bool:
    """Still 'in progress' long after any request could have run: its worker died."""
    limit = timedelta(seconds=current_app.config["IDEMPOTENCY_ABANDONED_AFTER_SECONDS"])
    return row["created_at"] < utcnow() - limit


def _release(row_id: int) -> None:
    with write_intent(), db.engine.begin() as conn:
        conn.execute(
            delete(_table).where(
                _table.c.id == row_id,
                _table.c.state == "in_progress",
                _table.c.committed.is_(False),
            )
        )


def finish_idempotent_request(response: Response) -> Response:
    """after_request: store the response for replays, or release the key on a 5xx."""
    row_id = g.pop("idempotency_row_id", None)
    if row_id is None:
        return response
    # The view is over: end its transaction so ours can take the write lock.
    db.session.rollback()
    with write_intent(), db.engine.begin() as conn:
        if response.status_code >= 500:
            conn.execute(delete(_table).where(_table.c.id == row_id))
        else:
            headers = "\n".join(
                f"{name}: {response.headers[name]}"
                for name in _REPLAYED_HEADERS
                if name in response.headers
            )
            conn.execute(
                update(_table)
                .where(_table.c.id == row_id)
                .values(
                    state="done",
                    response_status=response.status_code,
                    response_headers=headers,
                    response_body=response.get_data(),
                )
            )
    return response


def release_on_teardown(_exc) -> None:
    """If after_request never ran (the worker was interrupted), free the key."""
    row_id = g.pop("idempotency_row_id", None)
    if row_id is not None:
        _release(row_id)


def _mark_committed(session: Session) -> None:
    if not has_request_context():
        return
    row_id = g.get("idempotency_row_id")
    if row_id is not None and not g.get("idempotency_marked"):
        session.connection().execute(
            update(_table).where(_table.c.id == row_id).values(committed=True)
        )
        g.idempotency_marked = True


def purge_expired() -> int:
    with write_intent(), db.engine.begin() as conn:
        return conn.execute(delete(_table).where(_table.c.expires_at <= utcnow())).rowcount


def init_idempotency(app) -> None:
    if not event.contains(db.session, "before_commit", _mark_committed):
        event.listen(db.session, "before_commit", _mark_committed)
    app.before_request(begin_idempotent_request)
    app.after_request(finish_idempotent_request)
    app.teardown_request(release_on_teardown)
