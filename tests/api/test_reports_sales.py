"""Sales and purchasing reports against figures worked out here from the documents the test
posts: gross margin by every grouping, top sellers, the sales and purchase summaries; net
of a restocked and a written-off return; cost columns, bad input and files."""

from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from app.core.db import utcnow
from tests.api.test_purchase_returns import _received
from tests.api.test_sales_orders import URL as SALES_ORDERS
from tests.api.test_sales_orders import _act, _made
from tests.api.test_sales_orders import shop as shop  # noqa: F401 - the fixtures
from tests.api.test_sales_orders import store as store  # noqa: F401
from tests.support import assert_problem, xlsx_table

REPORTS = "/api/v1/reports"
TODAY = utcnow().date()
MONTH = utcnow().strftime("%Y-%m")
COST_KEYS = {"cogs", "margin", "margin_pct", "ordered_amount", "received_value"}


def D(text) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(text)


def _period(**query):
    return {"from": (TODAY - timedelta(days=1)).isoformat(),
            "to": (TODAY + timedelta(days=1)).isoformat(), **query}  # fmt: skip


def _get(client, name, **query):
    return client.get(f"{REPORTS}/{name}", query_string=query)


def _ship(client, order, *pairs):
    lines = [{"so_line_id": order["lines"][i]["id"], "qty": qty} for i, qty in pairs]
    shipped = client.post(f"{SALES_ORDERS}/{order['id']}/shipments", json={"lines": lines})
    assert shipped.status_code == 201, shipped.json
    return shipped.json


def _return(client, shipment, disposition, index, qty):
    line = {"shipment_line_id": shipment["lines"][index]["id"], "qty": qty}
    body = {"disposition": disposition, "reason": "破损", "lines": [line]}
    made = client.post(f"/api/v1/shipments/{shipment['id']}/returns", json=body)
    assert made.status_code == 201, made.json
    return made.json


@pytest.fixture
def sales(store):
    """Coke (drinks) and rice (grain); C1 (with the salesperson) and C2 (without).
    Order A for C1: 4 coke at the vip 2.60, 5 % off, 13 % VAT, and 10 rice at 5.55, 5 % off,
    9 % VAT; 3 coke and 7 rice shipped. Order B for C2: 6 rice at 6.00, shipped in two.
    Back from A: 1 coke restocked, 2 rice written off."""
    manager = store["manager"]
    for sku, name in (("coke", "饮料"), ("rice", "粮油")):
        category = manager.post("/api/v1/categories", json={"name": name})
        assert category.status_code == 201, category.json
        store[f"{sku}_category"] = category.json["id"]
        product = manager.get(f"/api/v1/products/{store[sku]}").json
        changed = manager.patch(f"/api/v1/products/{store[sku]}", json={
            "version": product["version"], "category_id": category.json["id"]})  # fmt: skip
        assert changed.status_code == 200, changed.json
    other = manager.post("/api/v1/customers", json={"code": "C2", "name": "便利店"})
    assert other.status_code == 201, other.json
    order_a = _made(store["sales"], store,
                    {"product_id": store["coke"], "qty": "4", "discount": "0.05",
                     "tax_rate": "0.13"},
                    {"product_id": store["rice"], "qty": "10", "unit_price": "5.55",
                     "discount": "0.05", "tax_rate": "0.09"})  # fmt: skip
    assert _act(store["sales"], order_a, "confirm").status_code == 200
    order_b = _made(manager, store, {"product_id": store["rice"], "qty": "6",
                                     "unit_price": "6.00", "tax_rate": "0.13"},
                    customer_id=other.json["id"])  # fmt: skip
    assert _act(manager, order_b, "confirm").status_code == 200
    shipment_a = _ship(manager, order_a, (0, "3"), (1, "7"))
    shipments = [
        shipment_a,
        _ship(manager, order_b, (0, "2.5")),
        _ship(manager, order_b, (0, "3.5")),
    ]
    returns = [_return(manager, shipment_a, "restock", 0, "1"),
               _return(manager, shipment_a, "write_off", 1, "2")]  # fmt: skip
    return {**store, "c2": other.json["id"], "orders": {order_a["id"]: order_a,
            order_b["id"]: order_b}, "shipments": shipments, "returns": returns}  # fmt: skip


