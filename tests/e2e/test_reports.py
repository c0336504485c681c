"""Reports in the PWA. On a phone the manager opens Reports from the home screen, opens the
stock balance and sees cards and pinned totals that are the API's first page and totals,
filters by a warehouse and sorts by quantity (the cards follow, the link keeps both, Back
goes back), downloads the Excel file with those filters (one data row per matching row)
and gets the reason under the field for a period that ends before it starts. On a tablet
the same report is a table with the English headers of the catalogue, sorting by a header
orders the rows as the API does, the totals row is the API's, the in/out summary's
breakdown opens more columns. The warehouse user, who may not see costs, has no Value
column and no payables ageing."""

from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, log_in, shot

pytestmark = pytest.mark.e2e

TABLET = {"width": 1024, "height": 768}
PERIOD_ERROR = "must not be after to"


@pytest.fixture
def tablet(browser, request):
    """A 1024×768 tablet page in English; a screenshot of it is saved when the test ends."""
    context = browser.new_context(
        viewport=TABLET, device_scale_factor=1, has_touch=True, locale="en-US"
    )
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"))
    context.close()


def _api(page, base_url: str, path: str) -> dict:
    """GET /api/v1<path> with the page's own session."""
    response = page.request.get(f"{base_url}/api/v1{path}")
    assert response.ok, response.text()
    return response.json()


def _catalogue_entry(page, base_url: str, name: str) -> dict:
    return next(r for r in _api(page, base_url, "/reports")["items"] if r["name"] == name)


def _query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def _card_figures(page, key: str, count: int) -> list[str]:
    cards = page.get_by_test_id("report-card")
    return [
        cards.nth(i).get_by_test_id(f"report-value-{key}").get_attribute("data-value")
        for i in range(count)
    ]


def _expect_cards(page, items: list[dict], count: int = 3) -> None:
    """The first cards are the API's first items: name and on-hand quantity."""
    cards = page.get_by_test_id("report-card")
    for i, item in enumerate(items[:count]):
        expect(cards.nth(i).get_by_test_id("report-card-title")).to_have_text(item["product_name"])
        expect(cards.nth(i)).to_contain_text(item["sku"])
        expect(cards.nth(i)).to_contain_text(item["warehouse_code"])
        expect(cards.nth(i).get_by_test_id("report-value-on_hand")).to_have_attribute(
            "data-value", item["on_hand"]
        )


def _expect_totals(page, result: dict, keys=("on_hand", "value")) -> None:
    totals = page.get_by_test_id("report-totals")
    expect(totals.get_by_test_id("report-total")).to_have_attribute(
        "data-value", str(result["total"])
    )
    for key in keys:
        expect(totals.get_by_test_id(f"report-total-{key}")).to_have_attribute(
            "data-value", result["totals"][key]
        )


def _set_period_backwards(page) -> None:
    """From = the day after To, then Apply."""
    to = page.get_by_test_id("report-filter-to").locator("input").input_value()
    later = (date.fromisoformat(to) + timedelta(days=1)).isoformat()
    page.get_by_test_id("report-filter-from").locator("input").fill(later)
    page.get_by_test_id("report-filters-apply").click()


