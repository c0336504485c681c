"""Sales orders: prices from the customer's level, the minimum-price rule, reservation on
confirm, credit-limit holds, the state machine and its history."""

import threading
from decimal import Decimal

import pytest

from app.core.db import utcnow
from tests.api.test_purchase_orders import shop as shop  # noqa: F401 - the fixture
from tests.support import assert_problem

YEAR = utcnow().year
URL = "/api/v1/sales-orders"


@pytest.fixture
def store(shop, login_as):
    """The shop with 10 coke and 50 kg rice in W1; coke sells at 3.00 retail, 2.60 to
    the vip level, never below 2.40; a salesperson and their vip customer with a credit
    limit of 500.00, 100.00 owed from before."""
    manager = shop["manager"]
    sales = login_as("sales")
    me = sales.get("/api/v1/auth/me").json
    changed = manager.patch(f"/api/v1/products/{shop['coke']}", json={
        "version": manager.get(f"/api/v1/products/{shop['coke']}").json["version"],
        "retail_price": "3.00", "min_price": "2.40", "level_prices": {"vip": "2.60"}})  # fmt: skip
    assert changed.status_code == 200, changed.json
    customer = manager.post("/api/v1/customers", json={
        "code": "C1", "name": "华联超市", "price_level": "vip", "credit_limit": "500.00",
        "opening_receivable": "100.00", "salesperson_id": me["id"],
        "delivery_addresses": [{"address": "南京路 1 号", "is_default": True}]}).json  # fmt: skip
    stocked = manager.post("/api/v1/stock/movements", json={
        "type": "in", "warehouse_id": shop["w1"], "lines": [
            {"product_id": shop["coke"], "qty": "10", "unit_cost": "2.00"},
            {"product_id": shop["rice"], "qty": "50", "unit_cost": "4.00"}]})  # fmt: skip
    assert stocked.status_code == 201, stocked.json
    return {**shop, "sales": sales, "sales_id": me["id"], "sales_name": me["username"],
            "customer": customer["id"]}  # fmt: skip


def _create(client, store, *lines, **extra):
    body = {"customer_id": store["customer"], "warehouse_id": store["w1"], "lines": list(lines),
            **extra}  # fmt: skip
    return client.post(URL, json=body)


def _made(client, store, *lines, **extra) -> dict:
    made = _create(client, store, *lines, **extra)
    assert made.status_code == 201, made.json
    return made.json


def _act(client, order, action, **body):
    return client.post(f"{URL}/{order['id']}/{action}", json=body)


def _available(client, store, product) -> str:
    url = f"/api/v1/stock/balances?by=warehouse&product_id={product}&warehouse_id={store['w1']}"
    return client.get(url).json["items"][0]["available"]


def test_an_order_priced_confirmed_reserved_and_cancelled(store):
    sales = store["sales"]
    order = _made(sales, store, {"product_id": store["coke"], "qty": "4"},
                  {"product_id": store["rice"], "qty": "2.5", "unit_price": "5.10",
                   "discount": "0.02", "tax_rate": "0.09"})  # fmt: skip
    assert (order["number"], order["state"]) == (f"SO-{YEAR}-000001", "draft")
    assert order["salesperson"]["id"] == store["sales_id"]
    assert order["delivery_address"] == "南京路 1 号"
    coke, rice = order["lines"]
    # Coke at the vip price 2.60: 10.40, tax 13 % 1.352 → 1.35.
    assert (coke["list_price"], coke["unit_price"], coke["tax_rate"]) == (
        "2.600000", "2.600000", "0.1300")  # fmt: skip
    assert (coke["amount"], coke["tax"], coke["total"]) == ("10.40", "1.35", "11.75")
    # Rice: 2.5 × 5.10 × 0.98 = 12.495 → 12.50, tax 9 % 1.125 → 1.13.
    assert (rice["amount"], rice["tax"], rice["total"]) == ("12.50", "1.13", "13.63")
    assert order["totals"] == {"amount": "22.90", "tax": "2.48", "total": "25.38"}
    assert _available(sales, store, store["coke"]) == "10.000"  # a draft reserves nothing

    confirmed = _act(sales, order, "confirm")
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["state"] == "confirmed"
    assert [x["reserved_base_qty"] for x in confirmed.json["lines"]] == ["4.000", "2.500"]
    assert _available(sales, store, store["coke"]) == "6.000"
    assert_problem(_act(sales, order, "confirm"), 409, "invalid-state")
    patched = sales.patch(f"{URL}/{order['id']}", json={"version": order["version"], "note": "x"})
    assert_problem(patched, 409, "invalid-state")

    cancelled = _act(sales, order, "cancel", note="客户取消")
    assert cancelled.json["state"] == "cancelled"
    assert _available(sales, store, store["coke"]) == "10.000"
    history = sales.get(f"{URL}/{order['id']}/history").json
    assert [(h["event"], h["from"], h["to"]) for h in history] == [
        ("created", None, "draft"),
        ("state", "draft", "confirmed"),
        ("state", "confirmed", "cancelled"),
    ]
    assert history[2]["note"] == "客户取消"


