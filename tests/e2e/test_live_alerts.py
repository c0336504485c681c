"""Live alerts on a phone: the manager sits on the home screen while, in another browser,
the warehouse takes the last units of a product. Within a moment the manager sees a toast
naming it, the bell's count and the low-stock tile go up, and the notification leads to
the product's stock, which shows nothing left. A salesperson's order list follows the
warehouse shipping one of their orders, with no reload."""

import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, log_in, shot
from tests.e2e.test_receivables import Api, _shipped_order, _stocked

pytestmark = pytest.mark.e2e


def _a_product_to_empty(manager: Api, warehouse_id: int) -> dict:
    """A product without batches with some available in SH01, given a safety stock of
    exactly what is available: taking it all crosses below."""
    (product_id,) = _stocked(manager, warehouse_id, 1)
    product = manager.get(f"/products/{product_id}")
    (row,) = manager.get(
        f"/stock/balances?by=warehouse&warehouse_id={warehouse_id}&product_id={product_id}"
    )["items"]
    available = Decimal(row["available"])
    response = manager.client.patch(
        f"/api/v1/products/{product_id}",
        json={"version": product["version"], "safety_stock": str(available)},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return {**product, "available": available}


def _take_out(page, base_url: str, warehouse_id: int, product_id: int, qty: Decimal) -> None:
    """A stock-out written from `page`'s browser session, as the app writes it."""
    me = page.request.get(f"{base_url}/api/v1/auth/me").json()
    response = page.request.post(
        f"{base_url}/api/v1/stock/movements",
        data={"type": "out", "warehouse_id": warehouse_id,
              "lines": [{"product_id": product_id, "qty": str(qty)}]},
        headers={"X-CSRF-Token": me["csrf_token"], "Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    assert response.status == 201, response.text()


def test_the_manager_sees_the_last_units_go_as_they_go(live_server, phone, browser):
    manager = Api(live_server, "manager")
    warehouse_id = next(
        w["id"] for w in manager.get("/warehouses?per_page=100")["items"] if w["code"] == "SH01"
    )
    product = _a_product_to_empty(manager, warehouse_id)

    log_in(phone, live_server.url, "manager")
    tile = phone.get_by_test_id("tile-lowStock")
    expect(tile).to_be_visible()
    expect(phone.locator(".tiles__dot.is-live")).to_be_visible()  # the socket is up
    low_before = int(tile.get_attribute("data-value"))
    unread_before = manager.get("/notifications/unread-count")["count"]
    expect(phone.get_by_test_id("bell-count")).to_have_attribute("data-count", str(unread_before))

    floor = browser.new_context(viewport=PHONE, locale="en-US").new_page()
    try:
        log_in(floor, live_server.url, "warehouse")
        _take_out(floor, live_server.url, warehouse_id, product["id"], product["available"])
    finally:
        floor.context.close()

    toast = phone.locator(".live-toast")
    expect(toast).to_be_visible(timeout=3000)
    expect(toast).to_contain_text(product["name"])
    expect(toast).to_contain_text("Low stock")
    expect(phone.get_by_test_id("bell-count")).to_have_attribute(
        "data-count", str(unread_before + 1)
    )
    expect(phone.get_by_test_id("bell").locator(".van-badge")).to_have_text(str(unread_before + 1))
    expect(tile).to_have_attribute("data-value", str(low_before + 1))
    shot(phone, "live-alert-toast")

    # The notification centre has it, unread; it leads to the product's stock.
    phone.get_by_test_id("bell").click()
    alert = phone.locator("[data-testid=notification][data-kind='stock.low']").first
    expect(alert).to_have_attribute("data-read", "false")
    expect(alert).to_contain_text(product["name"])
    phone.wait_for_timeout(300)
    shot(phone, "notifications")
    alert.click()
    expect(phone.get_by_test_id("product-stock-view")).to_be_visible()
    expect(phone.get_by_test_id("stock-on-hand")).to_be_visible()
    expect(phone.get_by_test_id("bell-count")).to_have_attribute("data-count", str(unread_before))
    assert manager.get("/notifications/unread-count")["count"] == unread_before


def test_the_salespersons_list_follows_a_shipment_as_it_happens(live_server, phone):
    order = _shipped_order(live_server)  # made by `sales`, shipped by `warehouse` in full
    sales = Api(live_server, "sales")
    second = sales.post(
        "/sales-orders",
        {"customer_id": order["customer"]["id"], "warehouse_id": order["warehouse"]["id"],
         "lines": [{"product_id": order["lines"][0]["product"]["id"], "qty": "1"}]},
        201,
    )  # fmt: skip
    second = sales.post(f"/sales-orders/{second['id']}/confirm", {})
    log_in(phone, live_server.url, "sales")
    phone.goto(f"{live_server.url}/sales/orders")
    row = phone.locator(f"[data-testid=so-row][data-number='{second['number']}']")
    expect(row).to_have_attribute("data-sync", "confirmed")
    expect(phone.locator(".live-toast")).to_have_count(0)

    keeper = Api(live_server, "warehouse")
    line = second["lines"][0]
    keeper.post(
        f"/sales-orders/{second['id']}/shipments",
        {"lines": [{"so_line_id": line["id"], "qty": line["qty"]}]},
        201,
    )
    # No reload, no focus: pushed. The salesperson is also told (their own order).
    expect(row).to_have_attribute("data-sync", "shipped", timeout=3000)
    expect(phone.locator(".live-toast")).to_contain_text(second["number"])
    shot(phone, "sales-orders-pushed")
