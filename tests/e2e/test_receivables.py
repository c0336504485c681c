"""Customer finance in the PWA, on a phone: the salesperson orders two items for one of their
customers and confirms, the warehouse ships it all (through the API); then the demo
finance user opens Customer invoices from the home screen, invoices that order's
shipment, presses Receive on the invoice and records part of it, opens Receivables and the
customer's statement. The invoice is posted with the order's total and the part paid, the
order is completed, the customer's balance grew by exactly total − receipt, and the
statement's closing balance on screen is the API's."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, shot
from tests.support import ApiClient

pytestmark = pytest.mark.e2e

CENT = Decimal("0.01")


class Api:
    """One demo user's API session: get and post check the status and return the JSON."""

    def __init__(self, live_server, username: str):
        live_server.app.test_client_class = ApiClient
        self.client = live_server.app.test_client()
        assert self.client.login(username, "jxc-demo").status_code == 200

    def get(self, path: str) -> dict:
        return self._checked(self.client.get("/api/v1" + path), 200)

    def post(self, path: str, body: dict, status: int = 200) -> dict:
        return self._checked(self.client.post("/api/v1" + path, json=body), status)

    @staticmethod
    def _checked(response, status: int) -> dict:
        assert response.status_code == status, response.get_data(as_text=True)
        return response.json


def _customer(sales) -> dict:
    """One of the salesperson's customers, without a credit limit where there is one (so
    the order is confirmed, not held)."""
    mine = sales.get("/customers?active=true&per_page=100")["items"]
    assert mine, "the demo salesperson has customers"

    def headroom(customer):  # no limit first, else the largest
        limit = Decimal(customer["credit_limit"])
        return (limit == 0, limit)

    return max(mine, key=headroom)


def _stocked(sales, warehouse_id: int, count: int) -> list[int]:
    """Products with plenty available in the warehouse, shipped without batches."""
    balances = sales.get(
        f"/stock/balances?by=warehouse&warehouse_id={warehouse_id}&sort=-available&per_page=50",
    )["items"]
    chosen = []
    for balance in balances:
        if Decimal(balance["available"]) < 20:
            continue
        product = sales.get(f"/products/{balance['product']['id']}")
        if not product["track_batches"] and not product["track_expiry"]:
            chosen.append(product["id"])
        if len(chosen) == count:
            return chosen
    raise AssertionError("the demo stock has enough products in SH01")


def _shipped_order(live_server) -> dict:
    """An order made and confirmed by `sales`, shipped in full by `warehouse`."""
    sales = Api(live_server, "sales")
    warehouse_id = next(
        w["id"] for w in sales.get("/warehouses?per_page=100")["items"] if w["code"] == "SH01"
    )
    customer = _customer(sales)
    lines = [{"product_id": pid, "qty": "2"} for pid in _stocked(sales, warehouse_id, 2)]
    order = sales.post(
        "/sales-orders",
        {"customer_id": customer["id"], "warehouse_id": warehouse_id, "lines": lines},
        201,
    )
    order = sales.post(f"/sales-orders/{order['id']}/confirm", {})
    assert order["state"] == "confirmed", order["state"]
    keeper = Api(live_server, "warehouse")
    shipped = [{"so_line_id": line["id"], "qty": line["qty"]} for line in order["lines"]]
    shipment = keeper.post(f"/sales-orders/{order['id']}/shipments", {"lines": shipped}, 201)
    return {**order, "customer": customer, "shipment": shipment}


def _balance(client, customer_id: int) -> Decimal:
    items = client.get(f"/receivables?customer_id={customer_id}")["items"]
    return Decimal(items[0]["balance"]) if items else Decimal(0)


