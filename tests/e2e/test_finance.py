"""Supplier finance in the PWA, on a phone: the demo finance user opens Supplier bills from
the home screen, enters a bill for one received line at a price other than the order's (so
it is flagged), posts it, pays part of it from the bill's Pay button, then opens Payables
and the supplier's statement. The API then has the bill posted with that total and paid
amount, the supplier's payable balance grown by exactly total − payment, and the
statement's closing balance on screen is the API's."""

import re
import uuid
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, shot
from tests.support import ApiClient

pytestmark = pytest.mark.e2e

CENT = Decimal("0.01")
PRICE_RISE = Decimal("0.50")  # the supplier charges this much more per unit than ordered


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _api(live_server):
    live_server.app.test_client_class = ApiClient
    client = live_server.app.test_client()
    assert client.login("finance", "jxc-demo").status_code == 200
    return client


def _get(client, path: str) -> dict:
    response = client.get("/api/v1" + path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def _billable_line(client) -> tuple[dict, dict]:
    """(supplier, line): the first supplier with a receipt line left to bill, and that line.
    The demo data has bills of its own, so lines are picked through the billable endpoint."""
    for supplier in _get(client, "/suppliers?per_page=100&sort=code")["items"]:
        items = _get(client, f"/supplier-bills/billable?supplier_id={supplier['id']}")["items"]
        if items:
            return supplier, items[0]
    raise AssertionError("the demo data has no receipt line left to bill")


def _balance(client, supplier_id: int) -> Decimal:
    items = _get(client, f"/payables?supplier_id={supplier_id}")["items"]
    return Decimal(items[0]["balance"]) if items else Decimal(0)


def test_finance_bills_pays_and_reconciles_a_supplier(live_server, phone):
    client = _api(live_server)
    supplier, line = _billable_line(client)
    balance_before = _balance(client, supplier["id"])

    qty = Decimal(line["left_qty"])
    price = Decimal(line["unit_price"]) + PRICE_RISE
    amount = _cents(qty * price)
    total = amount + _cents(amount * Decimal(line["tax_rate"]))
    part = _cents(total / 2)  # paid now; the rest stays open
    bill_no = "E2E-" + uuid.uuid4().hex[:8].upper()

    # Supplier bills from the home screen; a new bill for that supplier.
    log_in(phone, live_server.url, "finance")
    phone.get_by_test_id("shortcut-supplierBills").click()
    expect(phone.get_by_test_id("bill-list")).to_be_visible()
    phone.get_by_test_id("bill-new").click()
    expect(phone.get_by_test_id("bill-form")).to_be_visible()
    phone.get_by_test_id("bill-supplier").click()
    popup = phone.get_by_test_id("supplier-popup")
    popup.get_by_test_id("supplier-search").locator("input").fill(supplier["code"])
    popup.locator(f'[data-testid="supplier-result"][data-code="{supplier["code"]}"]').click()
    phone.get_by_test_id("bill-no").locator("input").fill(bill_no)

    # Tick the line: its quantity is what is left; at a higher price it is marked.
    row = phone.locator(
        f'[data-testid="billable-line"][data-receipt-line="{line["receipt_line_id"]}"]'
    )
    row.get_by_test_id("billable-check").click()
    expect(row.get_by_test_id("billable-qty").locator("input")).to_have_value(
        format(qty.normalize(), "f")
    )
    expect(row.get_by_test_id("billable-price-variance")).to_have_count(0)
    row.get_by_test_id("billable-price").locator("input").fill(format(price.normalize(), "f"))
    expect(row.get_by_test_id("billable-price-variance")).to_be_visible()
    expect(phone.get_by_test_id("bill-form-total")).to_contain_text(f"{total:,}")
    shot(phone, "finance-bill-form")
    phone.get_by_test_id("bill-save").click()

    # The draft: flagged, with the server's total; posted.
    expect(phone).to_have_url(re.compile(r"/finance/bills/\d+$"))
    bill_id = int(phone.url.rsplit("/", 1)[1])
    view = phone.get_by_test_id("bill-view")
    expect(view.get_by_test_id("bill-variance-badge")).to_be_visible()
    expect(view.get_by_test_id("bill-line-price-variance")).to_be_visible()
    expect(view.get_by_test_id("bill-total")).to_have_attribute("data-value", str(total))
    phone.get_by_test_id("bill-post").click()
    phone.locator(".van-dialog__confirm").click()
    expect(view.get_by_test_id("bill-state")).to_have_attribute("data-state", "posted")
    expect(phone.locator(".van-toast")).to_be_hidden()
    shot(phone, "finance-bill-posted")

    # Pay part of it: the bill comes chosen and takes what is paid.
    phone.get_by_test_id("bill-pay").click()
    expect(phone.get_by_test_id("payment-form")).to_be_visible()
    expect(phone.get_by_test_id("payment-amount").locator("input")).to_have_value(str(total))
    phone.get_by_test_id("payment-amount").locator("input").fill(str(part))
    phone.get_by_test_id("payment-reference").locator("input").fill(bill_no + "-PAY")
    share = phone.get_by_test_id("allocation-bill").filter(has_text=bill_no)
    expect(share.get_by_test_id("allocation-amount").locator("input")).to_have_value(str(part))
    expect(phone.get_by_test_id("allocation-left")).to_contain_text("0.00")
    shot(phone, "finance-payment-form")
    phone.get_by_test_id("payment-save").click()
    expect(phone).to_have_url(re.compile(r"/finance/payments/\d+$"))
    expect(phone.get_by_test_id("payment-allocation")).to_have_count(1)
    expect(phone.get_by_test_id("payment-unallocated")).to_have_attribute("data-value", "0.00")

    # Payables, then the supplier's statement.
    phone.goto(live_server.url + "/")
    phone.get_by_test_id("shortcut-payables").click()
    payable = phone.locator(f'[data-testid="payable-row"][data-supplier-id="{supplier["id"]}"]')
    expected_balance = balance_before + total - part
    expect(payable.get_by_test_id("payable-balance")).to_have_attribute(
        "data-value", str(expected_balance)
    )
    shot(phone, "finance-payables")
    payable.click()
    expect(phone.get_by_test_id("statement-supplier")).to_have_text(supplier["name"])
    entries = phone.get_by_test_id("statement-entry")
    expect(entries.filter(has_text=bill_no)).to_have_count(2)  # the bill and its payment
    date_from = phone.get_by_test_id("statement-from").locator("input").input_value()
    date_to = phone.get_by_test_id("statement-to").locator("input").input_value()
    statement = _get(client, f"/suppliers/{supplier['id']}/statement?from={date_from}&to={date_to}")
    expect(phone.get_by_test_id("statement-closing")).to_have_attribute(
        "data-value", statement["totals"]["closing"]
    )
    expect(phone.get_by_test_id("statement-pdf")).to_have_attribute(
        "href", re.compile(r"statement\.pdf\?.*lang=en")
    )
    with phone.expect_download() as download:
        phone.get_by_test_id("statement-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    shot(phone, "finance-statement")

    # The server's side of it.
    bill = _get(client, f"/supplier-bills/{bill_id}")
    assert bill["state"] == "posted"
    assert bill["bill_no"] == bill_no
    assert bill["has_variances"] is True
    assert Decimal(bill["totals"]["total"]) == total
    assert Decimal(bill["paid"]) == part
    assert [(ln["receipt_line_id"], Decimal(ln["qty"]), Decimal(ln["unit_price"])) for ln in
            bill["lines"]] == [(line["receipt_line_id"], qty, price)]  # fmt: skip
    assert _balance(client, supplier["id"]) - balance_before == total - part
