"""Reorder suggestions: below the reorder point, up to the maximum level in whole cases,
under the last supplier; and the drafts made from them."""

import pytest
from sqlalchemy import update

from app.core.db import utcnow
from tests.support import assert_problem

YEAR = utcnow().year
URL = "/api/v1/purchasing/reorder-suggestions"


@pytest.fixture
def plan(app, login_as, warehouses):
    """Warehouse W1 with:
    - water (瓶, 箱 = 12): point 30, qty 20; 2 箱 ordered from S2 at 18.00, 10 瓶 received;
    - rice (kg): product point 20, qty 0, but W1's own point 15, qty 10; 8.5 kg taken in at
      2.50, never ordered, 2 kg reserved;
    - tea (个): point 5, qty 5; 2 ordered from S1 at 4.20 and received;
    - soap (块): point 10, qty 5; 12 on an approved order from S1: on order covers it;
    - an archived product below its point; and rice's product point elsewhere (W2)."""
    manager, buyer = login_as("manager"), login_as("purchaser")
    w1, w2 = warehouses

    def product(**body):
        made = manager.post("/api/v1/products", json=body)
        assert made.status_code == 201, made.json
        return made.json["id"]

    s1 = manager.post("/api/v1/suppliers", json={"code": "S1", "name": "日杂批发"}).json["id"]
    s2 = manager.post(
        "/api/v1/suppliers", json={"code": "S2", "name": "水厂", "lead_time_days": 3}
    ).json["id"]
    water = product(sku="water", name="矿泉水", unit="瓶", units=[{"name": "箱", "factor": "12"}],
                    reorder_point="30", reorder_qty="20")  # fmt: skip
    rice = product(sku="rice", name="大米", unit="kg", reorder_point="20",
                   warehouse_settings=[{"warehouse_id": w1, "reorder_point": "15",
                                        "reorder_qty": "10"}])  # fmt: skip
    tea = product(sku="tea", name="茶叶", unit="个", reorder_point="5", reorder_qty="5")
    soap = product(sku="soap", name="肥皂", unit="块", reorder_point="10", reorder_qty="5")
    old = product(sku="old", name="旧货", unit="个", reorder_point="10",
                  warehouse_settings=[{"warehouse_id": w1}])  # fmt: skip
    assert manager.delete(f"/api/v1/products/{old}").status_code == 204

    def order(supplier, lines, receive=None):
        body = {"supplier_id": supplier, "warehouse_id": w1, "lines": lines}
        made = buyer.post("/api/v1/purchase-orders", json=body).json
        approved = buyer.post(f"/api/v1/purchase-orders/{made['id']}/approve")
        assert approved.status_code == 200, approved.json
        if receive:
            got = manager.post(
                f"/api/v1/purchase-orders/{made['id']}/receipts",
                json={"lines": [{"po_line_id": made["lines"][0]["id"], **receive}]},
            )
            assert got.status_code == 201, got.json
        return made

    order(s2, [{"product_id": water, "unit": "箱", "qty": "2", "unit_price": "18",
                "tax_rate": "0.09"}], receive={"qty": "10", "unit": "瓶"})  # fmt: skip
    order(s1, [{"product_id": tea, "qty": "2", "unit_price": "4.2", "tax_rate": "0.13"}],
          receive={"qty": "2"})  # fmt: skip
    order(s1, [{"product_id": soap, "qty": "12", "unit_price": "1.5"}])
    stocked = manager.post("/api/v1/stock/movements", json={
        "type": "in", "warehouse_id": w1,
        "lines": [{"product_id": rice, "qty": "8.5", "unit_cost": "2.5"}],
    })  # fmt: skip
    assert stocked.status_code == 201, stocked.json
    with app.app_context():  # sales orders reserve stock; here it is set by hand
        from app.extensions import db
        from app.inventory.models import StockBalance

        db.session.execute(
            update(StockBalance)
            .where(StockBalance.product_id == rice, StockBalance.warehouse_id == w1)
            .values(reserved=2)
        )
        db.session.commit()
    return {"manager": manager, "buyer": buyer, "w1": w1, "w2": w2, "s1": s1, "s2": s2,
            "water": water, "rice": rice, "tea": tea, "soap": soap, "old": old}  # fmt: skip


