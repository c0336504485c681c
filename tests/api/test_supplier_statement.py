"""The supplier statement (对账单) and the lines a new bill can pick from."""

import io

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from tests.api.test_supplier_bills import _bill, _days, _payables, _posted, _received
from tests.api.test_supplier_bills import books as books  # noqa: F401 - the fixtures
from tests.api.test_supplier_bills import shop as shop  # noqa: F401
from tests.support import assert_problem

TODAY = _days(0)


def _pay(client, books, amount, paid_on, *allocations):
    body = {"supplier_id": books["s2"], "paid_on": paid_on, "amount": amount, "method": "bank",
            "reference": f"TX-{paid_on}", "allocations": list(allocations)}  # fmt: skip
    got = client.post("/api/v1/supplier-payments", json=body)
    assert got.status_code == 201, got.json
    return got.json


def _statement(client, books, start=None, end=None, suffix=""):
    query = "&".join(f"{k}={v}" for k, v in (("from", start), ("to", end)) if v)
    return client.get(f"/api/v1/suppliers/{books['s2']}/statement{suffix}?{query}")


@pytest.fixture
def ledger(books):
    """Opening 1000.00; bill INV-1 dated 40 days ago (363.09); 5 coke back after billing
    today (credit 13.42); payments of 100.00 twenty days ago and 50.00 (a prepayment) five
    days ago."""
    finance, manager = books["finance"], books["manager"]
    _, receipt, coke, rice = _received(books)  # 10 of 60 coke went back before any bill

    billable = finance.get(f"/api/v1/supplier-bills/billable?supplier_id={books['s2']}")
    assert billable.status_code == 200, billable.json
    lines = {line["receipt_line_id"]: line for line in billable.json["items"]}
    assert set(lines) == {coke, rice}
    assert (lines[coke]["received_qty"], lines[coke]["returned_qty"], lines[coke]["left_qty"],
            lines[coke]["unit_price"]) == ("60.000", "10.000", "50.000", "2.375000")  # fmt: skip
    assert (lines[rice]["left_qty"], lines[rice]["tax_rate"]) == ("50.000", "0.0900")
    assert lines[coke]["receipt"]["number"] == receipt["number"]

    made = _bill(finance, books, {"receipt_line_id": coke, "qty": "50"},
                 {"receipt_line_id": rice, "qty": "20"}, bill_date=_days(-40))  # fmt: skip
    # A draft already holds what it bills.
    billable = finance.get(f"/api/v1/supplier-bills/billable?supplier_id={books['s2']}").json
    assert [(line["receipt_line_id"], line["left_qty"]) for line in billable["items"]] == [
        (rice, "30.000")
    ]
    bill = _posted(finance, made.json)
    assert bill["totals"]["total"] == "225.75"  # 134.19 + 20 × 4.20 × 1.09 = 91.56
    sent = manager.post(f"/api/v1/purchase-receipts/{receipt['id']}/returns",
                        json={"lines": [{"receipt_line_id": coke, "qty": "5"}]})  # fmt: skip
    assert sent.status_code == 201, sent.json
    first = _pay(finance, books, "100.00", _days(-20), {"bill_id": bill["id"], "amount": "100.00"})
    second = _pay(finance, books, "50.00", _days(-5))
    return {**books, "bill": bill, "return": sent.json, "payments": (first, second)}


