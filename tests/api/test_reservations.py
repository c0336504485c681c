"""Reservations: what confirmed sales orders promise is kept out of what can be taken or
promised again; never more than is available, even under a race."""

import threading
from datetime import timedelta
from decimal import Decimal

from app.core.db import utcnow
from app.core.errors import Problem
from app.core.transactions import run_transaction
from app.inventory import ledger
from app.inventory.verify import differences
from tests.api.test_stock import _balance, _post
from tests.api.test_stock import stock as stock  # noqa: F401 - the fixture
from tests.support import assert_problem

CLIENTS = 30


def _reserve(app, warehouse_id, *wanted, user_id=1):
    with app.app_context():
        run_transaction(lambda: ledger.reserve(warehouse_id, list(wanted), user_id=user_id))


def _stock_in(c, stock, qty="10", **line):
    line = {"product_id": stock["coke"], "qty": qty, "unit_cost": "2", **line}
    made = _post(c, type="in", warehouse_id=stock["w1"], lines=[line])
    assert made.status_code == 201, made.json


def test_reserved_stock_is_neither_taken_nor_promised_twice(app, stock):
    c, w1, coke = stock["client"], stock["w1"], stock["coke"]
    _stock_in(c, stock, "10", location_id=stock["l1"])
    _reserve(app, w1, ("line-1", coke, Decimal(6)))
    row = _balance(c, coke, w1)
    assert (row["on_hand"], row["reserved"], row["available"]) == ("10.000", "6.000", "4.000")

    # A stock-out may take only what is not promised.
    taken = _post(c, type="out", warehouse_id=w1, lines=[{"product_id": coke, "qty": "5"}])
    assert assert_problem(taken, 409, "insufficient-stock")["available"] == "4"
    # Two lines of one product together ask 5 of the 4 left: both are named, nothing kept.
    try:
        _reserve(app, w1, ("a", coke, Decimal(3)), ("b", coke, Decimal(2)))
    except Problem as refused:
        assert refused.status == 409
        assert [(s["key"], s["requested"], s["available"]) for s in refused.extra["short"]] == [
            ("a", "3", "4"),
            ("b", "2", "4"),
        ]
    else:
        raise AssertionError("over-reserving was accepted")
    assert _balance(c, coke, w1)["reserved"] == "6.000"

    # Released, it is free again; the ledger is untouched by promises.
    _reserve(app, w1, ("line-1", coke, Decimal(-6)))
    row = _balance(c, coke, w1)
    assert (row["reserved"], row["available"]) == ("0.000", "10.000")
    assert _post(c, type="out", warehouse_id=w1,
                 lines=[{"product_id": coke, "qty": "10"}]).status_code == 201  # fmt: skip
    with app.app_context():
        assert differences() == []


def test_expired_batches_are_not_promised(app, stock):
    c, w1, milk = stock["client"], stock["w1"], stock["milk"]
    old = (utcnow() - timedelta(days=2)).date().isoformat()
    fresh = (utcnow() + timedelta(days=20)).date().isoformat()
    for batch, expiry, qty in (("OLD", old, "5"), ("NEW", fresh, "3")):
        line = {"product_id": milk, "qty": qty, "unit_cost": "4", "batch": batch, "expiry": expiry}
        made = _post(c, type="in", warehouse_id=w1, lines=[line])
        assert made.status_code == 201, made.json
    try:
        _reserve(app, w1, (1, milk, Decimal(4)))
    except Problem as refused:
        assert refused.extra["short"][0]["available"] == "3"
    else:
        raise AssertionError("expired stock was promised")
    _reserve(app, w1, (1, milk, Decimal(3)))
    assert _balance(c, milk, w1)["reserved"] == "3.000"


def test_a_reservation_announces_the_new_availability(app, stock):
    from app.core.events import hub

    heard = []
    with app.app_context():
        hub().subscribe(heard.append)
    _stock_in(stock["client"], stock, "12")  # safety stock 10
    heard.clear()
    _reserve(app, stock["w1"], (1, stock["coke"], Decimal(3)))
    stock_events = [e for e in heard if e.name.startswith("stock.")]  # not the notifications
    assert [(e.name, e.payload["available"]) for e in stock_events] == [
        ("stock.changed", "9.000"),
        ("stock.low", "9.000"),
    ]


def test_thirty_clients_reserving_one_of_ten(app, stock):
    _stock_in(stock["client"], stock, "10")
    start = threading.Barrier(CLIENTS)
    outcomes: list = [None] * CLIENTS

    def client(index):
        start.wait()
        try:
            _reserve(app, stock["w1"], (index, stock["coke"], Decimal(1)))
            outcomes[index] = "reserved"
        except Problem as refused:
            outcomes[index] = refused.status
        except Exception as error:  # recorded, and asserted on below
            outcomes[index] = error

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes, key=str) == [409] * 20 + ["reserved"] * 10
    row = _balance(stock["client"], stock["coke"], stock["w1"])
    assert (row["reserved"], row["available"]) == ("10.000", "0.000")
