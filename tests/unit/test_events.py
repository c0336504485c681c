from app.core import events
from app.extensions import db
from app.inventory.models import Warehouse


def test_events_are_published_only_after_commit(app):
    heard = []
    with app.app_context():
        events.hub().subscribe(heard.append)
        db.session.add(Warehouse(code="EV1", name="x"))
        db.session.flush()
        events.emit("stock.changed", {"product_id": 1}, rooms=["warehouse:1"])
        assert heard == []  # not yet: the transaction may still roll back
        db.session.commit()
        assert [(e.name, e.payload, e.rooms) for e in heard] == [
            ("stock.changed", {"product_id": 1}, ("warehouse:1",))
        ]


def test_events_of_a_rolled_back_transaction_are_dropped(app):
    heard = []
    with app.app_context():
        events.hub().subscribe(heard.append)
        db.session.add(Warehouse(code="EV2", name="x"))
        db.session.flush()
        events.emit("stock.changed", {"product_id": 2})
        db.session.rollback()
        db.session.add(Warehouse(code="EV3", name="y"))
        db.session.commit()
        assert heard == []


def test_a_failing_subscriber_does_not_stop_the_others(app):
    heard = []

    def broken(_event):
        raise RuntimeError("listener bug")

    with app.app_context():
        events.hub().subscribe(broken)
        events.hub().subscribe(heard.append)
        db.session.add(Warehouse(code="EV4", name="x"))
        db.session.flush()
        events.emit("notification", {"text": "hi"})
        db.session.commit()
        assert [e.name for e in heard] == ["notification"]
