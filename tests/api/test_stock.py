"""Stock documents through the API: in, out, transfer, adjust, write-off, cancel."""

from datetime import timedelta

import pytest

from app.core.db import utcnow
from tests.support import assert_problem

EAN = "6901234567892"
CASE_EAN = "6901234567885"


@pytest.fixture
def stock(app, login_as, warehouses):
    """A manager, two warehouses with a location each, a product sold by the bottle and
    by the case of 24, and a batch-tracked product with expiry."""
    manager = login_as("manager")
    coke = manager.post(
        "/api/v1/products",
        json={
            "sku": "coke-500",
            "name": "可口可乐 500ml",
            "unit": "瓶",
            "barcodes": [EAN],
            "units": [{"name": "箱", "factor": "24", "barcode": CASE_EAN}],
            "safety_stock": "10",
        },
    ).json
    milk = manager.post(
        "/api/v1/products",
        json={
            "sku": "milk-1l",
            "name": "牛奶 1L",
            "unit": "盒",
            "track_batches": True,
            "track_expiry": True,
            "shelf_life_days": 30,
        },  # fmt: skip
    ).json
    admin = login_as("admin")
    locations = [
        admin.post(f"/api/v1/warehouses/{w}/locations", json={"code": "A-01"}).json["id"]
        for w in warehouses
    ]
    return {
        "client": manager,
        "coke": coke["id"],
        "milk": milk["id"],
        "w1": warehouses[0],
        "w2": warehouses[1],
        "l1": locations[0],
        "l2": locations[1],
    }


def _post(client, **body):
    return client.post("/api/v1/stock/movements", json=body)


def _balance(client, product_id, warehouse_id):
    page = client.get(
        f"/api/v1/stock/balances?by=warehouse&product_id={product_id}&warehouse_id={warehouse_id}"
    ).json
    return page["items"][0] if page["items"] else None


def _ledger_count(client, **filters):
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return client.get(f"/api/v1/stock/ledger?{query}").json["total"]


def test_stock_in_by_case_barcode_then_out_at_the_moving_average(stock):
    c = stock["client"]
    made = _post(c, type="in", warehouse_id=stock["w1"],
                 lines=[{"code": CASE_EAN, "qty": "2", "unit_cost": "24.00",
                         "location_id": stock["l1"]}])  # fmt: skip
    assert made.status_code == 201, made.json
    doc = made.json
    assert doc["number"].startswith("IN-") and doc["status"] == "posted"
    line = doc["lines"][0]
    assert (line["unit"], line["qty"], line["base_qty"]) == ("箱", "2.000", "48.000")
    assert line["unit_cost"] == "1.000000"  # per bottle
    assert doc["balances"][0]["on_hand"] == "48.000"
    assert doc["entries"][0]["qty_after"] == "48.000" and doc["entries"][0]["value"] == "48.00"

    _post(c, type="in", warehouse_id=stock["w1"],
          lines=[{"product_id": stock["coke"], "qty": "52", "unit_cost": "2.00"}])  # fmt: skip
    balance = _balance(c, stock["coke"], stock["w1"])
    assert balance["on_hand"] == "100.000"
    assert balance["value"] == "152.00" and balance["avg_cost"] == "1.520000"

    out = _post(c, type="out", warehouse_id=stock["w1"],
                lines=[{"product_id": stock["coke"], "qty": "10"}])  # fmt: skip
    assert out.status_code == 201, out.json
    assert [e["unit_cost"] for e in out.json["entries"]] == ["1.520000"]
    assert sum(float(e["qty"]) for e in out.json["entries"]) == -10
    balance = _balance(c, stock["coke"], stock["w1"])
    assert (balance["on_hand"], balance["value"]) == ("90.000", "136.80")