def test_confirming_more_than_available_names_each_short_line(store):
    sales = store["sales"]
    first = _made(sales, store, {"product_id": store["coke"], "qty": "7"})
    assert _act(sales, first, "confirm").status_code == 200
    second = _made(sales, store, {"product_id": store["rice"], "qty": "1"},
                   {"product_id": store["coke"], "qty": "4"})  # fmt: skip
    refused = _act(sales, second, "confirm")
    body = assert_problem(refused, 409, "insufficient-stock")
    assert [(x["line_no"], x["product"]["sku"], x["requested"], x["available"])
            for x in body["lines"]] == [(2, "COKE-500", "4", "3")]  # fmt: skip
    assert body["lines"][0]["line_id"] == second["lines"][1]["id"]
    again = sales.get(f"{URL}/{second['id']}").json
    assert again["state"] == "draft"
    assert [x["reserved_base_qty"] for x in again["lines"]] == ["0.000", "0.000"]
    assert _available(sales, store, store["rice"]) == "50.000"


def test_a_price_below_the_minimum_needs_a_manager(store):
    sales, manager = store["sales"], store["manager"]
    cheap = {"product_id": store["coke"], "qty": "2", "unit_price": "2.50", "discount": "0.05"}
    refused = _create(sales, store, {"product_id": store["rice"], "qty": "1"}, cheap)
    body = assert_problem(refused, 422, "validation-error", field="lines.1.unit_price")
    assert "2.375 after discount is below COKE-500's minimum price 2.4" in str(body["errors"])
    assert sales.get(URL).json["total"] == 0
    # By the case of 24 the minimum is 24 × 2.40 = 57.60.
    by_case = {"product_id": store["coke"], "unit": "箱", "qty": "1", "unit_price": "57.00"}
    assert_problem(_create(sales, store, by_case), 422, field="lines.0.unit_price")

    order = _made(manager, store, cheap)
    assert order["lines"][0]["price_approved_by"]["username"].startswith("manager")
    assert order["salesperson"]["id"] == store["sales_id"]  # the customer's salesperson


def test_over_the_credit_limit_an_order_is_held_for_a_manager(store):
    sales, manager = store["sales"], store["manager"]
    # 100.00 owed + this order's 452.00 is over the 500.00 limit.
    big = _made(sales, store, {"product_id": store["rice"], "qty": "40", "unit_price": "10"})
    assert big["totals"]["total"] == "452.00"  # 400 + 13 %
    held = _act(sales, big, "confirm")
    assert held.status_code == 200, held.json
    assert (held.json["state"], held.json["hold_reason"]) == ("on_hold", "credit_limit")
    assert _available(sales, store, store["rice"]) == "50.000"  # nothing reserved
    assert (
        "credit limit 500.00 exceeded" in sales.get(f"{URL}/{big['id']}/history").json[-1]["note"]
    )
    assert_problem(_act(sales, big, "release"), 403)

    released = _act(manager, big, "release", note="老客户，同意")
    assert (released.json["state"], released.json["hold_reason"]) == ("confirmed", None)
    assert _available(sales, store, store["rice"]) == "10.000"

    # Now 100 + 452 are open: even a small order is held; a manager's confirm passes.
    small = _made(sales, store, {"product_id": store["coke"], "qty": "1"})
    assert _act(sales, small, "confirm").json["state"] == "on_hold"
    other = _made(sales, store, {"product_id": store["coke"], "qty": "1"})
    assert _act(manager, other, "confirm").json["state"] == "confirmed"

    # A manual hold frees the reservation; its release by the salesperson reserves again.
    held = _act(sales, other, "hold", note="等客户确认")
    assert (held.json["state"], held.json["hold_reason"]) == ("on_hold", "manual")
    assert _available(sales, store, store["coke"]) == "10.000"
    assert _act(sales, other, "release").json["state"] == "confirmed"
    assert _available(sales, store, store["coke"]) == "9.000"


