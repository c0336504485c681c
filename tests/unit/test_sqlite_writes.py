"""Concurrent writers on SQLite queue on the busy timeout instead of failing."""

import threading

from sqlalchemy import select

from app.extensions import db
from app.inventory.models import Warehouse


def test_concurrent_read_modify_write_loses_nothing(app):
    with app.app_context():
        db.session.add(Warehouse(code="CNT", name="0"))
        db.session.commit()

    errors = []

    def bump(times):
        with app.app_context():
            for _ in range(times):
                try:
                    # Read, then write in the same transaction: the classic lost update.
                    row = db.session.scalar(select(Warehouse).where(Warehouse.code == "CNT"))
                    row.name = str(int(row.name) + 1)
                    db.session.commit()
                except Exception as exc:  # collected, asserted below
                    errors.append(exc)
                    db.session.rollback()

    threads = [threading.Thread(target=bump, args=(25,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(Warehouse.name).where(Warehouse.code == "CNT")) == "100"
