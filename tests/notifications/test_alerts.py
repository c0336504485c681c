"""The alerts scan: expiring batches by their product's window, overdue invoices, late
purchase orders; each announced once, from the CLI and from the scheduler."""

from datetime import timedelta

import pytest

from app import create_app
from app.core.db import utcnow
from app.core.events import hub
from app.extensions import db
from app.notifications.alerts import scan
from config import TestingConfig
from tests.api.test_purchase_orders import _create, _order
from tests.api.test_sales_to_cash import _invoice
from tests.api.test_sales_to_cash import books as books  # noqa: F401 - the fixtures
from tests.api.test_sales_to_cash import order as order  # noqa: F401
from tests.api.test_sales_to_cash import shop as shop  # noqa: F401
from tests.api.test_sales_to_cash import store as store  # noqa: F401
from tests.notifications.support import move, notifications

TODAY = utcnow().date()
NOTHING = {"batch.expiring": 0, "receivable.overdue": 0, "po.late": 0}


def _in(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


def _scan(app, today=None) -> dict:
    with app.app_context():
        return scan(today)


@pytest.fixture
def shelves(depot):
    """Milk (default window: EXPIRY_ALERT_DAYS = 30) and yoghurt (its own window of 60
    days) in batches: inside the window, just outside it, sold out, and the yoghurt's."""
    manager = depot["manager"]

    def product(sku, **extra):
        made = manager.post("/api/v1/products", json={
            "sku": sku, "name": sku, "unit": "盒", "track_batches": True, "track_expiry": True,
            "shelf_life_days": 90, **extra})  # fmt: skip
        assert made.status_code == 201, made.json
        return made.json

    milk, yoghurt = product("milk"), product("yoghurt", expiry_alert_days=60)
    assert yoghurt["expiry_alert_days"] == 60 and milk["expiry_alert_days"] is None
    w1, w2 = depot["w1"], depot["w2"]
    stocked = [
        move(manager, "in", w1, milk["id"], "5", batch="INSIDE", expiry=_in(30)),
        move(manager, "in", w1, milk["id"], "5", batch="OUTSIDE", expiry=_in(31)),
        move(manager, "in", w1, milk["id"], "2", batch="GONE", expiry=_in(5)),
        move(manager, "out", w1, milk["id"], "2", batch="GONE"),
        move(manager, "in", w2, yoghurt["id"], "3", batch="LONG", expiry=_in(45)),
    ]
    assert all(made.status_code == 201 for made in stocked), [m.json for m in stocked]
    return {**depot, "milk": milk["id"], "yoghurt": yoghurt["id"]}


def test_expiring_batches_are_found_by_their_products_window_and_announced_once(shelves):
    app = shelves["app"]
    heard = []
    with app.app_context():
        hub().subscribe(heard.append)

    assert _scan(app) == {**NOTHING, "batch.expiring": 2}
    announced = {e.payload["batch"]["number"]: e for e in heard if e.name == "batch.expiring"}
    assert set(announced) == {"INSIDE", "LONG"}
    inside = announced["INSIDE"]
    assert inside.rooms == ("role:manager", f"warehouse:{shelves['w1']}")
    assert inside.payload["product"]["sku"] == "MILK" and inside.payload["qty"] == "5.000"
    assert (inside.payload["expiry"], inside.payload["days_left"]) == (_in(30), 30)
    assert inside.payload["expired"] is False and inside.payload["warehouse"]["code"] == "W1"

    notes = notifications(shelves["manager"], "?kind=batch.expiring")
    assert sorted(n["data"]["batch"]["number"] for n in notes) == ["INSIDE", "LONG"]
    assert {n["warehouse_id"] for n in notes} == {shelves["w1"], shelves["w2"]}
    assert notifications(shelves["floor"]) == []  # floor staff did not ask for them

    heard.clear()
    assert _scan(app) == NOTHING  # the second scan of the day finds nothing new
    assert heard == []
    # A day later OUTSIDE enters its window; later still INSIDE has expired with stock left.
    assert _scan(app, TODAY + timedelta(days=1)) == {**NOTHING, "batch.expiring": 1}
    assert _scan(app, TODAY + timedelta(days=31)) == {**NOTHING, "batch.expiring": 1}
    expired = [e.payload for e in heard if e.name == "batch.expiring" and e.payload["expired"]]
    assert [(p["batch"]["number"], p["days_left"]) for p in expired] == [("INSIDE", -1)]
    assert _scan(app, TODAY + timedelta(days=31)) == NOTHING


def test_the_cli_prints_what_it_found(shelves):
    result = shelves["app"].test_cli_runner().invoke(args=["alerts", "scan"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "batch.expiring: 2 new", "receivable.overdue: 0 new", "po.late: 0 new"]  # fmt: skip


def test_an_overdue_invoice_is_announced_to_finance_and_managers_once(app, books):
    finance, manager = books["finance"], books["manager"]
    due_later = _invoice(finance, books["order"], invoice_date=_in(0))
    assert due_later.status_code == 201, due_later.json
    assert _scan(app)["receivable.overdue"] == 0  # due today: not overdue yet

    assert _scan(app, TODAY + timedelta(days=3))["receivable.overdue"] == 1
    (note,) = notifications(finance, "?kind=receivable.overdue")
    data = note["data"]
    assert data["invoice"]["number"] == due_later.json["number"]
    assert (data["due_date"], data["days_overdue"]) == (_in(0), 3)
    assert data["open"] == due_later.json["open"] and data["customer"]["code"] == "C1"
    assert note["warehouse_id"] is None
    assert len(notifications(manager, "?kind=receivable.overdue")) == 1
    assert all(n["kind"] != "receivable.overdue" for n in notifications(books["sales"]))
    assert _scan(app, TODAY + timedelta(days=4))["receivable.overdue"] == 0


def test_a_late_purchase_order_is_announced_once_per_expected_date(app, shop):
    late = _order(shop, [{"product_id": shop["rice"], "qty": "10", "unit_price": "4"}],
                  expected_date=_in(-1))  # fmt: skip
    _order(shop, [{"product_id": shop["rice"], "qty": "1", "unit_price": "4"}],
           expected_date=_in(5))  # fmt: skip
    draft = _create(shop["buyer"], shop, [{"product_id": shop["rice"], "qty": "1",
                    "unit_price": "4"}], expected_date=_in(-3))  # fmt: skip
    assert draft.status_code == 201  # a draft is not late: nobody expects it yet

    assert _scan(app)["po.late"] == 1
    (note,) = notifications(shop["buyer"], "?kind=po.late")
    assert note["data"]["order"]["number"] == late["number"]
    assert (note["data"]["days_late"], note["data"]["supplier"]["code"]) == (1, "S1")
    assert note["warehouse_id"] == shop["w1"]
    assert _scan(app)["po.late"] == 0


@pytest.fixture
def scheduled_app(database_url, db_backend, tmp_path):
    app = create_app(TestingConfig, instance_path=tmp_path / "scheduled",
                     SQLALCHEMY_DATABASE_URI=database_url, ALERTS_SCHEDULER=True,
                     ALERTS_SCAN_INTERVAL_S=3600)  # fmt: skip
    with app.app_context():
        db.create_all()
    yield app
    app.extensions["jxc_alerts"].stop()
    with app.app_context():
        db.session.remove()
        if db_backend == "postgresql":
            db.drop_all()
        db.engine.dispose()


def test_the_scheduler_scans_once_the_server_serves(scheduled_app):
    scheduler = scheduled_app.extensions["jxc_alerts"]
    assert scheduler.completed_scans == 0  # not at create_app: CLI commands never scan
    scheduled_app.test_client().get("/api/v1/health")
    scheduled_app.test_client().get("/api/v1/health")
    assert scheduler.wait_for_scans(1)
    assert scheduler.completed_scans == 1  # one thread; the next round is an hour away


def test_the_home_tiles_count_what_needs_attention_within_what_each_may_see(shelves):
    manager, floor, sales = shelves["manager"], shelves["floor"], shelves["sales"]
    coke, w1, w2 = shelves["coke"], shelves["w1"], shelves["w2"]
    # Coke's safety stock is 10: 4 in W1 is below it, 12 in W2 is not.
    assert move(manager, "in", w1, coke, "4").status_code == 201
    assert move(manager, "in", w2, coke, "12").status_code == 201

    tiles = manager.get("/api/v1/alerts/summary")
    assert tiles.status_code == 200, tiles.json
    # INSIDE (30 days, W1) and LONG (45 days of its own 60, W2); OUTSIDE and GONE are not.
    assert tiles.json == {"low_stock": 1, "expiring_batches": 2, "orders_today": 0}
    # Floor staff of W1 see W1 only: coke in W1 and the INSIDE batch.
    floor_tiles = floor.get("/api/v1/alerts/summary").json
    assert (floor_tiles["low_stock"], floor_tiles["expiring_batches"]) == (1, 1)
    assert move(manager, "out", w2, coke, "3").status_code == 201  # W2 now 9 < 10
    assert manager.get("/api/v1/alerts/summary").json["low_stock"] == 2
    assert floor.get("/api/v1/alerts/summary").json["low_stock"] == 1
    assert sales.get("/api/v1/alerts/summary").json["orders_today"] == 0


def test_the_orders_tile_counts_todays_sales_orders(order, login_as):
    assert login_as("manager").get("/api/v1/alerts/summary").json["orders_today"] == 1
    # A stocktake clerk reads stock but not orders.
    assert login_as("clerk").get("/api/v1/alerts/summary").json["orders_today"] is None
