"""Purchase orders and receiving: amounts, states, on order, receipts, roles, races."""

import threading
from datetime import timedelta

import pytest

from app.core.db import utcnow
from tests.support import assert_problem

EAN = "6901234567892"
CASE_EAN = "6901234567885"
YEAR = utcnow().year
PRICES = ("unit_price", "discount", "tax_rate", "amount", "tax", "total")


@pytest.fixture
def shop(app, login_as, warehouses):
    """A purchaser, a manager, a supplier, two warehouses and three products: coke by the
    bottle and by the case of 24, rice by the kg, and milk tracked by batch and expiry."""
    manager = login_as("manager")
    coke = manager.post(
        "/api/v1/products",
        json={
            "sku": "coke-500",
            "name": "可口可乐 500ml",
            "unit": "瓶",
            "barcodes": [EAN],
            "units": [{"name": "箱", "factor": "24", "barcode": CASE_EAN}],
        },
    ).json
    rice = manager.post("/api/v1/products", json={"sku": "rice", "name": "大米", "unit": "kg"}).json
    milk = manager.post(
        "/api/v1/products",
        json={"sku": "milk-1l", "name": "牛奶 1L", "unit": "盒", "track_batches": True,
              "track_expiry": True, "shelf_life_days": 30},
    ).json  # fmt: skip
    supplier = manager.post("/api/v1/suppliers", json={"code": "S1", "name": "饮料批发"}).json
    return {
        "manager": manager,
        "buyer": login_as("purchaser"),
        "coke": coke["id"],
        "rice": rice["id"],
        "milk": milk["id"],
        "supplier": supplier["id"],
        "w1": warehouses[0],
        "w2": warehouses[1],
    }


def _create(client, shop, lines, **extra):
    body = {"supplier_id": shop["supplier"], "warehouse_id": shop["w1"], "lines": lines, **extra}
    return client.post("/api/v1/purchase-orders", json=body)


def _order(shop, lines, *, approve=True, **extra) -> dict:
    made = _create(shop["buyer"], shop, lines, **extra)
    assert made.status_code == 201, made.json
    if not approve:
        return made.json
    approved = shop["buyer"].post(f"/api/v1/purchase-orders/{made.json['id']}/approve")
    assert approved.status_code == 200, approved.json
    return approved.json


def _receive(client, order, *lines, note=""):
    return client.post(
        f"/api/v1/purchase-orders/{order['id']}/receipts", json={"lines": list(lines), "note": note}
    )


def _balance(client, product_id, warehouse_id) -> dict:
    page = client.get(
        f"/api/v1/stock/balances?by=warehouse&product_id={product_id}&warehouse_id={warehouse_id}"
    ).json
    return page["items"][0] if page["items"] else {"on_hand": "0.000", "on_order": "0.000"}


def _on_order(shop, product="coke") -> str:
    return _balance(shop["manager"], shop[product], shop["w1"])["on_order"]


def _ledger_total(client) -> int:
    return client.get("/api/v1/stock/ledger").json["total"]


def _get(client, order) -> dict:
    return client.get(f"/api/v1/purchase-orders/{order['id']}").json


# --- amounts ---------------------------------------------------------------------------------