def test_finance_invoices_receives_and_reconciles_a_customer(live_server, phone):
    order = _shipped_order(live_server)
    customer = order["customer"]
    finance = Api(live_server, "finance")
    total = Decimal(finance.get(f"/sales-orders/{order['id']}")["totals"]["total"])
    part = (total / 2).quantize(CENT, rounding=ROUND_HALF_UP)  # received now; the rest stays open
    balance_before = _balance(finance, customer["id"])

    # Customer invoices from the home screen; a new invoice for the shipped order.
    log_in(phone, live_server.url, "finance")
    phone.get_by_test_id("shortcut-customerInvoices").click()
    expect(phone.get_by_test_id("invoice-list")).to_be_visible()
    phone.get_by_test_id("invoice-new").click()
    expect(phone.get_by_test_id("invoice-form")).to_be_visible()
    phone.get_by_test_id("invoice-order").click()
    popup = phone.get_by_test_id("order-popup")
    popup.get_by_test_id("order-search").locator("input").fill(order["number"])
    popup.locator(f'[data-testid="order-result"][data-number="{order["number"]}"]').click()
    expect(popup).to_be_hidden()
    expect(phone.get_by_test_id("invoice-form-customer")).to_contain_text(customer["name"])
    shipment = phone.get_by_test_id("invoice-shipment")
    expect(shipment).to_have_count(1)
    expect(shipment).to_have_attribute("data-number", order["shipment"]["number"])
    expect(shipment).to_have_attribute("data-status", "open")
    expect(shipment.locator(".van-checkbox__icon--checked")).to_have_count(1)
    shot(phone, "receivables-invoice-form")
    phone.get_by_test_id("invoice-save").click()

    # The invoice: posted, the order's total, nothing received yet.
    expect(phone).to_have_url(re.compile(r"/finance/invoices/\d+$"))
    invoice_id = int(phone.url.rsplit("/", 1)[1])
    view = phone.get_by_test_id("invoice-view")
    expect(view.get_by_test_id("invoice-state")).to_have_attribute("data-state", "posted")
    expect(view.get_by_test_id("invoice-total")).to_have_attribute("data-value", str(total))
    expect(view.get_by_test_id("invoice-open")).to_have_attribute("data-value", str(total))
    expect(view.get_by_test_id("invoice-line")).to_have_count(2)
    expect(view.get_by_test_id("invoice-order-link")).to_contain_text(order["number"])
    invoice_number = view.get_by_test_id("invoice-number").inner_text()
    expect(phone.locator(".van-toast")).to_be_hidden()
    shot(phone, "receivables-invoice")

    # Receive part of it: the customer and the invoice come chosen, the invoice takes it.
    phone.get_by_test_id("invoice-receive").click()
    expect(phone.get_by_test_id("receipt-form")).to_be_visible()
    expect(phone.get_by_test_id("receipt-customer").locator("input")).to_have_value(
        f"{customer['code']} {customer['name']}"
    )
    expect(phone.get_by_test_id("receipt-amount").locator("input")).to_have_value(str(total))
    phone.get_by_test_id("receipt-amount").locator("input").fill(str(part))
    phone.get_by_test_id("receipt-reference").locator("input").fill("E2E-" + invoice_number)
    share = phone.locator(f'[data-testid="allocation-invoice"][data-number="{invoice_number}"]')
    expect(share.get_by_test_id("allocation-amount").locator("input")).to_have_value(str(part))
    expect(phone.get_by_test_id("allocation-left")).to_contain_text("0.00")
    shot(phone, "receivables-receipt-form")
    phone.get_by_test_id("receipt-save").click()
    expect(phone).to_have_url(re.compile(r"/finance/receipts/\d+$"))
    expect(phone.get_by_test_id("receipt-allocation")).to_have_count(1)
    expect(phone.get_by_test_id("receipt-allocation")).to_contain_text(invoice_number)
    expect(phone.get_by_test_id("receipt-unallocated")).to_have_attribute("data-value", "0.00")
    receipt_number = phone.get_by_test_id("receipt-number").inner_text()

    # Receivables: the customer owes exactly total − receipt more; then the statement.
    phone.goto(live_server.url + "/")
    phone.get_by_test_id("shortcut-receivables").click()
    row = phone.locator(f'[data-testid="receivable-row"][data-customer-id="{customer["id"]}"]')
    expect(row.get_by_test_id("receivable-balance")).to_have_attribute(
        "data-value", str(balance_before + total - part)
    )
    shot(phone, "receivables-balances")
    row.click()
    expect(phone.get_by_test_id("statement-customer")).to_have_text(customer["name"])
    entry = '[data-testid="statement-entry"][data-kind="{}"]'.format
    expect(phone.locator(entry("invoice")).filter(has_text=invoice_number)).to_have_count(1)
    expect(phone.locator(entry("receipt")).filter(has_text=receipt_number)).to_have_count(1)
    date_from = phone.get_by_test_id("statement-from").locator("input").input_value()
    date_to = phone.get_by_test_id("statement-to").locator("input").input_value()
    statement = finance.get(f"/customers/{customer['id']}/statement?from={date_from}&to={date_to}")
    expect(phone.get_by_test_id("statement-closing")).to_have_attribute(
        "data-value", statement["totals"]["closing"]
    )
    expect(phone.get_by_test_id("statement-pdf")).to_have_attribute(
        "href", re.compile(rf"/customers/{customer['id']}/statement\.pdf\?.*lang=en")
    )
    shot(phone, "receivables-statement")

    # The server's side of it.
    invoice = finance.get(f"/customer-invoices/{invoice_id}")
    assert invoice["state"] == "posted"
    assert invoice["order"]["id"] == order["id"]
    assert Decimal(invoice["totals"]["total"]) == total
    assert Decimal(invoice["paid"]) == part
    assert Decimal(invoice["open"]) == total - part
    assert {line["shipment_line_id"] for line in invoice["lines"]} == {
        line["id"] for line in order["shipment"]["lines"]
    }
    assert finance.get(f"/sales-orders/{order['id']}")["state"] == "completed"
    assert _balance(finance, customer["id"]) - balance_before == total - part


