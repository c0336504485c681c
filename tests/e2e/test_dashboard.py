"""The manager's dashboard and smart replenishment on a phone (390×844).

The manager opens the dashboard from the home screen: four charts are drawn (each canvas
has a size and ink on it), every tile shows the API's figure, and the "today" tile follows a
sale made meanwhile by the salesperson and the warehouse, with no reload. A salesperson
(no cost:read, no finance:read) sees no margin, stock value or receivables. On a tablet the
cards stand in two columns.

Replenishment: after twelve weeks of customer demand for a product, the list shows the
API's first page; tapping the product shows its forecast chart and figures; recomputing
updates the time shown. The reorder screen's forecast switch asks for basis=forecast and
is remembered on the device.
"""

import math
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, shot
from tests.e2e.test_receivables import Api, _shipped_order, _stocked
from tests.support import post_demand

pytestmark = pytest.mark.e2e

CHARTS = ("chart-trend", "chart-margin", "chart-stock-value", "chart-orders")
TABLET = {"width": 1024, "height": 768}

# Counts a chart's drawn pixels: its canvas is transparent where nothing is drawn.
INK = """(el) => {
  const canvas = el.querySelector('canvas')
  if (!canvas) return null
  const { width, height } = canvas
  const data = canvas.getContext('2d').getImageData(0, 0, width, height).data
  let inked = 0
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235)) inked++
  }
  return { width, height, inked }
}"""


def _api_json(page, base_url: str, path: str) -> dict:
    """GET with the page's own session (what the screen itself may see)."""
    response = page.request.get(f"{base_url}/api/v1{path}")
    assert response.status == 200, response.text()
    return response.json()


def _assert_drawn(page, test_id: str) -> None:
    chart = page.get_by_test_id(test_id)
    expect(chart).to_have_attribute("data-rendered", "true")
    ink = chart.evaluate(INK)
    assert ink is not None, f"{test_id}: no canvas"
    assert ink["width"] > 0 and ink["height"] > 0, f"{test_id}: {ink}"
    # Axes and labels alone are a few hundred pixels; bars, slices and lines many more.
    assert ink["inked"] > 0.01 * ink["width"] * ink["height"], f"{test_id} looks blank: {ink}"


def _tile_values(data: dict) -> dict[str, str]:
    """Each tile's raw figure as the API gives it, for the tiles it has figures for."""
    values = {key: data["periods"][key]["revenue"] for key in ("today", "week", "month")}
    values["lowStock"] = str(data["low_stock"])
    values["expiring"] = str(data["expiring"])
    if "margin" in data:
        values["margin"] = data["margin"]["margin_pct"] or ""
    if "stock_value" in data:
        values["stockValue"] = data["stock_value"]["total"]
    if "overdue_receivables" in data:
        values["overdue"] = data["overdue_receivables"]["amount"]
    return values


def _shown(amount: str) -> str:
    """A money figure as an en-US tile shows it: cents below 10,000, whole from there."""
    value = Decimal(amount)
    places = Decimal(1) if abs(value) >= 10000 else Decimal("0.01")
    rounded = value.quantize(places, rounding=ROUND_HALF_UP)
    return f"{rounded:,.0f}" if places == 1 else f"{rounded:,.2f}"