def test_not_enough_stock_is_a_409_naming_product_and_quantities_and_writes_nothing(stock):
    c = stock["client"]
    _post(c, type="in", warehouse_id=stock["w1"],
          lines=[{"product_id": stock["coke"], "qty": "3", "unit_cost": "1"}])  # fmt: skip
    before = _ledger_count(c, product_id=stock["coke"])
    refused = _post(c, type="out", warehouse_id=stock["w1"],
                    lines=[{"product_id": stock["coke"], "qty": "1"},
                           {"product_id": stock["coke"], "qty": "5"}])  # fmt: skip
    body = assert_problem(refused, 409, "insufficient-stock")
    assert body["product"]["sku"] == "COKE-500" and body["warehouse_id"] == stock["w1"]
    assert (body["requested"], body["available"], body["line"]) == ("5", "2", 2)
    assert "COKE-500" in body["detail"] and "requested 5, available 2" in body["detail"]
    assert _ledger_count(c, product_id=stock["coke"]) == before
    assert _balance(c, stock["coke"], stock["w1"])["on_hand"] == "3.000"
    # No number was used up by the refusal: the next document takes the next one.
    ok = _post(c, type="out", warehouse_id=stock["w1"],
               lines=[{"product_id": stock["coke"], "qty": "1"}])  # fmt: skip
    assert ok.json["number"].endswith("-000001")


def test_negative_stock_when_the_product_allows_it(stock):
    c = stock["client"]
    product = c.get(f"/api/v1/products/{stock['coke']}").json
    c.patch(f"/api/v1/products/{stock['coke']}",
            json={"version": product["version"], "allow_negative_stock": True})  # fmt: skip
    out = _post(c, type="out", warehouse_id=stock["w1"],
                lines=[{"product_id": stock["coke"], "qty": "4"}])  # fmt: skip
    assert out.status_code == 201, out.json
    assert _balance(c, stock["coke"], stock["w1"])["on_hand"] == "-4.000"


def test_transfer_carries_the_source_cost_and_batches_go_fefo(stock):
    c = stock["client"]
    soon, later = (utcnow().date() + timedelta(days=d) for d in (10, 90))
    _post(c, type="in", warehouse_id=stock["w1"], lines=[
        {"product_id": stock["milk"], "qty": "5", "batch": "LATE", "expiry": later.isoformat(),
         "unit_cost": "6", "location_id": stock["l1"]},
        {"product_id": stock["milk"], "qty": "5", "batch": "SOON", "expiry": soon.isoformat(),
         "unit_cost": "4", "location_id": stock["l1"]},
    ])  # fmt: skip
    moved = _post(c, type="transfer", warehouse_id=stock["w1"], to_warehouse_id=stock["w2"],
                  lines=[{"product_id": stock["milk"], "qty": "7",
                          "to_location_id": stock["l2"]}])  # fmt: skip
    assert moved.status_code == 201, moved.json
    arrived = [e for e in moved.json["entries"] if e["warehouse_id"] == stock["w2"]]
    assert [e["qty"] for e in arrived] == ["5.000", "2.000"]  # all of SOON first, then LATE
    places = c.get(f"/api/v1/stock/balances?product_id={stock['milk']}"
                   f"&warehouse_id={stock['w2']}").json["items"]  # fmt: skip
    assert {(p["batch"]["number"], p["on_hand"]) for p in places} == {
        ("SOON", "5.000"), ("LATE", "2.000")}  # fmt: skip
    w1, w2 = _balance(c, stock["milk"], stock["w1"]), _balance(c, stock["milk"], stock["w2"])
    assert (w1["on_hand"], w2["on_hand"]) == ("3.000", "7.000")
    assert w2["value"] == "35.00"  # moved at the average cost 5.00 of W1
    assert (w1["value"], w1["avg_cost"]) == ("15.00", "5.000000")


