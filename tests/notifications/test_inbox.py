"""Stored notifications: who gets an alert, that they commit with the change, and the
inbox API (list, catch-up, unread count, read, read all, preferences)."""

import pytest
from sqlalchemy import func, select

from app.core.events import hub
from app.extensions import db
from app.inventory.models import StockBalance
from app.notifications.models import Notification
from tests.api.test_purchase_orders import _order, _receive
from tests.api.test_sales_orders import _act, _made
from tests.api.test_sales_orders import shop as shop  # noqa: F401 - the fixtures
from tests.api.test_sales_orders import store as store  # noqa: F401
from tests.notifications.support import drop_below_safety, move, notifications, stored
from tests.support import assert_problem


def _me(client) -> int:
    return client.get("/api/v1/auth/me").json["id"]


def test_a_stock_low_crossing_is_stored_for_managers_and_purchasers_only(depot):
    heard = []
    with depot["app"].app_context():
        hub().subscribe(heard.append)
    drop_below_safety(depot)

    for role in ("manager", "admin", "purchaser"):
        (note,) = notifications(depot[role])
        assert note["kind"] == "stock.low" and note["read_at"] is None
        assert note["warehouse_id"] == depot["w1"]
        data = note["data"]
        assert data["product"]["sku"] == "COKE-500" and data["product"]["name"] == "可口可乐 500ml"
        assert (data["available"], data["safety_stock"]) == ("9.000", "10.000")
        assert data["warehouse"]["code"] == "W1"
    for role in ("sales", "floor", "finance"):
        assert notifications(depot[role]) == []

    # Each stored notification is announced to its owner's room after the commit, with the
    # id of the live stock.low event it came from.
    (low,) = [e for e in heard if e.name == "stock.low"]
    sent = [e for e in heard if e.name == "notification"]
    assert {e.rooms for e in sent} == {
        (f"user:{_me(depot[role])}",) for role in ("manager", "admin", "purchaser")
    }
    assert {e.payload["event_id"] for e in sent} == {low.id}
    assert all(e.payload["kind"] == "stock.low" and e.payload["id"] for e in sent)


def test_warehouses_filter_who_hears_of_a_place(depot, login_as):
    floor, w1, w2 = depot["floor"], depot["w1"], depot["w2"]
    # Floor staff of W1 opt in; a W2 clerk-like floor user too; the manager only wants W2.
    assert floor.put("/api/v1/notifications/preferences", json={
        "kinds": ["stock.low"], "warehouse_ids": [w1]}).status_code == 200  # fmt: skip
    other_floor = login_as("warehouse", warehouse_ids=[w2])
    assert other_floor.put("/api/v1/notifications/preferences",
                           json={"kinds": ["stock.low"]}).status_code == 200  # fmt: skip
    chosen = depot["manager"].put(
        "/api/v1/notifications/preferences", json={"kinds": ["stock.low"], "warehouse_ids": [w2]}
    )
    assert chosen.status_code == 200 and chosen.json["customised"] is True
    assert chosen.json["warehouse_ids"] == [w2]

    drop_below_safety(depot, "w1")
    assert [n["kind"] for n in notifications(floor)] == ["stock.low"]
    assert notifications(other_floor) == []  # may not see W1
    assert notifications(depot["manager"]) == []  # chose W2 only


def test_a_failed_commit_leaves_no_notification_and_announces_nothing(depot):
    app, admin = depot["app"], depot["admin"]
    assert move(admin, "in", depot["w1"], depot["coke"], "12").status_code == 201
    heard = []

    def fail_after_notifications(evt):
        if evt.name == "notification":
            raise RuntimeError("the commit fails after the notifications were written")

    with app.app_context():
        hub().prepare_with(fail_after_notifications)
        hub().subscribe(heard.append)
    failed = move(admin, "out", depot["w1"], depot["coke"], "3")
    assert_problem(failed, 500, "server-error")

    assert stored(app) == [] and heard == []
    with app.app_context():
        on_hand = db.session.scalar(select(func.sum(StockBalance.on_hand)))
    assert on_hand == 12  # the stock did not move either


def test_order_status_reaches_the_owner_but_not_for_their_own_step(store, login_as):
    sales, manager = store["sales"], store["manager"]
    order = _made(sales, store, {"product_id": store["coke"], "qty": "1"})
    assert _act(sales, order, "confirm").status_code == 200  # their own step: no notification
    assert notifications(sales) == []
    assert _act(manager, order, "cancel", note="客户取消").status_code == 200
    (note,) = notifications(sales)
    assert note["kind"] == "order.status" and note["warehouse_id"] == store["w1"]
    assert note["data"]["type"] == "sales" and note["data"]["number"] == order["number"]
    assert (note["data"]["from"], note["data"]["to"]) == ("confirmed", "cancelled")
    assert note["data"]["by"]["id"] == _me(manager)
    assert notifications(manager) == []  # managers are not told of order steps by default

    # A purchase order: its creator hears that the floor received it.
    purchase = _order(store, [{"product_id": store["rice"], "qty": "10", "unit_price": "4"}])
    assert notifications(store["buyer"]) == []  # created and approved it themselves
    floor = login_as("warehouse")
    line = purchase["lines"][0]
    assert _receive(floor, purchase, {"po_line_id": line["id"], "qty": "4"}).status_code == 201
    (note,) = notifications(store["buyer"])
    assert (note["data"]["type"], note["data"]["to"]) == ("purchase", "partially_received")