def test_the_statement_runs_from_opening_to_closing_balance(ledger):
    finance = ledger["finance"]
    got = _statement(finance, ledger, _days(-30), TODAY)
    assert got.status_code == 200, got.json
    body = got.json
    assert (body["from"], body["to"], body["supplier"]["code"]) == (_days(-30), TODAY, "S2")
    # 1000.00 + the bill dated before the period
    assert body["opening"] == "1225.75"
    first, second = ledger["payments"]
    assert [(e["date"], e["kind"], e["number"], e["reference"], e["increase"], e["decrease"],
             e["balance"]) for e in body["entries"]] == [
        (_days(-20), "payment", first["number"], f"TX-{_days(-20)}", "0.00", "100.00", "1125.75"),
        (_days(-5), "payment", second["number"], f"TX-{_days(-5)}", "0.00", "50.00", "1075.75"),
        (TODAY, "return", ledger["return"]["number"], "", "0.00", "13.42", "1062.33"),
    ]  # fmt: skip
    assert body["totals"] == {"opening": "1225.75", "billed": "0.00", "returned": "13.42",
                              "paid": "150.00", "closing": "1062.33"}  # fmt: skip
    # The closing balance today is what the payables say is owed.
    assert _payables(finance)["balance"] == "1062.33"

    # An earlier period: the bill is in it, the payments and the credit are not.
    earlier = _statement(finance, ledger, _days(-60), _days(-21)).json
    assert (earlier["opening"], earlier["totals"]["closing"]) == ("1000.00", "1225.75")
    assert [(e["kind"], e["number"], e["reference"]) for e in earlier["entries"]] == [
        ("bill", ledger["bill"]["number"], "INV-1")
    ]
    # The next period opens where it closed.
    later = _statement(finance, ledger, _days(-20), TODAY).json
    assert later["opening"] == "1225.75"

    # By default: this month so far.
    default = _statement(finance, ledger).json
    assert (default["from"], default["to"]) == (TODAY[:8] + "01", TODAY)


def test_the_statement_as_a_workbook_and_a_pdf(ledger):
    finance = ledger["finance"]
    got = _statement(finance, ledger, _days(-30), TODAY, suffix=".xlsx")
    assert got.status_code == 200, got.data[:300]
    assert got.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(got.data)).active
    rows = [[cell for cell in row if cell is not None] for row in sheet.values]
    assert ["供应商", "S2 粮油批发"] in rows
    assert [_days(-30), "期初余额", 1225.75] in rows
    assert [TODAY, "退货", ledger["return"]["number"], 13.42, 1062.33] in rows
    assert [TODAY, "期末余额", 1062.33] in rows

    got = finance.get(
        f"/api/v1/suppliers/{ledger['s2']}/statement.pdf?from={_days(-30)}&to={TODAY}&lang=en"
    )
    assert got.mimetype == "application/pdf"
    document = pdfium.PdfDocument(got.data)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert "Supplier statement" in text
    assert "Closing balance" in text and "1,062.33" in text
    assert ledger["payments"][0]["number"] in text


def test_bad_statement_requests(ledger, login_as):
    finance = ledger["finance"]
    assert_problem(_statement(finance, ledger, TODAY, _days(-1)), 422, field="from")
    assert_problem(finance.get("/api/v1/suppliers/999999/statement"), 404)
    assert_problem(finance.get(f"/api/v1/suppliers/{ledger['s2']}/statement.pdf?lang=fr"),
                   422, field="lang")  # fmt: skip
    assert_problem(finance.get("/api/v1/supplier-bills/billable?supplier_id=999999"), 422,
                   field="supplier_id")  # fmt: skip
    for role in ("warehouse", "purchaser", "sales"):
        client = login_as(role)
        assert_problem(_statement(client, ledger), 403)
        assert_problem(_statement(client, ledger, suffix=".xlsx"), 403)
        assert_problem(client.get(f"/api/v1/supplier-bills/billable?supplier_id={ledger['s2']}"),
                       403)  # fmt: skip
    assert _statement(login_as("manager"), ledger).status_code == 200


def test_a_return_earns_credit_only_for_goods_already_billed(books):
    """Of 50 rice, 20 are billed; 40 go back in two returns: the first 30 were unbilled and
    cost nothing, the next 10 were billed and earn 10 × 4.20 × 1.09 = 45.78."""
    finance, manager = books["finance"], books["manager"]
    _, receipt, _, rice = _received(books)
    _posted(finance, _bill(finance, books, {"receipt_line_id": rice, "qty": "20"}).json)
    returns = "/api/v1/purchase-receipts/{}/returns".format(receipt["id"])
    for qty in ("25", "15"):
        sent = manager.post(returns, json={"lines": [{"receipt_line_id": rice, "qty": qty}]})
        assert sent.status_code == 201, sent.json
    body = _statement(finance, books, TODAY, TODAY).json
    assert [(e["kind"], e["decrease"]) for e in body["entries"]] == [
        ("bill", "0.00"),
        ("return", "45.78"),
    ]
    assert body["entries"][1]["number"] == sent.json["number"]  # the second return
    assert _payables(finance)["returned"] == "45.78"