def test_line_amounts_and_totals_to_the_cent_half_up(shop):
    made = _create(shop["buyer"], shop, [
        {"product_id": shop["coke"], "qty": "3", "unit_price": "1.115", "tax_rate": "0.13"},
        {"product_id": shop["coke"], "unit": "箱", "qty": "7", "unit_price": "12.345",
         "discount": "0.05", "tax_rate": "0.09"},
        {"product_id": shop["rice"], "qty": "2.5", "unit_price": "0.333333", "discount": "0.1",
         "tax_rate": "0.06"},
    ], expected_date="2030-01-31", note="  月底到货 ")  # fmt: skip
    assert made.status_code == 201, made.json
    order = made.json
    assert order["number"] == f"PO-{YEAR}-000001"
    assert (order["state"], order["version"], order["note"]) == ("draft", 1, "月底到货")
    assert order["expected_date"] == "2030-01-31" and order["supplier"]["code"] == "S1"
    got = [(line["amount"], line["tax"], line["total"]) for line in order["lines"]]
    # 3 × 1.115 = 3.345 → 3.35; 86.415 × 0.95 = 82.09425 → 82.09, tax 7.3881 → 7.39;
    # 0.8333325 × 0.9 = 0.74999925 → 0.75, tax 0.045 → 0.05 (half up, not half even)
    assert got == [("3.35", "0.44", "3.79"), ("82.09", "7.39", "89.48"), ("0.75", "0.05", "0.80")]
    assert order["totals"] == {"amount": "86.19", "tax": "7.88", "total": "94.07"}
    case_line = order["lines"][1]
    assert (case_line["unit"], case_line["factor"]) == ("箱", "24.000")
    assert case_line["base_qty"] == "168.000"
    assert (case_line["discount"], case_line["tax_rate"]) == ("0.0500", "0.0900")
    assert all(line["id"] and line["received_qty"] == "0.000" for line in order["lines"])
    assert _get(shop["buyer"], order)["totals"]["total"] == "94.07"
    assert _on_order(shop) == "0.000"  # a draft expects nothing yet


def test_list_filters_and_search(shop):
    first = _order(shop, [{"product_id": shop["coke"], "qty": "1", "unit_price": "1"}])
    second = _order(shop, [{"product_id": shop["rice"], "qty": "1", "unit_price": "1"}],
                    approve=False, warehouse_id=shop["w2"])  # fmt: skip
    buyer = shop["buyer"]

    def numbers(query):
        page = buyer.get(f"/api/v1/purchase-orders?{query}").json
        return [item["number"] for item in page["items"]]

    assert numbers("") == [second["number"], first["number"]]
    assert numbers("state=draft") == [second["number"]]
    assert numbers(f"warehouse_id={shop['w1']}") == [first["number"]]
    assert numbers(f"supplier_id={shop['supplier']}&q=000001") == [first["number"]]
    page = buyer.get("/api/v1/purchase-orders?state=approved").json
    assert page["items"][0]["line_count"] == 1 and page["items"][0]["totals"]["total"] == "1.00"
    assert_problem(buyer.get("/api/v1/purchase-orders?state=lost"), 422, field="state")


def test_a_draft_is_edited_with_its_version_and_not_after_approval(shop):
    buyer = shop["buyer"]
    order = _order(shop, [{"product_id": shop["coke"], "qty": "1", "unit_price": "1"}],
                   approve=False)  # fmt: skip
    url = f"/api/v1/purchase-orders/{order['id']}"
    changed = buyer.patch(
        url,
        json={
            "version": 1,
            "note": "加急",
            "lines": [
                {"product_id": shop["rice"], "qty": "4", "unit_price": "2.5", "tax_rate": "0.13"}
            ],
        },
    )
    assert changed.status_code == 200, changed.json
    body = changed.json
    assert (body["version"], body["note"], len(body["lines"])) == (2, "加急", 1)
    assert body["lines"][0]["product"]["sku"] == "RICE"
    assert body["totals"] == {"amount": "10.00", "tax": "1.30", "total": "11.30"}
    assert_problem(buyer.patch(url, json={"version": 1, "note": "x"}), 409, "stale-version")
    assert_problem(buyer.patch(url, json={"version": 2, "supplier_id": 999999}), 422,
                   field="supplier_id")  # fmt: skip
    buyer.post(f"{url}/approve")
    refused = assert_problem(buyer.patch(url, json={"version": 3, "note": "late"}), 409,
                             "invalid-state")  # fmt: skip
    assert refused["state"] == "approved"
    assert _get(buyer, order)["note"] == "加急"


# --- states ----------------------------------------------------------------------------------


