"""A stocktake on a tablet (1024×768): the manager opens a blind cycle count of one
location; the store clerk counts it on a tablet, one item read by the camera and another
scanned three times with a wedge scanner, never seeing the expected quantities; the
manager's page follows the count live, submits it (what nobody found counts as none),
sees the differences and approves. The location then holds exactly what was counted and
the ledger still verifies."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.catalog.models import Product, ProductBarcode
from app.extensions import db
from app.inventory.models import Location, StockBalance, Warehouse
from app.inventory.verify import differences
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, log_in, shot
from tests.e2e.fake_camera import ean13_video
from tests.e2e.test_receivables import Api

pytestmark = pytest.mark.e2e

TABLET = {"width": 1024, "height": 768}


def _location_to_count(live_server):
    """A location of SH01 outside the demo's counts holding at least two plain products
    with EAN-13s of their own: (location, [(product id, sku, barcode), …])."""
    with live_server.app.app_context():
        rows = db.session.execute(
            select(Location.id, Location.code, Product.id, Product.sku, ProductBarcode.code)
            .join(Warehouse, Warehouse.id == Location.warehouse_id)
            .join(StockBalance, StockBalance.location_id == Location.id)
            .join(Product, Product.id == StockBalance.product_id)
            .join(ProductBarcode, ProductBarcode.product_id == Product.id)
            .where(
                Warehouse.code == "SH01",
                ~Location.code.startswith("A-01-"),
                ~Location.code.startswith("B-01-"),
                StockBalance.on_hand > 0,
                StockBalance.batch_id.is_(None),
                ProductBarcode.unit_id.is_(None),
                func.length(ProductBarcode.code) == 13,
                Product.track_batches.is_(False),
                Product.track_expiry.is_(False),
            )
            .order_by(Location.code, Product.id)
        ).all()
    by_location: dict = {}
    for location_id, code, product_id, sku, barcode in rows:
        by_location.setdefault((location_id, code), {}).setdefault(
            product_id, (product_id, sku, barcode)
        )
    for location, products in by_location.items():
        if len(products) >= 2:
            return location, list(products.values())[:2]
    raise AssertionError("no SH01 location with two plain products")


def _on_hand(live_server, product_id: int, location_id: int) -> Decimal:
    with live_server.app.app_context():
        return Decimal(
            db.session.scalar(
                select(func.coalesce(func.sum(StockBalance.on_hand), 0)).where(
                    StockBalance.product_id == product_id, StockBalance.location_id == location_id
                )
            )
        )


def test_a_clerk_counts_a_location_on_a_tablet_and_the_manager_approves(
    live_server, browser, playwright_driver, tmp_path
):
    (location_id, location_code), [camera_item, wedge_item] = _location_to_count(live_server)
    manager = Api(live_server, "manager")
    warehouse_id = next(
        w["id"] for w in manager.get("/warehouses?per_page=100")["items"] if w["code"] == "SH01"
    )
    clerk_id = next(
        u["id"] for u in manager.get("/users?per_page=100")["items"] if u["username"] == "clerk"
    )
    made = manager.post(
        "/stocktakes",
        {"warehouse_id": warehouse_id, "mode": "cycle", "blind": True,
         "location_ids": [location_id], "counter_ids": [clerk_id], "note": "e2e"},
        201,
    )  # fmt: skip
    stocktake = manager.post(f"/stocktakes/{made['id']}/start", {})
    assert stocktake["state"] == "counting"
    expected_keys = stocktake["progress"]["expected_keys"]
    assert expected_keys >= 2

    # The manager watches the stocktake's page.
    boss = browser.new_context(viewport=TABLET, locale="en-US").new_page()
    log_in(boss, live_server.url, "manager")
    boss.goto(f"{live_server.url}/stocktakes/{made['id']}")
    progress = boss.get_by_test_id("st-progress")
    expect(progress).to_have_attribute("data-counted", "0")
    expect(progress).to_have_attribute("data-expected", str(expected_keys))

    # The clerk's tablet, its camera filming the first item's label.
    label = ean13_video(tmp_path / "label.y4m", camera_item[2])
    fake_camera = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                   f"--use-file-for-fake-video-capture={label}"]  # fmt: skip
    camera = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *fake_camera]
    )
    try:
        tablet = camera.new_context(viewport=TABLET, locale="en-US", has_touch=True).new_page()
        log_in(tablet, live_server.url, "clerk")
        tablet.get_by_test_id("shortcut-stocktakes").click()
        tablet.locator(f"[data-testid=st-row][data-number='{stocktake['number']}']").click()
        tablet.get_by_test_id("st-count").click()
        expect(tablet.get_by_test_id("count-view")).to_be_visible()
        expect(
            tablet.locator(f"[data-testid=count-location][data-code='{location_code}']")
        ).to_be_visible()
        rows = tablet.get_by_test_id("count-row")
        expect(rows).to_have_count(expected_keys)
        expect(tablet.locator(".row__expected")).to_have_count(0)  # blind: no expected quantities

        # The camera reads the first item once; a pause sends it.
        tablet.get_by_test_id("camera-toggle").click()
        first = tablet.locator(f"[data-testid=count-row][data-sku='{camera_item[1]}']")
        expect(first).to_have_attribute("data-counted", "1.000", timeout=20000)
        tablet.get_by_test_id("camera-toggle").click()
        expect(progress).to_have_attribute(
            "data-counted", "1", timeout=5000
        )  # live on the manager's page

        # Three wedge scans of the second, sent at once.
        for _ in range(3):
            tablet.keyboard.type(wedge_item[2], delay=5)
            tablet.keyboard.press("Enter")
        expect(tablet.get_by_test_id("count-current")).to_contain_text(wedge_item[1])
        tablet.get_by_test_id("count-send").click()
        second = tablet.locator(f"[data-testid=count-row][data-sku='{wedge_item[1]}']")
        expect(second).to_have_attribute("data-counted", "3.000")
        expect(tablet.locator(".row__expected")).to_have_count(0)
        shot(tablet, "stocktake-count-tablet")
        tablet.set_viewport_size({"width": 390, "height": 844})  # a phone works too: one column
        expect(tablet.get_by_test_id("count-send")).to_be_visible()
        shot(tablet, "stocktake-count-phone")
    finally:
        camera.close()

    expect(progress).to_have_attribute("data-counted", "2", timeout=5000)
    by_counter = boss.get_by_test_id("st-by-counter")
    expect(by_counter.first).to_contain_text("2 lines")

    # Submitted with the rest not found: they count as none; then reviewed and approved.
    boss.get_by_test_id("st-action-submit").click()
    if expected_keys > 2:
        boss.locator(".van-dialog__confirm").click()  # "count them as none there?"
    expect(boss.get_by_test_id("st-state")).to_have_attribute("data-state", "review")
    expect(boss.locator(".van-dialog")).to_be_hidden()
    expect(progress).to_have_attribute("data-counted", str(expected_keys))
    variances = boss.get_by_test_id("st-variance")
    expect(variances.first).to_be_visible()
    assert variances.count() >= expected_keys - 2  # every key nobody found is a loss
    boss.wait_for_timeout(300)
    expect(boss.get_by_test_id("st-variance-totals")).to_be_visible()  # the manager sees values
    shot(boss, "stocktake-review-tablet")
    boss.get_by_test_id("st-action-approve").click()
    boss.locator(".van-dialog__confirm").click()
    expect(boss.get_by_test_id("st-state")).to_have_attribute("data-state", "posted")
    expect(boss.get_by_test_id("st-document")).to_contain_text("ADJ")
    boss.context.close()

    # The location holds what was counted; the rest of it was not there; the ledger agrees.
    assert _on_hand(live_server, camera_item[0], location_id) == 1
    assert _on_hand(live_server, wedge_item[0], location_id) == 3
    with live_server.app.app_context():
        left = db.session.scalar(
            select(func.count()).where(
                StockBalance.location_id == location_id,
                StockBalance.on_hand != 0,
                StockBalance.product_id.not_in([camera_item[0], wedge_item[0]]),
            )
        )
        assert left == 0
        assert differences() == []


def test_counts_made_offline_are_sent_once_when_back(live_server, browser):
    (location_id, location_code), [item, _] = _location_to_count(live_server)
    manager = Api(live_server, "manager")
    warehouse_id = next(
        w["id"] for w in manager.get("/warehouses?per_page=100")["items"] if w["code"] == "SH01"
    )
    made = manager.post(
        "/stocktakes",
        {"warehouse_id": warehouse_id, "mode": "cycle", "location_ids": [location_id]},
        201,
    )
    manager.post(f"/stocktakes/{made['id']}/start", {})

    tablet = browser.new_context(viewport=TABLET, locale="en-US").new_page()
    log_in(tablet, live_server.url, "clerk")
    tablet.goto(f"{live_server.url}/stocktakes/{made['id']}/count")
    expect(tablet.get_by_test_id("count-row").first).to_be_visible()

    # The network goes; two scans of a code this tablet never looked up, then sent.
    live_server.stop()
    tablet.context.set_offline(True)
    for _ in range(2):
        tablet.keyboard.type(item[2], delay=5)
        tablet.keyboard.press("Enter")
    expect(tablet.get_by_test_id("count-current")).to_contain_text(item[2])
    tablet.get_by_test_id("count-send").click()
    badge = tablet.get_by_test_id("outbox-badge")
    expect(badge).to_have_text("1")
    waiting = tablet.locator(f"[data-testid=count-row][data-sku='{item[2]}']")
    expect(waiting.locator(".row__pending")).to_be_visible()  # counted here, not sent yet
    expect(waiting).to_contain_text("2")
    shot(tablet, "stocktake-count-offline")

    live_server.start()
    tablet.context.set_offline(False)
    expect(badge).to_have_count(0, timeout=30000)
    row = tablet.locator(f"[data-testid=count-row][data-sku='{item[1]}']")
    expect(row).to_have_attribute("data-counted", "2.000", timeout=30000)
    lines = manager.get(f"/stocktakes/{made['id']}/lines?per_page=100")["items"]
    (counted,) = [line for line in lines if line["product"]["id"] == item[0]]
    assert counted["counted"] == "2.000" and len(counted["counted_by"]) == 1  # sent once
    tablet.context.close()
