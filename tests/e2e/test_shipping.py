"""Shipping a sales order on a phone: the salesperson orders three items through the API
and confirms (stock reserved); the warehouse user opens the order from "Ship orders",
scans one item by the camera and the others with a wedge scanner (a case barcode, and a
batch-tracked item whose batch label is scanned), is stopped at one scan too many, gives
carrier and tracking number and ships. The order is shipped, the stock fell by exactly
what left, the reservation is gone, and the delivery note is a PDF."""

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.catalog.models import Product, ProductBarcode, ProductUnit
from app.core.db import utcnow
from app.extensions import db
from app.inventory.models import Batch, StockBalance, Warehouse
from app.partners.models import Customer
from app.sales.models import Shipment
from tests.e2e.conftest import log_in, shot, wait_for_service_worker
from tests.e2e.fake_camera import ean13_video
from tests.support import ApiClient

pytestmark = pytest.mark.e2e

TRACKING = "SF1234567890"


@dataclass(frozen=True)
class Item:
    id: int
    sku: str
    name: str
    unit: str
    barcode: str  # the product's own EAN-13


def _warehouse_id(live_server, code: str = "SH01") -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(Warehouse.id).where(Warehouse.code == code))


def _stock(live_server, product_id: int) -> tuple[Decimal, Decimal]:
    """(on hand, reserved) of a product in SH01."""
    with live_server.app.app_context():
        on_hand, reserved = db.session.execute(
            select(
                func.coalesce(func.sum(StockBalance.on_hand), 0),
                func.coalesce(func.sum(StockBalance.reserved), 0),
            ).where(
                StockBalance.product_id == product_id,
                StockBalance.warehouse_id == _warehouse_id(live_server),
            )
        ).one()
    return Decimal(on_hand), Decimal(reserved)


def _candidates(live_server, tracked: bool):
    """Active products with an EAN-13 of their own, batch-tracked or not."""
    is_tracked = Product.track_batches.is_(True) | Product.track_expiry.is_(True)
    with live_server.app.app_context():
        return db.session.execute(
            select(Product.id, Product.sku, Product.name, Product.unit, ProductBarcode.code)
            .join(ProductBarcode, ProductBarcode.product_id == Product.id)
            .where(
                ProductBarcode.unit_id.is_(None),
                func.length(ProductBarcode.code) == 13,
                Product.active.is_(True),
                is_tracked if tracked else ~is_tracked,
            )
            .order_by(Product.id)
        ).all()


def _available(live_server, product_id: int) -> Decimal:
    on_hand, reserved = _stock(live_server, product_id)
    return on_hand - reserved


def _plain_item(live_server, needed: Decimal, skip=()) -> Item:
    for row in _candidates(live_server, tracked=False):
        if row.id not in skip and _available(live_server, row.id) >= needed:
            return Item(*row)
    raise AssertionError("no plain demo product with stock in SH01")


def _case_item(live_server, skip=()) -> tuple[Item, str, str, Decimal]:
    """A plain product with a case barcode and at least a case of it in SH01."""
    for row in _candidates(live_server, tracked=False):
        if row.id in skip:
            continue
        with live_server.app.app_context():
            case = db.session.execute(
                select(ProductBarcode.code, ProductUnit.name, ProductUnit.factor)
                .join(ProductUnit, ProductUnit.id == ProductBarcode.unit_id)
                .where(ProductBarcode.product_id == row.id)
                .limit(1)
            ).first()
        if case and _available(live_server, row.id) >= case.factor:
            return Item(*row), case.code, case.name, case.factor
    raise AssertionError("no demo product with a case barcode and stock in SH01")