def test_state_machine_history_and_events_after_commit(app, shop):
    from app.core.events import hub

    heard = []
    with app.app_context():
        hub().subscribe(heard.append)
    buyer = shop["buyer"]
    order = _order(shop, [{"product_id": shop["coke"], "qty": "5", "unit_price": "2"}],
                   approve=False)  # fmt: skip
    url = f"/api/v1/purchase-orders/{order['id']}"
    assert heard == []  # creating a draft is not a change of state

    refused = assert_problem(buyer.post(f"{url}/close"), 409, "invalid-state")
    assert (refused["state"], refused["to"]) == ("draft", "closed")
    assert "draft" in refused["detail"] and "closed" in refused["detail"]

    approved = buyer.post(f"{url}/approve", json={"note": "预算内"})
    assert approved.status_code == 200 and approved.json["state"] == "approved"
    assert approved.json["version"] == 2
    assert_problem(buyer.post(f"{url}/approve"), 409, "invalid-state")
    assert_problem(buyer.post(f"{url}/close"), 409, "invalid-state")
    cancelled = buyer.post(f"{url}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["state"] == "cancelled"
    for action in ("approve", "cancel", "close"):
        body = assert_problem(buyer.post(f"{url}/{action}"), 409, "invalid-state")
        assert body["state"] == "cancelled"
    assert_problem(buyer.post("/api/v1/purchase-orders/999999/approve"), 404)

    history = buyer.get(f"{url}/history").json
    assert [(h["from"], h["to"]) for h in history] == [
        ("draft", "approved"), ("approved", "cancelled")]  # fmt: skip
    assert history[0]["note"] == "预算内" and history[0]["user"]["username"].startswith("purchaser")
    assert history[0]["at"]

    statuses = [e for e in heard if e.name == "order.status"]
    assert [(e.payload["from"], e.payload["to"]) for e in statuses] == [
        ("draft", "approved"), ("approved", "cancelled")]  # fmt: skip
    event = statuses[0]
    assert event.payload["type"] == "purchase" and event.payload["number"] == order["number"]
    assert event.payload["id"] == order["id"] and event.payload["by"]["username"]
    assert set(event.rooms) == {"role:manager", "role:purchaser", f"warehouse:{shop['w1']}"}
    assert _on_order(shop) == "0.000"  # approved then cancelled: nothing expected


def test_on_order_rises_on_approve_falls_on_receipts_and_close(shop):
    floor = shop["manager"]
    order = _order(shop, [
        {"product_id": shop["coke"], "unit": "箱", "qty": "2", "unit_price": "48"},
        {"product_id": shop["rice"], "qty": "10", "unit_price": "3"},
    ])  # fmt: skip
    assert order["state"] == "approved"
    assert (_on_order(shop), _on_order(shop, "rice")) == ("48.000", "10.000")

    # A case barcode means a case; the bottle barcode a bottle.
    got = _receive(floor, order, {"code": CASE_EAN, "qty": "1"}, {"code": EAN, "qty": "20"})
    assert got.status_code == 201, got.json
    receipt = got.json
    assert receipt["number"] == f"GR-{YEAR}-000001"
    assert receipt["document"]["number"] == f"IN-{YEAR}-000001"
    assert [(x["unit"], x["qty"], x["base_qty"]) for x in receipt["lines"]] == [
        ("箱", "1.000", "24.000"), ("瓶", "20.000", "20.000")]  # fmt: skip
    after = receipt["purchase_order"]
    assert after["state"] == "partially_received"
    assert (after["lines"][0]["received_base_qty"], after["lines"][0]["received_qty"]) == (
        "44.000", "1.833")  # fmt: skip
    assert (_on_order(shop), _on_order(shop, "rice")) == ("4.000", "10.000")
    assert _balance(floor, shop["coke"], shop["w1"])["on_hand"] == "44.000"

    # Cancelling is for orders with nothing received; closing ends the remainder.
    url = f"/api/v1/purchase-orders/{order['id']}"
    assert_problem(shop["buyer"].post(f"{url}/cancel"), 409, "invalid-state")
    closed = shop["buyer"].post(f"{url}/close", json={"note": "缺货不再发"})
    assert closed.status_code == 200 and closed.json["state"] == "closed"
    assert (_on_order(shop), _on_order(shop, "rice")) == ("0.000", "0.000")
    assert [(h["from"], h["to"]) for h in shop["buyer"].get(f"{url}/history").json] == [
        ("draft", "approved"),
        ("approved", "partially_received"),
        ("partially_received", "closed"),
    ]
    refused = _receive(floor, order, {"code": EAN, "qty": "1"})
    assert assert_problem(refused, 409, "invalid-state")["state"] == "closed"


def test_partial_then_full_receipt_then_close(shop):
    floor = shop["manager"]
    order = _order(shop, [
        {"product_id": shop["rice"], "qty": "10", "unit_price": "3"},
        {"product_id": shop["milk"], "qty": "6", "unit_price": "5"},
    ])  # fmt: skip
    rice_line, milk_line = (line["id"] for line in order["lines"])
    expiry = (utcnow().date() + timedelta(days=20)).isoformat()
    first = _receive(
        floor,
        order,
        {"po_line_id": rice_line, "qty": "4"},
        {"po_line_id": milk_line, "qty": "6", "batch": "L1", "expiry": expiry},
    )
    assert first.status_code == 201, first.json
    assert first.json["purchase_order"]["state"] == "partially_received"
    assert first.json["lines"][1]["batch"]["number"] == "L1"
    second = _receive(floor, order, {"po_line_id": rice_line, "qty": "6"}, note="尾货")
    assert second.status_code == 201, second.json
    after = second.json["purchase_order"]
    assert after["state"] == "received"
    assert [line["received_qty"] for line in after["lines"]] == ["10.000", "6.000"]
    assert (_on_order(shop, "rice"), _on_order(shop, "milk")) == ("0.000", "0.000")
    assert _balance(floor, shop["rice"], shop["w1"])["on_hand"] == "10.000"

    url = f"/api/v1/purchase-orders/{order['id']}"
    receipts = floor.get(f"{url}/receipts").json
    assert [r["number"] for r in receipts] == [f"GR-{YEAR}-000001", f"GR-{YEAR}-000002"]
    assert receipts[1]["note"] == "尾货" and receipts[1]["order"]["number"] == order["number"]
    document = floor.get(f"/api/v1/stock/movements/{receipts[0]['document']['id']}").json
    assert document["type"] == "in" and len(document["lines"]) == 2
    # Its stock belongs to the receipt: it is not cancelled as a bare stock document.
    refused = floor.post(f"/api/v1/stock/movements/{document['id']}/cancel")
    assert_problem(refused, 409, "posted-by-another-document")
    assert _balance(floor, shop["rice"], shop["w1"])["on_hand"] == "10.000"
    assert_problem(_receive(floor, order, {"po_line_id": rice_line, "qty": "1"}), 409,
                   "invalid-state")  # fmt: skip
    assert shop["buyer"].post(f"{url}/close").json["state"] == "closed"
    assert [(h["from"], h["to"]) for h in floor.get(f"{url}/history").json][1:] == [
        ("approved", "partially_received"),
        ("partially_received", "received"),
        ("received", "closed"),
    ]


def test_over_receipt_is_a_409_naming_the_line_and_writes_nothing(app, shop):
    floor = shop["manager"]
    order = _order(shop, [{"product_id": shop["coke"], "qty": "10", "unit_price": "2"}])
    line = order["lines"][0]["id"]
    assert _receive(floor, order, {"po_line_id": line, "qty": "4"}).status_code == 201
    ledger_before = _ledger_total(floor)

    refused = _receive(floor, order, {"po_line_id": line, "qty": "5"},
                       {"code": EAN, "qty": "2"})  # fmt: skip
    body = assert_problem(refused, 409, "over-receipt", field="lines.1.qty")
    assert (body["ordered"], body["received"], body["requested"]) == ("10", "4", "7")
    assert (body["po_line_id"], body["line"], body["unit"]) == (line, 2, "瓶")
    assert "ordered 10, already received 4, requested 7" in body["detail"]

    assert _ledger_total(floor) == ledger_before
    after = _get(floor, order)
    assert (after["state"], after["lines"][0]["received_qty"]) == ("partially_received", "4.000")
    assert _on_order(shop) == "6.000"
    assert len(floor.get(f"/api/v1/purchase-orders/{order['id']}/receipts").json) == 1

    # Within the tolerance a little more may come; on order never goes below zero.
    app.config["RECEIPT_TOLERANCE"] = "0.1"
    assert_problem(_receive(floor, order, {"po_line_id": line, "qty": "7.001"}), 409,
                   "over-receipt")  # fmt: skip
    more = _receive(floor, order, {"po_line_id": line, "qty": "7"})
    assert more.status_code == 201, more.json
    assert more.json["purchase_order"]["state"] == "received"
    assert _on_order(shop) == "0.000"
    assert _balance(floor, shop["coke"], shop["w1"])["on_hand"] == "11.000"


def test_receipts_update_the_moving_average_at_the_net_price(shop):
    manager = shop["manager"]
    cheap = _order(shop, [{"product_id": shop["coke"], "qty": "10", "unit_price": "2",
                           "tax_rate": "0.13"}])  # fmt: skip
    case = {"product_id": shop["coke"], "unit": "箱", "qty": "1", "unit_price": "60"}
    dearer = _order(shop, [{**case, "discount": "0.1", "tax_rate": "0.13"}])
    first = _receive(manager, cheap, {"code": EAN, "qty": "10"})
    assert first.json["lines"][0]["unit_cost"] == "2.000000"  # tax is not cost
    assert _balance(manager, shop["coke"], shop["w1"])["avg_cost"] == "2.000000"
    second = _receive(manager, dearer, {"code": CASE_EAN, "qty": "1"})
    assert second.json["lines"][0]["unit_cost"] == "2.250000"  # 60 × 0.9 / 24
    balance = _balance(manager, shop["coke"], shop["w1"])
    assert (balance["on_hand"], balance["value"]) == ("34.000", "74.00")
    assert balance["avg_cost"] == "2.176471"  # (20 + 54) / 34
    product = manager.get(f"/api/v1/products/{shop['coke']}").json
    assert product["last_cost"] == "2.250000"


# --- roles -----------------------------------------------------------------------------------


def test_floor_staff_receive_without_seeing_prices(shop, login_as):
    order = _order(shop, [{"product_id": shop["coke"], "qty": "3", "unit_price": "2.5"}])
    floor = login_as("warehouse")
    seen = floor.get(f"/api/v1/purchase-orders/{order['id']}")
    assert seen.status_code == 200
    assert "totals" not in seen.json
    assert not set(PRICES) & set(seen.json["lines"][0])
    assert seen.json["lines"][0]["qty"] == "3.000"
    listed = floor.get("/api/v1/purchase-orders").json["items"][0]
    assert "totals" not in listed

    got = _receive(floor, order, {"po_line_id": order["lines"][0]["id"], "qty": "3"})
    assert got.status_code == 201, got.json
    assert "unit_cost" not in got.json["lines"][0]
    assert "totals" not in got.json["purchase_order"]
    assert not set(PRICES) & set(got.json["purchase_order"]["lines"][0])
    assert "unit_cost" not in floor.get(f"/api/v1/purchase-orders/{order['id']}/receipts").json[
        0]["lines"][0]  # fmt: skip
    url = f"/api/v1/purchase-orders/{order['id']}"
    assert_problem(floor.post(f"{url}/close"), 403)
    assert_problem(floor.post("/api/v1/purchase-orders", json={}), 403)


def test_who_may_do_what(shop, login_as):
    order = _order(shop, [{"product_id": shop["coke"], "qty": "3", "unit_price": "2.5"}],
                   approve=False)  # fmt: skip
    url = f"/api/v1/purchase-orders/{order['id']}"
    sales = login_as("sales")
    assert_problem(sales.get("/api/v1/purchase-orders"), 403)
    assert_problem(sales.get(url), 403)
    assert_problem(login_as("warehouse").post(f"{url}/approve"), 403)
    assert shop["buyer"].post(f"{url}/approve").json["state"] == "approved"
    # The purchaser buys; floor staff receive.
    line = {"po_line_id": order["lines"][0]["id"], "qty": "1"}
    assert_problem(_receive(shop["buyer"], order, line), 403)
    finance = login_as("finance")
    assert finance.get(url).json["totals"]["total"] == "7.50"
    # Floor staff tied to the other warehouse do not see this order at all.
    elsewhere = login_as("warehouse", warehouse_ids=[shop["w2"]])
    assert_problem(elsewhere.get(url), 404)
    assert elsewhere.get("/api/v1/purchase-orders").json["total"] == 0
    assert_problem(_receive(elsewhere, order, line), 404)
    here = login_as("warehouse", warehouse_ids=[shop["w1"]])
    assert _receive(here, order, line).status_code == 201


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"supplier_id": 999999}, "supplier_id"),
        ({"warehouse_id": 999999}, "warehouse_id"),
        ({"supplier_id": "1"}, "supplier_id"),
        ({"lines": []}, "lines"),
        ({"expected_date": "soon"}, "expected_date"),
        ({"line": {"product_id": 999999}}, "lines.0.product_id"),
        ({"line": {"unit": "桶"}}, "lines.0.unit"),
        ({"line": {"qty": "0"}}, "lines.0.qty"),
        ({"line": {"qty": "-1"}}, "lines.0.qty"),
        ({"line": {"qty": "1.0001"}}, "lines"),
        ({"line": {"unit_price": "-1"}}, "lines"),
        ({"line": {"unit_price": None}}, "lines"),
        ({"line": {"tax_rate": "1.5"}}, "lines"),
        ({"line": {"discount": "-0.1"}}, "lines"),
        ({"line": {"discount": "abc"}}, "lines"),
        ({"line": {"qty": "999999999999", "unit_price": "9999999999"}}, "lines.0.qty"),
    ],
)
def test_bad_orders_are_refused_and_write_nothing(shop, change, field):
    change = dict(change)  # the same parameters serve both databases
    line = {"product_id": shop["coke"], "qty": "1", "unit_price": "1", **change.pop("line", {})}
    body = {"supplier_id": shop["supplier"], "warehouse_id": shop["w1"], "lines": [line], **change}
    assert_problem(shop["buyer"].post("/api/v1/purchase-orders", json=body), 422, field=field)
    assert shop["buyer"].get("/api/v1/purchase-orders").json["total"] == 0
    # No number was used up: the next order takes the first one.
    made = _create(shop["buyer"], shop, [{"product_id": shop["coke"], "qty": "1",
                                          "unit_price": "1"}])  # fmt: skip
    assert made.json["number"] == f"PO-{YEAR}-000001"


