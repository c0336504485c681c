"""Making a purchase order in the PWA, on a phone and on a tablet: the demo purchaser picks
a supplier, adds two products (one found by pinyin initials, one by SKU, ordered by the
case), is told a quantity of 0 is wrong on that line, fixes it, saves, sees the number and
the server's totals, changes the draft once more and approves it; the API then has it
approved, line for line."""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.catalog.models import Product, ProductUnit
from app.extensions import db
from app.partners.models import Supplier
from tests.e2e.conftest import log_in, shot
from tests.support import ApiClient

pytestmark = pytest.mark.e2e

TABLET = {"width": 1024, "height": 768}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Item:
    id: int
    sku: str
    pinyin: str
    unit: str
    last_cost: Decimal
    case_unit: str
    case_factor: Decimal


def _items(live_server) -> list[Item]:
    """Two active demo products with a case unit, a known cost and pinyin initials that
    pick them out (no other product's initials start the same)."""
    with live_server.app.app_context():
        rows = db.session.execute(
            select(Product, ProductUnit.name, ProductUnit.factor)
            .join(ProductUnit, ProductUnit.product_id == Product.id)
            .where(Product.active.is_(True), Product.last_cost > 0, Product.pinyin_initials != "")
            .order_by(Product.id)
        ).all()
        items, seen = [], set()
        for product, case_unit, factor in rows:
            if product.id in seen:
                continue
            seen.add(product.id)
            clashes = db.session.scalar(
                select(func.count(Product.id)).where(
                    Product.pinyin_initials.like(product.pinyin_initials + "%")
                )
            )
            if clashes != 1:
                continue
            items.append(
                Item(
                    product.id,
                    product.sku,
                    product.pinyin_initials,
                    product.unit,
                    product.last_cost,
                    case_unit,
                    factor,
                )
            )
            if len(items) == 2:
                return items
    raise AssertionError("the demo data has no two products to order")


def _supplier(live_server) -> tuple[int, str]:
    with live_server.app.app_context():
        return db.session.execute(
            select(Supplier.id, Supplier.name)
            .where(Supplier.active.is_(True))
            .order_by(Supplier.id)
            .limit(1)
        ).one()


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _line_total(qty: Decimal, price: Decimal, discount: Decimal, rate: Decimal) -> Decimal:
    amount = _cents(qty * price * (1 - discount))
    return amount + _cents(amount * rate)


def _order_total(first: Item, case_price: Decimal, cases: int) -> Decimal:
    """12 of the first product at its cost, `cases` cases of the second 5 % off; 13 % tax."""
    return _line_total(Decimal(12), first.last_cost, Decimal(0), Decimal("0.13")) + _line_total(
        Decimal(cases), case_price, Decimal("0.05"), Decimal("0.13")
    )


def _add_product(page, query: str, sku: str) -> None:
    page.get_by_test_id("po-add-product").click()
    popup = page.get_by_test_id("po-product-popup")
    expect(popup).to_be_visible()
    popup.get_by_test_id("po-product-search").locator("input").fill(query)
    result = popup.locator(f'[data-testid="po-product-result"][data-sku="{sku}"]')
    expect(result).to_have_count(1)
    result.click()
    expect(page.locator(f'[data-testid="po-form-line"][data-sku="{sku}"]')).to_have_count(1)


