"""Stock reports against figures worked out here from the documents the test posts: the
balance now and at a past date, the ledger with its running balances, and the in/out
summary that must balance to the cent; filters, bad input, cost columns and files."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.db import utcnow
from app.demo_stock import date_documents_back
from app.extensions import db
from app.inventory.models import StockDocument
from tests.api.test_purchase_returns import _received
from tests.api.test_sales_orders import URL as SALES_ORDERS
from tests.api.test_sales_orders import _act, _made
from tests.api.test_sales_orders import shop as shop  # noqa: F401 - the fixtures
from tests.api.test_sales_orders import store as store  # noqa: F401
from tests.support import assert_problem, xlsx_table

REPORTS = "/api/v1/reports"
TODAY = utcnow().date()
DAY_ONE = TODAY - timedelta(days=3)  # the opening stock is moved back to this day
IN_KINDS = ("purchase", "return", "transfer", "adjustment", "other")
OUT_KINDS = ("sale", "return", "transfer", "adjustment", "other")


def D(text) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(text)


def _moved(client, **body):
    made = client.post("/api/v1/stock/movements", json=body)
    assert made.status_code == 201, made.json
    return made.json


@pytest.fixture
def books(app, store):
    """Day one (three days ago): 10 coke at 2.00 and 50 rice at 4.00 come into W1.
    Today: 20 coke bought at 2.60 (the average becomes 72.00 / 30 = 2.40); 4 sold and
    shipped (9.60); 6 moved to W2 (14.40); 5 rice taken in and cancelled; rice counted at 47
    (3 short: 12.00); 1 coke written off in W2 (2.40); 2 coke promised on an open order."""
    manager = store["manager"]
    with app.app_context():  # the fixture's stock-in happened on day one
        day_one = utcnow() - timedelta(days=3)
        date_documents_back(db.session.scalars(select(StockDocument.id)).all(), day_one)

    _received(store, "coke", "20", "2.60")
    order = _made(store["sales"], store, {"product_id": store["coke"], "qty": "4"})
    assert _act(store["sales"], order, "confirm").status_code == 200
    line = {"so_line_id": order["lines"][0]["id"], "qty": "4"}
    shipped = manager.post(f"{SALES_ORDERS}/{order['id']}/shipments", json={"lines": [line]})
    assert shipped.status_code == 201, shipped.json
    _moved(manager, type="transfer", warehouse_id=store["w1"], to_warehouse_id=store["w2"],
           lines=[{"product_id": store["coke"], "qty": "6"}])  # fmt: skip
    rice_in = {"product_id": store["rice"], "qty": "5", "unit_cost": "4.00"}
    extra = _moved(manager, type="in", warehouse_id=store["w1"], lines=[rice_in])
    cancelled = manager.post(f"/api/v1/stock/movements/{extra['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.json
    _moved(manager, type="adjust", warehouse_id=store["w1"],
           lines=[{"product_id": store["rice"], "qty": "47"}])  # fmt: skip
    _moved(manager, type="write_off", warehouse_id=store["w2"], reason="damaged",
           lines=[{"product_id": store["coke"], "qty": "1"}])  # fmt: skip
    open_order = _made(store["sales"], store, {"product_id": store["coke"], "qty": "2"})
    assert _act(store["sales"], open_order, "confirm").status_code == 200
    return store


def _get(client, name, **query):
    return client.get(f"{REPORTS}/{name}", query_string=query)


def _rows(page) -> dict[tuple[str, str], dict]:
    return {(item["sku"], item["warehouse_code"]): item for item in page["items"]}


def _period(**query):
    """Today's moves, whatever the clock says when the test crosses midnight."""
    return {"from": (TODAY - timedelta(days=1)).isoformat(),
            "to": (TODAY + timedelta(days=1)).isoformat(), **query}  # fmt: skip


# --- stock-balance ----------------------------------------------------------------------------


