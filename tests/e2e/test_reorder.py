"""Reorder suggestions in the PWA, on a phone: the demo purchaser opens them from the home
screen for SH01, keeps two lines (one of a known supplier with its quantity stepped up a
pack, one never ordered that gets a supplier and a typed quantity), creates the drafts and
follows the link to one; the API then has draft orders with exactly those products and
quantities."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.catalog.models import Product
from app.extensions import db
from app.inventory.models import StockBalance, Warehouse
from app.partners.models import Supplier
from tests.e2e.conftest import log_in, shot
from tests.support import ApiClient

pytestmark = pytest.mark.e2e

TYPED_QTY = Decimal("50")


def _api(live_server):
    live_server.app.test_client_class = ApiClient
    client = live_server.app.test_client()
    assert client.login("purchaser", "jxc-demo").status_code == 200
    return client


def _sh01(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(Warehouse.id).where(Warehouse.code == "SH01"))


def _suggestions(client, warehouse_id: int) -> list[dict]:
    response = client.get(f"/api/v1/purchasing/reorder-suggestions?warehouse_id={warehouse_id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["groups"]


def _ensure_suggestions(live_server, client, warehouse_id: int) -> list[dict]:
    """At least two suggested products; if the demo data has fewer, raise the reorder point
    of products stocked in SH01 until it does."""
    groups = _suggestions(client, warehouse_id)
    if sum(len(g["lines"]) for g in groups) >= 2:
        return groups
    with live_server.app.app_context():
        ids = db.session.scalars(
            select(StockBalance.product_id)
            .where(StockBalance.warehouse_id == warehouse_id)
            .distinct()
        ).all()
        for product in db.session.scalars(select(Product).where(Product.id.in_(ids[:2]))):
            product.reorder_point = Decimal("100000")
            product.reorder_qty = Decimal("10")
        db.session.commit()
    return _suggestions(client, warehouse_id)


def _other_supplier(live_server) -> tuple[int, str]:
    with live_server.app.app_context():
        return db.session.execute(
            select(Supplier.id, Supplier.code)
            .where(Supplier.active.is_(True))
            .order_by(Supplier.id)
        ).first()


def _never_ordered(groups, line) -> bool:
    return any(g["supplier"] is None and line in g["lines"] for g in groups)


def test_purchaser_creates_draft_orders_from_suggestions(phone, live_server):
    client = _api(live_server)
    warehouse_id = _sh01(live_server)
    groups = _ensure_suggestions(live_server, client, warehouse_id)
    supplier_of = {
        line["product"]["id"]: (g["supplier"] or {}).get("id")
        for g in groups
        for line in g["lines"]
    }
    ordered = [line for g in groups for line in g["lines"]]
    # The first kept line: one with a supplier when there is one (stepped up by a pack);
    # the second: one never ordered when there is one (a supplier is picked for it), with
    # a typed quantity.
    first_line = next((line for line in ordered if supplier_of[line["product"]["id"]]), ordered[0])
    rest = [line for line in ordered if line is not first_line]
    second = next((line for line in rest if not supplier_of[line["product"]["id"]]), rest[0])
    stepped = Decimal(first_line["suggested_qty"]) + Decimal(first_line["order_multiple"])
    picked_id, picked_code = _other_supplier(live_server)
    for line in (first_line, second):
        supplier_of[line["product"]["id"]] = supplier_of[line["product"]["id"]] or picked_id
    needs_supplier = [line for line in (first_line, second) if _never_ordered(groups, line)]
    suppliers = {supplier_of[first_line["product"]["id"]], supplier_of[second["product"]["id"]]}
    expected = {first_line["product"]["id"]: stepped, second["product"]["id"]: TYPED_QTY}

    log_in(phone, live_server.url, "purchaser")
    phone.get_by_test_id("shortcut-reorder").click()
    expect(phone.get_by_test_id("reorder")).to_be_visible()
    expect(phone.get_by_test_id("reorder-warehouse").locator("input")).to_have_value(
        re.compile(r"^SH01")
    )
    lines = phone.get_by_test_id("reorder-line")
    total = sum(len(g["lines"]) for g in groups)
    expect(lines).to_have_count(total)
    # Everything starts checked; the group without a supplier comes last.
    expect(phone.get_by_test_id("reorder-count")).to_contain_text(f"{total} of {total}")
    if groups[-1]["supplier"] is None and len(groups) > 1:
        expect(phone.get_by_test_id("reorder-group").last).to_contain_text("No supplier yet")
    shot(phone, "reorder-phone-suggestions")

    # Uncheck everything but the two lines.
    phone.get_by_test_id("reorder-check-all").click()
    expect(phone.get_by_test_id("reorder-count")).to_contain_text(f"0 of {total}")
    row_first = phone.locator(
        f'[data-testid="reorder-line"][data-sku="{first_line["product"]["sku"]}"]'
    )
    row_second = phone.locator(
        f'[data-testid="reorder-line"][data-sku="{second["product"]["sku"]}"]'
    )
    for row in (row_first, row_second):
        row.get_by_test_id("reorder-line-check").click()
    expect(phone.get_by_test_id("reorder-count")).to_contain_text(f"2 of {total}")

    # Quantities: a pack more on the first, typed on the second.
    qty_first = row_first.get_by_test_id("reorder-line-qty")
    expect(qty_first).to_have_value(str(Decimal(first_line["suggested_qty"]).normalize()))
    row_first.get_by_test_id("reorder-line-plus").click()
    expect(qty_first).to_have_value(str(stepped.normalize()))
    row_second.get_by_test_id("reorder-line-qty").fill(str(TYPED_QTY))

    for row, line in ((row_first, first_line), (row_second, second)):
        if line in needs_supplier:
            # Creating before a supplier is chosen says so on the line.
            phone.get_by_test_id("reorder-create").click()
            expect(row.get_by_test_id("reorder-line-error")).to_be_visible()
            shot(phone, "reorder-phone-needs-supplier")
            row.get_by_test_id("reorder-line-supplier").click()
            popup = phone.get_by_test_id("reorder-supplier-popup")
            expect(popup).to_be_visible()
            popup.locator(
                f'[data-testid="reorder-supplier-result"][data-code="{picked_code}"]'
            ).click()
            expect(row.get_by_test_id("reorder-line-supplier")).not_to_contain_text(
                "Choose a supplier"
            )
    row_second.scroll_into_view_if_needed()
    shot(phone, "reorder-phone-two-kept")

    phone.get_by_test_id("reorder-create").click()
    created = phone.get_by_test_id("reorder-created")
    expect(created).to_be_visible()
    orders = created.get_by_test_id("reorder-created-order")
    expect(orders).to_have_count(len(suppliers))
    numbers = [orders.nth(i).get_attribute("data-number") for i in range(len(suppliers))]
    # The ordered products leave the list (drafts are not on order until approved).
    expect(lines).to_have_count(total - 2)
    expect(row_first).to_have_count(0)
    shot(phone, "reorder-phone-created")

    # The drafts hold exactly the kept products and quantities (in base units).
    found: dict[int, Decimal] = {}
    for number in numbers:
        page = client.get(f"/api/v1/purchase-orders?q={number}").json
        (summary,) = [o for o in page["items"] if o["number"] == number]
        order = client.get(f"/api/v1/purchase-orders/{summary['id']}").json
        assert order["state"] == "draft"
        assert order["warehouse"]["id"] == warehouse_id
        assert order["supplier"]["id"] in suppliers
        for line in order["lines"]:
            found[line["product"]["id"]] = found.get(line["product"]["id"], 0) + Decimal(
                line["base_qty"]
            )
    assert found == expected

    # The links lead to the orders.
    orders.first.click()
    expect(phone).to_have_url(re.compile(r"/purchase-orders/\d+$"))
    expect(phone.get_by_text(numbers[0]).first).to_be_visible()
    shot(phone, "reorder-phone-order")

    # On a tablet the same screen is usable as it is.
    phone.set_viewport_size({"width": 1024, "height": 768})
    phone.goto(live_server.url + "/purchasing/reorder")
    expect(lines.first).to_be_visible()
    shot(phone, "reorder-tablet")