def test_an_archived_supplier_takes_no_new_orders(shop):
    manager = shop["manager"]
    manager.delete(f"/api/v1/suppliers/{shop['supplier']}")
    refused = _create(shop["buyer"], shop, [{"product_id": shop["coke"], "qty": "1",
                                             "unit_price": "1"}])  # fmt: skip
    assert "archived" in assert_problem(refused, 422, field="supplier_id")["errors"][
        "supplier_id"][0]  # fmt: skip


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"po_line_id": 999999, "qty": "1"}, "lines.0.po_line_id"),
        ({"code": "NOPE", "qty": "1"}, "lines.0.code"),
        ({"code": "RICE", "qty": "1"}, "lines.0.code"),  # a product not on the order
        ({"code": EAN, "qty": "0"}, "lines.0.qty"),
        ({"code": EAN, "qty": "-3"}, "lines.0.qty"),
        ({"code": EAN, "qty": "1", "unit": "桶"}, "lines.0.unit"),
        ({"code": EAN, "qty": "1", "batch": "B1"}, "lines.0.batch"),
        ({"code": EAN, "qty": "1", "location_id": 999999}, "lines.0.location_id"),
        ({"code": "MILK-1L", "qty": "1"}, "lines.0.batch"),  # milk needs a batch
        ({"qty": "1"}, "lines"),
        ({"code": EAN, "po_line_id": "LINE", "qty": "1"}, "lines"),
        ({"code": EAN, "qty": "1.0001"}, "lines"),
    ],
)
def test_bad_receipts_are_refused_and_write_nothing(shop, line, field):
    floor = shop["manager"]
    order = _order(shop, [
        {"product_id": shop["coke"], "qty": "5", "unit_price": "2"},
        {"product_id": shop["milk"], "qty": "5", "unit_price": "2"},
    ])  # fmt: skip
    if line.get("po_line_id") == "LINE":
        line = {**line, "po_line_id": order["lines"][0]["id"]}
    ledger_before = _ledger_total(floor)
    assert_problem(_receive(floor, order, {"code": EAN, "qty": "1"}, line), 422,
                   field=field.replace("lines.0", "lines.1"))  # fmt: skip
    assert _ledger_total(floor) == ledger_before
    after = _get(floor, order)
    assert after["state"] == "approved" and after["version"] == order["version"]
    assert after["lines"][0]["received_qty"] == "0.000"
    assert _on_order(shop) == "5.000"
    assert floor.get(f"/api/v1/purchase-orders/{order['id']}/receipts").json == []


