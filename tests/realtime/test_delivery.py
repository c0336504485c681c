"""Committed events reach the rooms they name, each client with the fields it may see."""

from datetime import datetime

from app.core import events
from app.extensions import db
from app.inventory.models import Warehouse
from tests.realtime.conftest import move, received


def test_stock_changed_reaches_its_warehouse_and_costs_only_the_cost_tier(shop, connect, login_as):
    staff = connect(login_as("warehouse", warehouse_ids=[shop["w1"]]))
    manager = connect(shop["manager"])
    for sock in (staff, manager):
        sock.get_received()

    move(shop["manager"], "in", shop["w1"], shop["coke"], "12")
    move(shop["manager"], "in", shop["w2"], shop["coke"], "30")

    heard_by_staff = received(staff, "stock.changed")
    assert [(e["warehouse_id"], e["on_hand"]) for e in heard_by_staff] == [(shop["w1"], "12.000")]
    assert "value" not in heard_by_staff[0]
    heard_by_manager = received(manager, "stock.changed")
    assert [(e["warehouse_id"], e["value"]) for e in heard_by_manager] == [
        (shop["w1"], "24.00"),
        (shop["w2"], "60.00"),
    ]
    event = heard_by_manager[0]
    assert event["product"]["id"] == shop["coke"] and event["available"] == "12.000"
    assert len(event["event_id"]) == 32
    assert datetime.fromisoformat(event["at"]).utcoffset().total_seconds() == 0


def test_an_event_of_a_rolled_back_transaction_reaches_nobody(app, shop, connect):
    sock = connect(shop["manager"])
    sock.get_received()
    room = f"warehouse:{shop['w1']}"
    with app.app_context():
        db.session.add(Warehouse(code="RB1", name="rolled back"))
        db.session.flush()
        events.emit("stock.changed", {"product_id": 1}, rooms=[room])
        db.session.rollback()
    assert sock.get_received() == []

    with app.app_context():
        db.session.add(Warehouse(code="OK1", name="committed"))
        db.session.flush()
        events.emit("stock.changed", {"product_id": 2}, rooms=[room])
        assert sock.get_received() == []  # not before the commit
        db.session.commit()
    [event] = received(sock, "stock.changed")
    assert event["product_id"] == 2 and event["event_id"]


def test_an_event_without_rooms_is_sent_to_nobody(app, shop, connect):
    sock = connect(shop["manager"])
    sock.get_received()
    with app.app_context():
        events.emit("notification", {"text": "for whom?"})
    assert sock.get_received() == []


def test_a_user_room_reaches_that_user_only(app, connect, login_as, make_user):
    first, second = login_as("sales"), login_as("sales")
    first_id = first.get("/api/v1/auth/me").json["id"]
    first_sock, second_sock = connect(first), connect(second)
    with app.app_context():
        events.emit("notification", {"text": "hi"}, rooms=[f"user:{first_id}"])
    assert received(first_sock, "notification")[0]["text"] == "hi"
    assert received(second_sock, "notification") == []


def test_order_status_reaches_the_salesperson(shop, connect, login_as):
    manager = shop["manager"]
    sales = login_as("sales")
    me = sales.get("/api/v1/auth/me").json
    customer = manager.post("/api/v1/customers", json={
        "code": "C1", "name": "华联超市", "salesperson_id": me["id"]}).json  # fmt: skip
    move(manager, "in", shop["w1"], shop["coke"], "20")
    order = sales.post("/api/v1/sales-orders", json={
        "customer_id": customer["id"], "warehouse_id": shop["w1"],
        "lines": [{"product_id": shop["coke"], "qty": "4"}]})  # fmt: skip
    assert order.status_code == 201, order.json
    sock = connect(sales)
    assert f"user:{me['id']}" in sock.emit("rooms", callback=True)
    sock.get_received()

    confirmed = sales.post(f"/api/v1/sales-orders/{order.json['id']}/confirm", json={})
    assert confirmed.status_code == 200, confirmed.json

    [status] = received(sock, "order.status")
    assert (status["type"], status["id"], status["from"], status["to"]) == (
        "sales", order.json["id"], "draft", "confirmed")  # fmt: skip
    assert status["by"]["id"] == me["id"]


def test_stock_low_arrives_once_per_crossing_below_safety_stock(shop, connect, login_as):
    staff = connect(login_as("warehouse", warehouse_ids=[shop["w1"]]))
    manager = shop["manager"]
    move(manager, "in", shop["w1"], shop["coke"], "12")
    assert received(staff, "stock.low") == []

    move(manager, "out", shop["w1"], shop["coke"], "5")  # 12 → 7: below 10
    [low] = received(staff, "stock.low")
    assert (low["available"], low["safety_stock"]) == ("7.000", "10.000")
    assert low["product"]["id"] == shop["coke"] and low["warehouse_id"] == shop["w1"]

    move(manager, "out", shop["w1"], shop["coke"], "2")  # 7 → 5: still below, no news
    assert received(staff, "stock.low") == []

    move(manager, "in", shop["w1"], shop["coke"], "20")  # 25: back above
    move(manager, "out", shop["w1"], shop["coke"], "16")  # 9: a new crossing
    assert [e["available"] for e in received(staff, "stock.low")] == ["9.000"]
