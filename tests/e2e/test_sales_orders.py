"""Taking orders offline on a phone: the demo salesperson opens New order once online (the
device keeps customers, products and availability), loses the network, takes three orders
for one of their customers (found by pinyin initials, name and code; items by search and by
a wedge scan; the last one "submit & confirm"), reloads with no network and still sees them
waiting, and when the network is back each lands exactly once (the third also confirmed) —
however often it is replayed with its client id and Idempotency-Key. My orders then follows
a manager's confirmation without a reload, and the order's timeline shows it and the
shipment with its carrier and tracking number."""

import json
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.inventory.models import Warehouse
from tests.e2e.conftest import log_in, shot, wait_for_service_worker
from tests.support import ApiClient

pytestmark = pytest.mark.e2e

CARRIER = "顺丰速运"
TRACKING_NO = "SF1402203344"

# The orders' records as this device keeps them (IndexedDB jxc-sales.<user id>, store "orders").
READ_LOCAL_ORDERS = """async () => {
  const names = (await indexedDB.databases()).map((d) => d.name)
  const name = names.find((n) => n.startsWith('jxc-sales.'))
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(name)
    opening.onerror = () => reject(opening.error)
    opening.onsuccess = () => {
      const request = opening.result.transaction('orders').objectStore('orders').getAll()
      request.onsuccess = () => { opening.result.close(); resolve(request.result) }
      request.onerror = () => reject(request.error)
    }
  })
}"""


def _client(live_server, username: str) -> ApiClient:
    live_server.app.test_client_class = ApiClient
    client = live_server.app.test_client()
    assert client.login(username, "jxc-demo").status_code == 200
    return client


def _sh01(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(Warehouse.id).where(Warehouse.code == "SH01"))


def _customer(sales: ApiClient) -> dict:
    """One of the salesperson's customers; one with no credit limit if there is one, so a
    confirmation reserves instead of holding."""
    mine = sales.get("/api/v1/customers?active=true&per_page=100").json["items"]
    assert mine, "the demo salesperson has customers"
    unlimited = [c for c in mine if Decimal(c["credit_limit"]) == 0]
    return (unlimited or sorted(mine, key=lambda c: -Decimal(c["credit_limit"])))[0]


def _stocked_products(sales: ApiClient, warehouse_id: int, count: int) -> list[dict]:
    """Products with plenty available in the warehouse and a barcode of their own."""
    balances = sales.get(
        f"/api/v1/stock/balances?by=warehouse&warehouse_id={warehouse_id}&sort=-available&per_page=100"
    ).json["items"]
    plenty = {b["product"]["id"] for b in balances if Decimal(b["available"]) >= 20}
    products = []
    for page in (1, 2, 3):
        found = sales.get(f"/api/v1/products?active=true&per_page=100&page={page}").json
        products += found["items"]
        if page * 100 >= found["total"]:
            break
    chosen = [p for p in products if p["id"] in plenty and p["barcodes"] and not p["track_batches"]]
    assert len(chosen) >= count, "the demo stock has enough products"
    return chosen[:count]


def _local_orders(page) -> list[dict]:
    return page.evaluate(READ_LOCAL_ORDERS)


def _pick_customer(page, customer: dict, typed: str) -> None:
    page.get_by_test_id("so-customer").click()
    page.get_by_test_id("customer-search").locator("input").fill(typed)
    page.locator(f"[data-testid=customer-result][data-code='{customer['code']}']").click()
    expect(page.get_by_test_id("so-customer-name")).to_have_text(customer["name"])


def _search_item(page, product: dict, typed: str) -> None:
    page.get_by_test_id("so-add-product").click()
    page.get_by_test_id("product-search").locator("input").fill(typed)
    page.locator(f"[data-testid=product-result][data-sku='{product['sku']}']").first.click()
    expect(page.get_by_test_id("product-popup")).to_be_hidden()


def _wedge(page, code: str) -> None:
    """A USB/Bluetooth scanner: the code typed a few ms a key, then Enter."""
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def _set_qty(page, product: dict, qty: int):
    line = page.locator(f"[data-testid=so-line][data-sku='{product['sku']}']")
    for _ in range(qty - 1):
        line.get_by_test_id("so-line-plus").click()
    expect(line.get_by_test_id("so-line-qty")).to_have_value(str(qty))
    # Availability comes from the device: the warehouse has plenty.
    expect(line.get_by_test_id("so-line-available")).to_contain_text("available")
    expect(line.get_by_test_id("so-line-short")).to_have_count(0)
    return line


def _submit_offline(page, button: str) -> None:
    page.get_by_test_id(button).click()
    result = page.get_by_test_id("so-result")
    expect(result).to_have_attribute("data-queued", "true")
    expect(result).to_contain_text("Saved on this device")


