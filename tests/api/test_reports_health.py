"""Stock health and ageing reports against figures worked out here: dead stock at the
`days` boundary, stock ageing first in first out, batch expiry, and receivable and payable
ageing equal to the finance ageing endpoints; cost columns and files."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.core.db import utcnow
from app.core.permissions import ROLE_PERMISSIONS
from app.demo_stock import date_documents_back
from app.extensions import db
from app.finance.services import BUCKETS
from app.inventory.models import Batch, StockDocument
from tests.api.test_purchase_returns import _received
from tests.api.test_sales_orders import URL as SALES_ORDERS
from tests.api.test_sales_orders import shop as shop  # noqa: F401 - the fixtures
from tests.api.test_sales_orders import store as store  # noqa: F401
from tests.api.test_shipments import _ship
from tests.api.test_shipments import order as order  # noqa: F401
from tests.support import assert_problem, xlsx_table

REPORTS = "/api/v1/reports"
TODAY = utcnow().date()


def D(text) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(text)


def _days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def _get(client, name, **query):
    got = client.get(f"{REPORTS}/{name}", query_string=query)
    assert got.status_code == 200, got.json
    return got.json


def _rows(page) -> dict[tuple[str, str], dict]:
    return {(item["sku"], item["warehouse_code"]): item for item in page["items"]}


def _moved(client, **body) -> dict:
    made = client.post("/api/v1/stock/movements", json=body)
    assert made.status_code == 201, made.json
    return made.json


def _dated(app, days_ago: int, document_id: int | None = None) -> None:
    """Move a document's posting (or every posting so far) back by `days_ago` days."""
    when = utcnow() - timedelta(days=days_ago)
    with app.app_context():
        every = db.session.scalars(select(StockDocument.id)).all()
        date_documents_back(every if document_id is None else [document_id], when)


def _file_totals(client, name, **query) -> dict:
    got = client.get(f"{REPORTS}/{name}", query_string={"format": "xlsx", "lang": "en", **query})
    assert got.status_code == 200
    header, *rows, totals = xlsx_table(got.data)
    assert totals[0] == "Total"
    return {title: cell for title, cell in zip(header, totals, strict=True) if cell != "Total"}


def _same(cell, figure: str) -> bool:
    return D(str(cell)).quantize(D(figure)) == D(figure)


# --- dead-stock -------------------------------------------------------------------------------


@pytest.fixture
def idle(app, store):
    """The store's 10 coke at 2.00 and 50 rice at 4.00 came in 200 days ago; 10 tea at 1.50
    today. 2 coke went out exactly 90 days ago, 1 tea 91 days ago; 1 rice written off today
    (a write-off is not demand)."""
    manager, w1 = store["manager"], store["w1"]
    _dated(app, 200)
    tea = manager.post("/api/v1/products", json={"sku": "tea", "name": "绿茶", "unit": "盒"}).json
    _moved(manager, type="in", warehouse_id=w1,
           lines=[{"product_id": tea["id"], "qty": "10", "unit_cost": "1.50"}])  # fmt: skip
    coke_out = _moved(manager, type="out", warehouse_id=w1,
                      lines=[{"product_id": store["coke"], "qty": "2"}])  # fmt: skip
    tea_out = _moved(manager, type="out", warehouse_id=w1,
                     lines=[{"product_id": tea["id"], "qty": "1"}])  # fmt: skip
    _dated(app, 90, coke_out["id"])
    _dated(app, 91, tea_out["id"])
    _moved(manager, type="write_off", warehouse_id=w1, reason="damaged",
           lines=[{"product_id": store["rice"], "qty": "1"}])  # fmt: skip
    return {**store, "tea": tea["id"]}