def _tracked_item(live_server, needed: Decimal) -> tuple[Item, Batch]:
    """A batch-tracked product whose first-expiring fresh batch in SH01 holds `needed`."""
    today = utcnow().date()
    for row in _candidates(live_server, tracked=True):
        if _available(live_server, row.id) < needed:
            continue
        with live_server.app.app_context():
            first = db.session.execute(
                select(Batch, func.sum(StockBalance.on_hand))
                .join(StockBalance, StockBalance.batch_id == Batch.id)
                .where(
                    StockBalance.product_id == row.id,
                    StockBalance.warehouse_id == _warehouse_id(live_server),
                    StockBalance.on_hand > 0,
                    Batch.expiry >= today,
                )
                .group_by(Batch.id)
                .order_by(Batch.expiry, Batch.id)
                .limit(1)
            ).first()
            if first and first[1] >= needed:
                db.session.expunge(first[0])
                return Item(*row), first[0]
    raise AssertionError("no batch-tracked demo product with stock in SH01")


def _gs1_label(item: Item, batch: Batch) -> str:
    """What a batch label's barcode reads: GTIN, expiry, then the lot (no separator needed)."""
    return f"01{item.barcode.zfill(14)}17{batch.expiry:%y%m%d}10{batch.number}"


def _client(live_server, username: str) -> ApiClient:
    live_server.app.test_client_class = ApiClient
    client = live_server.app.test_client()
    assert client.login(username, "jxc-demo").status_code == 200
    return client


def _confirmed_order(live_server, lines: list[dict]) -> dict:
    """A sales order from SH01 for one of the salesperson's customers, confirmed."""
    sales = _client(live_server, "sales")
    me = sales.get("/api/v1/auth/me").json
    with live_server.app.app_context():
        customer_id = db.session.scalar(
            select(Customer.id)
            .where(Customer.salesperson_id == me["id"], Customer.credit_limit == 0)
            .order_by(Customer.id)
            .limit(1)
        )
    made = sales.post(
        "/api/v1/sales-orders",
        json={
            "customer_id": customer_id,
            "warehouse_id": _warehouse_id(live_server),
            "lines": lines,
        },
    )
    assert made.status_code == 201, made.json
    confirmed = sales.post(f"/api/v1/sales-orders/{made.json['id']}/confirm", json={})
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["state"] == "confirmed"
    return confirmed.json


def _wedge(page, code: str) -> None:
    """What a USB/Bluetooth scanner does: the code typed a few ms a key, then Enter; then
    a pause, as between two items on the floor."""
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)


def _line(page, item: Item):
    return page.locator(f"[data-testid=ship-line][data-sku='{item.sku}']")