def _expected(sales, key) -> dict:
    """Per group (key of a line's product and order): qty, revenue, cogs from the shipments'
    and returns' own figures; a written-off return's cost stays in cogs."""
    orders = sales["orders"]
    categories = {sales["coke"]: sales["coke_category"], sales["rice"]: sales["rice_category"]}
    groups = defaultdict(lambda: {"qty": D(0), "revenue": D(0), "cogs": D(0)})

    def add(order, product_id, qty, revenue, cost):
        group = groups[key(order, product_id, categories[product_id])]
        group["qty"] += qty
        group["revenue"] += revenue
        group["cogs"] += cost

    for shipment in sales["shipments"]:
        order = orders[shipment["order"]["id"]]
        for line in shipment["lines"]:
            add(order, line["product"]["id"], D(line["base_qty"]), D(line["revenue"]),
                D(line["cost"]))  # fmt: skip
    for sent_back in sales["returns"]:
        order = orders[sent_back["order"]["id"]]
        for line in sent_back["lines"]:
            cost = D(line["cost"]) if sent_back["disposition"] == "restock" else D(0)
            add(order, line["product"]["id"], -D(line["base_qty"]), -D(line["revenue"]), -cost)
    for group in groups.values():
        group["margin"] = group["revenue"] - group["cogs"]
        group["margin_pct"] = (
            (group["margin"] * 100 / group["revenue"]).quantize(D("0.01"), ROUND_HALF_UP)
            if group["revenue"] else None
        )  # fmt: skip
    return groups


def _figures(record) -> dict:
    return {k: (None if record[k] is None else D(record[k]))
            for k in ("qty", "revenue", "cogs", "margin", "margin_pct")}  # fmt: skip


GROUPINGS = {
    "product": lambda order, product, category: product,
    "category": lambda order, product, category: category,
    "customer": lambda order, product, category: order["customer"]["id"],
    "salesperson": lambda order, product, category: (order["salesperson"] or {}).get("id"),
    "month": lambda order, product, category: MONTH,
}


@pytest.mark.parametrize("group_by", list(GROUPINGS))
def test_gross_margin_by_every_grouping(sales, group_by):
    got = _get(sales["manager"], "gross-margin", group_by=group_by, **_period())
    assert got.status_code == 200, got.json
    page = got.json
    expected = _expected(sales, GROUPINGS[group_by])
    key = "group_code" if group_by == "month" else "group_id"
    rows = {item[key]: _figures(item) for item in page["items"]}
    assert rows == expected
    totals = _figures(page["totals"])
    for figure in ("qty", "revenue", "cogs", "margin"):
        assert totals[figure] == sum(row[figure] for row in rows.values()), figure
    assert totals["margin_pct"] == (totals["margin"] * 100 / totals["revenue"]).quantize(
        D("0.01"), ROUND_HALF_UP)  # fmt: skip
    assert page["total"] == len(expected)


def test_gross_margin_nets_off_returns(sales):
    """Coke: 3 shipped at 2.47 (2.60 less 5 %) from 2.00 average, 1 restocked: 2 sold for
    4.94 at a cost of 4.00. Rice: 7 + 6 shipped, 2 written off: 11 sold; the written-off 2
    still cost 8.00."""
    page = _get(sales["manager"], "gross-margin", **_period()).json
    rows = {item["group_code"]: item for item in page["items"]}
    coke = rows["COKE-500"]
    assert (coke["qty"], coke["revenue"], coke["cogs"], coke["margin"], coke["margin_pct"]) == (
        "2.000", "4.94", "4.00", "0.94", "19.03")  # fmt: skip
    rice = rows["RICE"]
    # 7 × 5.55 × 0.95 = 36.91 (rounded), 6 × 6.00 = 36.00 in two; 2 back at 10.55 (by ratio).
    revenue = D("36.91") + D("15.00") + D("21.00") - D("10.55")
    assert (rice["qty"], rice["revenue"], rice["cogs"]) == ("11.000", str(revenue), "52.00")


def test_filters_narrow_every_sales_report(sales):
    manager = sales["manager"]
    by_customer = _get(manager, "gross-margin", group_by="product", customer_id=sales["c2"],
                       **_period()).json  # fmt: skip
    assert [(i["group_code"], i["qty"]) for i in by_customer["items"]] == [("RICE", "6.000")]
    by_category = _get(manager, "sales-summary", group_by="customer",
                       category_id=sales["coke_category"], **_period()).json  # fmt: skip
    assert [(i["group_code"], i["orders"], i["qty"]) for i in by_category["items"]] == [
        ("C1", 1, "2.000")]  # fmt: skip
    mine = _get(manager, "top-sellers", salesperson_id=sales["sales_id"], **_period()).json
    assert [i["sku"] for i in mine["items"]] == ["RICE", "COKE-500"]  # 5 rice, 2 coke
    for name, field in (
        ("gross-margin", "customer_id"),
        ("top-sellers", "salesperson_id"),
        ("sales-summary", "product_id"),
        ("purchase-summary", "supplier_id"),
    ):
        assert_problem(_get(manager, name, **{field: 99999}, **_period()), 422, field=field)