def test_dead_stock_at_the_days_boundary_and_never_moved_stock(idle):
    manager = idle["manager"]
    page = _get(manager, "dead-stock")  # 90 days: an out on the 90th day ago still counts
    rows = _rows(page)
    assert set(rows) == {("RICE", "W1"), ("TEA", "W1")}
    rice, tea = rows[("RICE", "W1")], rows[("TEA", "W1")]
    assert (rice["on_hand"], rice["value"], rice["last_out_at"], rice["days_since_out"]) == (
        "49.000", "196.00", None, None)  # fmt: skip
    assert (tea["on_hand"], tea["value"], tea["avg_cost"], tea["days_since_out"]) == (
        "9.000", "13.50", "1.500000", 91)  # fmt: skip
    assert tea["last_out_at"].startswith(_days(-91))
    assert page["totals"] == {"on_hand": "58.000", "value": "209.50"} and page["total"] == 2

    assert set(_rows(_get(manager, "dead-stock", days=91))) == {("RICE", "W1")}
    coke = _rows(_get(manager, "dead-stock", days=89))[("COKE-500", "W1")]
    assert (coke["on_hand"], coke["days_since_out"]) == ("8.000", 90)
    assert _get(manager, "dead-stock", warehouse_id=idle["w2"])["total"] == 0
    assert_problem(manager.get(f"{REPORTS}/dead-stock?days=0"), 422, field="days")

    files = _file_totals(manager, "dead-stock")
    assert _same(files["On hand"], "58.000") and _same(files["Value tied up"], "209.50")


# --- stock-ageing -----------------------------------------------------------------------------


@pytest.fixture
def aged(app, store):
    """Coke in W1: 10 at 2.00 200 days ago (the store's, with 50 rice at 4.00), then 10 at
    2.00, 2.60, 3.00 and 3.40 received 120, 75, 45 and 10 days ago: 50 at 130.00, 2.60 on
    average. 25 go out today (65.00), and 5 received today are cancelled."""
    manager, w1, coke = store["manager"], store["w1"], store["coke"]
    _dated(app, 200)
    for days_ago, cost in ((120, "2.00"), (75, "2.60"), (45, "3.00"), (10, "3.40")):
        line = {"product_id": coke, "qty": "10", "unit_cost": cost}
        made = _moved(manager, type="in", warehouse_id=w1, lines=[line])
        _dated(app, days_ago, made["id"])
    _moved(manager, type="out", warehouse_id=w1, lines=[{"product_id": coke, "qty": "25"}])
    line = {"product_id": coke, "qty": "5", "unit_cost": "2.60"}
    extra = _moved(manager, type="in", warehouse_id=w1, lines=[line])
    assert manager.post(f"/api/v1/stock/movements/{extra['id']}/cancel").status_code == 200
    return store


def test_stock_ageing_puts_on_hand_stock_in_its_newest_receipts(aged):
    page = _get(aged["manager"], "stock-ageing")
    rows = _rows(page)
    assert set(rows) == {("COKE-500", "W1"), ("RICE", "W1")}
    # 25 on hand, newest first: 10 from 10 days ago, 10 from 45 days, 5 of the 10 from 75
    # days; what came 120 and 200 days ago has gone. Values at 2.60.
    coke = rows[("COKE-500", "W1")]
    assert (coke["on_hand"], coke["value"], coke["avg_cost"]) == ("25.000", "65.00", "2.600000")
    assert coke["age"] == {
        "days_0_30": {"qty": "10.000", "value": "26.00"},
        "days_31_60": {"qty": "10.000", "value": "26.00"},
        "days_61_90": {"qty": "5.000", "value": "13.00"},
        "days_91_180": {"qty": "0.000", "value": "0.00"},
        "over_180": {"qty": "0.000", "value": "0.00"},
    }
    assert rows[("RICE", "W1")]["age"]["over_180"] == {"qty": "50.000", "value": "200.00"}
    totals = page["totals"]
    assert (totals["on_hand"], totals["value"]) == ("75.000", "265.00")
    assert totals["age"]["over_180"] == {"qty": "50.000", "value": "200.00"}
    assert totals["age"]["days_61_90"] == {"qty": "5.000", "value": "13.00"}
    assert sum(D(bucket["qty"]) for bucket in totals["age"].values()) == D(totals["on_hand"])

    files = _file_totals(aged["manager"], "stock-ageing")
    assert _same(files["Over 180 days qty"], "50.000")
    assert _same(files["31–60 days value"], "26.00") and _same(files["Value"], "265.00")


