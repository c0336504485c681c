"""Stocktakes: a snapshot at start while the warehouse keeps working, counts from several
counters at once, blind counts, recounts, review with values for those who see costs, and
the posting of exactly the differences."""

import io
import threading

import pytest
from openpyxl import load_workbook

from app.core.db import utcnow
from app.extensions import db
from app.inventory.verify import differences
from tests.support import PASSWORD, assert_problem

YEAR = utcnow().year
URL = "/api/v1/stocktakes"
EAN = "6901234567892"
CASE_EAN = "6901234567885"


@pytest.fixture
def floor(app, login_as, make_user, warehouses):
    """W1 with locations A-01 and A-02 holding coke (by the bottle, or the case of 24), rice
    and batch-tracked milk; a manager, two clerks of W1 and a floor keeper.

    A-01: 10 coke at 2.00, 50 kg rice at 4.00.  A-02: 5 coke, 12 milk of batch M1 at 3.00.
    """
    manager = login_as("manager")
    admin = login_as("admin")
    w1, w2 = warehouses
    a01, a02 = (
        admin.post(f"/api/v1/warehouses/{w1}/locations", json={"code": code}).json["id"]
        for code in ("A-01", "A-02")
    )
    drinks = manager.post("/api/v1/categories", json={"name": "饮料"}).json["id"]
    soda = manager.post("/api/v1/categories", json={"name": "汽水", "parent_id": drinks}).json["id"]
    coke = manager.post("/api/v1/products", json={
        "sku": "coke-500", "name": "可口可乐 500ml", "unit": "瓶", "barcodes": [EAN],
        "category_id": soda,
        "units": [{"name": "箱", "factor": "24", "barcode": CASE_EAN}]}).json["id"]  # fmt: skip
    rice = manager.post("/api/v1/products", json={"sku": "rice", "name": "大米",
                                                  "unit": "kg"}).json["id"]  # fmt: skip
    milk = manager.post("/api/v1/products", json={
        "sku": "milk-1l", "name": "牛奶 1L", "unit": "盒", "track_batches": True,
        "track_expiry": True, "shelf_life_days": 30}).json["id"]  # fmt: skip
    stocked = manager.post("/api/v1/stock/movements", json={
        "type": "in", "warehouse_id": w1, "lines": [
            {"product_id": coke, "qty": "10", "unit_cost": "2.00", "location_id": a01},
            {"product_id": rice, "qty": "50", "unit_cost": "4.00", "location_id": a01},
            {"product_id": coke, "qty": "5", "unit_cost": "2.00", "location_id": a02},
            {"product_id": milk, "qty": "12", "unit_cost": "3.00", "location_id": a02,
             "batch": "M1"}]})  # fmt: skip
    assert stocked.status_code == 201, stocked.json
    clerks, clerk_ids = [], []
    for name in ("clerk-a", "clerk-b"):
        clerk_ids.append(make_user(name, ["clerk"], warehouse_ids=[w1]))
        client = app.test_client()
        assert client.login(name, PASSWORD).status_code == 200
        clerks.append(client)
    return {
        "manager": manager, "admin": admin, "clerk": clerks[0], "clerk2": clerks[1],
        "clerk_ids": clerk_ids, "keeper": login_as("warehouse", warehouse_ids=[w1]),
        "w1": w1, "w2": w2, "a01": a01, "a02": a02, "drinks": drinks, "soda": soda,
        "coke": coke, "rice": rice, "milk": milk,
    }  # fmt: skip


def _create(client, floor, **body):
    return client.post(URL, json={"warehouse_id": floor["w1"], **body})


def _started(floor, **body) -> dict:
    made = _create(floor["manager"], floor, **{"counter_ids": floor["clerk_ids"], **body})
    assert made.status_code == 201, made.json
    started = _act(floor["manager"], made.json, "start")
    assert started.status_code == 200, started.json
    return started.json


def _act(client, stocktake, action, **body):
    return client.post(f"{URL}/{stocktake['id']}/{action}", json=body)


def _count(client, stocktake, *lines, **headers):
    return client.post(f"{URL}/{stocktake['id']}/counts", json={"lines": list(lines)},
                       headers=headers)  # fmt: skip


def _counted(client, stocktake, *lines) -> dict:
    response = _count(client, stocktake, *lines)
    assert response.status_code == 201, response.json
    return response.json