def test_nothing_is_received_against_a_draft_or_cancelled_order(shop):
    floor = shop["manager"]
    order = _order(shop, [{"product_id": shop["coke"], "qty": "5", "unit_price": "2"}],
                   approve=False)  # fmt: skip
    line = {"po_line_id": order["lines"][0]["id"], "qty": "1"}
    assert assert_problem(_receive(floor, order, line), 409, "invalid-state")["state"] == "draft"
    shop["buyer"].post(f"/api/v1/purchase-orders/{order['id']}/cancel")
    assert_problem(_receive(floor, order, line), 409, "invalid-state")
    assert_problem(_receive(floor, {"id": 999999}, line), 404)
    assert _ledger_total(floor) == 0


# --- races -----------------------------------------------------------------------------------


def _race(count: int, worker) -> list:
    """Run `worker(index)` in `count` threads released at the same moment."""
    start = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(index):
        start.wait()
        try:
            outcomes[index] = worker(index)
        except Exception as error:  # recorded, and asserted on below
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _token_for(app, make_user, role: str) -> dict:
    from app.auth.services import issue_token

    user_id = make_user(f"{role}-race", [role])
    with app.app_context():
        _, token = issue_token(user_id, "race")
    return {"Authorization": f"Bearer {token}"}


def test_twenty_concurrent_orders_get_twenty_consecutive_numbers(app, shop, make_user):
    headers = _token_for(app, make_user, "purchaser")
    body = {"supplier_id": shop["supplier"], "warehouse_id": shop["w1"],
            "lines": [{"product_id": shop["coke"], "qty": "1", "unit_price": "1"}]}  # fmt: skip

    def create(_index):
        response = app.test_client().post("/api/v1/purchase-orders", json=body, headers=headers)
        return response.status_code, (response.json or {}).get("number")

    outcomes = _race(20, create)
    assert all(status == 201 for status, _ in outcomes), outcomes
    numbers = sorted(number for _, number in outcomes)
    assert numbers == [f"PO-{YEAR}-{n:06d}" for n in range(1, 21)]
    assert shop["buyer"].get("/api/v1/purchase-orders").json["total"] == 20


