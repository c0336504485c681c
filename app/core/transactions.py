"""Running a unit of work as one transaction, and the SQL both databases share for it."""

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from app.extensions import db

T = TypeVar("T")

# PostgreSQL: serialization failure and deadlock. Both mean "run the whole thing again".
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
MAX_ATTEMPTS = 5


def _retryable(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def run_transaction(work: Callable[[], T], attempts: int = MAX_ATTEMPTS) -> T:
    """Run `work` and commit; on PostgreSQL, rerun it after a serialization failure or a
    deadlock, a bounded number of times. (SQLite writers queue on BEGIN IMMEDIATE.)"""
    for attempt in range(1, attempts + 1):
        try:
            result = work()
            db.session.commit()
            return result
        except DBAPIError as error:
            db.session.rollback()
            if attempt == attempts or not _retryable(error):
                raise
            time.sleep(random.uniform(0, 0.004 * 2**attempt))  # desynchronise the retries
    raise AssertionError("unreachable")


def insert_ignoring_duplicates(table: Table):
    """INSERT … ON CONFLICT DO NOTHING, on whichever database this is."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()
