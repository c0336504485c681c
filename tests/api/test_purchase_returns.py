"""Purchase returns: at the receipt's cost, from the receipt's place, never more than came."""

from datetime import timedelta

import pytest

from app.core.db import utcnow
from tests.api.test_purchase_orders import (
    _balance,
    _ledger_total,
    _order,
    _race,
    _receive,
    _token_for,
)
from tests.api.test_purchase_orders import shop as shop  # noqa: F401 - the fixture
from tests.support import assert_problem

YEAR = utcnow().year


def _return(client, receipt, *lines, reason="", note=""):
    return client.post(
        f"/api/v1/purchase-receipts/{receipt['id']}/returns",
        json={"lines": list(lines), "reason": reason, "note": note},
    )


def _received(shop, product, qty, price, **line) -> dict:
    """An approved order of `qty` at `price`, received in full: its receipt."""
    order = _order(shop, [{"product_id": shop[product], "qty": qty, "unit_price": price}])
    got = _receive(shop["manager"], order, {"po_line_id": order["lines"][0]["id"], "qty": qty,
                                            **line})  # fmt: skip
    assert got.status_code == 201, got.json
    return got.json


def _returns(client, receipt) -> list[dict]:
    return client.get(f"/api/v1/purchase-orders/{receipt['order']['id']}/returns").json


def test_a_return_leaves_at_the_receipt_cost_and_moves_the_average(app, shop):
    manager = shop["manager"]
    cheap = _received(shop, "coke", "10", "2")
    _received(shop, "coke", "10", "3")
    balance = _balance(manager, shop["coke"], shop["w1"])
    assert (balance["on_hand"], balance["value"], balance["avg_cost"]) == (
        "20.000", "50.00", "2.500000")  # fmt: skip

    got = _return(manager, cheap, {"receipt_line_id": cheap["lines"][0]["id"], "qty": "4"},
                  reason="破损", note="司机带回")  # fmt: skip
    assert got.status_code == 201, got.json
    sent = got.json
    assert sent["number"] == f"PR-{YEAR}-000001"
    assert sent["document"]["number"] == f"OUT-{YEAR}-000001"
    assert (sent["receipt"]["id"], sent["purchase_order"]["id"]) == (
        cheap["id"], cheap["order"]["id"])  # fmt: skip
    assert (sent["reason"], sent["note"]) == ("破损", "司机带回")
    line = sent["lines"][0]
    assert (line["qty"], line["base_qty"], line["unit"]) == ("4.000", "4.000", "瓶")
    assert (line["unit_cost"], line["returned_base_qty"]) == ("2.000000", "4.000")

    # 4 leave at 2.00 (not at the average 2.50): 50 − 8 = 42 over 16 = 2.625.
    balance = _balance(manager, shop["coke"], shop["w1"])
    assert (balance["on_hand"], balance["value"], balance["avg_cost"]) == (
        "16.000", "42.00", "2.625000")  # fmt: skip
    entry = manager.get(f"/api/v1/stock/ledger?document_id={sent['document']['id']}").json
    assert [(e["qty"], e["unit_cost"], e["value"]) for e in entry["items"]] == [
        ("-4.000", "2.000000", "-8.00")]  # fmt: skip
    movement = manager.get(f"/api/v1/stock/movements/{sent['document']['id']}").json
    assert movement["type"] == "out"

    # The order is not reopened: it stays received, with nothing on order.
    order = manager.get(f"/api/v1/purchase-orders/{cheap['order']['id']}").json
    assert (order["state"], order["lines"][0]["received_qty"]) == ("received", "10.000")
    assert _balance(manager, shop["coke"], shop["w1"])["on_order"] == "0.000"
    receipts = manager.get(f"/api/v1/purchase-orders/{cheap['order']['id']}/receipts").json
    assert receipts[0]["lines"][0]["returned_base_qty"] == "4.000"
    assert [r["number"] for r in _returns(manager, cheap)] == [f"PR-{YEAR}-000001"]
    assert app.test_cli_runner().invoke(args=["stock", "verify"]).exit_code == 0


def test_returned_quantities_accumulate_and_an_over_return_writes_nothing(shop):
    manager = shop["manager"]
    receipt = _received(shop, "rice", "10", "3")
    line_id = receipt["lines"][0]["id"]
    assert _return(manager, receipt, {"receipt_line_id": line_id, "qty": "3"}).status_code == 201
    second = _return(manager, receipt, {"receipt_line_id": line_id, "qty": "2.5"},
                     {"receipt_line_id": line_id, "qty": "1.5"})  # fmt: skip
    assert second.status_code == 201, second.json
    assert second.json["lines"][1]["returned_base_qty"] == "7.000"
    ledger_before = _ledger_total(manager)

    refused = _return(manager, receipt, {"receipt_line_id": line_id, "qty": "2"},
                      {"receipt_line_id": line_id, "qty": "1.5"})  # fmt: skip
    body = assert_problem(refused, 409, "over-return", field="lines.1.qty")
    assert (body["received"], body["returned"], body["requested"]) == ("10", "7", "3.5")
    assert (body["receipt_line_id"], body["line"], body["unit"]) == (line_id, 2, "kg")
    assert "received 10, already returned 7, requested 3.5" in body["detail"]

    assert _ledger_total(manager) == ledger_before
    assert len(_returns(manager, receipt)) == 2
    assert _balance(manager, shop["rice"], shop["w1"])["on_hand"] == "3.000"
    receipts = manager.get(f"/api/v1/purchase-orders/{receipt['order']['id']}/receipts").json
    assert receipts[0]["lines"][0]["returned_base_qty"] == "7.000"
    # The last three may still go back, exactly.
    assert _return(manager, receipt, {"receipt_line_id": line_id, "qty": "3"}).status_code == 201
    assert _balance(manager, shop["rice"], shop["w1"])["on_hand"] == "0.000"