def test_top_sellers_rank_by_qty_or_revenue(sales):
    manager = sales["manager"]
    page = _get(manager, "top-sellers", **_period()).json
    assert [(i["sku"], i["qty"]) for i in page["items"]] == [("RICE", "11.000"),
                                                            ("COKE-500", "2.000")]  # fmt: skip
    expected = _expected(sales, GROUPINGS["product"])
    for item in page["items"]:
        mine = expected[item["product_id"]]
        assert (D(item["revenue"]), D(item["margin"])) == (mine["revenue"], mine["margin"])
    by_revenue = _get(manager, "top-sellers", sort="-revenue", **_period()).json
    assert by_revenue["items"][0]["sku"] == "RICE"
    assert by_revenue["totals"] == page["totals"]


def test_sales_summary_counts_orders(sales):
    page = _get(sales["manager"], "sales-summary", group_by="product", **_period()).json
    rows = {i["group_code"]: (i["orders"], i["qty"]) for i in page["items"]}
    assert rows == {"COKE-500": (1, "2.000"), "RICE": (2, "11.000")}
    month = _get(sales["manager"], "sales-summary", group_by="month", **_period()).json
    assert [(i["group_code"], i["orders"]) for i in month["items"]] == [(MONTH, 2)]
    assert month["totals"]["revenue"] == page["totals"]["revenue"]
    assert "orders" not in page["totals"]


def test_purchase_summary(shop):
    _received(shop, "coke", "10", "2.345")
    line = {"product_id": shop["rice"], "qty": "3", "unit_price": "4.10"}
    body = {"supplier_id": shop["supplier"], "warehouse_id": shop["w1"], "lines": [line]}
    order = shop["buyer"].post("/api/v1/purchase-orders", json=body).json
    assert shop["buyer"].post(f"/api/v1/purchase-orders/{order['id']}/approve").status_code == 200
    page = _get(shop["manager"], "purchase-summary", group_by="product", **_period()).json
    rows = {i["group_code"]: i for i in page["items"]}
    assert {k: rows["COKE-500"][k] for k in ("ordered_qty", "ordered_amount", "received_qty",
            "received_value")} == {"ordered_qty": "10.000", "ordered_amount": "23.45",
                                   "received_qty": "10.000", "received_value": "23.45"}  # fmt: skip
    assert (rows["RICE"]["ordered_amount"], rows["RICE"]["received_qty"]) == ("12.30", "0.000")
    assert page["totals"]["ordered_amount"] == "35.75"
    by_supplier = _get(shop["manager"], "purchase-summary", **_period()).json
    assert [i["group_code"] for i in by_supplier["items"]] == ["S1"]
    assert by_supplier["totals"] == page["totals"]


def test_group_by_must_be_one_of_the_choices(sales):
    manager = sales["manager"]
    for name in ("gross-margin", "sales-summary", "purchase-summary"):
        assert_problem(_get(manager, name, group_by="warehouse", **_period()), 422,
                       field="group_by")  # fmt: skip
    assert_problem(_get(manager, "gross-margin"), 422, field="from")


def test_cost_columns_are_absent_without_cost_read(sales, login_as):
    clerk = login_as("sales")
    for name in ("gross-margin", "top-sellers", "sales-summary", "purchase-summary"):
        page = _get(clerk, name, **_period())
        assert page.status_code == 200, page.json
        for record in [*page.json["items"], page.json["totals"]]:
            assert not COST_KEYS & set(record), (name, record)
    assert _get(clerk, "gross-margin", **_period()).json["items"][0]["revenue"]
    assert_problem(_get(clerk, "top-sellers", sort="-margin", **_period()), 422, field="sort")


def test_xlsx_totals_equal_json_totals(sales):
    manager = sales["manager"]
    for group_by in ("customer", "category"):
        page = _get(manager, "gross-margin", group_by=group_by, **_period()).json
        got = _get(manager, "gross-margin", group_by=group_by, format="xlsx", lang="en",
                   **_period())  # fmt: skip
        assert got.status_code == 200
        header, *rows, totals = xlsx_table(got.data)
        assert len(rows) == page["total"] and totals[0] == "Total"
        for key, title in (("qty", "Qty"), ("revenue", "Revenue"), ("cogs", "COGS"),
                           ("margin", "Margin"), ("margin_pct", "Margin %")):  # fmt: skip
            cell = totals[header.index(title)]
            places = D("0.001") if key == "qty" else D("0.01")
            assert D(str(cell)).quantize(places) == D(page["totals"][key]), key