def test_the_warehouse_picks_scans_and_ships_a_sales_order(live_server, camera_phone, tmp_path):
    camera_item = _plain_item(live_server, Decimal(1))
    case_item, case_code, case_unit, factor = _case_item(live_server, skip={camera_item.id})
    batch_item, fefo = _tracked_item(live_server, Decimal(2))
    items = (camera_item, case_item, batch_item)
    before = {item.id: _stock(live_server, item.id) for item in items}
    order = _confirmed_order(
        live_server,
        [
            {"product_id": camera_item.id, "qty": "1"},
            {"product_id": case_item.id, "qty": "1", "unit": case_unit},
            {"product_id": batch_item.id, "qty": "2"},
        ],
    )
    for item, qty in ((camera_item, 1), (case_item, factor), (batch_item, 2)):
        assert _stock(live_server, item.id)[1] == before[item.id][1] + qty  # reserved

    page = camera_phone(ean13_video(tmp_path / "label.y4m", camera_item.barcode))
    log_in(page, live_server.url, "warehouse")
    page.get_by_test_id("home").get_by_text("Ship orders").click()
    expect(page.get_by_test_id("ship-list")).to_be_visible()
    row = page.locator(f"[data-testid=ship-row][data-number='{order['number']}']")
    expect(row).to_contain_text("Confirmed")
    shot(page, "ship-list")
    row.click()

    expect(page.get_by_test_id("ship-number")).to_have_text(order["number"])
    expect(page.get_by_test_id("ship-line")).to_have_count(3)
    expect(page.get_by_test_id("ship-progress")).to_contain_text("0 of 3")
    # Where to take the tracked item from: its first-expiring batch.
    expect(_line(page, batch_item).get_by_test_id("ship-pick").first).to_contain_text(fefo.number)
    message = page.get_by_test_id("ship-message")

    # The camera reads the first item once, however long its label stays in view.
    page.get_by_test_id("camera-toggle").click()
    expect(_line(page, camera_item)).to_contain_text("1 / 1", timeout=20000)
    page.wait_for_timeout(2000)
    expect(_line(page, camera_item).get_by_test_id("ship-line-progress")).to_have_text("1 / 1")
    page.get_by_test_id("camera-toggle").click()

    # A case barcode counts a whole case.
    _wedge(page, case_code)
    factor_text = format(factor.normalize(), "f")
    expect(_line(page, case_item)).to_contain_text(f"{factor_text} / {factor_text}")

    # A tracked item asks for its batch, the first to expire offered; its label fills it.
    _wedge(page, batch_item.barcode)
    sheet = page.get_by_test_id("ship-batch-sheet")
    expect(sheet).to_be_visible()
    expect(sheet.locator(f"[data-batch='{fefo.number}'] .van-radio__icon--checked")).to_be_visible()
    shot(page, "ship-batch")
    _wedge(page, _gs1_label(batch_item, fefo))
    expect(sheet).to_be_hidden()
    expect(_line(page, batch_item)).to_contain_text("1 / 2")
    _wedge(page, batch_item.barcode)  # the same batch again, no question
    expect(_line(page, batch_item)).to_contain_text("2 / 2")
    expect(_line(page, batch_item).get_by_test_id("ship-line-batch")).to_have_text(
        f"{fefo.number} × 2"
    )
    expect(message).to_have_class(re.compile(r"\bis-ok\b"))

    # One too many: refused, the count stays, nothing is sent.
    _wedge(page, camera_item.barcode)
    expect(message).to_have_class(re.compile(r"\bis-bad\b"))
    expect(message).to_contain_text("Too many")
    expect(_line(page, camera_item).get_by_test_id("ship-line-progress")).to_have_text("1 / 1")
    expect(page.get_by_test_id("ship-progress")).to_contain_text("3 of 3")
    with live_server.app.app_context():
        sent = select(func.count(Shipment.id)).where(Shipment.order_id == order["id"])
        assert db.session.scalar(sent) == 0

    # Carrier in one tap, tracking number scanned into its field.
    page.get_by_test_id("ship-carrier-sf").click()
    expect(page.get_by_test_id("ship-carrier").locator("input")).to_have_value("SF Express")
    page.get_by_test_id("ship-tracking").locator("input").click()
    _wedge(page, TRACKING)
    expect(page.get_by_test_id("ship-tracking").locator("input")).to_have_value(TRACKING)
    shot(page, "ship-ready")

    page.get_by_test_id("ship-submit").click()
    expect(page.get_by_test_id("ship-result")).to_be_visible()
    expect(page.get_by_test_id("ship-result-number")).to_contain_text("SH-")
    expect(page.get_by_test_id("ship-result").get_by_test_id("so-state")).to_have_attribute(
        "data-state", "shipped"
    )
    page.wait_for_timeout(400)  # the sheet slides in
    shot(page, "ship-result")

    # The delivery note, in the screen's language, is a PDF.
    href = page.get_by_test_id("ship-print").get_attribute("href")
    assert href.endswith("delivery-note.pdf?lang=en"), href
    note = page.request.get(live_server.url + href)
    assert note.status == 200
    assert note.headers["content-type"] == "application/pdf"
    assert note.body().startswith(b"%PDF")

    # The order is shipped, once, with the carrier, tracking and the quantities scanned.
    manager = _client(live_server, "manager")
    after = manager.get(f"/api/v1/sales-orders/{order['id']}").json
    assert after["state"] == "shipped"
    assert all(Decimal(line["reserved_base_qty"]) == 0 for line in after["lines"])
    shipments = manager.get(f"/api/v1/sales-orders/{order['id']}/shipments").json
    assert len(shipments) == 1
    shipment = shipments[0]
    assert (shipment["carrier"], shipment["tracking_no"]) == ("SF Express", TRACKING)
    shipped = {line["product"]["id"]: line for line in shipment["lines"]}
    assert Decimal(shipped[camera_item.id]["base_qty"]) == 1
    assert (shipped[case_item.id]["unit"], Decimal(shipped[case_item.id]["qty"])) == (case_unit, 1)
    assert Decimal(shipped[case_item.id]["base_qty"]) == factor
    assert Decimal(shipped[batch_item.id]["base_qty"]) == 2
    assert {p["batch"]["number"] for p in shipped[batch_item.id]["picked"]} == {fefo.number}

    # Stock fell by exactly what left; the reservation is gone.
    for item, qty in ((camera_item, 1), (case_item, factor), (batch_item, 2)):
        on_hand, reserved = _stock(live_server, item.id)
        assert on_hand == before[item.id][0] - qty, item
        assert reserved == before[item.id][1], item

    # Back to the list: the order has nothing left to ship and is gone from it.
    page.get_by_test_id("ship-result-close").click()
    expect(page.get_by_test_id("ship-row").first).to_be_visible()  # the demo's other orders
    gone = page.locator(f"[data-testid=ship-row][data-number='{order['number']}']")
    expect(gone).to_have_count(0)