def test_stock_ageing_reaches_past_180_days_only_for_what_newer_receipts_leave(app, aged):
    """30 more coke dated 300 days ago: 55 on hand, newest first 10 (10 days), 10 (45),
    10 (75), 10 (120) — every bucket full — and the 15 left are over 180 days old."""
    line = {"product_id": aged["coke"], "qty": "30", "unit_cost": "2.60"}
    made = _moved(aged["manager"], type="in", warehouse_id=aged["w1"], lines=[line])
    _dated(app, 300, made["id"])
    coke = _rows(_get(aged["manager"], "stock-ageing"))[("COKE-500", "W1")]
    assert coke["on_hand"] == "55.000"
    assert {key: bucket["qty"] for key, bucket in coke["age"].items()} == {
        "days_0_30": "10.000",
        "days_31_60": "10.000",
        "days_61_90": "10.000",
        "days_91_180": "10.000",
        "over_180": "15.000",
    }


# --- expiry -----------------------------------------------------------------------------------


@pytest.fixture
def batches(app, store):
    """Milk in W1: batch B1 (5 at 5.00) expires in 10 days, B2 (5 at 4.00) in 120 days, B3
    (5 at 3.00) expired 5 days ago: 15 at 60.00, 4.00 on average."""
    lines = [
        {"product_id": store["milk"], "qty": "5", "unit_cost": unit_cost, "batch": batch,
         "expiry": _days(days)}
        for batch, unit_cost, days in (("B1", "5.00", 10), ("B2", "4.00", 120), ("B3", "3.00", 20))
    ]  # fmt: skip
    _moved(store["manager"], type="in", warehouse_id=store["w1"], lines=lines)
    with app.app_context():  # an expired batch cannot be received: it expires afterwards
        db.session.execute(
            update(Batch).where(Batch.number == "B3").values(expiry=TODAY - timedelta(days=5))
        )
        db.session.commit()
    return store


def test_expiry_lists_batches_due_within_the_window_and_expired_ones(batches):
    manager = batches["manager"]
    page = _get(manager, "expiry")  # within 90 days
    assert [(i["batch_number"], i["expiry"], i["days_to_expiry"], i["qty"], i["value"])
            for i in page["items"]] == [
        ("B3", _days(-5), -5, "5.000", "20.00"),
        ("B1", _days(10), 10, "5.000", "20.00"),
    ]  # fmt: skip
    assert page["totals"] == {"qty": "10.000", "value": "40.00"}
    assert [i["batch_number"] for i in _get(manager, "expiry", within_days=200)["items"]] == [
        "B3", "B1", "B2"]  # fmt: skip
    assert [i["batch_number"] for i in _get(manager, "expiry", within_days=0)["items"]] == ["B3"]
    files = _file_totals(manager, "expiry")
    assert _same(files["Qty"], "10.000") and _same(files["Value at risk"], "40.00")


# --- receivable-ageing and payable-ageing -----------------------------------------------------


@pytest.fixture
def accounts(store, order, login_as):
    """Receivable: the order invoiced in two parts, 46.56 dated 40 days ago (due the same
    day), 20.00 of it received, and 12.66 today. Payable: 10 coke received from S1 at 2.00,
    billed 6 (80 days ago, due on 30 days) and 4 (10 days ago, due in 20), 5.00 paid on the
    first."""
    finance, floor = login_as("finance"), login_as("warehouse")
    milk, coke = order["lines"]
    assert _ship(floor, order, {"so_line_id": milk["id"], "qty": "6"},
                 {"so_line_id": coke["id"], "qty": "2"}).status_code == 201  # fmt: skip
    invoices = f"{SALES_ORDERS}/{order['id']}/invoices"
    first = finance.post(invoices, json={"invoice_date": _days(-40)}).json
    assert first["totals"]["total"] == "46.56"
    allocation = {"invoice_id": first["id"], "amount": "20.00"}
    received = finance.post("/api/v1/customer-receipts", json={
        "customer_id": store["customer"], "received_on": TODAY.isoformat(), "amount": "20.00",
        "method": "wechat", "allocations": [allocation]})  # fmt: skip
    assert received.status_code == 201, received.json
    assert _ship(floor, order, {"so_line_id": milk["id"], "qty": "1"},
                 {"so_line_id": coke["id"], "qty": "2"}).status_code == 201  # fmt: skip
    assert finance.post(invoices, json={}).json["totals"]["total"] == "12.66"

    receipt = _received(store, "coke", "10", "2")
    line = receipt["lines"][0]["id"]
    bills = []
    later = {"bill_date": _days(-10), "due_date": _days(20)}
    for qty, bill_no, extra in (("6", "A-1", {"bill_date": _days(-80)}), ("4", "A-2", later)):
        made = finance.post("/api/v1/supplier-bills", json={
            "supplier_id": store["supplier"], "bill_no": bill_no,
            "lines": [{"receipt_line_id": line, "qty": qty}], **extra})  # fmt: skip
        assert made.status_code == 201, made.json
        posted = finance.post(f"/api/v1/supplier-bills/{made.json['id']}/post")
        assert posted.status_code == 200, posted.json
        bills.append(posted.json)
    allocation = {"bill_id": bills[0]["id"], "amount": "5.00"}
    paid = finance.post("/api/v1/supplier-payments", json={
        "supplier_id": store["supplier"], "paid_on": TODAY.isoformat(), "amount": "5.00",
        "method": "bank", "allocations": [allocation]})  # fmt: skip
    assert paid.status_code == 201, paid.json
    return {**store, "finance": finance}


