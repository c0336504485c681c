"""Receiving a purchase order on a phone: the purchaser orders and approves through the
API, the warehouse user finds the order, scans every line with a wedge scanner and posts
the receipt; the order is received, stock rose, and no price was shown."""

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.catalog.models import Product, ProductBarcode, ProductUnit
from app.extensions import db
from app.inventory.models import StockBalance, Warehouse
from app.partners.models import Supplier
from tests.e2e.conftest import log_in, shot
from tests.support import ApiClient

pytestmark = pytest.mark.e2e

PRICE = "7.891234"  # distinctive: it must never reach the warehouse user's screen


@dataclass(frozen=True)
class Item:
    id: int
    sku: str
    name: str
    barcode: str  # the product's own EAN-13
    case_barcode: str
    case_unit: str
    case_factor: Decimal


def _items(live_server, count: int) -> list[Item]:
    """Demo products with their own EAN-13 and a case barcode, no batch/expiry rules."""
    with live_server.app.app_context():
        rows = db.session.execute(
            select(Product.id, Product.sku, Product.name, ProductBarcode.code)
            .join(ProductBarcode, ProductBarcode.product_id == Product.id)
            .where(
                ProductBarcode.unit_id.is_(None),
                func.length(ProductBarcode.code) == 13,
                Product.track_batches.is_(False),
                Product.track_expiry.is_(False),
                Product.active.is_(True),
            )
            .order_by(Product.id)
            .limit(count)
        ).all()
        items = []
        for product_id, sku, name, code in rows:
            case = db.session.execute(
                select(ProductBarcode.code, ProductUnit.name, ProductUnit.factor)
                .join(ProductUnit, ProductUnit.id == ProductBarcode.unit_id)
                .where(ProductBarcode.product_id == product_id)
                .limit(1)
            ).one()
            items.append(Item(product_id, sku, name, code, *case))
    return items


def _warehouse_id(live_server, code: str = "SH01") -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(Warehouse.id).where(Warehouse.code == code))


def _on_hand(live_server, item: Item) -> Decimal:
    with live_server.app.app_context():
        total = db.session.scalar(
            select(func.coalesce(func.sum(StockBalance.on_hand), 0)).where(
                StockBalance.product_id == item.id,
                StockBalance.warehouse_id == _warehouse_id(live_server),
            )
        )
    return Decimal(total)


def _client(live_server, username: str) -> ApiClient:
    live_server.app.test_client_class = ApiClient
    client = live_server.app.test_client()
    assert client.login(username, "jxc-demo").status_code == 200
    return client


def _approved_order(live_server, lines: list[dict]) -> dict:
    """A purchase order for SH01, made and approved by the demo purchaser."""
    buyer = _client(live_server, "purchaser")
    with live_server.app.app_context():
        supplier_id = db.session.scalar(select(Supplier.id).order_by(Supplier.id).limit(1))
    made = buyer.post(
        "/api/v1/purchase-orders",
        json={
            "supplier_id": supplier_id,
            "warehouse_id": _warehouse_id(live_server),
            "lines": lines,
        },
    )
    assert made.status_code == 201, made.json
    approved = buyer.post(f"/api/v1/purchase-orders/{made.json['id']}/approve", json={})
    assert approved.status_code == 200, approved.json
    assert approved.json["state"] == "approved"
    assert approved.json["lines"][0]["unit_price"] == PRICE  # the purchaser sees it
    return approved.json


def _wedge(page, code: str) -> None:
    """What a USB/Bluetooth scanner does: the code typed a few ms a key, then Enter; then
    a pause, as between two items on the floor."""
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)


def _no_price_on(page) -> None:
    text = page.locator("body").inner_text()
    assert PRICE.rstrip("0")[:4] not in text, text  # "7.89" in any rounding
    assert "7.891" not in text


