"""Replenishment from the demand forecast: the stored forecasts made from customer demand,
the replenishment report at a service level, one product's forecast page, and the reorder
screen's forecast basis — against figures worked out here."""

from decimal import Decimal
from statistics import NormalDist

import pytest

from tests.api.test_purchase_orders import shop as shop  # noqa: F401 - the fixture
from tests.support import assert_problem, post_demand

REPORT = "/api/v1/reports/replenishment"
DETAIL = "/api/v1/purchasing/demand-forecast"
REFRESH = "/api/v1/purchasing/demand-forecasts/refresh"
REORDER = "/api/v1/purchasing/reorder-suggestions"


def D(text) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(text)


def _refresh(client) -> dict:
    done = client.post(REFRESH, json={})
    assert done.status_code == 200, done.json
    return done.json


def _rows(client, **query) -> dict:
    page = client.get(REPORT, query_string=query)
    assert page.status_code == 200, page.json
    return {item["sku"]: item for item in page.json["items"]}


@pytest.fixture
def demand(app, shop):
    """Coke sells 2 a day for 84 days (200 came in before), by the case of 24 from S1,
    whose lead time is 7 days; rice sells 1, 3, 1, 3… kg (300 came in), never ordered."""
    manager, buyer = shop["manager"], shop["buyer"]
    me = manager.get("/api/v1/auth/me").json["id"]
    ordered = buyer.post("/api/v1/purchase-orders", json={
        "supplier_id": shop["supplier"], "warehouse_id": shop["w2"],
        "lines": [{"product_id": shop["coke"], "qty": "1", "unit_price": "2.00"}]})  # fmt: skip
    assert ordered.status_code == 201, ordered.json
    post_demand(app, shop["w1"], shop["coke"], ["2"] * 84, user_id=me, stock="200")
    post_demand(app, shop["w1"], shop["rice"], ["1", "3"] * 42, user_id=me, stock="300")
    return {**shop, "refreshed": _refresh(buyer)}


def test_constant_demand_gives_the_textbook_figures(demand):
    manager = demand["manager"]
    assert demand["refreshed"]["count"] == 2
    coke = _rows(manager, only_to_order="false")["COKE-500"]
    # 2 a day, no noise: no safety stock; 7 days' lead time → reorder at 14; one review
    # period (7 days) more → up to 28. 200 − 168 sold = 32 on hand: nothing to order.
    assert (coke["method"], coke["daily_demand"], coke["safety_stock"]) == (
        "constant", "2.000", "0.000")  # fmt: skip
    assert (coke["reorder_point"], coke["order_up_to"], coke["position"]) == (
        "14.000", "28.000", "32.000")  # fmt: skip
    assert (coke["supplier_name"], coke["lead_time_days"], coke["suggested_qty"]) == (
        "饮料批发", 7, "0.000")  # fmt: skip
    assert coke["history_days"] == 84 and coke["mase"] is None  # naive is never wrong
    assert "COKE-500" not in _rows(manager)  # only what to order now, by default

    # 20 leave for another reason (not demand): 12 left < 14 → up to 28 is 16, in cases of 24.
    out = manager.post("/api/v1/stock/movements", json={"type": "out", "warehouse_id": demand[
        "w1"], "lines": [{"product_id": demand["coke"], "qty": "20"}]})  # fmt: skip
    assert out.status_code == 201, out.json
    coke = _rows(manager)["COKE-500"]
    assert (coke["position"], coke["suggested_qty"], coke["suggested_value"]) == (
        "12.000", "24.000", "48.00")  # fmt: skip

    # The reorder screen on the forecast basis suggests the same; on the fixed basis (no
    # reorder point set on coke) nothing.
    forecast = manager.get(REORDER, query_string={"warehouse_id": demand["w1"],
                                                  "basis": "forecast"}).json  # fmt: skip
    lines = {line["product"]["sku"]: line for g in forecast["groups"] for line in g["lines"]}
    assert forecast["basis"] == "forecast"
    assert (lines["COKE-500"]["reorder_point"], lines["COKE-500"]["suggested_qty"]) == (
        "14.000", "24.000")  # fmt: skip
    fixed = manager.get(REORDER, query_string={"warehouse_id": demand["w1"]}).json
    assert "COKE-500" not in {
        line["product"]["sku"] for g in fixed["groups"] for line in g["lines"]
    }