def _lines(client, stocktake, **query) -> list[dict]:
    page = client.get(f"{URL}/{stocktake['id']}/lines", query_string={"per_page": 100, **query})
    assert page.status_code == 200, page.json
    return page.json["items"]


def _line(lines, floor, product, location=None, batch=None) -> dict:
    (found,) = [
        line for line in lines
        if line["product"]["id"] == floor[product]
        and (line["location"] or {}).get("id") == (floor[location] if location else None)
        and (line["batch"] or {}).get("number") == batch
    ]  # fmt: skip
    return found


def _variances(client, stocktake, **query):
    return client.get(f"{URL}/{stocktake['id']}/variances", query_string=query)


def _on_hand(client, floor, product, location) -> str:
    page = client.get("/api/v1/stock/balances", query_string={
        "product_id": floor[product], "warehouse_id": floor["w1"],
        "location_id": floor[location]}).json  # fmt: skip
    return page["items"][0]["on_hand"] if page["items"] else "0.000"  # empty places are not listed


def _move(floor, kind, product, qty, location, **extra):
    line = {"product_id": floor[product], "qty": qty, "location_id": floor[location], **extra}
    made = floor["manager"].post("/api/v1/stock/movements", json={
        "type": kind, "warehouse_id": floor["w1"], "lines": [line]})  # fmt: skip
    assert made.status_code == 201, made.json


def _sell(floor, product, qty, location):
    """A sales order confirmed and shipped from one location."""
    manager = floor["manager"]
    customer = manager.post("/api/v1/customers", json={"code": "C1", "name": "华联超市"}).json
    line = {"product_id": floor[product], "qty": qty, "unit_price": "3.00"}
    body = {"customer_id": customer["id"], "warehouse_id": floor["w1"], "lines": [line]}
    order = manager.post("/api/v1/sales-orders", json=body).json
    assert manager.post(f"/api/v1/sales-orders/{order['id']}/confirm", json={}).status_code == 200
    shipped = manager.post(f"/api/v1/sales-orders/{order['id']}/shipments", json={"lines": [
        {"so_line_id": order["lines"][0]["id"], "qty": qty,
         "location_id": floor[location]}]})  # fmt: skip
    assert shipped.status_code == 201, shipped.json


def _count_everything_right(floor, stocktake):
    _counted(floor["clerk"], stocktake,
             {"product_id": floor["coke"], "location_id": floor["a01"], "qty": "10"},
             {"product_id": floor["rice"], "location_id": floor["a01"], "qty": "50"},
             {"product_id": floor["coke"], "location_id": floor["a02"], "qty": "5"},
             {"product_id": floor["milk"], "location_id": floor["a02"], "batch": "M1",
              "qty": "12"})  # fmt: skip


def _keys(data) -> set[str]:
    """Every key anywhere in a JSON document."""
    if isinstance(data, dict):
        return set(data) | {k for value in data.values() for k in _keys(value)}
    if isinstance(data, list | tuple):
        return {k for value in data for k in _keys(value)}
    return set()


def _verified(app) -> None:
    with app.app_context():
        assert differences() == []
        db.session.remove()


# --- the whole flow ---------------------------------------------------------------------------