def _suggest(client, warehouse_id):
    got = client.get(f"{URL}?warehouse_id={warehouse_id}")
    assert got.status_code == 200, got.json
    return got.json


def _by_sku(body) -> dict:
    return {line["product"]["sku"]: line for group in body["groups"] for line in group["lines"]}


def test_suggestions_by_hand_grouped_by_last_supplier(plan):
    body = _suggest(plan["buyer"], plan["w1"])
    assert body["warehouse"]["id"] == plan["w1"]
    groups = [(g["supplier"] and g["supplier"]["code"], [x["product"]["sku"] for x in g["lines"]])
              for g in body["groups"]]  # fmt: skip
    # Soap is covered by its approved order; the archived product is left out.
    assert groups == [("S1", ["TEA"]), ("S2", ["WATER"]), (None, ["RICE"])]
    assert body["groups"][0]["supplier"]["lead_time_days"] == 7
    assert body["groups"][1]["supplier"]["lead_time_days"] == 3
    lines = _by_sku(body)

    water = lines["WATER"]
    # 10 on hand + 14 on order = 24 < 30; up to 30 + 20 = 50 is 26, in cases of 12: 36.
    assert (water["on_hand"], water["on_order"], water["reserved"]) == (
        "10.000", "14.000", "0.000")  # fmt: skip
    assert (water["projected"], water["max_level"], water["order_multiple"]) == (
        "24.000", "50.000", "12.000")  # fmt: skip
    assert water["suggested_qty"] == "36.000"
    assert (water["last_unit"], water["last_unit_price"]) == ("箱", "18.000000")

    rice = lines["RICE"]
    # W1's override: 8.5 − 2 reserved = 6.5 < 15; up to 15 + 10 = 25 is 18.5, whole kg: 19.
    assert (rice["reorder_point"], rice["reorder_qty"], rice["projected"]) == (
        "15.000", "10.000", "6.500")  # fmt: skip
    assert (rice["suggested_qty"], rice["order_multiple"]) == ("19.000", "1.000")
    assert (rice["last_unit"], rice["last_unit_price"], rice["last_order"]) == (None, None, None)

    tea = lines["TEA"]
    assert (tea["projected"], tea["suggested_qty"], tea["last_unit_price"]) == (
        "2.000", "8.000", "4.200000")  # fmt: skip

    # W2 holds none of these: nothing to suggest there.
    assert _suggest(plan["buyer"], plan["w2"])["groups"] == []


def test_floor_staff_see_suggestions_without_prices(plan, login_as):
    floor = login_as("warehouse")
    lines = _by_sku(_suggest(floor, plan["w1"]))
    assert lines["WATER"]["suggested_qty"] == "36.000"
    assert all("last_unit_price" not in line for line in lines.values())
    assert_problem(floor.post(URL, json={"warehouse_id": plan["w1"], "lines": []}), 403)
    assert_problem(login_as("sales").get(f"{URL}?warehouse_id={plan['w1']}"), 403)
    elsewhere = login_as("warehouse", warehouse_ids=[plan["w2"]])
    assert_problem(elsewhere.get(f"{URL}?warehouse_id={plan['w1']}"), 422, field="warehouse_id")