def _orders_for(client: ApiClient, client_id: str) -> list[dict]:
    found = client.get(f"/api/v1/sales-orders?client_id={client_id}")
    assert found.status_code == 200, found.get_data(as_text=True)
    return found.json["items"]


def _replay(client: ApiClient, record: dict, key: str):
    """The create exactly as the outbox sent it: same JSON bytes, same key."""
    raw = json.dumps(record["body"], ensure_ascii=False, separators=(",", ":")).encode()
    return client.post(
        "/api/v1/sales-orders",
        data=raw,
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_orders_taken_offline_land_once_and_the_list_follows_them(live_server, phone):
    sales = _client(live_server, "sales")
    warehouse_id = _sh01(live_server)
    customer = _customer(sales)
    customers = sales.get("/api/v1/customers?active=true&per_page=1").json["total"]  # their own
    products = sales.get("/api/v1/products?active=true&per_page=1").json["total"]
    searched, by_initials, scanned = _stocked_products(sales, warehouse_id, 3)
    before = sales.get(f"/api/v1/sales-orders?customer_id={customer['id']}").json["total"]

    # Online once: New order fills the device with customers, products and availability.
    log_in(phone, live_server.url, "sales")
    phone.get_by_test_id("shortcut-newSalesOrder").click()
    expect(phone.get_by_test_id("so-form")).to_be_visible()
    device = phone.get_by_test_id("so-sync-info")
    expect(device).to_have_attribute("data-state", "synced", timeout=20000)
    expect(device).to_contain_text(f"On this device: {customers} customers · {products} products")
    expect(phone.get_by_test_id("so-warehouse")).to_contain_text("SH01")
    expect(phone.get_by_test_id("so-stock-asof")).to_contain_text("Availability as of")
    wait_for_service_worker(phone)

    # The surest offline: the server is gone, and the browser is told so too.
    live_server.stop()
    phone.context.set_offline(True)

    # 1: the customer by pinyin initials, an item by SKU, 3 of them.
    _pick_customer(phone, customer, customer["pinyin_initials"] or customer["code"])
    _search_item(phone, searched, searched["sku"])
    _set_qty(phone, searched, 3)
    shot(phone, "sales-order-offline-form")
    _submit_offline(phone, "so-submit")
    shot(phone, "sales-order-offline-saved")
    phone.get_by_test_id("so-result-new").click()
    expect(phone.get_by_test_id("so-line")).to_have_count(0)

    # 2: by name, an item by its pinyin initials (narrowed by its SKU).
    _pick_customer(phone, customer, customer["name"])
    _search_item(phone, by_initials, f"{by_initials['pinyin_initials']} {by_initials['sku']}")
    _set_qty(phone, by_initials, 2)
    _submit_offline(phone, "so-submit")
    phone.get_by_test_id("so-result-new").click()

    # 3: by code, an item scanned with a wedge scanner; submitted to be confirmed on arrival.
    _pick_customer(phone, customer, customer["code"])
    _wedge(phone, scanned["barcodes"][0])
    _set_qty(phone, scanned, 1)
    _submit_offline(phone, "so-submit-confirm")
    expect(phone.get_by_test_id("so-result")).to_contain_text("confirmed once it is on the server")
    expect(phone.get_by_test_id("outbox-count")).to_have_text("3")
    phone.get_by_test_id("so-result-list").click()

    pending = phone.locator("[data-testid=so-row][data-sync=pending]")
    expect(pending).to_have_count(3)
    # Still there after a reload with no network: the app opens from the service worker.
    phone.reload()
    expect(phone.get_by_test_id("so-list")).to_be_visible()
    expect(pending).to_have_count(3)
    expect(phone.get_by_test_id("so-list-updated")).to_contain_text("Offline")
    shot(phone, "sales-orders-offline-pending")
    records = sorted(_local_orders(phone), key=lambda r: r["created_at"])
    assert len(records) == 3
    assert all(r["state"] == "pending" and r["idempotency_key"] for r in records), records
    assert [r["confirm_wanted"] for r in records] == [False, False, True]
    for record in records:
        assert _orders_for(sales, record["client_id"]) == []  # nothing reached the server

    # Back online: each order lands once; the third is confirmed after it.
    live_server.start()
    phone.context.set_offline(False)
    expect(pending).to_have_count(0, timeout=40000)
    rows = [
        phone.locator(f"[data-testid=so-row][data-client-id='{r['client_id']}']") for r in records
    ]
    expect(rows[0]).to_have_attribute("data-sync", "sent", timeout=20000)
    expect(rows[1]).to_have_attribute("data-sync", "sent")
    expect(phone.locator("[data-testid=outbox-badge]")).to_have_count(0, timeout=20000)

    landed = {}
    for record in records:
        orders = _orders_for(sales, record["client_id"])
        assert len(orders) == 1, orders
        landed[record["client_id"]] = orders[0]
        row = phone.locator(f"[data-testid=so-row][data-number='{orders[0]['number']}']")
        expect(row).to_have_count(1)
    first, second, third = (landed[r["client_id"]] for r in records)
    assert first["customer"]["id"] == customer["id"] and first["state"] == "draft"
    assert second["state"] == "draft"
    # Confirmed by the device once it had landed (held instead, were the customer over its limit).
    expect(rows[2]).to_have_attribute(
        "data-sync",
        "confirmed" if Decimal(customer["credit_limit"]) == 0 else "on_hold",
        timeout=20000,
    )
    detail = sales.get(f"/api/v1/sales-orders/{first['id']}").json
    assert [(line["product"]["id"], line["qty"]) for line in detail["lines"]] == [
        (searched["id"], "3.000")
    ]
    shot(phone, "sales-orders-landed")
    # Searching by the customer's name finds their orders (the server searches numbers),
    # the three just landed first.
    search = phone.get_by_test_id("so-search").locator("input")
    search.fill(customer["name"])
    search.press("Enter")
    rows = phone.get_by_test_id("so-row")
    expect(rows.filter(has_not_text=customer["name"])).to_have_count(0)
    expect(rows).to_have_count(min(before + 3, 30))  # the list pages by 30; they have past orders
    for record in records:
        expect(rows.filter(has_text=landed[record["client_id"]]["number"])).to_have_count(1)
    search.fill("")
    search.press("Enter")

    # Replayed twice more as the outbox sent it: the first answer again, never a second order.
    for record in records:
        order_id = landed[record["client_id"]]["id"]
        for _ in range(2):
            again = _replay(sales, record, record["idempotency_key"])
            assert again.status_code == 201, again.get_data(as_text=True)  # the first response
            assert again.headers.get("Idempotent-Replayed") == "true"
            assert again.json["id"] == order_id
        # The same client id under a new key: the order it made, 200.
        fresh = _replay(sales, record, f"{record['idempotency_key']}-new")
        assert fresh.status_code == 200, fresh.get_data(as_text=True)
        assert fresh.json["id"] == order_id
        assert len(_orders_for(sales, record["client_id"])) == 1
    after = sales.get(f"/api/v1/sales-orders?customer_id={customer['id']}").json["total"]
    assert after == before + 3

    # Someone else confirms the first: the list shows it as it happens (pushed; no reload,
    # no focus, well before the slow poll).
    manager = _client(live_server, "manager")
    confirmed = manager.post(f"/api/v1/sales-orders/{first['id']}/confirm", json={"note": "ok"})
    assert confirmed.status_code == 200 and confirmed.json["state"] == "confirmed", confirmed.json
    row = phone.locator(f"[data-testid=so-row][data-number='{first['number']}']")
    expect(row).to_have_attribute("data-sync", "confirmed", timeout=3000)
    shot(phone, "sales-orders-live")

    # Shipped by the floor: the order's timeline has who did what, newest last.
    floor = _client(live_server, "warehouse")
    shipped = floor.post(
        f"/api/v1/sales-orders/{first['id']}/shipments",
        json={
            "carrier": CARRIER,
            "tracking_no": TRACKING_NO,
            "lines": [{"so_line_id": detail["lines"][0]["id"], "qty": "3"}],
        },
    )
    assert shipped.status_code == 201, shipped.get_data(as_text=True)
    row.click()
    expect(phone.get_by_test_id("so-number")).to_have_text(first["number"])
    events = phone.get_by_test_id("so-event")
    expect(events.first).to_have_attribute("data-event", "created")
    expect(phone.locator("[data-testid=so-event][data-to=confirmed]")).to_contain_text("王经理")
    expect(events.last).to_have_attribute("data-to", "shipped")
    expect(phone.locator("[data-testid=so-event][data-event=shipped]")).to_contain_text(
        shipped.json["number"]
    )
    expect(phone.locator("[data-testid=so-event][data-event=shipped]")).to_contain_text(CARRIER)
    expect(phone.locator("[data-testid=so-event][data-event=shipped]")).to_contain_text(TRACKING_NO)
    expect(phone.get_by_test_id("so-view").get_by_test_id("so-sync").first).to_have_attribute(
        "data-sync", "shipped"
    )
    expect(phone.get_by_test_id("so-line-shipped")).to_contain_text("shipped 3")
    phone.wait_for_timeout(300)
    shot(phone, "sales-order-timeline")