def test_an_expired_batch_needs_the_managers_override(stock, login_as, warehouses):
    c = stock["client"]
    past = (utcnow().date() - timedelta(days=1)).isoformat()
    _post(c, type="in", warehouse_id=stock["w1"], lines=[
        {"product_id": stock["milk"], "qty": "2", "batch": "OLD", "expiry": past,
         "unit_cost": "3"}])  # fmt: skip
    floor = login_as("warehouse")
    line = {"product_id": stock["milk"], "qty": "1", "batch": "OLD"}
    assert_problem(_post(floor, type="out", warehouse_id=stock["w1"], lines=[line]), 409,
                   "expired-batch", field="batch")  # fmt: skip
    # Without naming the batch, FEFO skips expired stock.
    auto = _post(floor, type="out", warehouse_id=stock["w1"],
                 lines=[{"product_id": stock["milk"], "qty": "1"}])  # fmt: skip
    assert_problem(auto, 409, "insufficient-stock")
    assert_problem(_post(floor, type="out", warehouse_id=stock["w1"], lines=[line],
                         override_expired=True), 403)  # fmt: skip
    ok = _post(c, type="out", warehouse_id=stock["w1"], lines=[line], override_expired=True)
    assert ok.status_code == 201, ok.json
    # Writing expired goods off needs no override: that is what the write-off is for.
    written = _post(floor, type="write_off", reason="expired", warehouse_id=stock["w1"],
                    lines=[line])  # fmt: skip
    assert written.status_code == 201, written.json
    assert written.json["number"].startswith("WO-")


def test_adjust_posts_the_difference_to_the_counted_quantity(stock):
    c = stock["client"]
    _post(c, type="in", warehouse_id=stock["w1"],
          lines=[{"product_id": stock["coke"], "qty": "10", "unit_cost": "2",
                  "location_id": stock["l1"]}])  # fmt: skip
    down = _post(
        c,
        type="adjust",
        warehouse_id=stock["w1"],
        lines=[{"product_id": stock["coke"], "qty": "7", "location_id": stock["l1"]}],
    )
    assert [e["qty"] for e in down.json["entries"]] == ["-3.000"]
    up = _post(
        c,
        type="adjust",
        warehouse_id=stock["w1"],
        lines=[{"product_id": stock["coke"], "qty": "9", "location_id": stock["l1"]}],
    )
    assert [(e["qty"], e["unit_cost"]) for e in up.json["entries"]] == [("2.000", "2.000000")]
    assert _balance(c, stock["coke"], stock["w1"])["on_hand"] == "9.000"