def test_the_warehouse_receives_a_purchase_order_by_scanning(live_server, phone):
    bottles, more_bottles, cases, not_ordered = _items(live_server, 4)
    order = _approved_order(
        live_server,
        [
            {"product_id": bottles.id, "qty": "3", "unit_price": PRICE, "tax_rate": "0.13"},
            {"product_id": more_bottles.id, "qty": "2", "unit_price": PRICE},
            {"product_id": cases.id, "qty": "1", "unit": cases.case_unit, "unit_price": PRICE},
        ],
    )
    before = {item.id: _on_hand(live_server, item) for item in (bottles, more_bottles, cases)}

    log_in(phone, live_server.url, "warehouse")
    # Home → the orders, narrowed to approved ones and searched by number.
    phone.get_by_test_id("home").get_by_text("Purchase orders").click()
    expect(phone.get_by_test_id("po-list")).to_be_visible()
    phone.get_by_test_id("po-state-approved").click()
    phone.get_by_test_id("po-search").locator("input").fill(order["number"])
    phone.get_by_test_id("po-search").locator("input").press("Enter")
    row = phone.get_by_test_id("po-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(order["number"])
    expect(row).to_contain_text("Approved")
    shot(phone, "po-list")
    row.click()

    expect(phone.get_by_test_id("po-number")).to_have_text(order["number"])
    expect(phone.get_by_test_id("po-line")).to_have_count(3)
    expect(phone.get_by_test_id("po-history")).to_contain_text("Approved")
    expect(phone.get_by_test_id("po-line-price")).to_have_count(0)
    expect(phone.get_by_test_id("po-totals")).to_have_count(0)
    _no_price_on(phone)
    shot(phone, "po-detail")

    phone.get_by_test_id("po-receive").click()
    expect(phone.get_by_test_id("receive-view")).to_be_visible()
    lines = phone.get_by_test_id("receive-line")
    expect(lines).to_have_count(3)
    _no_price_on(phone)
    message = phone.get_by_test_id("receive-message")

    # Not on this order: refused, nothing counted.
    _wedge(phone, not_ordered.barcode)
    expect(message).to_have_class(re.compile(r"\bis-bad\b"))
    expect(message).to_contain_text(order["number"])

    for _ in range(3):
        _wedge(phone, bottles.barcode)
    for _ in range(2):
        _wedge(phone, more_bottles.barcode)
    _wedge(phone, cases.case_barcode)  # one case of the line ordered in cases
    expect(message).to_have_class(re.compile(r"\bis-ok\b"))
    factor = format(cases.case_factor.normalize(), "f")
    expect(phone.locator(f"[data-testid=receive-line][data-sku='{bottles.sku}']")).to_contain_text(
        "3 / 3"
    )
    expect(
        phone.locator(f"[data-testid=receive-line][data-sku='{more_bottles.sku}']")
    ).to_contain_text("2 / 2")
    expect(phone.locator(f"[data-testid=receive-line][data-sku='{cases.sku}']")).to_contain_text(
        f"{factor} / {factor}"
    )

    # One more than ordered: refused with the failure message, the count stays.
    _wedge(phone, bottles.barcode)
    expect(message).to_have_class(re.compile(r"\bis-bad\b"))
    expect(message).to_contain_text("ordered 3")
    expect(phone.locator(f"[data-testid=receive-line][data-sku='{bottles.sku}']")).to_contain_text(
        "3 / 3"
    )
    shot(phone, "po-receive")

    phone.get_by_test_id("receive-submit").click()
    expect(phone.get_by_test_id("receive-result")).to_be_visible()
    expect(phone.get_by_test_id("receive-result-number")).to_contain_text("GR-")
    expect(phone.get_by_test_id("receive-result").get_by_test_id("po-state")).to_have_attribute(
        "data-state", "received"
    )
    phone.wait_for_timeout(400)  # the sheet slides in
    shot(phone, "po-receive-result")

    # The order is received and SH01 holds what was ordered, in base units.
    manager = _client(live_server, "manager")
    after = manager.get(f"/api/v1/purchase-orders/{order['id']}").json
    assert after["state"] == "received"
    assert _on_hand(live_server, bottles) == before[bottles.id] + 3
    assert _on_hand(live_server, more_bottles) == before[more_bottles.id] + 2
    assert _on_hand(live_server, cases) == before[cases.id] + cases.case_factor
    assert (
        manager.get(f"/api/v1/purchase-orders/{order['id']}/receipts")
        .json[0]["number"]
        .startswith("GR-")
    )

    # Back on the order: everything received, the receipt listed, still no price.
    phone.get_by_test_id("receive-result-close").click()
    expect(phone.get_by_test_id("po-receipt")).to_have_count(1)
    expect(phone.get_by_test_id("po-view").get_by_test_id("po-state").first).to_have_attribute(
        "data-state", "received"
    )
    expect(phone.get_by_test_id("po-receive")).to_have_count(0)
    _no_price_on(phone)
    shot(phone, "po-detail-received")