def test_the_manager_watches_the_day_on_the_dashboard(live_server, phone, browser):
    log_in(phone, live_server.url, "manager")
    phone.get_by_test_id("shortcut-dashboard").click()
    expect(phone.get_by_test_id("dashboard")).to_be_visible()
    expect(phone.get_by_test_id("dash-live")).to_have_attribute("data-live", "true")

    # Four charts, each drawn on a canvas of its own.
    for test_id in CHARTS:
        _assert_drawn(phone, test_id)

    # Every tile holds the API's figure; money tiles show it readably.
    data = _api_json(phone, live_server.url, "/reports/dashboard")
    expected = _tile_values(data)
    assert set(expected) == {
        "today", "week", "month", "margin", "stockValue", "lowStock", "expiring", "overdue"
    }  # fmt: skip
    for key, value in expected.items():
        expect(phone.get_by_test_id(f"dash-tile-{key}")).to_have_attribute("data-value", value)
    for key in ("today", "week", "month", "stockValue", "overdue"):
        expect(phone.get_by_test_id(f"dash-tile-{key}")).to_contain_text(
            "¥" + _shown(expected[key])
        )
    sellers = phone.get_by_test_id("dash-top-seller")
    expect(sellers).to_have_count(len(data["top_sellers"]))
    expect(sellers.first).to_have_attribute("data-sku", data["top_sellers"][0]["sku"])
    phone.wait_for_timeout(300)
    shot(phone, "dashboard-phone")
    for test_id in ("chart-orders", "chart-stock-value"):
        phone.get_by_test_id(test_id).evaluate("el => el.scrollIntoView({ block: 'center' })")
        shot(phone, f"dashboard-phone-{test_id}")

    # Meanwhile a sale is made and shipped (by the salesperson and the warehouse): the
    # "today" tile follows within moments, with no reload.
    today = phone.get_by_test_id("dash-tile-today")
    before = today.get_attribute("data-value")
    _shipped_order(live_server)
    after = _api_json(phone, live_server.url, "/reports/dashboard")["periods"]["today"]["revenue"]
    assert Decimal(after) > Decimal(before)
    expect(today).to_have_attribute("data-value", after, timeout=5000)
    expect(today).to_contain_text("¥" + _shown(after))
    today.evaluate("el => el.scrollIntoView({ block: 'center' })")
    shot(phone, "dashboard-phone-after-sale")

    # One warehouse: the figures are that warehouse's.
    sh01 = next(w for w in _api_json(phone, live_server.url, "/warehouses?per_page=100")["items"]
                if w["code"] == "SH01")  # fmt: skip
    phone.evaluate("window.scrollTo(0, 0)")
    phone.get_by_test_id("dash-warehouse").click()
    phone.get_by_role("button", name=f"SH01 · {sh01['name']}").click()
    expect(phone).to_have_url(re.compile(rf"warehouse_id={sh01['id']}"))
    scoped = _api_json(phone, live_server.url, f"/reports/dashboard?warehouse_id={sh01['id']}")
    for key, value in _tile_values(scoped).items():
        expect(phone.get_by_test_id(f"dash-tile-{key}")).to_have_attribute("data-value", value)
    expect(phone.get_by_test_id("dash-warehouse")).to_contain_text("SH01")

    # A tablet: tiles in fours, cards in two columns.
    tablet = browser.new_context(viewport=TABLET, locale="en-US").new_page()
    try:
        log_in(tablet, live_server.url, "manager")
        tablet.goto(f"{live_server.url}/dashboard")
        for test_id in CHARTS:
            _assert_drawn(tablet, test_id)
        trend = tablet.get_by_test_id("chart-trend").bounding_box()
        margin = tablet.get_by_test_id("chart-margin").bounding_box()
        orders = tablet.get_by_test_id("chart-orders").bounding_box()
        assert trend["width"] > 900  # the trend spans the row
        assert margin["x"] > orders["x"] + orders["width"]  # side by side
        tablet.wait_for_timeout(300)
        shot(tablet, "dashboard-tablet")
    finally:
        tablet.context.close()


def test_a_salesperson_sees_no_costs_on_the_dashboard(live_server, phone):
    log_in(phone, live_server.url, "sales")
    phone.get_by_test_id("shortcut-dashboard").click()
    expect(phone.get_by_test_id("dashboard")).to_be_visible()
    _assert_drawn(phone, "chart-trend")
    _assert_drawn(phone, "chart-orders")

    data = _api_json(phone, live_server.url, "/reports/dashboard")
    assert not {"margin", "margin_by_category", "stock_value", "overdue_receivables"} & set(data)
    for key, value in _tile_values(data).items():
        expect(phone.get_by_test_id(f"dash-tile-{key}")).to_have_attribute("data-value", value)
    for absent in ("dash-tile-margin", "dash-tile-stockValue", "dash-tile-overdue",
                   "chart-margin", "chart-stock-value"):  # fmt: skip
        expect(phone.get_by_test_id(absent)).to_have_count(0)
    shot(phone, "dashboard-sales")


def _demand_to_reorder(live_server, manager: Api) -> dict:
    """A product in SH01 that sold on a weekly rhythm for twelve weeks, down to 2 left:
    the forecast puts it well below its reorder point."""
    warehouse_id = next(
        w["id"] for w in manager.get("/warehouses?per_page=100")["items"] if w["code"] == "SH01"
    )
    (product_id,) = _stocked(manager, warehouse_id, 1)
    (row,) = manager.get(
        f"/stock/balances?by=warehouse&warehouse_id={warehouse_id}&product_id={product_id}"
    )["items"]
    available = Decimal(row["available"])
    base = math.ceil(available / 84) + 2
    week = (1.0, 0.8, 0.9, 1.1, 1.4, 1.8, 1.5)
    daily = [str(round(base * week[day % 7])) for day in range(84)]
    sold = sum(Decimal(qty) for qty in daily)
    me = manager.get("/auth/me")["id"]
    post_demand(live_server.app, warehouse_id, product_id, daily, user_id=me,
                stock=str(sold + 2 - available))  # fmt: skip
    return {"warehouse_id": warehouse_id, "product_id": product_id}