def test_stock_balance_on_a_phone(live_server, phone, tmp_path):
    url = live_server.url
    log_in(phone, url, "manager")
    phone.get_by_test_id("shortcut-reports").click()
    expect(phone.get_by_test_id("report-list")).to_be_visible()
    stock = phone.get_by_test_id("report-group-stock")
    expect(stock).to_contain_text("Stock balance")
    expect(phone.get_by_test_id("report-group-finance")).to_contain_text("Payable ageing")
    shot(phone, "reports-catalogue-phone")

    # The cards are the API's first page, the pinned totals its totals.
    stock.get_by_test_id("report-link-stock-balance").click()
    expect(phone.get_by_test_id("report-title")).to_have_text("Stock balance")
    first = _api(phone, url, "/reports/stock-balance?page=1&per_page=20")
    assert first["total"] > 20
    _expect_cards(phone, first["items"])
    _expect_totals(phone, first, ("on_hand", "available", "value"))
    expect(phone.get_by_test_id("report-card")).to_have_count(20)
    shot(phone, "reports-stock-balance-phone")

    # Scrolling down loads the next page; the totals stay in sight.
    phone.get_by_test_id("report-card").last.scroll_into_view_if_needed()
    expect(phone.get_by_test_id("report-card")).to_have_count(40)
    phone.mouse.wheel(0, 600)
    expect(phone.get_by_test_id("report-totals")).to_be_in_viewport()
    shot(phone, "reports-stock-balance-phone-scrolled")
    phone.evaluate("window.scrollTo(0, 0)")

    # One warehouse: other rows and totals, the warehouse in the link.
    warehouses = _api(phone, url, "/warehouses?per_page=100")["items"]
    sz = next(w for w in warehouses if w["code"] == "SZ01")
    phone.get_by_test_id("report-filters-open").click()
    shot(phone, "reports-filters-phone")
    phone.get_by_test_id("report-filter-warehouse_id").click()
    expect(phone.locator('[data-testid="report-option"][data-id]')).to_have_count(
        len(warehouses) + 1
    )
    shot(phone, "reports-lookup-phone")
    phone.locator(f'[data-testid="report-option"][data-id="{sz["id"]}"]').click()
    expect(phone.get_by_test_id("report-filter-warehouse_id").locator("input")).to_have_value(
        f"SZ01 · {sz['name']}"
    )
    phone.get_by_test_id("report-filters-apply").click()
    expect(phone.get_by_test_id("report-filter-summary")).to_contain_text("SZ01")
    assert _query(phone).get("warehouse_id") == str(sz["id"])
    in_sz = _api(phone, url, f"/reports/stock-balance?warehouse_id={sz['id']}&per_page=20")
    assert 0 < in_sz["total"] < first["total"]
    _expect_cards(phone, in_sz["items"])
    _expect_totals(phone, in_sz)
    expect(phone.get_by_test_id("report-card").filter(has_text="SH01")).to_have_count(0)

    # Sorted by on-hand, largest first: the API's order.
    phone.get_by_test_id("report-sort-open").click()
    phone.locator('[data-testid="report-sort-option"][data-key="on_hand"]').click()
    phone.get_by_test_id("report-sort-desc").click()
    phone.get_by_test_id("report-sort-apply").click()
    expect(phone.get_by_test_id("report-sort-open")).to_contain_text("On hand ↓")
    by_qty = _api(
        phone, url, f"/reports/stock-balance?warehouse_id={sz['id']}&sort=-on_hand&per_page=20"
    )
    _expect_cards(phone, by_qty["items"], 5)
    figures = _card_figures(phone, "on_hand", 5)
    assert figures == [item["on_hand"] for item in by_qty["items"][:5]]
    assert [float(f) for f in figures] == sorted((float(f) for f in figures), reverse=True)
    shot(phone, "reports-stock-balance-phone-sorted")

    # The Excel file: the same filters and order, every matching row and a totals row.
    link = phone.get_by_test_id("report-export-xlsx")
    params = parse_qs(urlparse(link.get_attribute("href")).query)
    assert params["warehouse_id"] == [str(sz["id"])]
    assert params["sort"] == ["-on_hand"]
    assert params["format"] == ["xlsx"] and params["lang"] == ["en"]
    with phone.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet = load_workbook(saved).active
    rows = [row[0] for row in sheet.iter_rows(values_only=True)]
    header, footer = rows.index("SKU"), rows.index("Total")
    assert footer - header - 1 == in_sz["total"]

    # Back: the warehouse filter without the order.
    phone.go_back()
    expect(phone.get_by_test_id("report-sort-open")).to_contain_text("Default order")
    _expect_cards(phone, in_sz["items"])

    # A period that ends before it starts: the reason under the field.
    phone.goto(f"{url}/reports/stock-ledger")
    expect(phone.get_by_test_id("report-title")).to_have_text("Stock ledger")
    expect(phone.get_by_test_id("report-filter-summary")).to_contain_text("–")
    query = _query(phone)
    assert query["from"].endswith("-01") and query["to"] >= query["from"]
    phone.get_by_test_id("report-filters-open").click()
    _set_period_backwards(phone)
    expect(phone.get_by_test_id("report-filter-from")).to_contain_text(PERIOD_ERROR)
    expect(phone.get_by_test_id("report-error")).to_contain_text(PERIOD_ERROR)
    shot(phone, "reports-period-error-phone")