def _add(app, user_id: int, count: int, kind: str = "po.late") -> list[int]:
    with app.app_context():
        rows = [Notification(user_id=user_id, kind=kind, data={"n": n}, event_id=f"e{n}")
                for n in range(count)]  # fmt: skip
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def test_the_inbox_lists_counts_and_marks_read_only_your_own(app, login_as):
    me, other = login_as("purchaser"), login_as("purchaser")
    mine = _add(app, _me(me), 5)
    theirs = _add(app, _me(other), 2)
    _add(app, _me(me), 1, kind="stock.low")

    page = me.get("/api/v1/notifications?per_page=3").json
    assert page["total"] == 6 and len(page["items"]) == 3
    assert [n["id"] for n in notifications(me, "?kind=po.late")] == mine[::-1]  # newest first
    assert me.get("/api/v1/notifications/unread-count").json == {"count": 6}

    read = me.post(f"/api/v1/notifications/{mine[0]}/read")
    assert read.status_code == 200 and read.json["read_at"] is not None
    again = me.post(f"/api/v1/notifications/{mine[0]}/read")
    assert again.json["read_at"] == read.json["read_at"]  # read once, when first read
    assert_problem(me.post(f"/api/v1/notifications/{theirs[0]}/read"), 404, "not-found")
    assert_problem(me.post("/api/v1/notifications/999999/read"), 404)
    assert len(notifications(me, "?unread=true")) == 5

    # Read all up to what the reader saw: a later one stays unread.
    marked = me.post("/api/v1/notifications/read-all", json={"up_to_id": mine[3]})
    assert marked.json == {"count": 3}
    assert me.get("/api/v1/notifications/unread-count").json == {"count": 2}
    assert me.post("/api/v1/notifications/read-all", json={}).json == {"count": 2}
    assert me.get("/api/v1/notifications/unread-count").json == {"count": 0}
    assert other.get("/api/v1/notifications/unread-count").json == {"count": 2}


def test_after_id_catches_up_oldest_first(app, login_as):
    me = login_as("manager")
    ids = _add(app, _me(me), 5)
    missed = notifications(me, f"?after_id={ids[1]}")
    assert [n["id"] for n in missed] == ids[2:]
    page = me.get(f"/api/v1/notifications?after_id={ids[1]}&per_page=2").json
    assert [n["id"] for n in page["items"]] == ids[2:4] and page["total"] == 3
    assert notifications(me, f"?after_id={ids[-1]}") == []


def test_preferences_default_by_role_and_are_replaced(depot):
    sales = depot["sales"]
    got = sales.get("/api/v1/notifications/preferences").json
    assert got == {"kinds": ["order.status"], "warehouse_ids": None, "customised": False,
                   "default_kinds": ["order.status"],
                   "available_kinds": ["stock.low", "batch.expiring", "order.status"]}  # fmt: skip
    manager = depot["manager"].get("/api/v1/notifications/preferences").json
    assert manager["kinds"] == ["stock.low", "batch.expiring", "receivable.overdue"]

    put = sales.put("/api/v1/notifications/preferences",
                    json={"kinds": ["stock.low", "stock.low"], "warehouse_ids": None})  # fmt: skip
    assert put.status_code == 200
    assert (put.json["kinds"], put.json["customised"]) == (["stock.low"], True)
    assert sales.get("/api/v1/notifications/preferences").json["kinds"] == ["stock.low"]
    drop_below_safety(depot)
    assert [n["kind"] for n in notifications(sales)] == ["stock.low"]


@pytest.mark.parametrize(
    ("role", "body", "field", "reason"),
    [
        ("sales", {"kinds": ["stock.low", "weather"]}, "kinds", "unknown kind: weather"),
        ("sales", {"kinds": ["receivable.overdue"]}, "kinds", "does not receive"),
        ("sales", {}, "kinds", ""),
        ("manager", {"kinds": [], "warehouse_ids": [999999]}, "warehouse_ids", "999999"),
        ("manager", {"kinds": [], "warehouse_ids": ["1"]}, "warehouse_ids", ""),
        ("floor", {"kinds": ["stock.low"], "warehouse_ids": ["W2"]}, "warehouse_ids", ""),
    ],
)
def test_bad_preferences_are_a_422_naming_the_field(depot, role, body, field, reason):
    if body.get("warehouse_ids") == ["W2"]:
        body = {**body, "warehouse_ids": [depot["w2"]]}  # floor staff of W1 may not see W2
    client = depot[role]
    refused = client.put("/api/v1/notifications/preferences", json=body)
    problem = assert_problem(refused, 422, "validation-error", field=field)
    assert reason in " ".join(problem["errors"][field])
    assert client.get("/api/v1/notifications/preferences").json["customised"] is False