def _on_hand(client, product_id: int, warehouse_id: int) -> Decimal:
    rows = client.get(
        f"/stock/balances?by=warehouse&warehouse_id={warehouse_id}&product_id={product_id}"
    )
    return sum((Decimal(row["on_hand"]) for row in rows["items"]), Decimal(0))


def test_the_floor_takes_goods_back_and_the_invoice_is_credited(live_server, phone):
    order = _shipped_order(live_server)
    finance = Api(live_server, "finance")
    invoice = finance.post(f"/sales-orders/{order['id']}/invoices", {}, 201)
    keeper = Api(live_server, "warehouse")
    first = order["shipment"]["lines"][0]
    product_id, warehouse_id = first["product"]["id"], order["warehouse"]["id"]
    on_hand_before = _on_hand(keeper, product_id, warehouse_id)

    # From the order, the shipment's "Goods returned".
    log_in(phone, live_server.url, "warehouse")
    phone.goto(f"{live_server.url}/sales/orders/{order['id']}")
    shipment = phone.get_by_test_id("so-shipment")
    expect(shipment).to_have_count(1)
    expect(shipment).to_contain_text(order["shipment"]["number"])
    expect(phone.get_by_test_id("so-invoice")).to_have_count(0)  # billing is finance's
    shipment.get_by_test_id("so-shipment-return").click()
    expect(phone.get_by_test_id("return-view")).to_be_visible()
    line = phone.locator(f'[data-testid="return-line"][data-sku="{first["product"]["sku"]}"]')
    expect(line).to_contain_text("2")

    # More than shipped is stopped on the line; one back into stock goes through.
    line.get_by_test_id("so-line-qty").fill("5")
    expect(line.get_by_test_id("return-line-error")).to_be_visible()
    phone.get_by_test_id("return-submit").click()
    expect(phone.get_by_test_id("return-result")).to_be_hidden()
    line.get_by_test_id("so-line-qty").fill("0")
    line.get_by_test_id("so-line-plus").click()
    expect(line.get_by_test_id("return-line-error")).to_have_count(0)
    phone.get_by_test_id("return-reason").first.click()
    shot(phone, "return-form")
    phone.get_by_test_id("return-submit").click()

    result = phone.get_by_test_id("return-result")
    expect(result).to_be_visible()
    expect(phone.get_by_test_id("return-result-number")).to_have_text(
        re.compile(r"^SR-\d{4}-\d{6}$")
    )
    expect(phone.get_by_test_id("return-credit-note")).to_contain_text("CN-")
    expect(result).not_to_contain_text(".")  # the floor sees no amounts
    expect(phone.get_by_test_id("return-done")).to_be_in_viewport()
    phone.wait_for_timeout(400)  # the sheet slides up
    shot(phone, "return-result")

    # The stock got it back, the line remembers it, and the invoice is owed that much less.
    assert _on_hand(keeper, product_id, warehouse_id) == on_hand_before + 1
    back = keeper.get(f"/shipments/{order['shipment']['id']}")["lines"][0]
    assert back["returned_base_qty"] == "1.000"
    (returned,) = finance.get(f"/shipments/{order['shipment']['id']}/returns")
    credited = finance.get(f"/customer-invoices/{invoice['id']}")
    assert Decimal(returned["credit"]) > 0
    assert Decimal(credited["open"]) == Decimal(invoice["open"]) - Decimal(returned["credit"])
    assert credited["credited"] == returned["credit"]

    # Back on the shipment, the earlier return is listed and only one more can come back.
    phone.get_by_test_id("return-done").click()
    phone.goto(f"{live_server.url}/shipping/shipments/{order['shipment']['id']}/return")
    expect(phone.get_by_test_id("return-earlier")).to_have_count(1)
    line.get_by_test_id("so-line-qty").fill("2")
    expect(line.get_by_test_id("return-line-error")).to_contain_text("1")