def _make_and_approve(page, live_server, name: str) -> None:
    first, second = _items(live_server)
    supplier_id, supplier_name = _supplier(live_server)

    log_in(page, live_server.url, "purchaser")
    page.goto(live_server.url + "/purchase-orders")
    expect(page.get_by_test_id("po-new")).to_be_visible()
    shot(page, f"po-form-{name}-list")
    page.get_by_test_id("po-new").click()
    expect(page.get_by_test_id("po-form")).to_be_visible()

    # Supplier from the searchable list; the warehouse comes preselected.
    page.get_by_test_id("po-supplier").click()
    popup = page.get_by_test_id("po-supplier-popup")
    popup.get_by_test_id("po-supplier-search").locator("input").fill(supplier_name[:4])
    popup.get_by_test_id("po-supplier-result").filter(has_text=supplier_name).first.click()
    expect(page.get_by_test_id("po-supplier").locator("input")).to_have_value(
        re.compile(re.escape(supplier_name))
    )
    expect(page.get_by_test_id("po-warehouse").locator("input")).not_to_have_value("")

    # Expected date: today, from the date picker.
    page.get_by_test_id("po-expected").click()
    page.get_by_test_id("po-date-picker").locator(".van-picker__confirm").click()
    expect(page.get_by_test_id("po-expected").locator("input")).to_have_value(
        re.compile(r"^\d{4}-\d{2}-\d{2}$")
    )
    page.get_by_test_id("po-note").locator("textarea").fill("e2e " + name)

    _add_product(page, first.pinyin, first.sku)
    _add_product(page, second.sku, second.sku)
    lines = page.get_by_test_id("po-form-line")
    expect(lines).to_have_count(2)

    # The first line at its base unit: price = last cost, tax 13 %, no discount.
    one = lines.nth(0)
    expect(one.get_by_test_id("po-line-price-input").locator("input")).to_have_value(
        format(first.last_cost.normalize(), "f")
    )
    expect(one.get_by_test_id("po-line-tax").locator("input")).to_have_value("13")
    one.get_by_test_id("po-line-qty").locator("input").fill("0")  # wrong on purpose

    # The second by the case: its price becomes last cost × the case's factor.
    two = lines.nth(1)
    two.get_by_test_id("po-line-unit").click()
    page.locator(".van-action-sheet__item").filter(has_text=second.case_unit).click()
    expect(two.get_by_test_id("po-line-unit").locator("input")).to_have_value(second.case_unit)
    case_price = (second.last_cost * second.case_factor).quantize(
        Decimal("0.000001"), ROUND_HALF_UP
    )
    expect(two.get_by_test_id("po-line-price-input").locator("input")).to_have_value(
        format(case_price.normalize(), "f")
    )
    two.get_by_test_id("po-line-qty").locator("input").fill("2")
    two.get_by_test_id("po-line-discount").locator("input").fill("5")

    # Saving is refused, and the reason sits under the first line's quantity.
    page.get_by_test_id("po-save").click()
    qty_error = one.get_by_test_id("po-line-qty").locator(".van-field__error-message")
    expect(qty_error).to_be_visible()
    expect(qty_error).to_contain_text("more than 0")
    expect(two.locator(".van-field__error-message")).to_have_count(0)
    shot(page, f"po-form-{name}-error")
    one.get_by_test_id("po-line-qty").locator("input").fill("12")
    expect(qty_error).to_have_count(0)  # the fixed field's refusal goes
    expected_total = _order_total(first, case_price, cases=2)
    expect(page.get_by_test_id("po-form-total")).to_contain_text(str(expected_total))
    shot(page, f"po-form-{name}-filled")
    page.get_by_test_id("po-save").click()

    # The order's page: its number and the server's totals.
    expect(page).to_have_url(re.compile(r"/purchase-orders/\d+$"))
    number = page.get_by_test_id("po-number")
    expect(number).to_have_text(re.compile(r"\S+"))
    expect(page.get_by_test_id("po-line")).to_have_count(2)
    expect(page.get_by_test_id("po-totals")).to_contain_text(str(expected_total))
    expect(page.get_by_test_id("po-view").get_by_test_id("po-state").first).to_have_attribute(
        "data-state", "draft"
    )
    expect(page.get_by_test_id("po-edit")).to_be_visible()
    shot(page, f"po-form-{name}-saved")

    # While a draft it can be changed: one more case of the second product (saved with its version).
    page.get_by_test_id("po-edit").click()
    lines = page.get_by_test_id("po-form-line")
    expect(lines).to_have_count(2)
    expect(lines.nth(1).get_by_test_id("po-line-unit").locator("input")).to_have_value(
        second.case_unit
    )
    expect(lines.nth(1).get_by_test_id("po-line-discount").locator("input")).to_have_value("5")
    lines.nth(1).get_by_test_id("po-line-qty").locator("input").fill("3")
    expected_total = _order_total(first, case_price, cases=3)
    expect(page.get_by_test_id("po-form-total")).to_contain_text(str(expected_total))
    page.get_by_test_id("po-save").click()
    expect(page).to_have_url(re.compile(r"/purchase-orders/\d+$"))
    expect(page.get_by_test_id("po-totals")).to_contain_text(str(expected_total))

    page.get_by_test_id("po-approve").click()
    page.locator(".van-dialog__confirm").click()
    expect(page.locator(".van-dialog")).to_be_hidden()
    expect(page.get_by_test_id("po-view").get_by_test_id("po-state").first).to_have_attribute(
        "data-state", "approved"
    )
    expect(page.get_by_test_id("po-edit")).to_have_count(0)
    expect(page.get_by_test_id("po-approve")).to_have_count(0)
    expect(page.get_by_test_id("po-cancel")).to_be_visible()
    shot(page, f"po-form-{name}-approved")

    # Through the API: approved, with exactly these lines.
    order_id = int(page.url.rsplit("/", 1)[1])
    live_server.app.test_client_class = ApiClient
    client = live_server.app.test_client()
    assert client.login("purchaser", "jxc-demo").status_code == 200
    order = client.get(f"/api/v1/purchase-orders/{order_id}").json
    assert order["state"] == "approved"
    assert order["number"] == number.inner_text()
    assert order["supplier"]["id"] == supplier_id
    assert order["note"] == "e2e " + name
    got = [
        (
            line["product"]["id"],
            line["unit"],
            Decimal(line["qty"]),
            Decimal(line["unit_price"]),
            Decimal(line["tax_rate"]),
            Decimal(line["discount"]),
        )
        for line in order["lines"]
    ]
    assert got == [
        (first.id, first.unit, Decimal(12), first.last_cost, Decimal("0.13"), Decimal(0)),
        (second.id, second.case_unit, Decimal(3), case_price, Decimal("0.13"), Decimal("0.05")),
    ]
    assert Decimal(order["totals"]["total"]) == expected_total


def test_the_purchaser_makes_and_approves_an_order_on_a_phone(live_server, phone):
    _make_and_approve(phone, live_server, "phone")


def test_the_purchaser_makes_and_approves_an_order_on_a_tablet(live_server, browser):
    context = browser.new_context(
        viewport=TABLET, device_scale_factor=1, has_touch=True, locale="en-US"
    )
    try:
        _make_and_approve(context.new_page(), live_server, "tablet")
    finally:
        context.close()