def test_replenishment_lists_what_to_order_and_shows_its_forecast(live_server, phone):
    manager = Api(live_server, "manager")
    arranged = _demand_to_reorder(live_server, manager)  # one at least, whatever the demo sold
    manager.post("/purchasing/demand-forecasts/refresh", {})

    log_in(phone, live_server.url, "manager")
    phone.get_by_test_id("shortcut-replenishment").click()
    expect(phone.get_by_test_id("replenishment")).to_be_visible()

    # The cards are the API's first page, in its order.
    page = _api_json(
        phone, live_server.url,
        "/reports/replenishment?service_level=0.95&only_to_order=true&page=1&per_page=20",
    )  # fmt: skip
    assert page["items"], "the arranged product needs ordering"
    cards = phone.get_by_test_id("repl-item")
    expect(cards).to_have_count(len(page["items"]))
    for card, item in zip(cards.all(), page["items"], strict=True):
        expect(card).to_have_attribute("data-product-id", str(item["product_id"]))
        expect(card).to_have_attribute("data-suggested", item["suggested_qty"])
        expect(card).to_contain_text(item["product_name"])
    shot(phone, "replenishment-phone")

    # Recompute now: the time shown is the new one.
    computed = phone.get_by_test_id("repl-computed-at")
    before = computed.get_attribute("data-at")
    phone.get_by_test_id("repl-recompute").click()
    expect(computed).not_to_have_attribute("data-at", before)

    # A demo product's forecast (else the arranged one's): the chart is drawn; the figures
    # are the API's.
    expect(cards).to_have_count(len(page["items"]))
    first = next(
        (i for i in page["items"] if i["product_id"] != arranged["product_id"]), page["items"][0]
    )
    phone.locator(
        f"[data-testid=repl-item][data-product-id='{first['product_id']}']"
        f"[data-warehouse-id='{first['warehouse_id']}']"
    ).click()
    expect(phone.get_by_test_id("forecast")).to_be_visible()
    _assert_drawn(phone, "chart-forecast")
    detail = _api_json(
        phone, live_server.url,
        f"/purchasing/demand-forecast?product_id={first['product_id']}"
        f"&warehouse_id={first['warehouse_id']}&service_level=0.95",
    )  # fmt: skip
    expect(phone.get_by_test_id("forecast-method")).to_have_attribute(
        "data-method", detail["method"]
    )
    for key, field in (("suggestedQty", "suggested_qty"), ("reorderPoint", "reorder_point"),
                       ("position", "position"), ("dailyDemand", "daily_demand")):  # fmt: skip
        expect(phone.get_by_test_id(f"forecast-{key}")).to_have_attribute(
            "data-value", detail[field]
        )
    expect(phone.get_by_test_id("forecast-mase")).to_have_attribute(
        "data-value", detail["mase"] or ""
    )
    expect(phone.get_by_text("Ready to work offline")).to_be_hidden(timeout=8000)
    shot(phone, "forecast-phone")

    # To the reorder screen on the forecast basis.
    with phone.expect_request(lambda r: "reorder-suggestions" in r.url) as asked:
        phone.get_by_test_id("forecast-to-reorder").click()
    assert "basis=forecast" in asked.value.url
    expect(phone.get_by_test_id("reorder-use-forecast")).to_have_attribute("data-basis", "forecast")
    line = phone.locator(f"[data-testid=reorder-line][data-sku='{detail['product']['sku']}']")
    expect(line).to_be_visible()


def test_the_reorder_switch_is_remembered(live_server, phone):
    log_in(phone, live_server.url, "purchaser")
    with phone.expect_request(lambda r: "reorder-suggestions" in r.url) as asked:
        phone.goto(f"{live_server.url}/purchasing/reorder")
    assert "basis=fixed" in asked.value.url  # off until chosen
    switch = phone.get_by_test_id("reorder-use-forecast")
    expect(switch).to_have_attribute("data-basis", "fixed")

    with phone.expect_request(lambda r: "reorder-suggestions" in r.url) as asked:
        switch.click()
    assert "basis=forecast" in asked.value.url
    response = asked.value.response()
    assert response.status == 200 and response.json()["basis"] == "forecast"
    shot(phone, "reorder-forecast-switch")

    with phone.expect_request(lambda r: "reorder-suggestions" in r.url) as asked:
        phone.reload()
    assert "basis=forecast" in asked.value.url  # remembered on this device
    expect(phone.get_by_test_id("reorder-use-forecast")).to_have_attribute("data-basis", "forecast")
    assert phone.evaluate("localStorage.getItem('jxc.reorder.basis')") == "forecast"