def test_a_full_count_by_two_counters_reviewed_and_posted(app, floor):
    manager, clerk, clerk2 = floor["manager"], floor["clerk"], floor["clerk2"]
    made = _create(manager, floor, counter_ids=floor["clerk_ids"], note="年终盘点")
    assert made.status_code == 201, made.json
    stocktake = made.json
    assert (stocktake["number"], stocktake["state"], stocktake["mode"], stocktake["blind"]) == (
        f"ST-{YEAR}-000001", "draft", "full", False)  # fmt: skip
    assert {c["username"] for c in stocktake["counters"]} == {"clerk-a", "clerk-b"}
    assert stocktake["locations"] == stocktake["categories"] == []
    assert stocktake["document"] is None
    one_coke = {"product_id": floor["coke"], "location_id": floor["a01"], "qty": "1"}
    assert_problem(_count(clerk, stocktake, one_coke), 409, "invalid-state")

    stocktake = _act(clerk, stocktake, "start").json
    assert stocktake["state"] == "counting" and stocktake["started_at"]
    assert stocktake["progress"] == {"expected_keys": 4, "counted_keys": 0, "unexpected_keys": 0,
                                     "recount_keys": 0}  # fmt: skip
    lines = _lines(clerk, stocktake)
    assert {(x["product"]["sku"], x["location"]["code"], (x["batch"] or {}).get("number"),
             x["expected"], x["counted"]) for x in lines} == {
        ("COKE-500", "A-01", None, "10.000", None), ("RICE", "A-01", None, "50.000", None),
        ("COKE-500", "A-02", None, "5.000", None), ("MILK-1L", "A-02", "M1", "12.000", None),
    }  # fmt: skip

    # Two counters count coke in A-01, one by the case barcode (24) and one by the bottle.
    _counted(clerk, stocktake, {"code": EAN, "location_id": floor["a01"], "qty": "6"})
    result = _counted(clerk2, stocktake, {"code": EAN, "location_id": floor["a01"], "qty": "3"},
                      {"product_id": floor["rice"], "location_id": floor["a01"], "qty": "49.5",
                       "unit": "kg"})  # fmt: skip
    coke = _line(result["lines"], floor, "coke", "a01")
    assert coke["counted"] == "9.000" and coke["expected"] == "10.000"
    assert [(c["user"]["username"], c["qty"]) for c in coke["counted_by"]] == [
        ("clerk-a", "6.000"), ("clerk-b", "3.000")]  # fmt: skip
    assert result["progress"]["counted_keys"] == 2

    progress = clerk.get(f"{URL}/{stocktake['id']}/progress").json
    assert (progress["counted_keys"], progress["expected_keys"]) == (2, 4)
    assert [(p["location"]["code"], p["counted_keys"], p["expected_keys"])
            for p in progress["by_location"]] == [("A-01", 2, 2), ("A-02", 0, 2)]  # fmt: skip
    assert [(c["user"]["username"], c["lines"]) for c in progress["by_counter"]] == [
        ("clerk-b", 2), ("clerk-a", 1)]  # fmt: skip
    assert [x["product"]["sku"] for x in _lines(clerk, stocktake, status="uncounted")] == [
        "COKE-500", "MILK-1L"]  # fmt: skip

    # Submitting with keys uncounted is refused, saying how many.
    body = assert_problem(_act(clerk, stocktake, "submit"), 409, "uncounted-keys")
    assert body["uncounted"] == 2
    _counted(clerk, stocktake, {"product_id": floor["coke"], "location_id": floor["a02"],
                                "qty": "7"})  # fmt: skip
    _counted(clerk2, stocktake, {"product_id": floor["milk"], "location_id": floor["a02"],
                                 "batch": "M1", "qty": "12"})  # fmt: skip
    stocktake = _act(clerk, stocktake, "submit", note="点完了").json
    assert stocktake["state"] == "review" and stocktake["submitted_at"]

    variances = _variances(manager, stocktake).json
    assert [(v["product"]["sku"], v["location"]["code"], v["expected"], v["counted"],
             v["difference"], v["unit_cost"], v["value"]) for v in variances["items"]] == [
        ("COKE-500", "A-01", "10.000", "9.000", "-1.000", "2.000000", "-2.00"),
        ("RICE", "A-01", "50.000", "49.500", "-0.500", "4.000000", "-2.00"),
        ("COKE-500", "A-02", "5.000", "7.000", "2.000", "2.000000", "4.00"),
    ]  # fmt: skip
    assert variances["totals"] == {"keys": 3, "gains": 1, "losses": 2, "value_gain": "4.00",
                                   "value_loss": "-4.00", "value_net": "0.00"}  # fmt: skip
    big = _variances(manager, stocktake, threshold="1").json["items"]
    assert [v["difference"] for v in big] == ["-1.000", "2.000"]
    assert len(_variances(manager, stocktake, all="true").json["items"]) == 4

    assert_problem(_act(clerk, stocktake, "approve"), 403)
    approved = _act(manager, stocktake, "approve")
    assert approved.status_code == 200, approved.json
    stocktake = approved.json
    assert stocktake["state"] == "posted" and stocktake["approved_by"]["username"].startswith(
        "manager")  # fmt: skip
    assert stocktake["document"]["number"].startswith("ADJ-")
    assert (_on_hand(manager, floor, "coke", "a01"), _on_hand(manager, floor, "rice", "a01"),
            _on_hand(manager, floor, "coke", "a02")) == ("9.000", "49.500", "7.000")  # fmt: skip
    document = manager.get(f"/api/v1/stock/movements/{stocktake['document']['id']}").json
    assert document["type"] == "adjust" and stocktake["number"] in document["note"]
    assert sorted(e["qty"] for e in document["entries"]) == ["-0.500", "-1.000", "2.000"]
    _verified(app)

    assert_problem(_act(manager, stocktake, "approve"), 409, "invalid-state")
    assert_problem(_count(clerk, stocktake, one_coke), 409, "invalid-state")
    # Its adjustment belongs to the stocktake: not cancelled on its own.
    cancel = manager.post(f"/api/v1/stock/movements/{stocktake['document']['id']}/cancel")
    assert_problem(cancel, 409, "posted-by-another-document")
    history = manager.get(f"{URL}/{stocktake['id']}/history").json
    assert [(h["event"], h["from"], h["to"]) for h in history] == [
        ("created", None, "draft"), ("state", "draft", "counting"),
        ("state", "counting", "review"), ("state", "review", "posted"),
    ]  # fmt: skip
    # After posting the report still shows what was posted, at the cost it was posted at.
    assert _variances(manager, stocktake).json["totals"]["value_net"] == "0.00"