def test_safety_stock_follows_the_service_level(demand):
    manager = demand["manager"]
    levels = {level: _rows(manager, only_to_order="false", service_level=level)["RICE"]
              for level in ("0.90", "0.95", "0.99")}  # fmt: skip
    rice = levels["0.95"]
    assert rice["method"] in ("ses", "holt_winters") and D(rice["daily_demand"]) == pytest.approx(
        D(2), abs=D("0.3"))  # fmt: skip
    safety = {level: D(row["safety_stock"]) for level, row in levels.items()}
    assert safety["0.90"] < safety["0.95"] < safety["0.99"]
    z = NormalDist().inv_cdf
    assert float(safety["0.99"] / safety["0.95"]) == pytest.approx(z(0.99) / z(0.95), rel=0.01)
    # Never ordered: the default lead time; the reorder point is lead-time demand + safety.
    assert rice["supplier_name"] is None and rice["lead_time_days"] == 7
    lead_demand = D(rice["reorder_point"]) - safety["0.95"]
    assert lead_demand == pytest.approx(D(rice["daily_demand"]) * 7, abs=D("0.01"))

    # One product's page shows the figures of the report at the same level.
    detail = manager.get(DETAIL, query_string={"product_id": demand["rice"],
                         "warehouse_id": demand["w1"], "service_level": "0.99"}).json  # fmt: skip
    for key in ("safety_stock", "reorder_point", "order_up_to", "position", "suggested_qty"):
        assert detail[key] == levels["0.99"][key], key


def test_a_weekly_pattern_is_forecast_by_weekday(app, shop):
    manager, buyer = shop["manager"], shop["buyer"]
    me = manager.get("/api/v1/auth/me").json["id"]
    week = [10, 12, 14, 16, 20, 30, 40]
    # Odd weeks sell one more every day: repeating last week is wrong by 1 each day.
    daily = [str(week[n % 7] + (n // 7) % 2) for n in range(84)]
    post_demand(app, shop["w2"], shop["rice"], daily, user_id=me, stock="2000")
    _refresh(buyer)
    detail = manager.get(DETAIL, query_string={"product_id": shop["rice"],
                                               "warehouse_id": shop["w2"]}).json  # fmt: skip
    assert detail["method"] == "holt_winters"
    assert len(detail["history"]) == 84 and len(detail["holdout"]) == 28
    assert len(detail["forecast"]) == 28
    # The next 7 days repeat the pattern, each day within the weeks' swing of one unit
    # (and a half) of its weekday's demand; the days ahead start on the history's weekday.
    for n, day in enumerate(detail["forecast"][:7]):
        assert abs(D(day["qty"]) - week[n % 7]) <= D("1.5"), (n, day)
    assert [d["qty"] for d in detail["history"][:7]] == [f"{w}.000" for w in week]
    assert D(detail["mase"]) < 1  # better than repeating last week's demand
    assert [d["actual"] for d in detail["holdout"]] == [h["qty"] for h in detail["history"][-28:]]


def test_bad_input_and_who_may(demand, login_as):
    manager, floor = demand["manager"], login_as("warehouse")
    assert_problem(manager.get(REPORT, query_string={"service_level": "0.5"}), 422,
                   field="service_level")  # fmt: skip
    query = {"product_id": demand["milk"], "warehouse_id": demand["w1"]}
    assert_problem(manager.get(DETAIL, query_string=query), 404)  # nothing sold lately
    assert_problem(manager.get(DETAIL, query_string={**query, "product_id": 999999}), 422,
                   field="product_id")  # fmt: skip
    assert_problem(manager.get(DETAIL, query_string={**query, "service_level": "0.42"}), 422,
                   field="service_level")  # fmt: skip
    gut = {"warehouse_id": demand["w1"], "basis": "gut"}
    assert_problem(manager.get(REORDER, query_string=gut), 422, field="basis")
    assert_problem(floor.post(REFRESH, json={}), 403)
    # The warehouse role reads the report without what orders would cost.
    page = floor.get(REPORT, query_string={"only_to_order": "false"}).json
    assert page["items"] and "suggested_value" not in page["items"][0]
    assert "suggested_value" not in page["totals"]