def test_a_return_takes_from_the_receipts_batch_and_location(app, shop, login_as):
    manager = shop["manager"]
    admin = login_as("admin")
    shelf = admin.post(f"/api/v1/warehouses/{shop['w1']}/locations", json={"code": "A-01"}).json
    expiry = (utcnow().date() + timedelta(days=20)).isoformat()
    receipt = _received(shop, "milk", "6", "5", batch="L1", expiry=expiry,
                        location_id=shelf["id"])  # fmt: skip
    # More of the same milk elsewhere does not make up for what left the receipt's place.
    other = manager.post("/api/v1/stock/movements", json={
        "type": "in", "warehouse_id": shop["w1"],
        "lines": [{"product_id": shop["milk"], "qty": "50", "batch": "L2", "unit_cost": "4"}],
    })  # fmt: skip
    assert other.status_code == 201, other.json
    issued = manager.post("/api/v1/stock/movements", json={
        "type": "out", "warehouse_id": shop["w1"],
        "lines": [{"product_id": shop["milk"], "qty": "5", "batch": "L1",
                   "location_id": shelf["id"]}],
    })  # fmt: skip
    assert issued.status_code == 201, issued.json
    line_id = receipt["lines"][0]["id"]
    ledger_before = _ledger_total(manager)
    refused = _return(manager, receipt, {"receipt_line_id": line_id, "qty": "2"})
    body = assert_problem(refused, 409, "insufficient-stock")
    assert (body["requested"], body["available"]) == ("2", "1")
    assert _ledger_total(manager) == ledger_before

    got = _return(manager, receipt, {"receipt_line_id": line_id, "qty": "1"})
    assert got.status_code == 201, got.json
    line = got.json["lines"][0]
    assert (line["batch"]["number"], line["location"]["code"]) == ("L1", "A-01")
    assert line["unit_cost"] == "5.000000"


def test_floor_staff_return_without_seeing_costs(shop, login_as):
    receipt = _received(shop, "coke", "24", "2")
    line = {"receipt_line_id": receipt["lines"][0]["id"], "qty": "1", "unit": "箱"}
    assert_problem(_return(shop["buyer"], receipt, line), 403)  # buyers buy; floor staff ship
    elsewhere = login_as("warehouse", warehouse_ids=[shop["w2"]])
    assert_problem(_return(elsewhere, receipt, line), 404)

    floor = login_as("warehouse", warehouse_ids=[shop["w1"]])
    got = _return(floor, receipt, line)
    assert got.status_code == 201, got.json
    sent = got.json["lines"][0]
    assert (sent["unit"], sent["qty"], sent["base_qty"]) == ("箱", "1.000", "24.000")
    assert "unit_cost" not in sent
    assert "unit_cost" not in _returns(floor, receipt)[0]["lines"][0]
    assert _returns(shop["buyer"], receipt)[0]["lines"][0]["unit_cost"] == "2.000000"
    assert _balance(shop["manager"], shop["coke"], shop["w1"])["on_hand"] == "0.000"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"receipt_line_id": 999999, "qty": "1"}, "lines.0.receipt_line_id"),
        ({"qty": "0"}, "lines.0.qty"),
        ({"qty": "-1"}, "lines.0.qty"),
        ({"qty": "1", "unit": "桶"}, "lines.0.unit"),
        ({"qty": "abc"}, "lines"),
        ({"receipt_line_id": "1", "qty": "1"}, "lines"),
    ],
)
def test_bad_returns_are_refused_and_write_nothing(shop, line, field):
    manager = shop["manager"]
    receipt = _received(shop, "coke", "5", "2")
    ledger_before = _ledger_total(manager)
    body = {"receipt_line_id": receipt["lines"][0]["id"], **line}
    assert_problem(_return(manager, receipt, body), 422, field=field)
    assert_problem(manager.post("/api/v1/purchase-receipts/1/returns", json={"lines": []}), 422,
                   field="lines")  # fmt: skip
    missing = manager.post("/api/v1/purchase-receipts/999999/returns",
                           json={"lines": [{"receipt_line_id": 1, "qty": "1"}]})  # fmt: skip
    assert_problem(missing, 404)
    assert _ledger_total(manager) == ledger_before
    assert _returns(manager, receipt) == []


def test_concurrent_returns_never_exceed_the_received_quantity(app, shop, make_user):
    receipt = _received(shop, "coke", "10", "2")
    _received(shop, "coke", "10", "2")  # more at the same place: only the receipt limits
    headers = _token_for(app, make_user, "warehouse")
    url = f"/api/v1/purchase-receipts/{receipt['id']}/returns"
    body = {"lines": [{"receipt_line_id": receipt["lines"][0]["id"], "qty": "3"}]}

    def send_back(_index):
        response = app.test_client().post(url, json=body, headers=headers)
        return response.status_code, (response.json or {}).get("type")

    outcomes = _race(8, send_back)
    assert sorted(status for status, _ in outcomes) == [201] * 3 + [409] * 5, outcomes
    assert {kind for status, kind in outcomes if status == 409} == {
        "urn:jxc:problem:over-return"}  # fmt: skip
    numbers = sorted(r["number"] for r in _returns(shop["manager"], receipt))
    assert numbers == [f"PR-{YEAR}-{n:06d}" for n in range(1, 4)]
    assert _balance(shop["manager"], shop["coke"], shop["w1"])["on_hand"] == "11.000"
    assert app.test_cli_runner().invoke(args=["stock", "verify"]).exit_code == 0