def test_two_counters_counting_the_same_key_at_once_both_count(app, floor):
    stocktake = _started(floor)
    clients = [floor["clerk"], floor["clerk2"]]
    start = threading.Barrier(len(clients))
    outcomes: list = [None] * len(clients)

    def count(index):
        start.wait()
        line = {"product_id": floor["coke"], "location_id": floor["a01"], "qty": str(index + 4)}
        outcomes[index] = _count(clients[index], stocktake, line).status_code

    threads = [threading.Thread(target=count, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == [201, 201]
    coke = _line(_lines(floor["manager"], stocktake), floor, "coke", "a01")
    assert coke["counted"] == "9.000"  # 4 + 5
    assert sorted((c["user"]["username"], c["qty"]) for c in coke["counted_by"]) == [
        ("clerk-a", "4.000"), ("clerk-b", "5.000")]  # fmt: skip


def test_sales_and_receipts_during_the_count_are_no_variance(app, floor):
    manager = floor["manager"]
    stocktake = _started(floor)
    # Before counting: a sale of 3 coke from A-01, and 4 kg rice and a new batch of milk in.
    _move(floor, "out", "coke", "3", "a01")
    _move(floor, "in", "rice", "4", "a01", unit_cost="4.00")
    _move(floor, "in", "milk", "6", "a02", batch="M2", unit_cost="3.00")
    _counted(floor["clerk"], stocktake,
             {"product_id": floor["coke"], "location_id": floor["a01"], "qty": "7"},
             {"product_id": floor["rice"], "location_id": floor["a01"], "qty": "54"},
             {"product_id": floor["milk"], "location_id": floor["a02"], "batch": "M1",
              "qty": "12"},
             {"product_id": floor["milk"], "location_id": floor["a02"], "batch": "M2",
              "qty": "6"})  # fmt: skip
    # After counting: 2 more coke sold and shipped from A-01; coke in A-02 not counted yet.
    _sell(floor, "coke", "2", "a01")
    _move(floor, "out", "coke", "1", "a02")
    _counted(floor["clerk2"], stocktake,
             {"product_id": floor["coke"], "location_id": floor["a02"], "qty": "3"})  # fmt: skip

    lines = _lines(manager, stocktake)
    assert _line(lines, floor, "coke", "a01")["expected"] == "7.000"  # as it was when counted
    m2 = _line(lines, floor, "milk", "a02", "M2")
    assert m2["unexpected"] and m2["expected"] == "6.000"  # came in during the count
    stocktake = _act(floor["clerk"], stocktake, "submit").json
    variances = _variances(manager, stocktake).json
    # Only the real difference: one coke missing in A-02.
    assert [(v["product"]["sku"], v["location"]["code"], v["expected"], v["counted"],
             v["difference"]) for v in variances["items"]] == [
        ("COKE-500", "A-02", "4.000", "3.000", "-1.000")]  # fmt: skip

    assert _act(manager, stocktake, "approve").status_code == 200
    assert _on_hand(manager, floor, "coke", "a01") == "5.000"  # the later sale stays sold
    assert _on_hand(manager, floor, "coke", "a02") == "3.000"
    assert _on_hand(manager, floor, "rice", "a01") == "54.000"
    _verified(app)


def test_a_blind_count_hides_expected_quantities_from_counters(app, floor):
    from app.core.events import hub

    heard = []
    with app.app_context():
        hub().subscribe(heard.append)
    clerk, manager = floor["clerk"], floor["manager"]
    stocktake = _started(floor, blind=True)
    assert stocktake["blind"] is True
    eight = {"product_id": floor["coke"], "location_id": floor["a01"], "qty": "8"}
    result = _counted(clerk, stocktake, eight)
    assert result["lines"] and all("expected" not in line for line in result["lines"])
    assert all("expected" not in line for line in _lines(clerk, stocktake))
    progress = clerk.get(f"{URL}/{stocktake['id']}/progress").json
    detail = clerk.get(f"{URL}/{stocktake['id']}").json
    assert "expected" not in _keys((progress, detail))
    assert_problem(_variances(clerk, stocktake), 403)
    assert_problem(clerk.get(f"{URL}/{stocktake['id']}/variances.xlsx"), 403)
    # Whoever reviews sees them.
    assert _line(_lines(manager, stocktake), floor, "coke", "a01")["expected"] == "10.000"
    assert _variances(manager, stocktake).status_code == 200
    events = [e for e in heard if e.name == "stocktake.progress"]
    assert [e.payload["state"] for e in events] == ["counting", "counting"]
    counted = events[-1].payload
    assert set(counted) == {"id", "number", "warehouse_id", "state", "progress", "by",
                            "location_id"}  # fmt: skip
    assert counted["location_id"] == floor["a01"] and counted["by"]["username"] == "clerk-a"
    assert counted["progress"]["counted_keys"] == 1
    assert set(events[-1].rooms) == {"role:manager", "role:clerk", f"warehouse:{floor['w1']}"}
    assert not events[-1].restricted


def test_a_recount_replaces_the_earlier_counts_of_its_keys(app, floor):
    clerk, clerk2, manager = floor["clerk"], floor["clerk2"], floor["manager"]
    stocktake = _started(floor)
    _count_everything_right(floor, stocktake)
    _counted(clerk2, stocktake, {"product_id": floor["coke"], "location_id": floor["a01"],
                                 "qty": "2"})  # fmt: skip
    stocktake = _act(clerk, stocktake, "submit").json
    coke = _line(_lines(manager, stocktake), floor, "coke", "a01")
    assert coke["counted"] == "12.000"  # counted twice over by mistake

    assert_problem(_act(clerk, stocktake, "recount", line_ids=[coke["id"]]), 403)
    assert_problem(_act(manager, stocktake, "recount", line_ids=[coke["id"], 999999]), 422,
                   field="line_ids")  # fmt: skip
    stocktake = _act(manager, stocktake, "recount", line_ids=[coke["id"]], note="再点").json
    assert stocktake["state"] == "counting"
    assert stocktake["progress"]["recount_keys"] == 1
    again = _line(_lines(clerk, stocktake, status="recount"), floor, "coke", "a01")
    assert (again["counted"], again["recount"], again["round"], again["counted_by"]) == (
        None, True, 2, [])  # fmt: skip
    _counted(clerk, stocktake, {"product_id": floor["coke"], "location_id": floor["a01"],
                                "qty": "10"})  # fmt: skip
    again = _line(_lines(clerk, stocktake), floor, "coke", "a01")
    assert (again["counted"], again["recount"], len(again["counted_by"])) == ("10.000", False, 1)
    stocktake = _act(clerk, stocktake, "submit").json
    assert _variances(manager, stocktake).json["items"] == []
    stocktake = _act(manager, stocktake, "approve").json
    assert stocktake["state"] == "posted" and stocktake["document"] is None  # nothing differed
    assert _on_hand(manager, floor, "coke", "a01") == "10.000"
    history = manager.get(f"{URL}/{stocktake['id']}/history").json
    assert ("recount", "review", "counting") in [(h["event"], h["from"], h["to"]) for h in history]


def test_values_only_for_those_who_see_costs(app, floor):
    stocktake = _started(floor)
    _count_everything_right(floor, stocktake)
    _counted(floor["clerk"], stocktake, {"product_id": floor["rice"], "location_id": floor["a01"],
                                         "qty": "1"})  # fmt: skip
    stocktake = _act(floor["clerk"], stocktake, "submit").json
    for client in (floor["clerk"], floor["keeper"]):
        page = _variances(client, stocktake).json
        (item,) = page["items"]
        assert item["difference"] == "1.000"
        assert "value" not in item and "unit_cost" not in item
        assert page["totals"] == {"keys": 1, "gains": 1, "losses": 0}
        assert_problem(_variances(client, stocktake, sort="-value"), 422, field="sort")
    (item,) = _variances(floor["manager"], stocktake).json["items"]
    assert (item["unit_cost"], item["value"]) == ("4.000000", "4.00")
    assert_problem(_act(floor["keeper"], stocktake, "approve"), 403)


def test_found_goods_nobody_expected_post_as_a_gain(app, floor):
    manager = floor["manager"]
    stocktake = _started(floor)
    _count_everything_right(floor, stocktake)
    a_case = {"code": CASE_EAN, "location_id": floor["a02"], "qty": "1"}
    rice_found = {"product_id": floor["rice"], "location_id": floor["a02"], "qty": "2"}
    result = _counted(floor["clerk"], stocktake, a_case, rice_found)
    rice = _line(result["lines"], floor, "rice", "a02")
    assert rice["unexpected"] and rice["expected"] == "0.000" and rice["counted"] == "2.000"
    assert _line(result["lines"], floor, "coke", "a02")["counted"] == "29.000"  # 5 + a case
    assert result["progress"]["unexpected_keys"] == 1
    assert [x["product"]["sku"] for x in _lines(manager, stocktake, status="unexpected")] == [
        "RICE"]  # fmt: skip
    stocktake = _act(floor["clerk"], stocktake, "submit").json
    assert _act(manager, stocktake, "approve").status_code == 200
    assert _on_hand(manager, floor, "rice", "a02") == "2.000"
    assert _on_hand(manager, floor, "coke", "a02") == "29.000"
    _verified(app)


def test_uncounted_keys_count_as_none_when_the_lead_says_so(app, floor):
    manager = floor["manager"]
    stocktake = _started(floor, mode="cycle", location_ids=[floor["a02"]])
    assert stocktake["progress"]["expected_keys"] == 2
    _counted(floor["clerk"], stocktake, {"product_id": floor["coke"], "location_id": floor["a02"],
                                         "qty": "5"})  # fmt: skip
    stocktake = _act(floor["clerk"], stocktake, "submit", uncounted_as_zero=True).json
    assert stocktake["state"] == "review"
    (milk,) = _variances(manager, stocktake).json["items"]
    assert (milk["product"]["sku"], milk["counted"], milk["difference"]) == (
        "MILK-1L", "0.000", "-12.000")  # fmt: skip
    assert _act(manager, stocktake, "approve").status_code == 200
    assert _on_hand(manager, floor, "milk", "a02") == "0.000"
    assert _on_hand(manager, floor, "coke", "a01") == "10.000"  # outside its scope
    _verified(app)


def test_corrections_during_the_count_are_not_posted_twice(app, floor):
    """Two stocktakes find the same 2 coke missing in A-01, and a floor keeper sets the
    coke in A-02 by hand to what the count found: each correction is posted once."""
    manager = floor["manager"]
    whole = _started(floor)
    aisle = _started(floor, mode="cycle", location_ids=[floor["a01"]])
    eight = {"product_id": floor["coke"], "location_id": floor["a01"], "qty": "8"}
    _counted(floor["clerk"], whole, eight,
             {"product_id": floor["rice"], "location_id": floor["a01"], "qty": "50"},
             {"product_id": floor["coke"], "location_id": floor["a02"], "qty": "4"},
             {"product_id": floor["milk"], "location_id": floor["a02"], "batch": "M1",
              "qty": "12"})  # fmt: skip
    _counted(floor["clerk2"], aisle, eight,
             {"product_id": floor["rice"], "location_id": floor["a01"], "qty": "50"})  # fmt: skip
    _move(floor, "adjust", "coke", "4", "a02")  # after the count
    whole = _act(floor["clerk"], whole, "submit").json
    aisle = _act(floor["clerk2"], aisle, "submit").json
    assert _act(manager, aisle, "approve").json["document"]["number"].startswith("ADJ-")
    assert _on_hand(manager, floor, "coke", "a01") == "8.000"
    # The other stocktake counts both corrections in what it expects: nothing is left.
    assert _variances(manager, whole).json["items"] == []
    assert _act(manager, whole, "approve").json["document"] is None
    assert _on_hand(manager, floor, "coke", "a01") == "8.000"
    assert _on_hand(manager, floor, "coke", "a02") == "4.000"
    _verified(app)


# --- refusals ---------------------------------------------------------------------------------


WHOLE, DRINKS_IN_A01 = {}, {"mode": "cycle", "location_ids": ["a01"], "category_ids": ["drinks"]}


@pytest.mark.parametrize(
    ("scope", "line", "field"),
    [
        (WHOLE, {"product_id": "coke", "location_id": "a01", "qty": "-1"}, "qty"),
        (WHOLE, {"code": "no-such-code", "location_id": "a01", "qty": "1"}, "code"),
        (WHOLE, {"product_id": "milk", "location_id": "a02", "qty": "1"}, "batch"),
        (WHOLE, {"product_id": "milk", "location_id": "a02", "batch": "ZZ", "qty": "1"}, "batch"),
        (WHOLE, {"product_id": "coke", "location_id": "a01", "qty": "1", "unit": "桶"}, "unit"),
        (WHOLE, {"product_id": "coke", "location_id": None, "qty": "1"}, "location_id"),
        (WHOLE, {"product_id": "coke", "location_id": "other", "qty": "1"}, "location_id"),
        (DRINKS_IN_A01, {"product_id": "coke", "location_id": "a02", "qty": "1"}, "location_id"),
        (DRINKS_IN_A01, {"product_id": "rice", "location_id": "a01", "qty": "1"}, "product_id"),
    ],
)
def test_bad_counts_name_the_line_and_change_nothing(app, floor, scope, line, field):
    other = floor["admin"].post(f"/api/v1/warehouses/{floor['w2']}/locations",
                                json={"code": "B-01"}).json["id"]  # fmt: skip
    floor = {**floor, "other": other}
    scope = {key: [floor[v] for v in value] if isinstance(value, list) else value
             for key, value in scope.items()}  # fmt: skip
    stocktake = _started(floor, **scope)
    bad = {key: floor[value] if key in ("product_id", "location_id") and value else value
           for key, value in line.items()}  # fmt: skip
    good = {"product_id": floor["coke"], "location_id": floor["a01"], "qty": "1"}
    refused = _count(floor["clerk"], stocktake, bad, good)
    assert_problem(refused, 422, "validation-error", field=f"lines.0.{field}")
    assert list(refused.json["errors"]) == [f"lines.0.{field}"]
    progress = floor["manager"].get(f"{URL}/{stocktake['id']}/progress").json
    assert (progress["counted_keys"], progress["by_counter"][0]["lines"]) == (0, 0)


def test_the_document_refuses_what_does_not_fit(app, floor, login_as):
    manager, clerk = floor["manager"], floor["clerk"]
    assert_problem(_create(manager, floor, mode="cycle"), 422, field="mode")
    assert_problem(_create(manager, floor, location_ids=[999999]), 422, field="location_ids")
    assert_problem(_create(manager, floor, category_ids=[999999]), 422, field="category_ids")
    # Counters exist, may count, and may work in the warehouse.
    elsewhere = login_as("clerk", warehouse_ids=[floor["w2"]]).get("/api/v1/auth/me").json["id"]
    keeper = floor["keeper"].get("/api/v1/auth/me").json["id"]
    for counter in (999999, elsewhere, keeper):
        assert_problem(_create(manager, floor, counter_ids=[counter]), 422, field="counter_ids")
    outsider = login_as("clerk", warehouse_ids=[floor["w2"]])
    assert_problem(_create(outsider, floor), 422, field="warehouse_id")
    assert_problem(_create(floor["keeper"], floor), 403)

    draft = _create(clerk, floor, blind=True).json
    changed = clerk.patch(f"{URL}/{draft['id']}", json={
        "version": draft["version"], "mode": "cycle", "location_ids": [floor["a02"]],
        "blind": False, "note": "只点 A-02"})  # fmt: skip
    assert changed.status_code == 200, changed.json
    assert [x["code"] for x in changed.json["locations"]] == ["A-02"]
    assert (changed.json["mode"], changed.json["blind"], changed.json["note"]) == (
        "cycle", False, "只点 A-02")  # fmt: skip
    stale = clerk.patch(f"{URL}/{draft['id']}", json={"version": draft["version"], "note": "x"})
    assert_problem(stale, 409, "stale-version")
    assert_problem(clerk.patch(f"{URL}/{draft['id']}", json={
        "version": changed.json["version"], "location_ids": []}), 422, field="mode")  # fmt: skip

    # Only its counters (and reviewers) count an assigned stocktake.
    assigned = _started(floor, counter_ids=[floor["clerk_ids"][1]], location_ids=[floor["a01"]])
    refused = _count(clerk, assigned, {"product_id": floor["coke"], "location_id": floor["a01"],
                                       "qty": "1"})  # fmt: skip
    assert_problem(refused, 403)
    started = _act(clerk, draft, "start")
    assert started.status_code == 200, started.json
    assert_problem(_act(clerk, started.json, "start"), 409, "invalid-state")
    assert_problem(_act(clerk, started.json, "approve"), 403)
    assert_problem(_act(manager, started.json, "approve"), 409, "invalid-state")  # not reviewed
    cancelled = _act(clerk, started.json, "cancel", note="重来")
    assert cancelled.json["state"] == "cancelled" and cancelled.json["cancelled_at"]
    assert_problem(_act(clerk, cancelled.json, "cancel"), 409, "invalid-state")
    assert_problem(_act(manager, cancelled.json, "recount", line_ids=[1]), 409, "invalid-state")

    # Clerks of another warehouse neither see nor count them.
    assert outsider.get(URL).json["total"] == 0
    assert_problem(outsider.get(f"{URL}/{assigned['id']}"), 404)
    listed = clerk.get(URL, query_string={"state": "counting"}).json
    assert [x["number"] for x in listed["items"]] == [assigned["number"]]
    assert listed["items"][0]["progress"]["expected_keys"] == 2


def test_replayed_counts_and_approval_count_and_post_once(app, floor):
    manager = floor["manager"]
    stocktake = _started(floor)
    _count_everything_right(floor, stocktake)
    one_more = {"product_id": floor["coke"], "location_id": floor["a01"], "qty": "1"}
    first = _count(floor["clerk"], stocktake, one_more, **{"Idempotency-Key": "outbox-7"})
    again = _count(floor["clerk"], stocktake, one_more, **{"Idempotency-Key": "outbox-7"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _line(_lines(manager, stocktake), floor, "coke", "a01")["counted"] == "11.000"
    stocktake = _act(floor["clerk"], stocktake, "submit").json
    headers = {"Idempotency-Key": "approve-st-1"}
    url = f"{URL}/{stocktake['id']}/approve"
    first = manager.post(url, json={}, headers=headers)
    again = manager.post(url, json={}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["document"] == first.json["document"]
    assert_problem(manager.post(url, json={}), 409, "invalid-state")
    assert _on_hand(manager, floor, "coke", "a01") == "11.000"
    ledger = manager.get("/api/v1/stock/movements", query_string={"type": "adjust"}).json
    assert ledger["total"] == 1
    _verified(app)


def test_the_variance_report_as_a_workbook_and_a_pdf(app, floor):
    manager, clerk = floor["manager"], floor["clerk"]
    stocktake = _started(floor)
    _count_everything_right(floor, stocktake)
    _counted(clerk, stocktake, {"product_id": floor["coke"], "location_id": floor["a02"],
                                "qty": "2"})  # fmt: skip
    stocktake = _act(clerk, stocktake, "submit").json
    totals = _variances(manager, stocktake).json["totals"]
    assert (totals["gains"], totals["value_gain"]) == (1, "4.00")

    workbook = manager.get(f"{URL}/{stocktake['id']}/variances.xlsx?lang=en")
    assert workbook.status_code == 200
    assert workbook.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    header = rows.index(["#", "Location", "SKU", "Product", "Batch", "Unit", "Expected",
                         "Counted", "Difference", "Unit cost", "Value"])  # fmt: skip
    body = [row for row in rows[header + 1 :] if row[0]]
    assert [(r[2], r[8], r[10]) for r in body] == [("COKE-500", "+2", 4.0)]
    summary = {row[3]: (row[8], row[10]) for row in rows[header + 1 :] if row[3] in (
        "Gains", "Losses", "Total")}  # fmt: skip
    assert summary == {"Gains": ("1 keys", float(totals["value_gain"])),
                       "Losses": ("0 keys", float(totals["value_loss"])),
                       "Total": ("1 keys", float(totals["value_net"]))}  # fmt: skip
    assert ["Stocktake", stocktake["number"]] in [row[:2] for row in rows]

    pdf = manager.get(f"{URL}/{stocktake['id']}/variances.pdf?lang=zh-CN")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # Without the cost permission the report has no cost columns.
    plain = load_workbook(io.BytesIO(clerk.get(f"{URL}/{stocktake['id']}/variances.xlsx?lang=en"
                                               ).data)).active  # fmt: skip
    values = [v for row in plain.iter_rows(values_only=True) for v in row if v is not None]
    assert "Value" not in values and "Unit cost" not in values and "Difference" in values
