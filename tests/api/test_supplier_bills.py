"""Supplier bills, payments and payables: three-way match, allocation, balances, ageing."""

from datetime import timedelta

import pytest

from app.core.db import utcnow
from tests.api.test_purchase_orders import _order, _receive
from tests.api.test_purchase_orders import shop as shop  # noqa: F401 - the fixture
from tests.support import assert_problem

YEAR = utcnow().year
TODAY = utcnow().date()


@pytest.fixture
def books(shop, login_as):
    """The shop, a finance clerk and a supplier owed 1000.00 from before, on 30 days."""
    supplier = shop["manager"].post(
        "/api/v1/suppliers",
        json={"code": "S2", "name": "粮油批发", "opening_payable": "1000.00",
              "payment_terms_days": 30},
    ).json  # fmt: skip
    return {**shop, "finance": login_as("finance"), "s2": supplier["id"]}


def _days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def _bill(client, books, *lines, bill_no="INV-1", bill_date=None, **extra):
    body = {"supplier_id": books["s2"], "bill_no": bill_no,
            "bill_date": bill_date or TODAY.isoformat(), "lines": list(lines), **extra}  # fmt: skip
    return client.post("/api/v1/supplier-bills", json=body)


def _pay(client, books, amount, *allocations, method="bank"):
    body = {"supplier_id": books["s2"], "paid_on": TODAY.isoformat(), "amount": amount,
            "method": method, "allocations": list(allocations)}  # fmt: skip
    return client.post("/api/v1/supplier-payments", json=body)


def _posted(client, bill) -> dict:
    got = client.post(f"/api/v1/supplier-bills/{bill['id']}/post")
    assert got.status_code == 200, got.json
    return got.json


def _count(client, what) -> int:
    return client.get(f"/api/v1/{what}").json["total"]


def _ageing(client, as_of) -> dict:
    got = client.get(f"/api/v1/payables/ageing?as_of={as_of}")
    assert got.status_code == 200, got.json
    return got.json


def _received(books):
    """PO of coke 100 at 2.50 less 5 %, 13 % VAT and rice 50 kg at 4.20, 9 % VAT; 60 coke
    and all the rice received, 10 coke sent back before any bill."""
    manager = books["manager"]
    order = _order(books, [
        {"product_id": books["coke"], "qty": "100", "unit_price": "2.50", "discount": "0.05",
         "tax_rate": "0.13"},
        {"product_id": books["rice"], "qty": "50", "unit_price": "4.20", "tax_rate": "0.09"},
    ], supplier_id=books["s2"])  # fmt: skip
    coke_line, rice_line = order["lines"]
    receipt = _receive(manager, order, {"po_line_id": coke_line["id"], "qty": "60"},
                       {"po_line_id": rice_line["id"], "qty": "50"}).json  # fmt: skip
    coke, rice = (line["id"] for line in receipt["lines"])
    sent = manager.post(f"/api/v1/purchase-receipts/{receipt['id']}/returns",
                        json={"lines": [{"receipt_line_id": coke, "qty": "10"}]})  # fmt: skip
    assert sent.status_code == 201, sent.json
    return order, receipt, coke, rice