def test_stock_balance_now(books):
    got = _get(books["manager"], "stock-balance")
    assert got.status_code == 200, got.json
    page = got.json
    rows = _rows(page)
    assert set(rows) == {("COKE-500", "W1"), ("RICE", "W1"), ("COKE-500", "W2")}
    coke = rows[("COKE-500", "W1")]
    # 10 + 20 − 4 − 6 = 20 on hand, 2 promised; 20 × 2.40.
    assert (coke["on_hand"], coke["reserved"], coke["available"], coke["on_order"]) == (
        "20.000", "2.000", "18.000", "0.000")  # fmt: skip
    assert (coke["avg_cost"], coke["value"]) == ("2.400000", "48.00")
    assert (rows[("RICE", "W1")]["on_hand"], rows[("RICE", "W1")]["value"]) == ("47.000", "188.00")
    assert (rows[("COKE-500", "W2")]["on_hand"], rows[("COKE-500", "W2")]["value"]) == (
        "5.000", "12.00")  # fmt: skip
    assert page["totals"] == {"on_hand": "72.000", "reserved": "2.000", "available": "70.000",
                              "on_order": "0.000", "value": "248.00"}  # fmt: skip
    assert page["total"] == 3 and page["notes"] == []


def test_stock_balance_safety_flag(books):
    manager = books["manager"]
    product = manager.get(f"/api/v1/products/{books['coke']}").json
    changed = manager.patch(f"/api/v1/products/{books['coke']}",
                            json={"version": product["version"], "safety_stock": "19"})  # fmt: skip
    assert changed.status_code == 200, changed.json
    rows = _rows(_get(manager, "stock-balance").json)
    # Available 18 in W1 and 5 in W2 are both under 19; rice has no safety stock.
    assert rows[("COKE-500", "W1")]["below_safety"] is True
    assert rows[("COKE-500", "W2")]["below_safety"] is True
    assert rows[("RICE", "W1")]["below_safety"] is False
    below = _get(manager, "stock-balance", below_safety="true").json
    assert set(_rows(below)) == {("COKE-500", "W1"), ("COKE-500", "W2")}


def test_stock_balance_at_a_past_date_comes_from_the_ledger(books):
    for as_of in (DAY_ONE, DAY_ONE + timedelta(days=1)):
        page = _get(books["manager"], "stock-balance", as_of=as_of.isoformat()).json
        rows = _rows(page)
        assert set(rows) == {("COKE-500", "W1"), ("RICE", "W1")}
        coke = rows[("COKE-500", "W1")]
        assert (coke["on_hand"], coke["value"], coke["avg_cost"]) == ("10.000", "20.00", "2.000000")
        assert coke["reserved"] is None and coke["available"] is None and coke["on_order"] is None
        assert page["totals"]["on_hand"] == "60.000" and page["totals"]["value"] == "220.00"
        assert page["totals"]["reserved"] is None
        assert any("only for now" in note for note in page["notes"])
    before = _get(
        books["manager"], "stock-balance", as_of=(DAY_ONE - timedelta(days=1)).isoformat()
    )
    assert before.json["items"] == [] and before.json["totals"]["on_hand"] == "0.000"


# --- stock-ledger -----------------------------------------------------------------------------


def test_stock_ledger_lines_with_running_balances(books):
    page = _get(books["manager"], "stock-ledger", **_period(per_page=50)).json
    lines = page["items"]
    # Receipt, shipment, transfer out and in, rice in and its reversal, count, write-off.
    assert page["total"] == len(lines) == 8
    assert [line["posted_at"] for line in lines] == sorted(line["posted_at"] for line in lines)
    coke_w1 = [x for x in lines if (x["sku"], x["warehouse_code"]) == ("COKE-500", "W1")]
    assert [(x["kind"], x["in_qty"], x["out_qty"], x["qty_after"], x["value_after"])
            for x in coke_w1] == [
        ("purchase", "20.000", "0.000", "30.000", "72.00"),
        ("sale", "0.000", "4.000", "26.000", "62.40"),
        ("transfer", "0.000", "6.000", "20.000", "48.00"),
    ]  # fmt: skip
    assert coke_w1[0]["document_number"].startswith("IN-") and coke_w1[0]["unit_cost"] == "2.600000"
    rice = [x for x in lines if x["sku"] == "RICE"]
    # The cancelled stock-in counts against what came in, not as something that went out.
    assert [(x["kind"], x["in_qty"], x["out_qty"], x["qty_after"]) for x in rice] == [
        ("other", "5.000", "0.000", "55.000"),
        ("other", "-5.000", "0.000", "50.000"),
        ("adjustment", "0.000", "3.000", "47.000"),
    ]  # fmt: skip
    assert page["totals"] == {"in_qty": "26.000", "out_qty": "14.000", "value": "28.00"}

    day = DAY_ONE.isoformat()
    day_one = _get(books["manager"], "stock-ledger", **{"from": day, "to": day}).json
    assert day_one["total"] == 2 and day_one["totals"]["in_qty"] == "60.000"


