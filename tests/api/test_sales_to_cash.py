"""From shipment to cash, to the cent: invoices from shipments, returns restocked at the
cost they left with or written off, credit notes, receipts with prepayments,
receivables, ageing, the customer statement, and the order's story from start to end."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app.core.db import utcnow
from tests.api.test_sales_orders import URL, _act
from tests.api.test_sales_orders import shop as shop  # noqa: F401 - the fixtures
from tests.api.test_sales_orders import store as store  # noqa: F401
from tests.api.test_shipments import _ship
from tests.api.test_shipments import order as order  # noqa: F401
from tests.support import assert_problem

YEAR = utcnow().year
TODAY = utcnow().date()


def _days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


@pytest.fixture
def books(store, order, login_as):
    """The confirmed order (7 milk at 6.00, 4 coke at 2.60, 13 % VAT), 6 milk and 2 coke
    shipped; a finance clerk."""
    floor = login_as("warehouse")
    milk_line, coke_line = order["lines"]
    shipped = _ship(floor, order, {"so_line_id": milk_line["id"], "qty": "6"},
                    {"so_line_id": coke_line["id"], "qty": "2"})  # fmt: skip
    assert shipped.status_code == 201, shipped.json
    return {**store, "order": order, "floor": floor, "finance": login_as("finance"),
            "shipment": shipped.json}  # fmt: skip


def _invoice(client, order, **body):
    return client.post(f"{URL}/{order['id']}/invoices", json=body)


def _receive(client, books, amount, *allocations):
    body = {"customer_id": books["customer"], "received_on": TODAY.isoformat(),
            "amount": amount, "method": "wechat", "allocations": list(allocations)}  # fmt: skip
    return client.post("/api/v1/customer-receipts", json=body)


def _return(client, books, disposition, *lines):
    return client.post(f"/api/v1/shipments/{books['shipment']['id']}/returns",
                       json={"disposition": disposition, "reason": "破损",
                             "lines": list(lines)})  # fmt: skip


def _receivable(client, books) -> dict:
    got = client.get(f"/api/v1/receivables?customer_id={books['customer']}")
    assert got.status_code == 200, got.json
    (row,) = got.json["items"]
    return row


def test_invoice_returns_credit_notes_receipts_and_statement(books):
    finance, floor, order = books["finance"], books["floor"], books["order"]
    milk_shipped, coke_shipped = books["shipment"]["lines"]

    made = _invoice(finance, order, invoice_date=_days(-40))
    assert made.status_code == 201, made.json
    invoice = made.json
    assert (invoice["number"], invoice["state"]) == (f"IV-{YEAR}-000001", "posted")
    assert (invoice["invoice_date"], invoice["due_date"]) == (_days(-40), _days(-40))
    # Milk 6 × 6.00 = 36.00 + 4.68; coke 2 × 2.60 = 5.20 + 0.676 → 0.68.
    assert [(x["qty"], x["amount"], x["tax"], x["total"]) for x in invoice["lines"]] == [
        ("6.000", "36.00", "4.68", "40.68"), ("2.000", "5.20", "0.68", "5.88")]  # fmt: skip
    assert invoice["totals"] == {"amount": "41.20", "tax": "5.36", "total": "46.56"}
    assert_problem(_invoice(finance, order), 409, "nothing-to-invoice")

    # 2 milk come back into stock at the 4.50 they left at: a credit note of 13.56.
    # It left from two batches: which one comes back is said.
    milk_back = {"shipment_line_id": milk_shipped["id"], "qty": "2", "batch": "B1"}
    back = _return(floor, books, "restock", milk_back)
    assert back.status_code == 201, back.json
    assert back.json["credit_note"] == f"CN-{YEAR}-000001"
    assert "credit" not in back.json  # the floor sees no money
    restocked = books["manager"].get(f"/api/v1/stock/movements/{back.json['document']['id']}").json
    assert restocked["lines"][0]["unit_cost"] == "4.500000"
    # 1 coke arrived broken: written off, nothing comes back into stock; credit 2.94.
    coke_before = _on_hand(floor, books, books["coke"])
    broken = _return(
        floor, books, "write_off", {"shipment_line_id": coke_shipped["id"], "qty": "1"}
    )
    assert broken.status_code == 201, broken.json
    assert broken.json["document"] is None
    assert _on_hand(floor, books, books["coke"]) == coke_before
    refused = _return(floor, books, "restock", {**milk_back, "qty": "5"})
    body = assert_problem(refused, 409, "over-return", field="lines.0.qty")
    assert (body["shipped"], body["returned"], body["requested"]) == ("6", "2", "5")

    invoice = finance.get(f"/api/v1/customer-invoices/{invoice['id']}").json
    assert (invoice["credited"], invoice["open"]) == ("16.50", "30.06")
    assert invoice["days_overdue"] == 40

    # Receipts: 20.00 on account of the invoice, then more than it has open is refused.
    first = _receive(finance, books, "20.00", {"invoice_id": invoice["id"], "amount": "20.00"})
    assert first.status_code == 201, first.json
    assert first.json["number"] == f"RC-{YEAR}-000001"
    refused = _receive(finance, books, "50.00", {"invoice_id": invoice["id"], "amount": "10.07"})
    assert_problem(refused, 422, field="allocations.0.amount")
    second = _receive(finance, books, "50.00", {"invoice_id": invoice["id"], "amount": "10.06"})
    assert second.json["unallocated"] == "39.94"
    invoice = finance.get(f"/api/v1/customer-invoices/{invoice['id']}").json
    assert (invoice["state"], invoice["open"]) == ("paid", "0.00")

    row = _receivable(finance, books)
    # 100.00 owed from before + 46.56 − 16.50 − 70.00
    assert (row["invoiced"], row["credited"], row["received"]) == ("46.56", "16.50", "70.00")
    assert (row["balance"], row["prepayment"], row["overdue"]) == ("60.06", "39.94", "0.00")

    # The rest ships and is invoiced today: the order is completed.
    rest = _ship(floor, order, {"so_line_id": order["lines"][0]["id"], "qty": "1"},
                 {"so_line_id": order["lines"][1]["id"], "qty": "2"})  # fmt: skip
    assert rest.json["order"]["state"] == "shipped"
    second_invoice = _invoice(finance, order).json
    assert second_invoice["totals"]["total"] == "12.66"  # 6.78 + 5.88
    assert books["sales"].get(f"{URL}/{order['id']}").json["state"] == "completed"
    ageing = finance.get(f"/api/v1/receivables/ageing?as_of={TODAY}").json
    assert (ageing["totals"]["not_due"], ageing["totals"]["total"]) == ("12.66", "12.66")
    overdue = finance.get("/api/v1/customer-invoices?overdue=1").json
    assert overdue["total"] == 0

    statement = finance.get(f"/api/v1/customers/{books['customer']}/statement"
                            f"?from={_days(-60)}&to={TODAY}").json  # fmt: skip
    assert statement["opening"] == "100.00"
    assert [(e["kind"], e["increase"], e["decrease"]) for e in statement["entries"]] == [
        ("invoice", "46.56", "0.00"), ("invoice", "12.66", "0.00"),
        ("credit_note", "0.00", "13.56"), ("credit_note", "0.00", "2.94"),
        ("receipt", "0.00", "20.00"), ("receipt", "0.00", "50.00")]  # fmt: skip
    assert statement["totals"] == {"opening": "100.00", "invoiced": "59.22", "credited": "16.50",
                                   "received": "70.00", "closing": "72.72"}  # fmt: skip
    assert _receivable(finance, books)["balance"] == "72.72"
    sheet = load_workbook(io.BytesIO(finance.get(
        f"/api/v1/customers/{books['customer']}/statement.xlsx?from={_days(-60)}&lang=en").data
    )).active  # fmt: skip
    assert [TODAY.isoformat(), "Closing balance", 72.72] in [
        [cell for cell in row if cell is not None] for row in sheet.values]  # fmt: skip

    history = books["sales"].get(f"{URL}/{order['id']}/history").json
    assert [(h["event"], h["to"]) for h in history] == [
        ("created", "draft"), ("state", "confirmed"), ("shipped", None),
        ("state", "partially_shipped"), ("invoiced", None), ("returned", None),
        ("returned", None), ("paid", None), ("paid", None), ("shipped", None),
        ("state", "shipped"), ("invoiced", None), ("state", "completed")]  # fmt: skip
    assert history[4]["data"]["invoice"]["number"] == f"IV-{YEAR}-000001"
    assert history[5]["data"]["credit_note"] == f"CN-{YEAR}-000001"


def _on_hand(client, books, product) -> str:
    url = f"/api/v1/stock/balances?by=warehouse&product_id={product}&warehouse_id={books['w1']}"
    return client.get(url).json["items"][0]["on_hand"]


def test_returns_before_invoicing_are_not_invoiced_and_earn_no_credit(books):
    finance, floor = books["finance"], books["floor"]
    milk_shipped, _ = books["shipment"]["lines"]
    unbatched = _return(
        floor, books, "restock", {"shipment_line_id": milk_shipped["id"], "qty": "1"}
    )
    assert_problem(unbatched, 422, field="lines.0.batch")  # it left from two batches
    back = _return(floor, books, "restock",
                   {"shipment_line_id": milk_shipped["id"], "qty": "1", "batch": "B2"})  # fmt: skip
    assert back.status_code == 201, back.json
    assert back.json["credit_note"] is None
    assert books["manager"].get(f"/api/v1/shipments/{books['shipment']['id']}/returns").json[0][
        "credit"] == "0.00"  # fmt: skip
    invoice = _invoice(finance, books["order"]).json
    assert invoice["lines"][0]["qty"] == "5.000"  # 6 shipped − 1 back
    shipment = floor.get(f"/api/v1/shipments/{books['shipment']['id']}").json
    milk_now = shipment["lines"][0]
    assert (milk_now["returned_base_qty"], milk_now["invoiced_base_qty"]) == ("1.000", "5.000")


def test_who_may_bill_and_receive(books, login_as):
    for role in ("sales", "warehouse", "purchaser"):
        client = login_as(role)
        assert_problem(_invoice(client, books["order"]), 403)
        assert_problem(_receive(client, books, "1.00"), 403)
        assert_problem(client.get("/api/v1/receivables"), 403)
    assert_problem(_return(books["sales"], books, "restock",
                           {"shipment_line_id": books["shipment"]["lines"][0]["id"], "qty": "1"}),
                   403)  # fmt: skip
    assert books["manager"].get("/api/v1/receivables").status_code == 200
    assert_problem(_act(books["sales"], books["order"], "cancel"), 409, "invalid-state")
