"""The Scan tab on a phone: camera (on-device and server decoding), wedge scanner, the
offline outbox replayed exactly once, and a product's stock page."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.catalog.models import Product, ProductBarcode, ProductUnit
from app.extensions import db
from app.inventory.models import (
    LedgerEntry,
    Location,
    StockBalance,
    StockDocument,
    Warehouse,
)
from tests.e2e.conftest import log_in, shot, wait_for_service_worker
from tests.e2e.fake_camera import ean13_video

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Item:
    id: int
    sku: str
    name: str
    barcode: str


def _demo_item(live_server, nth: int = 0) -> Item:
    """A demo product with an EAN-13 of its own (not a case code) and no batch/expiry rules."""
    with live_server.app.app_context():
        row = db.session.execute(
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
            .offset(nth)
            .limit(1)
        ).one()
    return Item(*row)


def _warehouse_id(live_server, code: str = "SH01") -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(Warehouse.id).where(Warehouse.code == code))


def _on_hand(live_server, item: Item, code: str = "SH01") -> Decimal:
    with live_server.app.app_context():
        total = db.session.scalar(
            select(func.coalesce(func.sum(StockBalance.on_hand), 0)).where(
                StockBalance.product_id == item.id,
                StockBalance.warehouse_id == _warehouse_id(live_server, code),
            )
        )
    return Decimal(total)


def _location_id(live_server, code: str) -> int:
    with live_server.app.app_context():
        return db.session.scalar(
            select(Location.id).where(
                Location.warehouse_id == _warehouse_id(live_server), Location.code == code
            )
        )


def _document_ids(live_server) -> set[int]:
    with live_server.app.app_context():
        return set(db.session.scalars(select(StockDocument.id)))


def _receive(page, live_server, item: Item, qty: str, location_id: int | None = None) -> None:
    """Stock in through the API as the logged-in user (so there is something to take out)."""
    me = page.request.get(live_server.url + "/api/v1/auth/me").json()
    response = page.request.post(
        live_server.url + "/api/v1/stock/movements",
        data={
            "type": "in",
            "warehouse_id": _warehouse_id(live_server),
            "note": "",
            "lines": [{"product_id": item.id, "qty": qty, "location_id": location_id}],
        },
        headers={"X-CSRF-Token": me["csrf_token"], "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status == 201, response.text()


def _wedge(page, code: str) -> None:
    """What a USB/Bluetooth scanner does: the code typed a few ms a key, then Enter."""
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def _open_scan(page) -> None:
    page.get_by_test_id("tab-scan").click()
    expect(page.get_by_test_id("scan-view")).to_be_visible()
    expect(page.get_by_test_id("scan-warehouse")).to_contain_text("SH01")


def _scan_by_camera(page, item: Item, decoder: str) -> None:
    page.get_by_test_id("camera-toggle").click()
    expect(page.get_by_test_id("camera")).to_have_attribute("data-decoder", decoder, timeout=15000)
    line = page.get_by_test_id("scan-line")
    expect(line).to_have_count(1, timeout=20000)
    expect(line).to_contain_text(item.name)
    expect(line).to_contain_text(item.sku)
    # The label stays in view: it still counts once.
    page.wait_for_timeout(2500)
    expect(page.get_by_test_id("scan-line-qty")).to_have_text("1")
    expect(line).to_have_count(1)


def _submit_and_expect_posted(page, prefix: str) -> None:
    page.get_by_test_id("scan-submit").click()
    result = page.get_by_test_id("scan-result")
    expect(result).to_be_visible()
    expect(page.get_by_test_id("scan-result-number")).to_contain_text(prefix)


def test_stock_in_by_camera_decoded_on_the_device(live_server, camera_phone, tmp_path):
    item = _demo_item(live_server)
    page = camera_phone(ean13_video(tmp_path / "label.y4m", item.barcode))
    before = _on_hand(live_server, item)
    log_in(page, live_server.url, "warehouse")
    _open_scan(page)
    _scan_by_camera(page, item, "wasm")
    shot(page, "scan-camera-line")
    # The decoder came from our own origin, and nothing was asked of any other host.
    urls = page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
    assert any(url.startswith(live_server.url) and url.endswith(".wasm") for url in urls), urls
    assert all(url.startswith(live_server.url) for url in urls if url.startswith("http")), urls
    assert ".wasm" in page.request.get(live_server.url + "/sw.js").text()  # precached for offline

    page.get_by_test_id("camera-toggle").click()
    _submit_and_expect_posted(page, "IN-")
    expect(page.get_by_test_id("scan-result-balance").first).to_contain_text(item.name)
    page.wait_for_timeout(400)  # the sheet slides in
    shot(page, "scan-result")
    assert _on_hand(live_server, item) == before + 1
    page.get_by_test_id("scan-result-close").click()
    expect(page.get_by_test_id("scan-line")).to_have_count(0)


def test_stock_in_by_camera_decoded_by_the_server(live_server, camera_phone, tmp_path):
    item = _demo_item(live_server, nth=1)
    page = camera_phone(ean13_video(tmp_path / "label.y4m", item.barcode))
    decode_calls = []
    page.on("request", lambda r: "/api/v1/scan/decode" in r.url and decode_calls.append(r))
    before = _on_hand(live_server, item)
    log_in(page, live_server.url, "warehouse")
    page.evaluate("localStorage.setItem('jxc.decoder', 'server')")
    _open_scan(page)
    _scan_by_camera(page, item, "server")
    assert decode_calls, "no frame was sent to the server"
    page.get_by_test_id("camera-toggle").click()
    _submit_and_expect_posted(page, "IN-")
    assert _on_hand(live_server, item) == before + 1


def test_a_wedge_scanner_adds_lines_without_stealing_typing(live_server, phone):
    item = _demo_item(live_server, nth=2)
    before = _on_hand(live_server, item)
    log_in(phone, live_server.url, "warehouse")
    _open_scan(phone)
    # Someone is typing slowly in the code field when the scanner fires.
    field = phone.get_by_test_id("scan-manual-code").locator("input")
    field.click()
    field.press_sequentially("ab", delay=120)
    phone.wait_for_timeout(400)  # and picks up the scanner
    _wedge(phone, item.barcode)
    line = phone.get_by_test_id("scan-line")
    expect(line).to_have_count(1)
    expect(line).to_contain_text(item.name)
    expect(field).to_have_value("ab")  # their typing is left as it was
    # A second scan of the same code adds to the line.
    _wedge(phone, item.barcode)
    expect(phone.get_by_test_id("scan-line-qty")).to_have_text("2")
    expect(line).to_have_count(1)
    shot(phone, "scan-screen")

    # Tap the line: one less, so 1 goes in.
    line.click()
    editor = phone.get_by_test_id("line-editor")
    expect(editor).to_be_visible()
    editor.get_by_role("button", name="One less").click()
    expect(phone.get_by_test_id("line-qty").locator("input")).to_have_value("1")
    phone.wait_for_timeout(400)
    shot(phone, "scan-line-editor")
    phone.get_by_test_id("line-done").click()
    _submit_and_expect_posted(phone, "IN-")
    assert _on_hand(live_server, item) == before + 1
    phone.get_by_test_id("scan-result-close").click()

    # The product page leads to its stock: the balance and the movement just made.
    phone.goto(f"{live_server.url}/products/{item.id}")
    phone.get_by_test_id("product-stock-link").click()
    expect(phone.get_by_test_id("product-stock-view")).to_be_visible()
    expect(phone.get_by_test_id("stock-warehouse-SH01")).to_contain_text(
        format((before + 1).normalize(), "f")
    )
    expect(phone.get_by_test_id("ledger-entry").first).to_contain_text("IN-")
    shot(phone, "product-stock")


def test_stock_out_offline_is_sent_once_when_back(live_server, phone):
    item = _demo_item(live_server, nth=3)
    log_in(phone, live_server.url, "warehouse")
    _receive(phone, live_server, item, "5")
    before = _on_hand(live_server, item)
    known_documents = _document_ids(live_server)
    _open_scan(phone)
    phone.get_by_role("tab", name="Stock out").click()
    wait_for_service_worker(phone)

    live_server.stop()
    phone.context.set_offline(True)
    # Never resolved on this device: it goes in as the raw code, resolved by the server later.
    _wedge(phone, item.barcode)
    expect(phone.get_by_test_id("scan-line")).to_contain_text(item.barcode)
    shot(phone, "scan-offline-line")
    phone.get_by_test_id("scan-submit").click()
    expect(phone.get_by_text("Saved on this device")).to_be_visible()
    expect(phone.get_by_test_id("scan-line")).to_have_count(0)
    badge = phone.get_by_test_id("outbox-badge")
    expect(badge).to_have_text("1")

    # Still there after a reload with no network: the app opens from the service worker.
    phone.reload()
    expect(phone.get_by_test_id("scan-view")).to_be_visible()
    expect(badge).to_have_text("1")
    badge.click()
    expect(phone.get_by_test_id("outbox-view")).to_be_visible()
    expect(phone.get_by_test_id("outbox-pending")).to_contain_text("Stock out · 1 line · SH01")
    shot(phone, "outbox-pending")

    live_server.start()
    phone.context.set_offline(False)
    expect(badge).to_have_count(0, timeout=30000)
    expect(phone.get_by_test_id("outbox-pending")).to_have_count(0)

    assert _on_hand(live_server, item) == before - 1
    new_documents = _document_ids(live_server) - known_documents
    assert len(new_documents) == 1  # replayed until it landed, and landed once
    with live_server.app.app_context():
        document = db.session.get(StockDocument, new_documents.pop())
        entries = db.session.scalars(
            select(LedgerEntry).where(LedgerEntry.document_id == document.id)
        ).all()
    assert document.type == "out"
    assert [(e.product_id, e.qty) for e in entries] == [(item.id, Decimal("-1"))]


def test_the_scan_screen_on_a_chinese_tablet(live_server, browser):
    """Two columns from 768 px: scanning on the left, the lines on the right."""
    item = _demo_item(live_server)
    with live_server.app.app_context():
        case_code, case_unit, factor, base_unit = db.session.execute(
            select(ProductBarcode.code, ProductUnit.name, ProductUnit.factor, Product.unit)
            .join(ProductUnit, ProductUnit.id == ProductBarcode.unit_id)
            .join(Product, Product.id == ProductBarcode.product_id)
            .where(ProductBarcode.product_id == item.id)
        ).one()
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, "warehouse")
    _open_scan(page)
    expect(page.get_by_role("tab", name="入库")).to_be_visible()
    _wedge(page, item.barcode)
    expect(page.get_by_test_id("scan-line")).to_contain_text(item.name)
    # A case barcode is a line of its own, counted in cases.
    _wedge(page, case_code)
    expect(page.get_by_test_id("scan-line")).to_have_count(2)
    case_line = page.get_by_test_id("scan-line").first  # the newest is on top
    expect(case_line.get_by_test_id("scan-line-qty")).to_have_text("1")
    expect(case_line).to_contain_text(case_unit)
    expect(case_line).to_contain_text(f"= {format(factor.normalize(), 'f')} {base_unit}")
    camera = page.get_by_test_id("camera").bounding_box()
    lines = page.get_by_test_id("scan-lines").bounding_box()
    assert lines["x"] >= camera["x"] + camera["width"], (camera, lines)
    shot(page, "scan-tablet-zh")
    context.close()


def test_a_refused_offline_write_comes_back_to_be_fixed(live_server, phone):
    item = _demo_item(live_server, nth=4)
    too_many = format((_on_hand(live_server, item) + 1).normalize(), "f")
    known_documents = _document_ids(live_server)
    log_in(phone, live_server.url, "warehouse")
    _open_scan(phone)
    phone.get_by_role("tab", name="Stock out").click()
    _wedge(phone, item.barcode)
    expect(phone.get_by_test_id("scan-line")).to_contain_text(item.name)
    # One more than there is, typed in the line's quantity.
    phone.get_by_test_id("scan-line").click()
    phone.get_by_test_id("line-qty").locator("input").fill(too_many)
    phone.get_by_test_id("line-done").click()
    expect(phone.get_by_test_id("scan-line-qty")).to_have_text(too_many)
    wait_for_service_worker(phone)

    live_server.stop()
    phone.context.set_offline(True)
    phone.get_by_test_id("scan-submit").click()
    badge = phone.get_by_test_id("outbox-badge")
    expect(badge).to_have_text("1")

    live_server.start()
    phone.context.set_offline(False)
    # Replayed and refused (nothing to take out): it waits for the user, marked "!".
    expect(badge).to_have_text("!", timeout=30000)
    badge.click()
    refused = phone.get_by_test_id("outbox-rejected")
    expect(refused).to_contain_text(f"Not enough stock of {item.sku}")
    shot(phone, "outbox-rejected")

    refused.get_by_test_id("outbox-reopen").click()
    expect(phone.get_by_test_id("scan-view")).to_be_visible()
    expect(phone.get_by_role("tab", name="Stock out")).to_have_attribute("aria-selected", "true")
    expect(phone.get_by_test_id("scan-line")).to_contain_text(item.name)
    expect(phone.get_by_test_id("scan-line-error")).to_contain_text(f"requested {too_many}")
    expect(phone.get_by_test_id("scan-line-qty")).to_have_text(too_many)
    expect(badge).to_have_count(0)
    shot(phone, "scan-refused-line")
    assert _document_ids(live_server) == known_documents


def _by_location(live_server, item: Item) -> dict[str, Decimal]:
    with live_server.app.app_context():
        rows = db.session.execute(
            select(Location.code, func.sum(StockBalance.on_hand))
            .join(Location, Location.id == StockBalance.location_id)
            .where(StockBalance.product_id == item.id)
            .group_by(Location.code)
        ).all()
    return dict(rows)


def test_a_transfer_between_locations_by_scanning_their_labels(live_server, phone):
    item = _demo_item(live_server, nth=5)
    log_in(phone, live_server.url, "warehouse")
    _receive(phone, live_server, item, "3", _location_id(live_server, "A-01-01"))
    before = _by_location(live_server, item)
    _open_scan(phone)
    phone.get_by_role("tab", name="Transfer").click()
    _wedge(phone, "A-01-01")  # from here…
    expect(phone.get_by_test_id("scan-location")).to_contain_text("A-01-01")
    _wedge(phone, item.barcode)
    _wedge(phone, item.barcode)
    _wedge(phone, "A-01-02")  # …to there, once something is picked
    expect(phone.get_by_test_id("scan-to-location")).to_contain_text("A-01-02")
    line = phone.get_by_test_id("scan-line")
    expect(line).to_contain_text("A-01-01")
    expect(line).to_contain_text("A-01-02")
    expect(phone.get_by_test_id("scan-line-qty")).to_have_text("2")
    shot(phone, "scan-transfer")
    _submit_and_expect_posted(phone, "TR-")
    after = _by_location(live_server, item)
    assert after["A-01-01"] == before["A-01-01"] - 2
    assert after["A-01-02"] == before.get("A-01-02", 0) + 2