# --- inout-summary ----------------------------------------------------------------------------


def _expected_today() -> dict:
    """Opening, in and out by kind, as posted in `books`; closing worked out from them."""
    moves = {
        ("COKE-500", "W1"): {"opening": ("10", "20.00"), "in": {"purchase": ("20", "52.00")},
                             "out": {"sale": ("4", "9.60"), "transfer": ("6", "14.40")}},
        ("RICE", "W1"): {"opening": ("50", "200.00"), "in": {"other": ("0", "0.00")},
                         "out": {"adjustment": ("3", "12.00")}},
        ("COKE-500", "W2"): {"opening": ("0", "0.00"), "in": {"transfer": ("6", "14.40")},
                             "out": {"adjustment": ("1", "2.40")}},
    }  # fmt: skip
    expected = {}
    for key, move in moves.items():
        qty, value = (D(x) for x in move["opening"])
        row = {"opening_qty": qty, "opening_value": value}
        for side in ("in", "out"):
            row[f"{side}_qty"] = sum((D(q) for q, _ in move[side].values()), D(0))
            row[f"{side}_value"] = sum((D(v) for _, v in move[side].values()), D(0))
        row["closing_qty"] = qty + row["in_qty"] - row["out_qty"]
        row["closing_value"] = value + row["in_value"] - row["out_value"]
        expected[key] = (row, move)
    return expected


def test_inout_summary_matches_the_documents_and_balances_to_the_cent(books):
    page = _get(books["manager"], "inout-summary", **_period()).json
    rows = _rows(page)
    expected = _expected_today()
    assert set(rows) == set(expected)
    for key, (figures, move) in expected.items():
        row = rows[key]
        for name, value in figures.items():
            assert D(row[name]) == value, (key, name)
        for side, kinds in (("in", IN_KINDS), ("out", OUT_KINDS)):
            for kind in kinds:
                qty, value = move[side].get(kind, ("0", "0"))
                assert D(row[f"{side}_by_kind"][kind]["qty"]) == D(qty), (key, side, kind)
                assert D(row[f"{side}_by_kind"][kind]["value"]) == D(value), (key, side, kind)
            by_kind = row[f"{side}_by_kind"].values()
            assert sum(D(x["qty"]) for x in by_kind) == D(row[f"{side}_qty"])
            assert sum(D(x["value"]) for x in by_kind) == D(row[f"{side}_value"])
        for measure in ("qty", "value"):
            assert D(row[f"opening_{measure}"]) + D(row[f"in_{measure}"]) - D(
                row[f"out_{measure}"]) == D(row[f"closing_{measure}"])  # fmt: skip

    totals = page["totals"]
    assert (totals["opening_qty"], totals["in_qty"], totals["out_qty"], totals["closing_qty"]) == (
        "60.000", "26.000", "14.000", "72.000")  # fmt: skip
    assert (totals["opening_value"], totals["in_value"], totals["out_value"],
            totals["closing_value"]) == ("220.00", "66.40", "38.40", "248.00")  # fmt: skip
    assert totals["in_by_kind"]["purchase"] == {"qty": "20.000", "value": "52.00"}
    # The closing figures are the ledger's balances now.
    now = _get(books["manager"], "stock-balance").json["totals"]
    assert (now["on_hand"], now["value"]) == (totals["closing_qty"], totals["closing_value"])


def test_inout_summary_of_day_one_closes_at_the_balance_of_that_day(books):
    day = DAY_ONE.isoformat()
    page = _get(books["manager"], "inout-summary", **{"from": day, "to": day}).json
    assert page["totals"]["opening_qty"] == "0.000"
    assert page["totals"]["in_by_kind"]["other"] == {"qty": "60.000", "value": "220.00"}
    then = _get(books["manager"], "stock-balance", as_of=day).json["totals"]
    assert (page["totals"]["closing_qty"], page["totals"]["closing_value"]) == (
        then["on_hand"], then["value"])  # fmt: skip


# --- filters ----------------------------------------------------------------------------------


