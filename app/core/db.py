"""Column types, model mixins and the SQLite connection rules."""

import contextvars
import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import has_request_context, request
from sqlalchemy import BigInteger, DateTime, Integer, Numeric, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: times must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VersionMixin:
    """Optimistic locking: every UPDATE checks and bumps `version`."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


# --- SQLite -----------------------------------------------------------------------------

_write_intent: contextvars.ContextVar[bool | None] = contextvars.ContextVar(
    "jxc_write_intent", default=None
)


@contextmanager
def write_intent(value: bool = True):
    """Force (or lift) the write lock for transactions begun inside this block."""
    token = _write_intent.set(value)
    try:
        yield
    finally:
        _write_intent.reset(token)


def _wants_write_lock() -> bool:
    forced = _write_intent.get()
    if forced is not None:
        return forced
    if has_request_context():
        return request.method not in SAFE_METHODS
    return True  # CLI commands, scripts and tests outside a request write


_writer_locks: dict[str, threading.Lock] = {}
_writer_locks_guard = threading.Lock()


def _writer_lock(database: str) -> threading.Lock:
    key = (
        os.path.abspath(database) if database not in ("", ":memory:") else f"memory:{id(database)}"
    )
    with _writer_locks_guard:
        return _writer_locks.setdefault(key, threading.Lock())


class QueuedWritersConnection(sqlite3.Connection):
    """A SQLite connection whose writers queue in this process.

    Before BEGIN IMMEDIATE a writer takes a lock shared by every connection of the process
    to the same file, and lets it go once COMMIT or ROLLBACK is done. Waiting writers then
    wake the moment the file is free, instead of polling in SQLite's busy handler, which
    sleeps 1, 2, 5 … 100 ms between tries. (Other processes still meet the busy timeout.)
    """

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self._writers = _writer_lock(str(database))
        self._writing = False

    def queue_to_write(self, timeout: float) -> None:
        if not self._writers.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked")
        self._writing = True

    def done_writing(self) -> None:
        if self._writing:
            self._writing = False
            self._writers.release()

    def commit(self):
        try:
            super().commit()
        finally:
            self.done_writing()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.done_writing()

    def close(self):
        try:
            super().close()
        finally:
            self.done_writing()


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for writes.

    A deferred transaction that later upgrades to a write fails at once with
    "database is locked" when another writer got there first; taking the write lock at
    BEGIN makes writers queue on the busy timeout instead.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we send BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Straight to the driver: this runs before every transaction.
        dbapi_connection = connection.connection.driver_connection
        if not _wants_write_lock():
            dbapi_connection.execute("BEGIN")
            return
        queued = isinstance(dbapi_connection, QueuedWritersConnection)
        if queued:
            dbapi_connection.queue_to_write(busy_timeout_ms / 1000)
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
        except Exception:
            if queued:
                dbapi_connection.done_writing()
            raise


# --- exact decimals -----------------------------------------------------------------------


class ScaledDecimal(TypeDecorator):
    """An exact Decimal on every database.

    PostgreSQL keeps NUMERIC(precision, scale). SQLite has no decimal type (its NUMERIC is
    floating point), so there the value is stored as an integer count of 10^-scale units:
    sums and `qty = qty - :n` updates stay exact integer arithmetic in SQL.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int):
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.scale = scale
        self._unit = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.impl.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(self._unit, rounding=ROUND_HALF_UP)
        return int(value.scaleb(self.scale)) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self._unit)
        return Decimal(value).quantize(self._unit)


def Money() -> ScaledDecimal:  # noqa: N802 - reads as a column type
    """Prices and amounts: 2 decimal places (分)."""
    return ScaledDecimal(18, 2)


def UnitCost() -> ScaledDecimal:  # noqa: N802
    """Purchase and average costs per base unit: 6 decimal places."""
    return ScaledDecimal(20, 6)


def Quantity() -> ScaledDecimal:  # noqa: N802
    """Quantities in base units: 3 decimal places (kg, m)."""
    return ScaledDecimal(18, 3)


def Rate() -> ScaledDecimal:  # noqa: N802
    """Tax and discount rates: 0.13 is 13 %, 4 decimal places."""
    return ScaledDecimal(7, 4)


def Percent() -> ScaledDecimal:  # noqa: N802
    """Percentages: 12.50 is 12.5 %, 2 decimal places."""
    return ScaledDecimal(9, 2)


def compare_column_types(context, inspected_column, metadata_column, inspected_type, metadata_type):
    """Alembic: a ScaledDecimal is a NUMERIC(p, s) column in the schema on every database.

    (On SQLite the type binds integers, but the column is declared NUMERIC by migrations.)
    Returns None to let Alembic compare every other type as usual.
    """
    if isinstance(metadata_type, ScaledDecimal):
        same = (
            isinstance(inspected_type, Numeric)
            and inspected_type.precision == metadata_type.impl.precision
            and inspected_type.scale == metadata_type.scale
        )
        return not same
    return None
