"""The ledger's monthly running totals (stock_month_totals) and the in/out summary that
reads them over months: kept by each posting, equal to what the ledger adds up to, and
the summary's figures worked out here from the days the stock moved on."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.core.db import utcnow
from app.demo_stock import date_documents_back
from app.extensions import db
from app.inventory import ledger
from app.inventory.models import StockMonthTotals
from app.inventory.verify import differences
from tests.api.test_purchase_orders import shop as shop  # noqa: F401 - the fixture
from tests.support import post_demand

SUMMARY = "/api/v1/reports/inout-summary"
BALANCE = "/api/v1/reports/stock-balance"


def D(text) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(text)


def _months(app, product_id: int, warehouse_id: int) -> dict[str, dict]:
    """The stored rows of a product in a warehouse by month."""
    t = StockMonthTotals.__table__
    with app.app_context():
        rows = db.session.execute(
            select(t).where(t.c.product_id == product_id, t.c.warehouse_id == warehouse_id)
        ).mappings()
        return {row["month"]: dict(row) for row in rows}


def _post(app, kind, warehouse_id, qty, *, user_id, cost=None, **options) -> int:
    with app.app_context():
        line = ledger.Line(product_id=options.pop("product_id"), qty=D(qty), unit_cost=cost)
        return ledger.post_movements(kind, warehouse_id, [line], user_id=user_id, **options)


@pytest.fixture
def me(shop):
    return shop["manager"].get("/api/v1/auth/me").json["id"]


def test_each_posting_adds_to_its_month_by_side_and_kind(app, shop, me):
    coke, w1, w2 = shop["coke"], shop["w1"], shop["w2"]
    _post(app, "in", w1, "10", cost=D("2"), product_id=coke, user_id=me)
    _post(app, "out", w1, "4", product_id=coke, user_id=me, source=("sales_order", 1))
    _post(app, "transfer", w1, "1", product_id=coke, user_id=me, to_warehouse_id=w2)
    cancelled = _post(app, "in", w1, "5", cost=D("2"), product_id=coke, user_id=me)
    with app.app_context():
        ledger.cancel(cancelled, user_id=me)
        db.session.commit()

    month = utcnow().strftime("%Y-%m")
    here, there = _months(app, coke, w1)[month], _months(app, coke, w2)[month]
    # The cancelled receipt nets out of what came in; it is not an issue.
    assert (here["in_qty"], here["in_other_qty"], here["in_value"]) == (D(10), D(10), D(20))
    assert (here["out_sale_qty"], here["out_sale_value"]) == (D(4), D(8))
    assert (here["out_transfer_qty"], here["out_qty"], here["out_value"]) == (D(1), D(5), D(10))
    assert (there["in_transfer_qty"], there["in_qty"], there["out_qty"]) == (D(1), D(1), D(0))
    with app.app_context():
        assert differences() == []


def test_months_run_on_and_a_posting_dated_earlier_adds_to_every_later_month(
    app, shop, me, monkeypatch
):
    coke, w1 = shop["coke"], shop["w1"]
    now = utcnow()
    three_months_ago = (now.replace(day=1) - timedelta(days=70)).replace(day=15)
    monkeypatch.setattr(ledger, "utcnow", lambda: three_months_ago)
    _post(app, "in", w1, "10", cost=D("2"), product_id=coke, user_id=me)
    monkeypatch.setattr(ledger, "utcnow", lambda: now)
    _post(app, "in", w1, "6", cost=D("2"), product_id=coke, user_id=me)
    # A clock behind the others (or a document dated back) posts into an earlier month
    # than the last one: that month and every later one take it.
    one_month_ago = (now.replace(day=1) - timedelta(days=1)).replace(day=10)
    monkeypatch.setattr(ledger, "utcnow", lambda: one_month_ago)
    _post(app, "out", w1, "3", product_id=coke, user_id=me)

    months = _months(app, coke, w1)
    early, late = three_months_ago.strftime("%Y-%m"), one_month_ago.strftime("%Y-%m")
    current = now.strftime("%Y-%m")
    assert list(sorted(months)) == [early, late, current]
    assert (months[early]["in_qty"], months[early]["out_qty"]) == (D(10), D(0))
    assert (months[late]["in_qty"], months[late]["out_qty"]) == (D(10), D(3))
    assert (months[current]["in_qty"], months[current]["out_qty"]) == (D(16), D(3))
    assert months[current]["in_value"] - months[current]["out_value"] == D(26)
    with app.app_context():
        assert differences() == []


def test_verify_names_a_month_that_does_not_add_up(app, shop, me):
    _post(app, "in", shop["w1"], "4", cost=D("1"), product_id=shop["coke"], user_id=me)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["stock", "verify"]).exit_code == 0
    with app.app_context():
        t = StockMonthTotals.__table__
        db.session.execute(update(t).values(in_purchase_qty=t.c.in_purchase_qty + 1))
        db.session.commit()
    result = runner.invoke(args=["stock", "verify"])
    assert result.exit_code == 1
    assert "in_purchase_qty is 1.000, the ledger says 0.000" in result.output


def test_inout_summary_over_months_with_turnover_and_days_of_cover(app, shop, me):
    """100 coke at 2.00 the day before 45 days of selling 2 a day (to yesterday). The
    period: the last 31 days, today included. Before it 15 days sold 30: opening 70
    (140.00); in it 30 days sold 60 (120.00); closing 10 (20.00). Turnover 120 / ((140 +
    20) / 2) = 1.50; 60 sold in 31 days leaves 10 for 10 / (60 / 31) ≈ 5 days."""
    post_demand(app, shop["w1"], shop["coke"], ["2"] * 45, user_id=me, stock="100")
    today = utcnow().date()
    start = today - timedelta(days=30)
    query = {"from": start.isoformat(), "to": today.isoformat(), "product_id": shop["coke"]}
    page = shop["manager"].get(SUMMARY, query_string=query)
    assert page.status_code == 200, page.json
    (row,) = page.json["items"]
    assert (row["opening_qty"], row["opening_value"]) == ("70.000", "140.00")
    assert (row["out_by_kind"]["sale"]["qty"], row["out_by_kind"]["sale"]["value"]) == (
        "60.000", "120.00")  # fmt: skip
    assert (row["in_qty"], row["out_qty"]) == ("0.000", "60.000")
    assert (row["closing_qty"], row["closing_value"]) == ("10.000", "20.00")
    assert (row["turnover"], row["days_of_cover"]) == ("1.50", 5)
    assert page.json["totals"]["closing_qty"] == "10.000"

    # The standing at the day before the period, and now, agree with the balance report.
    def balance(as_of):
        got = shop["manager"].get(
            BALANCE, query_string={"as_of": as_of, "product_id": shop["coke"]}
        )
        return got.json["items"][0]["on_hand"]

    assert balance((start - timedelta(days=1)).isoformat()) == "70.000"
    assert balance(today.isoformat()) == "10.000"


def test_a_period_that_starts_mid_month_splits_that_month_at_its_first_day(app, shop, me):
    """Stock in on the 3rd and the 20th of last month: a period from the 10th opens with
    the first and takes in the second — part of one month from the stored totals, part
    from the ledger."""
    first = utcnow().replace(day=1) - timedelta(days=1)
    third, twentieth = first.replace(day=3), first.replace(day=20)
    for day, qty in ((third, "5"), (twentieth, "7")):
        document = _post(app, "in", shop["w1"], qty, cost=D("3"), product_id=shop["coke"],
                         user_id=me)  # fmt: skip
        with app.app_context():
            date_documents_back([document], datetime.combine(day.date(), time(9), tzinfo=UTC))
    query = {"from": first.replace(day=10).date().isoformat(),
             "to": first.date().isoformat(), "product_id": shop["coke"]}  # fmt: skip
    (row,) = shop["manager"].get(SUMMARY, query_string=query).json["items"]
    assert (row["opening_qty"], row["in_qty"], row["closing_qty"]) == ("5.000", "7.000", "12.000")
    assert (row["opening_value"], row["in_value"]) == ("15.00", "21.00")
    assert row["turnover"] == "0.00" and row["days_of_cover"] is None  # nothing sold


@pytest.mark.parametrize("days", [30, 110])
def test_short_and_long_periods_agree_with_the_days_that_moved(app, shop, me, days):
    """300 coke at 2.00 the day before 120 days of selling 2 a day (to yesterday). Over
    the last `days` days before today: a short period adds up its ledger lines, a long one
    (over a quarter) reads the month totals; both must give these figures."""
    post_demand(app, shop["w1"], shop["coke"], ["2"] * 120, user_id=me, stock="300")
    today = utcnow().date()
    query = {"from": (today - timedelta(days=days)).isoformat(), "to": today.isoformat()}
    sold_before = 2 * (120 - days)
    (row,) = shop["manager"].get(SUMMARY, query_string=query).json["items"]
    assert D(row["opening_qty"]) == 300 - sold_before
    assert D(row["opening_value"]) == 2 * (300 - sold_before)
    assert (D(row["in_qty"]), D(row["out_qty"])) == (0, 2 * days)
    assert D(row["closing_qty"]) == 300 - 240

    ledger_page = shop["manager"].get("/api/v1/reports/stock-ledger", query_string=query).json
    assert ledger_page["total"] == days  # one stock-out line a day
    totals = ledger_page["totals"]
    assert (D(totals["in_qty"]), D(totals["out_qty"]), D(totals["value"])) == (
        0, 2 * days, -4 * days)  # fmt: skip


def test_days_of_cover_counts_only_the_days_of_the_period_so_far(app, shop, me):
    """100 in and 6 sold today; the period began two days ago and ends in ten days: 6 sold
    in the 3 days so far is 2 a day, so the 94 left last 47 days (not 94 / (6 / 13))."""
    _post(app, "in", shop["w1"], "100", cost=D("1"), product_id=shop["coke"], user_id=me)
    _post(app, "out", shop["w1"], "6", product_id=shop["coke"], user_id=me,
          source=("sales_order", 1))  # fmt: skip
    today = utcnow().date()
    start, end = today - timedelta(days=2), today + timedelta(days=10)
    query = {"from": start.isoformat(), "to": end.isoformat(), "product_id": shop["coke"]}
    (row,) = shop["manager"].get(SUMMARY, query_string=query).json["items"]
    assert (row["closing_qty"], row["days_of_cover"]) == ("94.000", 47)