def test_a_partial_shipment_made_offline_is_sent_once_when_back(live_server, phone):
    first = _plain_item(live_server, Decimal(3))
    second = _plain_item(live_server, Decimal(2), skip={first.id})
    before = _stock(live_server, first.id)
    order = _confirmed_order(
        live_server,
        [{"product_id": first.id, "qty": "3"}, {"product_id": second.id, "qty": "2"}],
    )

    log_in(phone, live_server.url, "warehouse")
    phone.get_by_test_id("home").get_by_text("Ship orders").click()
    row = phone.locator(f"[data-testid=ship-row][data-number='{order['number']}']")
    row.click()
    expect(phone.get_by_test_id("ship-line")).to_have_count(2)
    wait_for_service_worker(phone)
    phone.wait_for_load_state("networkidle")  # the products' barcodes are on the device

    # The network is gone: scanning and shipping go on, the shipment waits on the device.
    live_server.stop()
    phone.context.set_offline(True)
    _wedge(phone, first.barcode)
    _wedge(phone, first.barcode)
    expect(_line(phone, first).get_by_test_id("ship-line-progress")).to_have_text("2 / 3")
    phone.get_by_test_id("ship-submit").click()
    phone.locator(".van-dialog__confirm").click()  # only part of the order: ship it anyway
    expect(phone.get_by_text("Saved on this device")).to_be_visible()
    expect(phone.get_by_test_id("ship-list")).to_be_visible()
    expect(phone.get_by_test_id("ship-list-stale")).to_be_visible()
    expect(row.get_by_test_id("ship-row-waiting")).to_be_visible()
    expect(phone.get_by_test_id("outbox-badge")).to_have_text("1")
    phone.wait_for_timeout(400)  # the dialog fades out
    shot(phone, "ship-offline-waiting")

    # Back online: sent once, the order partly shipped and still on the list.
    live_server.start()
    phone.context.set_offline(False)
    expect(phone.get_by_test_id("outbox-badge")).to_have_count(0, timeout=30000)
    with live_server.app.app_context():
        shipments = db.session.scalars(select(Shipment).where(Shipment.order_id == order["id"]))
        assert len(shipments.all()) == 1
    manager = _client(live_server, "manager")
    after = manager.get(f"/api/v1/sales-orders/{order['id']}").json
    assert after["state"] == "partially_shipped"
    assert [Decimal(line["shipped_base_qty"]) for line in after["lines"]] == [2, 0]
    assert _stock(live_server, first.id) == (before[0] - 2, before[1] + 1)  # 1 still reserved
    phone.get_by_test_id("ship-search").locator("input").fill(order["number"])
    phone.get_by_test_id("ship-search").locator("input").press("Enter")
    expect(row).to_contain_text("Partly shipped")