def test_stock_balance_on_a_tablet(live_server, tablet):
    url = live_server.url
    log_in(tablet, url, "manager")
    tablet.get_by_test_id("shortcut-reports").click()
    tablet.get_by_test_id("report-link-stock-balance").click()

    # The catalogue's English headers, ids left out, in its order.
    entry = _catalogue_entry(tablet, url, "stock-balance")
    shown = [c for c in entry["columns"] if c["kind"] != "id"]
    headers = tablet.get_by_test_id("report-th")
    expect(headers).to_have_text([c["headers"]["en"] for c in shown])
    expect(headers.filter(has_text="Value")).to_have_count(1)
    first = _api(tablet, url, "/reports/stock-balance?page=1&per_page=50")
    rows = tablet.get_by_test_id("report-row")
    expect(rows).to_have_count(50)
    expect(rows.first.locator('td[data-key="sku"]')).to_have_text(first["items"][0]["sku"])
    footer = tablet.get_by_test_id("report-totals-row")
    expect(footer.get_by_test_id("report-total")).to_have_attribute(
        "data-value", str(first["total"])
    )
    expect(footer.locator('td[data-key="value"]')).to_have_attribute(
        "data-value", first["totals"]["value"]
    )
    shot(tablet, "reports-stock-balance-tablet")

    def expect_order(sort: str) -> None:
        page = _api(tablet, url, f"/reports/stock-balance?sort={sort}&per_page=50")["items"]
        expected = [f"{i['sku']} {i['warehouse_code']} {i['on_hand']}" for i in page[:10]]
        for index, want in enumerate(expected):
            row = rows.nth(index)
            sku, code, qty = want.split(" ")
            expect(row.locator('td[data-key="sku"]')).to_have_text(sku)
            expect(row.locator('td[data-key="warehouse_code"]')).to_have_text(code)
            expect(row.locator('td[data-key="on_hand"]')).to_have_text(qty)

    on_hand = tablet.locator('[data-testid="report-th"][data-key="on_hand"]')
    on_hand.click()
    expect(on_hand).to_have_attribute("aria-sort", "ascending")
    assert _query(tablet)["sort"] == "on_hand"
    expect_order("on_hand")
    on_hand.click()
    expect(on_hand).to_have_attribute("aria-sort", "descending")
    expect_order("-on_hand")
    shot(tablet, "reports-stock-balance-tablet-sorted")

    # The next page is the API's second page in that order.
    tablet.get_by_test_id("report-pages").get_by_text("2", exact=True).click()
    second = _api(tablet, url, "/reports/stock-balance?sort=-on_hand&per_page=50&page=2")
    expect(rows.first.locator('td[data-key="sku"]')).to_have_text(second["items"][0]["sku"])
    expect(tablet.get_by_test_id("report-range")).to_contain_text(f"51–100 of {second['total']}")

    # The in/out summary: the breakdown by kind behind a switch.
    tablet.goto(f"{url}/reports/inout-summary")
    entry = _catalogue_entry(tablet, url, "inout-summary")
    plain = [c for c in entry["columns"] if c["kind"] != "id" and "." not in c["key"]]
    nested = [c for c in entry["columns"] if "." in c["key"]]
    expect(headers).to_have_count(len(plain))
    tablet.get_by_test_id("report-breakdown").click()
    expect(headers).to_have_count(len(plain) + len(nested))
    expect(tablet.get_by_test_id("report-breakdown")).to_have_attribute("aria-checked", "true")
    nested_header = tablet.locator(f'[data-testid="report-th"][data-key="{nested[0]["key"]}"]')
    expect(nested_header).to_have_text(nested[0]["headers"]["en"])
    tablet.get_by_test_id("report-table").evaluate("el => { el.scrollLeft = 700 }")
    shot(tablet, "reports-inout-summary-tablet")

    # A period that ends before it starts: the reason under the field.
    tablet.goto(f"{url}/reports/gross-margin")
    expect(tablet.get_by_test_id("report-choice-group_by")).to_contain_text("Customer")
    _set_period_backwards(tablet)
    expect(tablet.get_by_test_id("report-filter-from")).to_contain_text(PERIOD_ERROR)
    shot(tablet, "reports-period-error-tablet")


def test_warehouse_user_sees_no_costs(live_server, tablet):
    url = live_server.url
    log_in(tablet, url, "warehouse")
    tablet.get_by_test_id("shortcut-reports").click()
    expect(tablet.get_by_test_id("report-link-stock-balance")).to_be_visible()
    readable = [r["name"] for r in _api(tablet, url, "/reports")["items"]]
    expect(tablet.locator('[data-testid^="report-link-"]')).to_have_count(len(readable))
    expect(tablet.get_by_test_id("report-link-payable-ageing")).to_have_count(0)
    shot(tablet, "reports-catalogue-warehouse")

    tablet.get_by_test_id("report-link-stock-balance").click()
    headers = tablet.get_by_test_id("report-th")
    expect(headers.first).to_have_text("SKU")
    expect(headers.filter(has_text="On hand")).to_have_count(1)
    expect(headers.filter(has_text="Value")).to_have_count(0)
    expect(tablet.locator('td[data-key="value"]')).to_have_count(0)
