"""The dashboard's figures against the documents made here: a shipped sale, a draft, the
stock's value; who sees the cost and finance figures; warehouse scope."""

from decimal import Decimal

from app.core.db import utcnow
from tests.api.test_sales_orders import _act, _made
from tests.api.test_sales_orders import shop as shop  # noqa: F401 - the fixtures
from tests.api.test_sales_orders import store as store  # noqa: F401
from tests.api.test_shipments import _ship
from tests.support import assert_problem

URL = "/api/v1/reports/dashboard"


def test_a_shipped_sale_on_every_figure(store, login_as):
    manager, seller = store["manager"], store["sales"]
    before = manager.get(URL).json
    assert before["periods"]["today"]["revenue"] == "0.00"
    sold = _made(seller, store, {"product_id": store["coke"], "qty": "4"})
    assert _act(seller, sold, "confirm").status_code == 200
    assert (
        _ship(manager, sold, {"so_line_id": sold["lines"][0]["id"], "qty": "4"}).status_code == 201
    )
    _made(seller, store, {"product_id": store["rice"], "qty": "1"})  # a draft: not taken

    revenue = Decimal(sold["lines"][0]["amount"])  # excluding tax: 4 × 2.60
    board = manager.get(URL).json
    today = board["periods"]["today"]
    assert (Decimal(today["revenue"]), today["orders"]) == (revenue, 1)
    assert today["previous"]["revenue"] == "0.00" and today["change_pct"] is None
    assert today["from"] == today["to"] == utcnow().date().isoformat()
    for name in ("week", "month"):
        assert Decimal(board["periods"][name]["revenue"]) == revenue
    assert len(board["trend"]) == 30 and board["trend"][-1]["date"] == today["to"]
    assert (Decimal(board["trend"][-1]["revenue"]), board["trend"][-1]["orders"]) == (revenue, 1)
    assert sum(Decimal(day["revenue"]) for day in board["trend"][:-1]) == 0
    assert {s["state"]: s["count"] for s in board["orders_by_status"]} == {
        "shipped": 1, "draft": 1}  # fmt: skip
    assert [(s["sku"], s["qty"]) for s in board["top_sellers"]] == [("COKE-500", "4.000")]
    # Cost: 4 coke at 2.00; left in stock: 6 coke at 2.00 and 50 kg rice at 4.00.
    assert board["margin"] == {"revenue": f"{revenue}", "cogs": "8.00",
                               "margin": f"{revenue - 8}",
                               "margin_pct": f"{(revenue - 8) * 100 / revenue:.2f}"}  # fmt: skip
    assert board["stock_value"]["total"] == "212.00"
    assert [w["value"] for w in board["stock_value"]["by_warehouse"]] == ["212.00"]
    assert board["margin_by_category"][0]["revenue"] == f"{revenue}"
    assert board["overdue_receivables"] == {"count": 0, "amount": "0.00"}


def test_who_sees_what(store, login_as):
    seller = store["sales"]
    sold = _made(seller, store, {"product_id": store["coke"], "qty": "2"})
    assert _act(seller, sold, "confirm").status_code == 200
    assert _ship(store["manager"], sold, {"so_line_id": sold["lines"][0]["id"],
                                          "qty": "2"}).status_code == 201  # fmt: skip
    board = seller.get(URL).json  # sales: no cost, no finance
    assert not {"margin", "margin_by_category", "stock_value", "overdue_receivables"} & set(board)
    assert board["periods"]["today"]["revenue"] != "0.00"
    # Staff of W2 see nothing of W1's sale and cannot ask for W1.
    floor = login_as("warehouse", warehouse_ids=[store["w2"]])
    scoped = floor.get(URL).json
    assert scoped["periods"]["today"]["revenue"] == "0.00" and scoped["top_sellers"] == []
    assert_problem(floor.get(URL, query_string={"warehouse_id": store["w1"]}), 422,
                   field="warehouse_id")  # fmt: skip
    assert_problem(login_as("clerk").get(URL), 403)