def test_filters_by_warehouse_product_and_category_with_sub_categories(books):
    manager = books["manager"]
    drinks = manager.post("/api/v1/categories", json={"name": "饮料"}).json
    soda = manager.post("/api/v1/categories", json={"name": "碳酸", "parent_id": drinks["id"]}).json
    product = manager.get(f"/api/v1/products/{books['coke']}").json
    change = {"version": product["version"], "category_id": soda["id"]}
    moved = manager.patch(f"/api/v1/products/{books['coke']}", json=change)
    assert moved.status_code == 200, moved.json

    for name, query in (("stock-balance", {}), ("inout-summary", _period()),
                        ("stock-ledger", _period())):  # fmt: skip
        by_warehouse = _get(manager, name, warehouse_id=books["w2"], **query).json
        assert {i["warehouse_code"] for i in by_warehouse["items"]} == {"W2"}, name
        by_product = _get(manager, name, product_id=books["rice"], **query).json
        assert {i["sku"] for i in by_product["items"]} == {"RICE"}, name
        by_category = _get(manager, name, category_id=drinks["id"], **query).json
        assert {i["sku"] for i in by_category["items"]} == {"COKE-500"}, name
    summary = _get(manager, "inout-summary", warehouse_id=books["w2"], **_period()).json
    assert summary["totals"]["closing_qty"] == "5.000"


def test_sort_and_pages(books):
    manager = books["manager"]
    page = _get(manager, "stock-balance", sort="-on_hand,sku").json
    assert [i["on_hand"] for i in page["items"]] == ["47.000", "20.000", "5.000"]
    first = _get(manager, "stock-balance", per_page=2).json
    second = _get(manager, "stock-balance", per_page=2, page=2).json
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert first["totals"] == second["totals"] and second["total"] == 3


# --- bad input --------------------------------------------------------------------------------


def test_bad_input_is_a_422_naming_the_field(books):
    manager = books["manager"]
    assert_problem(_get(manager, "stock-balance", sort="bogus"), 422, "validation-error", "sort")
    assert_problem(_get(manager, "stock-balance", page=3, per_page=2), 422, field="page")
    assert_problem(_get(manager, "stock-balance", per_page=501), 422, field="per_page")
    assert_problem(_get(manager, "stock-balance", warehouse_id=999999), 422, field="warehouse_id")
    assert_problem(_get(manager, "stock-balance", product_id=999999), 422, field="product_id")
    assert_problem(_get(manager, "stock-balance", category_id=999999), 422, field="category_id")
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert_problem(_get(manager, "stock-balance", as_of=tomorrow), 422, field="as_of")
    assert_problem(_get(manager, "stock-balance", format="pdf"), 422, field="format")
    for name in ("stock-ledger", "inout-summary"):
        inverted = {"from": TODAY.isoformat(), "to": (TODAY - timedelta(days=1)).isoformat()}
        assert_problem(_get(manager, name, **inverted), 422, field="from")
        assert_problem(_get(manager, name, to=TODAY.isoformat()), 422, field="from")
        assert_problem(_get(manager, name, **{"from": TODAY.isoformat()}), 422, field="to")
        assert_problem(_get(manager, name, **_period(sort="value,nope")), 422, field="sort")
    assert_problem(manager.get(f"{REPORTS}/no-such-report"), 404)
    # The first page of nothing is an empty page, not an error.
    empty = _get(manager, "stock-balance", as_of=(DAY_ONE - timedelta(days=1)).isoformat())
    assert empty.status_code == 200 and empty.json["total"] == 0


# --- who sees what ----------------------------------------------------------------------------


@pytest.fixture
def report_reader_without_cost(books, login_as):
    """The warehouse role reads reports but not costs; this one works in W2 only."""
    return login_as("warehouse", warehouse_ids=[books["w2"]])


COST_KEYS = {"avg_cost", "value", "unit_cost", "value_after", "opening_value", "in_value",
             "out_value", "closing_value"}  # fmt: skip