def test_a_client_id_makes_one_order_however_often_it_is_sent(store):
    sales = store["sales"]
    line = {"product_id": store["coke"], "qty": "1"}
    body = {"customer_id": store["customer"], "warehouse_id": store["w1"],
            "client_id": "pwa-7f3a", "lines": [line]}  # fmt: skip
    first = sales.post(URL, json=body)
    assert first.status_code == 201, first.json
    again = sales.post(URL, json=body)
    assert (again.status_code, again.json["id"]) == (200, first.json["id"])
    found = sales.get(f"{URL}?client_id=pwa-7f3a").json
    assert found["total"] == 1 and found["items"][0]["number"] == first.json["number"]


def test_bad_orders_are_refused_and_write_nothing(store, login_as):
    sales, manager = store["sales"], store["manager"]
    archived = manager.post(
        "/api/v1/products", json={"sku": "old", "name": "旧货", "unit": "个"}
    ).json
    manager.delete(f"/api/v1/products/{archived['id']}")
    cases = [
        ({"product_id": archived["id"], "qty": "1"}, "lines.0.product_id"),
        ({"product_id": 999999, "qty": "1"}, "lines.0.product_id"),
        ({"product_id": store["coke"], "qty": "0"}, "lines.0.qty"),
        ({"product_id": store["coke"], "qty": "1", "unit": "托"}, "lines.0.unit"),
        ({"product_id": store["coke"], "qty": "1", "discount": "1.5"}, "lines"),
    ]
    for line, field in cases:
        assert_problem(_create(sales, store, line), 422, field=field)
    assert_problem(_create(sales, store, {"product_id": store["coke"], "qty": "1"},
                           customer_id=999999), 422, field="customer_id")  # fmt: skip
    # Another salesperson's customer is not theirs to sell to.
    other = login_as("sales")
    assert_problem(_create(other, store, {"product_id": store["coke"], "qty": "1"}), 422,
                   field="customer_id")  # fmt: skip
    assert sales.get(URL).json["total"] == 0
    assert_problem(login_as("warehouse").post(URL, json={}), 403)


def test_floor_staff_see_orders_without_prices(store, login_as):
    order = _made(store["sales"], store, {"product_id": store["coke"], "qty": "1"})
    floor = login_as("warehouse")
    seen = floor.get(f"{URL}/{order['id']}").json
    assert "totals" not in seen
    assert not {"unit_price", "list_price", "amount", "total"} & set(seen["lines"][0])
    assert "totals" in login_as("finance").get(f"{URL}/{order['id']}").json
    # A salesperson sees only their own customers' orders.
    assert login_as("sales").get(URL).json["total"] == 0
    assert_problem(login_as("sales").get(f"{URL}/{order['id']}"), 404)


def test_thirty_confirms_competing_for_ten_units_reserve_exactly_ten(app, store):
    sales = store["sales"]
    orders = [_made(sales, store, {"product_id": store["coke"], "qty": "1"}) for _ in range(30)]
    clients = []
    for _ in orders:
        client = app.test_client()
        assert client.login(store["sales_name"]).status_code == 200
        clients.append(client)
    start = threading.Barrier(len(orders))
    outcomes: list = [None] * len(orders)

    def confirm(index):
        start.wait()
        outcomes[index] = _act(clients[index], orders[index], "confirm").status_code

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(len(orders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == [200] * 10 + [409] * 20
    states = [sales.get(f"{URL}/{o['id']}").json["state"] for o in orders]
    assert states.count("confirmed") == 10 and states.count("draft") == 20
    assert _available(sales, store, store["coke"]) == "0.000"
    assert Decimal(sales.get(f"/api/v1/stock/balances?by=warehouse&product_id={store['coke']}"
                             ).json["items"][0]["reserved"]) == 10  # fmt: skip