def test_cancel_posts_reversing_lines_and_is_refused_when_stock_is_gone(stock):
    c = stock["client"]
    first = _post(
        c,
        type="in",
        warehouse_id=stock["w1"],
        lines=[{"product_id": stock["coke"], "qty": "5", "unit_cost": "2"}],
    ).json
    out = _post(
        c, type="out", warehouse_id=stock["w1"], lines=[{"product_id": stock["coke"], "qty": "4"}]
    ).json
    assert_problem(c.post(f"/api/v1/stock/movements/{first['id']}/cancel"), 409,
                   "insufficient-stock")  # fmt: skip
    cancelled = c.post(f"/api/v1/stock/movements/{out['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.json
    body = cancelled.json
    assert body["status"] == "cancelled" and body["cancelled_by"]["id"]
    assert [e["qty"] for e in body["entries"]] == ["-4.000", "4.000"]
    assert body["entries"][1]["reverses_id"] == body["entries"][0]["id"]
    assert _balance(c, stock["coke"], stock["w1"])["on_hand"] == "5.000"
    assert_problem(c.post(f"/api/v1/stock/movements/{out['id']}/cancel"), 409,
                   "already-cancelled")  # fmt: skip
    again = c.post(f"/api/v1/stock/movements/{first['id']}/cancel")
    assert again.status_code == 200
    balance = _balance(c, stock["coke"], stock["w1"])
    assert (balance["on_hand"], balance["value"]) == ("0.000", "0.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "sideways"}, "type"),
        ({"lines": []}, "lines"),
        ({"lines": [{"qty": "1"}]}, "lines"),
        ({"lines": [{"product_id": 999999, "qty": "1"}]}, "lines.0.product_id"),
        ({"lines": [{"code": "NOPE", "qty": "1"}]}, "lines.0.code"),
        ({"lines": [{"product_id": "PID", "qty": "0"}]}, "lines.0.qty"),
        ({"lines": [{"product_id": "PID", "qty": "-2"}]}, "lines.0.qty"),
        ({"lines": [{"product_id": "PID", "qty": "1.0001"}]}, "lines"),
        ({"lines": [{"product_id": "PID", "qty": "abc"}]}, "lines"),
        ({"lines": [{"product_id": "PID", "qty": "1", "unit": "桶"}]}, "lines.0.unit"),
        ({"lines": [{"product_id": "PID", "qty": "1", "batch": "B1"}]}, "lines.0.batch"),
        (
            {"lines": [{"product_id": "PID", "qty": "1", "location_id": 999999}]},
            "lines.0.location_id",
        ),  # fmt: skip
        (
            {"type": "out", "lines": [{"product_id": "PID", "qty": "1", "unit_cost": "1"}]},
            "lines.0.unit_cost",
        ),  # fmt: skip
        ({"type": "transfer"}, "to_warehouse_id"),
        ({"type": "write_off", "reason": "bored"}, "reason"),
        ({"warehouse_id": 999999}, "warehouse_id"),
        ({"lines": [{"product_id": "MILK", "qty": "1"}]}, "lines.0.batch"),
        ({"lines": [{"product_id": "PID", "qty": "1", "expiry": "2027-01-01"}]}, "lines.0.batch"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(stock, body, field):
    c = stock["client"]
    request = {"type": "in", "warehouse_id": stock["w1"],
               "lines": [{"product_id": stock["coke"], "qty": "1"}], **body}  # fmt: skip
    for line in request["lines"]:
        if line.get("product_id") in ("PID", "MILK"):
            line["product_id"] = stock["coke" if line["product_id"] == "PID" else "milk"]
    assert_problem(_post(c, **request), 422, "validation-error", field=field)
    assert _ledger_count(c) == 0
    assert c.get("/api/v1/stock/movements").json["total"] == 0


def test_warehouse_staff_move_stock_only_in_their_warehouse(stock, login_as):
    floor = login_as("warehouse", warehouse_ids=[stock["w1"]])
    ok = _post(floor, type="in", warehouse_id=stock["w1"],
               lines=[{"product_id": stock["coke"], "qty": "1"}])  # fmt: skip
    assert ok.status_code == 201
    assert "unit_cost" not in ok.json["entries"][0]  # no cost for floor staff
    elsewhere = _post(floor, type="in", warehouse_id=stock["w2"],
                      lines=[{"product_id": stock["coke"], "qty": "1"}])  # fmt: skip
    assert_problem(elsewhere, 422, field="warehouse_id")
    assert floor.get("/api/v1/stock/ledger").json["total"] == 1
    sales = login_as("sales")
    assert_problem(_post(sales, type="in", warehouse_id=stock["w1"],
                         lines=[{"product_id": stock["coke"], "qty": "1"}]), 403)  # fmt: skip


def test_ledger_lists_running_balances_newest_first(stock):
    c = stock["client"]
    for qty in ("5", "3"):
        _post(c, type="in", warehouse_id=stock["w1"],
              lines=[{"product_id": stock["coke"], "qty": qty, "unit_cost": "1"}])  # fmt: skip
    _post(c, type="out", warehouse_id=stock["w1"],
          lines=[{"product_id": stock["coke"], "qty": "2"}])  # fmt: skip
    items = c.get(f"/api/v1/stock/ledger?product_id={stock['coke']}").json["items"]
    assert [(i["qty"], i["qty_after"]) for i in items] == [
        ("-2.000", "6.000"), ("3.000", "8.000"), ("5.000", "5.000")]  # fmt: skip
    assert items[0]["document"]["number"].startswith("OUT-")
    docs = c.get("/api/v1/stock/movements?type=in").json
    assert docs["total"] == 2 and docs["items"][0]["line_count"] == 1


def test_below_safety_lists_products_under_their_safety_stock(stock):
    c = stock["client"]
    _post(c, type="in", warehouse_id=stock["w1"],
          lines=[{"product_id": stock["coke"], "qty": "12", "unit_cost": "1"}])  # fmt: skip
    assert c.get("/api/v1/stock/balances?below_safety=1").json["total"] == 0
    _post(c, type="out", warehouse_id=stock["w1"],
          lines=[{"product_id": stock["coke"], "qty": "3"}])  # fmt: skip
    low = c.get("/api/v1/stock/balances?below_safety=1").json["items"]
    assert [(i["product"]["sku"], i["available"], i["below_safety"]) for i in low] == [
        ("COKE-500", "9.000", True)]  # fmt: skip


def test_events_after_commit_and_stock_low_once_per_crossing(app, stock):
    from app.core.events import hub

    heard = []
    with app.app_context():
        hub().subscribe(heard.append)
    c = stock["client"]

    def names():
        # The stock events (the stored notifications a stock.low makes are tested apart).
        found = [(e.name, e.payload.get("available")) for e in heard if e.name.startswith("stock.")]
        heard.clear()
        return found

    _post(c, type="in", warehouse_id=stock["w1"],
          lines=[{"product_id": stock["coke"], "qty": "12", "unit_cost": "1"}])  # fmt: skip
    assert names() == [("stock.changed", "12.000")]
    assert_problem(_post(c, type="out", warehouse_id=stock["w1"],
                         lines=[{"product_id": stock["coke"], "qty": "13"}]), 409)  # fmt: skip
    assert names() == []  # refused: nothing happened, nothing is announced
    _post(c, type="out", warehouse_id=stock["w1"],
          lines=[{"product_id": stock["coke"], "qty": "3"}])  # fmt: skip
    assert names() == [("stock.changed", "9.000"), ("stock.low", "9.000")]
    _post(c, type="out", warehouse_id=stock["w1"],
          lines=[{"product_id": stock["coke"], "qty": "1"}])  # fmt: skip
    assert names() == [("stock.changed", "8.000")]  # still low: no second alert
    _post(c, type="in", warehouse_id=stock["w1"],
          lines=[{"product_id": stock["coke"], "qty": "5", "unit_cost": "1"}])  # fmt: skip
    _post(c, type="out", warehouse_id=stock["w1"],
          lines=[{"product_id": stock["coke"], "qty": "4"}])  # fmt: skip
    assert [n for n, _ in names()] == ["stock.changed", "stock.changed", "stock.low"]


def test_a_replayed_idempotency_key_posts_once(stock):
    c = stock["client"]
    body = {"type": "in", "warehouse_id": stock["w1"],
            "lines": [{"product_id": stock["coke"], "qty": "2", "unit_cost": "1"}]}  # fmt: skip
    headers = {"Idempotency-Key": "outbox-entry-1"}
    first = c.post("/api/v1/stock/movements", json=body, headers=headers)
    again = c.post("/api/v1/stock/movements", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] == first.json["id"]
    assert _balance(c, stock["coke"], stock["w1"])["on_hand"] == "2.000"
    assert _ledger_count(c, product_id=stock["coke"]) == 1


def test_stock_verify_reports_a_tampered_balance(app, stock):
    from sqlalchemy import update

    from app.extensions import db
    from app.inventory.models import StockBalance

    _post(stock["client"], type="in", warehouse_id=stock["w1"],
          lines=[{"product_id": stock["coke"], "qty": "4", "unit_cost": "1"}])  # fmt: skip
    runner = app.test_cli_runner()
    assert runner.invoke(args=["stock", "verify"]).exit_code == 0
    with app.app_context():
        db.session.execute(update(StockBalance).values(on_hand=StockBalance.on_hand + 1))
        db.session.commit()
    result = runner.invoke(args=["stock", "verify"])
    assert result.exit_code == 1
    assert "on_hand is 5.000, the ledger says 4.000" in result.output


def test_negative_stock_everywhere_when_the_setting_allows_it(app, stock):
    app.config["ALLOW_NEGATIVE_STOCK"] = True
    out = _post(stock["client"], type="out", warehouse_id=stock["w1"],
                lines=[{"product_id": stock["coke"], "qty": "2"}])  # fmt: skip
    assert out.status_code == 201, out.json
    assert _balance(stock["client"], stock["coke"], stock["w1"])["on_hand"] == "-2.000"