def test_ordering_suggestions_makes_one_draft_per_supplier(plan):
    buyer = plan["buyer"]
    got = buyer.post(URL, json={"warehouse_id": plan["w1"], "lines": [
        {"product_id": plan["water"], "qty": "36", "supplier_id": plan["s2"]},
        {"product_id": plan["tea"], "qty": "8", "supplier_id": plan["s1"]},
        {"product_id": plan["rice"], "qty": "19", "supplier_id": plan["s1"]},
    ]})  # fmt: skip
    assert got.status_code == 201, got.json
    orders = got.json["orders"]
    assert [(o["supplier"]["code"], o["state"]) for o in orders] == [
        ("S2", "draft"), ("S1", "draft")]  # fmt: skip
    assert [o["number"] for o in orders] == [f"PO-{YEAR}-000004", f"PO-{YEAR}-000005"]

    def lines(order):
        return [(x["product"]["sku"], x["unit"], x["qty"], x["unit_price"], x["tax_rate"])
                for x in order["lines"]]  # fmt: skip

    # Whole cases are ordered in cases at the last case price; rice, never bought from S1,
    # at its last cost with the usual 13 %.
    assert lines(orders[0]) == [("WATER", "箱", "3.000", "18.000000", "0.0900")]
    assert lines(orders[1]) == [
        ("TEA", "个", "8.000", "4.200000", "0.1300"),
        ("RICE", "kg", "19.000", "2.500000", "0.1300"),
    ]
    # 8 × 4.20 = 33.60, tax 4.368 → 4.37; 19 × 2.50 = 47.50, tax 6.175 → 6.18
    assert orders[1]["totals"] == {"amount": "81.10", "tax": "10.55", "total": "91.65"}
    # Drafts expect nothing yet: the suggestions stand until they are approved.
    assert _by_sku(_suggest(buyer, plan["w1"]))["WATER"]["suggested_qty"] == "36.000"
    buyer.post(f"/api/v1/purchase-orders/{orders[0]['id']}/approve")
    assert "WATER" not in _by_sku(_suggest(buyer, plan["w1"]))


def test_part_of_a_case_is_ordered_in_the_base_unit(plan):
    got = plan["buyer"].post(URL, json={"warehouse_id": plan["w1"], "lines": [
        {"product_id": plan["water"], "qty": "30", "supplier_id": plan["s2"]}]})  # fmt: skip
    assert got.status_code == 201, got.json
    line = got.json["orders"][0]["lines"][0]
    assert (line["unit"], line["qty"], line["unit_price"]) == ("瓶", "30.000", "1.500000")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"supplier_id": None}, "lines.1.supplier_id"),
        ({"supplier_id": "omit"}, "lines.1.supplier_id"),
        ({"supplier_id": 999999}, "lines.1.supplier_id"),
        ({"product_id": 999999}, "lines.1.product_id"),
        ({"qty": "0"}, "lines.1.qty"),
        ({"qty": "-3"}, "lines.1.qty"),
        ({"qty": "x"}, "lines"),
        ({"warehouse_id": 999999}, "warehouse_id"),
        ({"lines": []}, "lines"),
    ],
)
def test_bad_orders_from_suggestions_are_refused_and_write_nothing(plan, change, field):
    buyer = plan["buyer"]
    change = dict(change)  # the same parameters serve both databases
    good = {"product_id": plan["water"], "qty": "36", "supplier_id": plan["s2"]}
    bad = {"product_id": plan["tea"], "qty": "8", "supplier_id": plan["s1"]}
    for key in ("supplier_id", "product_id", "qty"):
        if key in change:
            value = change.pop(key)
            if value == "omit":
                bad.pop(key)
            else:
                bad[key] = value
    body = {"warehouse_id": plan["w1"], "lines": [good, bad], **change}
    before = buyer.get("/api/v1/purchase-orders").json["total"]
    problem = assert_problem(buyer.post(URL, json=body), 422, field=field)
    if field == "lines.1.supplier_id" and "supplier_id" not in bad:
        assert "lines.0.supplier_id" not in problem["errors"]
    assert buyer.get("/api/v1/purchase-orders").json["total"] == before


def test_suggestions_need_a_usable_warehouse(plan):
    buyer = plan["buyer"]
    assert_problem(buyer.get(URL), 422, field="warehouse_id")
    assert_problem(buyer.get(f"{URL}?warehouse_id=999999"), 422, field="warehouse_id")
    assert_problem(buyer.get(f"{URL}?warehouse_id=x"), 422, field="warehouse_id")