def test_cost_columns_are_absent_without_cost_read(books, report_reader_without_cost):
    clerk = report_reader_without_cost
    for name, query in (("stock-balance", {}), ("stock-ledger", _period()),
                        ("inout-summary", _period())):  # fmt: skip
        page = _get(clerk, name, **query).json
        assert page["items"], name
        for record in [*page["items"], page["totals"]]:
            assert not COST_KEYS & set(record), (name, record)
            for side in ("in_by_kind", "out_by_kind"):
                for figures in record.get(side, {}).values():
                    assert set(figures) == {"qty"}, (name, figures)
        # Warehouse-scoped: only W2, and asking for W1 is asking for an unknown warehouse.
        assert {i["warehouse_code"] for i in page["items"]} == {"W2"}, name
        assert_problem(_get(clerk, name, warehouse_id=books["w1"], **query), 422,
                       field="warehouse_id")  # fmt: skip
        # Sorting by a hidden column would leak it.
        assert_problem(_get(clerk, name, sort="-value", **query), 422, field="sort")
    workbook = _get(clerk, "inout-summary", format="xlsx", lang="en", **_period())
    headers = xlsx_table(workbook.data)[0]
    assert "Closing qty" in headers and not any("value" in h.lower() for h in headers)


def test_the_sales_role_reads_stock_reports_without_costs(books, login_as):
    seller = login_as("sales")
    page = _get(seller, "stock-balance").json
    assert {i["warehouse_code"] for i in page["items"]} == {"W1", "W2"}
    for record in [*page["items"], page["totals"]]:
        assert not COST_KEYS & set(record), record
    headers = xlsx_table(_get(seller, "stock-balance", format="xlsx", lang="en").data)[0]
    assert "On hand" in headers and "Value" not in headers and "Average cost" not in headers


def test_the_catalogue_lists_what_the_caller_may_read_and_see(books, login_as, client):
    manager, seller = books["manager"], login_as("sales")
    names = [entry["name"] for entry in manager.get(REPORTS).json["items"]]
    assert {"stock-balance", "gross-margin", "receivable-ageing"} <= set(names)
    balance = next(e for e in manager.get(REPORTS).json["items"] if e["name"] == "stock-balance")
    value = next(c for c in balance["columns"] if c["key"] == "value")
    assert value == {"key": "value", "kind": "money", "cost": True, "summed": True,
                     "sortable": True, "headers": {"zh-CN": "库存金额", "en": "Value"}}  # fmt: skip
    assert {f["name"] for f in balance["filters"]} == {
        "warehouse_id", "category_id", "product_id", "as_of", "below_safety"}  # fmt: skip
    ledger = next(e for e in manager.get(REPORTS).json["items"] if e["name"] == "stock-ledger")
    assert {f["name"]: f["required"] for f in ledger["filters"]}["from"] is True
    # The sales role: no finance reports, no cost columns.
    entries = seller.get(REPORTS).json["items"]
    assert "receivable-ageing" not in {e["name"] for e in entries}
    assert not [c for e in entries for c in e["columns"] if c["cost"]]
    assert_problem(client.get(REPORTS), 401)


# --- files ------------------------------------------------------------------------------------


def test_xlsx_and_csv_hold_every_row_and_the_same_totals(books):
    manager = books["manager"]
    page = _get(manager, "inout-summary", per_page=1, **_period()).json
    got = _get(manager, "inout-summary", format="xlsx", lang="en", per_page=1, **_period())
    assert got.status_code == 200 and got.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in got.headers["Content-Disposition"]
    header, *rows, totals = xlsx_table(got.data)
    assert len(rows) == page["total"] == 3  # every row, not one page
    assert totals[0] == "Total"
    for key, title in (("opening_qty", "Opening qty"), ("closing_qty", "Closing qty"),
                       ("closing_value", "Closing value"), ("out_value", "Out value")):  # fmt: skip
        cell = totals[header.index(title)]
        assert D(str(cell)).quantize(D("0.001")) == D(page["totals"][key]), key
    assert totals[header.index("In purchase value")] == 52.0

    as_csv = _get(manager, "inout-summary", format="csv", **_period())
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    assert table[0][0] == "商品编码" and "期末金额" in table[0]
    assert len(table) == 1 + 3 + 1 and table[-1][0] == "合计"
    assert table[-1][table[0].index("期末金额")] == page["totals"]["closing_value"]
    assert table[-1][table[0].index("期末数量")] == page["totals"]["closing_qty"]

    ledger = _get(manager, "stock-ledger", format="xlsx", **_period())
    header, *rows, totals = xlsx_table(ledger.data)
    assert len(rows) == 8 and totals[header.index("入库数量")] == 26
