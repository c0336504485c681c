"""run_transaction: a PostgreSQL serialization failure or deadlock runs the work again."""

import pytest
from sqlalchemy.exc import DBAPIError

from app.core.transactions import MAX_ATTEMPTS, run_transaction
from app.extensions import db
from app.inventory.models import Warehouse


class _Failure(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _error(sqlstate):
    return DBAPIError("UPDATE …", {}, _Failure(sqlstate))


def test_a_deadlock_is_retried_and_the_work_commits_once(app):
    attempts = []

    def work():
        db.session.add(Warehouse(code=f"RT{len(attempts)}", name="retry"))
        attempts.append(1)
        if len(attempts) < 3:
            raise _error("40P01" if len(attempts) == 1 else "40001")
        return "done"

    with app.app_context():
        assert run_transaction(work) == "done"
        codes = db.session.scalars(db.select(Warehouse.code)).all()
    assert len(attempts) == 3
    assert codes == ["RT2"]  # the failed attempts were rolled back


def test_other_errors_and_endless_conflicts_are_raised(app):
    calls = []

    def conflicting():
        calls.append(1)
        raise _error("40001")

    def duplicate():
        calls.append(1)
        raise _error("23505")

    with app.app_context():
        with pytest.raises(DBAPIError):
            run_transaction(conflicting)
        assert len(calls) == MAX_ATTEMPTS
        calls.clear()
        with pytest.raises(DBAPIError):
            run_transaction(duplicate)
        assert len(calls) == 1  # a unique violation is not a reason to try again