def test_concurrent_receipts_never_exceed_the_ordered_quantity(app, shop, make_user):
    order = _order(shop, [{"product_id": shop["coke"], "qty": "10", "unit_price": "2"}])
    headers = _token_for(app, make_user, "warehouse")
    url = f"/api/v1/purchase-orders/{order['id']}/receipts"
    body = {"lines": [{"po_line_id": order["lines"][0]["id"], "qty": "3"}]}

    def receive(_index):
        response = app.test_client().post(url, json=body, headers=headers)
        return response.status_code, (response.json or {}).get("type")

    outcomes = _race(8, receive)
    assert sorted(status for status, _ in outcomes) == [201] * 3 + [409] * 5, outcomes
    assert {kind for status, kind in outcomes if status == 409} == {
        "urn:jxc:problem:over-receipt"}  # fmt: skip
    after = _get(shop["manager"], order)
    assert (after["state"], after["lines"][0]["received_qty"]) == ("partially_received", "9.000")
    assert _balance(shop["manager"], shop["coke"], shop["w1"])["on_hand"] == "9.000"
    assert _on_order(shop) == "1.000"
    history = shop["manager"].get(f"/api/v1/purchase-orders/{order['id']}/history").json
    assert [(h["from"], h["to"]) for h in history] == [
        ("draft", "approved"), ("approved", "partially_received")]  # fmt: skip
    assert app.test_cli_runner().invoke(args=["stock", "verify"]).exit_code == 0
