"""Shipping sales orders: partial shipments, first-expiry-first-out batches, cost of goods
at the moving average kept per line, reservations freed, states, tracking history and the
delivery note."""

from datetime import timedelta

import pypdfium2 as pdfium
import pytest

from app.core.db import utcnow
from app.inventory.verify import differences
from tests.api.test_purchase_orders import EAN
from tests.api.test_sales_orders import URL, _act, _available, _made
from tests.api.test_sales_orders import shop as shop  # noqa: F401 - the fixtures
from tests.api.test_sales_orders import store as store  # noqa: F401
from tests.support import assert_problem

YEAR = utcnow().year


def _days(n: int) -> str:
    return (utcnow() + timedelta(days=n)).date().isoformat()


@pytest.fixture
def order(store):
    """Milk in two batches (B1: 5 at 5.00, expiring first; B2: 5 at 4.00) beside the
    store's coke; an order of 7 milk at 6.00 and 4 coke at the vip price, confirmed."""
    manager = store["manager"]
    stocked = manager.post("/api/v1/stock/movements", json={
        "type": "in", "warehouse_id": store["w1"], "lines": [
            {"product_id": store["milk"], "qty": "5", "unit_cost": "4", "batch": "B2",
             "expiry": _days(30)},
            {"product_id": store["milk"], "qty": "5", "unit_cost": "5", "batch": "B1",
             "expiry": _days(10)}]})  # fmt: skip
    assert stocked.status_code == 201, stocked.json
    made = _made(store["sales"], store,
                 {"product_id": store["milk"], "qty": "7", "unit_price": "6"},
                 {"product_id": store["coke"], "qty": "4"})  # fmt: skip
    confirmed = _act(store["sales"], made, "confirm")
    assert confirmed.status_code == 200, confirmed.json
    return confirmed.json


def _ship(client, order, *lines, **extra):
    return client.post(f"{URL}/{order['id']}/shipments", json={"lines": list(lines), **extra})


def test_partial_shipments_fefo_cost_and_tracking(app, store, order, login_as):
    floor = login_as("warehouse")
    milk_line, coke_line = order["lines"]

    picks = floor.get(f"{URL}/{order['id']}/pick-list").json["lines"]
    assert [(p["batch"]["number"], p["qty"]) for p in picks[0]["picks"]] == [
        ("B1", "5.000"), ("B2", "2.000")]  # fmt: skip
    assert picks[1]["left_qty"] == "4.000"

    first = _ship(floor, order, {"so_line_id": milk_line["id"], "qty": "6"},
                  {"so_line_id": coke_line["id"], "qty": "2"},
                  carrier="顺丰速运", tracking_no="SF1234567890")  # fmt: skip
    assert first.status_code == 201, first.json
    shipment = first.json
    assert shipment["number"] == f"SH-{YEAR}-000001"
    assert shipment["order"]["state"] == "partially_shipped"
    milk, coke = shipment["lines"]
    # The earliest batch first: all 5 of B1, then 1 of B2.
    assert [(p["batch"]["number"], p["qty"]) for p in milk["picked"]] == [
        ("B1", "5.000"), ("B2", "1.000")]  # fmt: skip
    assert "cost" not in milk and "revenue" not in milk  # the floor sees neither
    manager_view = store["manager"].get(f"/api/v1/shipments/{shipment['id']}").json
    milk, coke = manager_view["lines"]
    # Milk's moving average is (5 × 4 + 5 × 5) / 10 = 4.50: 6 leave at 27.00.
    assert (milk["cost"], milk["revenue"], milk["margin"]) == ("27.00", "36.00", "9.00")
    assert (coke["cost"], coke["revenue"]) == ("4.00", "5.20")  # 2 × 2.00; 2 × 2.60

    # What left is no longer reserved, and what is still to ship still is.
    assert _available(floor, store, store["milk"]) == "3.000"  # 10 − 6 shipped − 1 reserved
    assert _available(floor, store, store["coke"]) == "6.000"  # 10 − 2 − 2
    now = store["sales"].get(f"{URL}/{order['id']}").json
    assert [x["reserved_base_qty"] for x in now["lines"]] == ["1.000", "2.000"]
    assert [x["shipped_qty"] for x in now["lines"]] == ["6.000", "2.000"]

    # More than is left of a line is refused, naming it; nothing leaves.
    refused = _ship(floor, order, {"so_line_id": coke_line["id"], "qty": "3"})
    body = assert_problem(refused, 409, "over-shipment", field="lines.0.qty")
    assert (body["ordered"], body["shipped"], body["requested"]) == ("4", "2", "5")

    # The rest, by scanning: the coke bottle's barcode and milk's SKU.
    rest = _ship(floor, order, {"code": "milk-1l", "qty": "1"},
                 {"code": EAN, "qty": "2"})  # fmt: skip
    assert rest.status_code == 201, rest.json
    assert rest.json["order"]["state"] == "shipped"
    assert _available(floor, store, store["coke"]) == "6.000"
    assert_problem(_ship(floor, order, {"so_line_id": coke_line["id"], "qty": "1"}), 409,
                   "invalid-state")  # fmt: skip
    assert_problem(_act(store["sales"], order, "cancel"), 409, "invalid-state")

    history = store["sales"].get(f"{URL}/{order['id']}/history").json
    assert [(h["event"], h["to"]) for h in history] == [
        ("created", "draft"), ("state", "confirmed"), ("shipped", None),
        ("state", "partially_shipped"), ("shipped", None), ("state", "shipped")]  # fmt: skip
    assert history[2]["data"]["carrier"] == "顺丰速运"
    assert history[2]["data"]["tracking_no"] == "SF1234567890"
    assert history[2]["data"]["shipment"]["number"] == shipment["number"]
    with app.app_context():
        assert differences() == []

    note = floor.get(f"/api/v1/shipments/{shipment['id']}/delivery-note.pdf?lang=zh-CN")
    assert note.status_code == 200 and note.mimetype == "application/pdf"
    text = "".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(note.data))
    for expected in ("送货单", shipment["number"], "SF1234567890", "华联超市", "南京路 1 号",
                     "B1", "收货人签字及日期"):  # fmt: skip
        assert expected in text, expected
    assert "6.00" not in text  # no prices on a delivery note


def test_what_cannot_ship(store, order, login_as):
    floor, sales = login_as("warehouse"), store["sales"]
    draft = _made(sales, store, {"product_id": store["coke"], "qty": "1"})
    assert_problem(_ship(floor, draft, {"code": "coke-500", "qty": "1"}), 409, "invalid-state")
    cases = [
        ({"so_line_id": 999999, "qty": "1"}, "lines.0.so_line_id"),
        ({"code": "rice", "qty": "1"}, "lines.0.code"),  # not on the order
        ({"code": "no-such-code", "qty": "1"}, "lines.0.code"),
        ({"so_line_id": order["lines"][1]["id"], "qty": "0"}, "lines.0.qty"),
    ]
    for line, field in cases:
        assert_problem(_ship(floor, order, line), 422, field=field)
    unknown_batch = {"so_line_id": order["lines"][0]["id"], "qty": "1", "batch": "NOPE"}
    assert_problem(_ship(floor, order, unknown_batch), 404, field="batch")
    assert_problem(_ship(sales, order, {"code": "coke-500", "qty": "1"}), 403)
    assert floor.get(f"{URL}/{order['id']}/shipments").json == []
    assert _available(floor, store, store["coke"]) == "6.000"  # still reserved, not shipped