AGEINGS = (
    ("receivable-ageing", "/api/v1/receivables/ageing", "customer"),
    ("payable-ageing", "/api/v1/payables/ageing", "supplier"),
)


def _figures(item: dict, balance: str = "balance") -> dict:
    """The buckets and their sum (`total` in the finance ageing)."""
    return {**{key: item[key] for key in BUCKETS}, "balance": item[balance]}


@pytest.mark.parametrize("days", [0, -20, -50, 60, 45])
def test_ageing_reports_equal_the_finance_ageing(accounts, days):
    manager = accounts["manager"]
    as_of = _days(days)
    for name, path, party in AGEINGS:
        page = _get(manager, name, as_of=as_of)
        theirs = manager.get(f"{path}?as_of={as_of}").json
        mine = {i[f"{party}_id"]: _figures(i) for i in page["items"]}
        assert mine == {i[party]["id"]: _figures(i, "total") for i in theirs["items"]}, as_of
        assert page["totals"] == _figures(theirs["totals"], "total"), (name, as_of)
        assert page["total"] == len(theirs["items"])


def test_ageing_report_figures(accounts):
    manager = accounts["manager"]
    owed = _get(manager, "receivable-ageing")["items"]
    assert [(i["customer_code"], i["not_due"], i["days_31_60"], i["balance"]) for i in owed] == [
        ("C1", "12.66", "26.56", "39.22")]  # fmt: skip
    due = _get(manager, "payable-ageing", supplier_id=accounts["supplier"])["totals"]
    assert (due["not_due"], due["days_31_60"], due["balance"]) == ("8.00", "7.00", "15.00")
    files = _file_totals(manager, "receivable-ageing")
    assert _same(files["Open balance"], "39.22") and _same(files["31–60 days overdue"], "26.56")
    assert_problem(manager.get(f"{REPORTS}/payable-ageing?supplier_id=999999"), 422,
                   field="supplier_id")  # fmt: skip


# --- who sees what ----------------------------------------------------------------------------


COST_KEYS = {"avg_cost", "value"}


def test_cost_columns_are_absent_without_cost_read(monkeypatch, aged, batches, login_as):
    clerk = login_as("warehouse", warehouse_ids=[aged["w1"]])
    for name, query in (("dead-stock", {"days": 1}), ("stock-ageing", {}), ("expiry", {})):
        page = _get(clerk, name, **query)
        assert page["items"], name
        for record in [*page["items"], page["totals"]]:
            assert not COST_KEYS & set(record), (name, record)
            for bucket in record.get("age", {}).values():
                assert set(bucket) == {"qty"}, (name, bucket)
        assert_problem(clerk.get(f"{REPORTS}/{name}?sort=-value"), 422, field="sort")
    headers = xlsx_table(clerk.get(f"{REPORTS}/stock-ageing?format=xlsx&lang=en").data)[0]
    assert "On hand" in headers and not any("value" in h.lower() for h in headers)
    # What is owed is finance's: the ageing reports need finance:read, not the cost permission.
    assert_problem(clerk.get(f"{REPORTS}/payable-ageing"), 403)
    monkeypatch.setitem(
        ROLE_PERMISSIONS, "warehouse", ROLE_PERMISSIONS["warehouse"] | {"finance:read"}
    )
    assert "balance" in _get(clerk, "payable-ageing")["totals"]