def test_bills_payments_payables_and_ageing_to_the_cent(books):
    finance, manager = books["finance"], books["manager"]
    order, receipt, coke, rice = _received(books)

    # 60 received − 10 returned: 51 is one too many, and nothing is written.
    refused = _bill(finance, books, {"receipt_line_id": coke, "qty": "51"})
    body = assert_problem(refused, 422, "validation-error", field="lines.0.qty")
    assert "only 50 is left to bill" in body["errors"]["lines.0.qty"][0]
    assert "received 60, returned 10, billed 0" in body["errors"]["lines.0.qty"][0]
    assert _count(finance, "supplier-bills") == 0

    # Coke at the order's net price (2.375) by default, rice at 4.25 instead of 4.20.
    made = _bill(finance, books, {"receipt_line_id": coke, "qty": "50"},
                 {"receipt_line_id": rice, "qty": "50", "unit_price": "4.25"},
                 bill_no="INV-1", bill_date=_days(-80))  # fmt: skip
    assert made.status_code == 201, made.json
    bill1 = made.json
    assert (bill1["number"], bill1["state"]) == (f"BL-{YEAR}-000001", "draft")
    assert (bill1["bill_date"], bill1["due_date"]) == (_days(-80), _days(-50))  # 30 days
    first, second = bill1["lines"]
    # 50 × 2.375 = 118.75, tax 15.4375 → 15.44; 50 × 4.25 = 212.50, tax 19.125 → 19.13
    assert (first["unit_price"], first["amount"], first["tax"], first["total"]) == (
        "2.375000", "118.75", "15.44", "134.19")  # fmt: skip
    assert (second["amount"], second["tax"], second["total"]) == ("212.50", "19.13", "231.63")
    assert (first["price_variance"], first["qty_variance"]) == ("0.000000", "0.000")
    assert (second["order_unit_price"], second["price_variance"]) == ("4.200000", "0.050000")
    assert (second["tax_rate"], second["tax_variance"]) == ("0.0900", "0.0000")
    assert (first["receipt"]["number"], first["purchase_order"]["id"]) == (
        receipt["number"], order["id"])  # fmt: skip
    assert bill1["totals"] == {"amount": "331.25", "tax": "34.57", "total": "365.82"}
    assert bill1["has_variances"] is True
    # A draft already counts against what is billable, but not in payables.
    assert_problem(_bill(finance, books, {"receipt_line_id": coke, "qty": "1"}, bill_no="X"),
                   422, field="lines.0.qty")  # fmt: skip
    assert _payables(finance)["billed"] == "0.00"
    bill1 = _posted(finance, bill1)
    assert (bill1["state"], bill1["open"]) == ("posted", "365.82")
    assert_problem(finance.post(f"/api/v1/supplier-bills/{bill1['id']}/post"), 409,
                   "invalid-state")  # fmt: skip

    # 5 more coke go back after being billed: a credit of 5 × 2.375 = 11.875 → 11.88 + 1.54.
    sent = manager.post(f"/api/v1/purchase-receipts/{receipt['id']}/returns",
                        json={"lines": [{"receipt_line_id": coke, "qty": "5"}]})  # fmt: skip
    assert sent.status_code == 201, sent.json

    # The other 40 coke arrive and are billed on a bill due in 20 days.
    second_receipt = _receive(manager, order, {"po_line_id": order["lines"][0]["id"],
                                               "qty": "40"}).json  # fmt: skip
    made = _bill(finance, books, {"receipt_line_id": second_receipt["lines"][0]["id"],
                                  "qty": "40"}, bill_no="INV-2", bill_date=_days(-10),
                 due_date=_days(20))  # fmt: skip
    assert made.status_code == 201, made.json
    bill2 = _posted(finance, made.json)
    assert (bill2["totals"]["total"], bill2["has_variances"]) == ("107.35", False)

    # A partial payment.
    paid = _pay(finance, books, "200.00", {"bill_id": bill1["id"], "amount": "200.00"})
    assert paid.status_code == 201, paid.json
    assert (paid.json["number"], paid.json["unallocated"]) == (f"PM-{YEAR}-000001", "0.00")
    bill1 = finance.get(f"/api/v1/supplier-bills/{bill1['id']}").json
    assert (bill1["state"], bill1["paid"], bill1["open"]) == ("posted", "200.00", "165.82")
    row = _payables(finance)
    assert (row["billed"], row["returned"], row["paid"]) == ("473.17", "13.42", "200.00")
    assert (row["balance"], row["overdue"], row["prepayment"]) == ("1259.75", "165.82", "0.00")
    ageing = _ageing(finance, TODAY.isoformat())
    assert ageing["items"][0]["days_31_60"] == "165.82"  # 50 days past due
    assert ageing["items"][0]["not_due"] == "107.35"
    assert ageing["totals"]["total"] == "273.17"

    # More than a bill has open is refused, naming the allocation; nothing is written.
    refused = _pay(finance, books, "500.00", {"bill_id": bill2["id"], "amount": "10.00"},
                   {"bill_id": bill1["id"], "amount": "165.83"})  # fmt: skip
    body = assert_problem(refused, 422, "validation-error", field="allocations.1.amount")
    assert "allocations.0.amount" not in body["errors"]
    assert _count(finance, "supplier-payments") == 1
    assert finance.get(f"/api/v1/supplier-bills/{bill2['id']}").json["paid"] == "0.00"

    # The rest of bill 1, part of bill 2, and 84.18 left over as a prepayment.
    paid = _pay(finance, books, "300.00", {"bill_id": bill1["id"], "amount": "165.82"},
                {"bill_id": bill2["id"], "amount": "50.00"}, method="alipay")  # fmt: skip
    assert paid.status_code == 201, paid.json
    payment = paid.json
    assert (payment["allocated"], payment["unallocated"]) == ("215.82", "84.18")
    assert [a["bill"]["bill_no"] for a in payment["allocations"]] == ["INV-1", "INV-2"]
    bill1 = finance.get(f"/api/v1/supplier-bills/{bill1['id']}").json
    assert (bill1["state"], bill1["open"]) == ("paid", "0.00")
    assert finance.get("/api/v1/supplier-bills?state=paid").json["total"] == 1

    row = _payables(finance)
    # 1000 + 473.17 − 13.42 − 500 = 959.75
    assert (row["opening"], row["paid"], row["balance"]) == ("1000.00", "500.00", "959.75")
    assert (row["prepayment"], row["overdue"]) == ("84.18", "0.00")

    # Bill 2 (57.35 open, due in 20 days) walks through the buckets.
    for days, bucket in ((20, "not_due"), (21, "days_1_30"), (50, "days_1_30"),
                         (51, "days_31_60"), (110, "days_61_90"), (111, "over_90")):  # fmt: skip
        ageing = _ageing(finance, _days(days))
        assert ageing["items"][0][bucket] == "57.35", (days, ageing)
        assert ageing["totals"]["total"] == "57.35"
    assert _ageing(finance, _days(-11))["items"] == []  # before bill 2 was dated

    # The prepayment is allocated later, never beyond what is open.
    allocate = f"/api/v1/supplier-payments/{payment['id']}/allocate"
    refused = finance.post(allocate, json={"allocations": [{"bill_id": bill2["id"],
                                                            "amount": "57.36"}]})  # fmt: skip
    assert_problem(refused, 422, field="allocations.0.amount")
    refused = finance.post(allocate, json={"allocations": [{"bill_id": bill1["id"],
                                                            "amount": "1.00"}]})  # fmt: skip
    assert_problem(refused, 422, field="allocations.0.bill_id")  # paid already
    got = finance.post(allocate, json={"allocations": [{"bill_id": bill2["id"],
                                                        "amount": "57.35"}]})  # fmt: skip
    assert got.status_code == 200, got.json
    assert got.json["unallocated"] == "26.83"
    assert finance.get(f"/api/v1/supplier-bills/{bill2['id']}").json["state"] == "paid"
    row = _payables(finance)
    assert (row["balance"], row["prepayment"]) == ("959.75", "26.83")
    assert _ageing(finance, TODAY.isoformat())["items"] == []


def _payables(client) -> dict:
    got = client.get("/api/v1/payables")
    assert got.status_code == 200, got.json
    (row,) = [row for row in got.json["items"] if row["supplier"]["code"] == "S2"]
    return row


def test_drafts_cancel_and_bad_bills_write_nothing(books):
    finance = books["finance"]
    _, receipt, coke, rice = _received(books)
    other = _order(books, [{"product_id": books["rice"], "qty": "5", "unit_price": "1"}])
    foreign = _receive(books["manager"], other, {"po_line_id": other["lines"][0]["id"],
                                                 "qty": "5"}).json  # fmt: skip
    cases = [
        ({"receipt_line_id": foreign["lines"][0]["id"], "qty": "1"}, "lines.0.receipt_line_id"),
        ({"receipt_line_id": rice, "qty": "50.001"}, "lines.0.qty"),
        ({"receipt_line_id": rice, "qty": "1", "tax_rate": "1.5"}, "lines"),
    ]
    for line, field in cases:
        assert_problem(_bill(finance, books, line), 422, field=field)
    assert_problem(_bill(finance, books, {"receipt_line_id": rice, "qty": "1"},
                         due_date=_days(-1)), 422, field="due_date")  # fmt: skip
    assert _count(finance, "supplier-bills") == 0

    draft = _bill(finance, books, {"receipt_line_id": coke, "qty": "50"}).json
    assert_problem(_bill(finance, books, {"receipt_line_id": rice, "qty": "1"}), 422,
                   field="bill_no")  # the same supplier invoice number  # fmt: skip
    assert_problem(_pay(finance, books, "1.00", {"bill_id": draft["id"], "amount": "1.00"}),
                   422, field="allocations.0.bill_id")  # fmt: skip
    cancelled = finance.post(f"/api/v1/supplier-bills/{draft['id']}/cancel")
    assert cancelled.json["state"] == "cancelled"
    assert_problem(finance.post(f"/api/v1/supplier-bills/{draft['id']}/post"), 409)
    # Cancelled, it no longer holds the quantity.
    again = _bill(finance, books, {"receipt_line_id": coke, "qty": "50"}, bill_no="INV-1b")
    assert again.status_code == 201, again.json
    assert _count(finance, "supplier-payments") == 0


def test_a_draft_is_checked_again_when_posted(books):
    finance = books["finance"]
    _, receipt, coke, _ = _received(books)
    draft = _bill(finance, books, {"receipt_line_id": coke, "qty": "50"}).json
    sent = books["manager"].post(
        f"/api/v1/purchase-receipts/{receipt['id']}/returns",
        json={"lines": [{"receipt_line_id": coke, "qty": "1"}]},
    )
    assert sent.status_code == 201, sent.json
    assert_problem(finance.post(f"/api/v1/supplier-bills/{draft['id']}/post"), 422,
                   field="lines.0.qty")  # fmt: skip
    assert finance.get(f"/api/v1/supplier-bills/{draft['id']}").json["state"] == "draft"


def test_who_may_do_what(books, login_as):
    finance = books["finance"]
    _, _, coke, _ = _received(books)
    bill = _posted(finance, _bill(finance, books, {"receipt_line_id": coke, "qty": "10"}).json)
    for role in ("warehouse", "sales", "purchaser", "manager"):
        client = login_as(role)
        assert_problem(_pay(client, books, "1.00"), 403)
        assert_problem(_bill(client, books, {"receipt_line_id": coke, "qty": "1"}), 403)
    for role in ("warehouse", "sales", "purchaser"):
        assert_problem(login_as(role).get("/api/v1/payables"), 403)
        assert_problem(login_as(role).get(f"/api/v1/supplier-bills/{bill['id']}"), 403)
    assert login_as("manager").get("/api/v1/payables/ageing").status_code == 200
    paid = _pay(finance, books, "1.00", {"bill_id": bill["id"], "amount": "1.00"})
    assert paid.status_code == 201, paid.json
    assert _count(finance, "supplier-payments") == 1
