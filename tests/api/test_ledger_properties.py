"""Random sequences of stock documents keep the ledger whole.

After every step: each balance equals the sum of its ledger lines (`stock verify`), no
quantity is negative, and the quantity, value and moving average of every warehouse
equal an independent calculation, to the cent.
"""

import itertools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.services import create_product
from app.core.errors import Problem
from app.core.transactions import run_transaction
from app.extensions import db
from app.inventory import ledger
from app.inventory.models import StockBalance, StockValuation
from app.inventory.services import ensure_warehouse
from app.inventory.verify import differences

CENT, MICRO = Decimal("0.01"), Decimal("0.000001")
_skus = itertools.count(1)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _micro(value: Decimal) -> Decimal:
    return value.quantize(MICRO, rounding=ROUND_HALF_UP)


@dataclass
class Book:
    """A warehouse's stock of the product, kept by hand: quantity, value, average cost."""

    qty: Decimal = Decimal(0)
    value: Decimal = Decimal(0)
    avg: Decimal = Decimal(0)

    def receive(self, qty: Decimal, value: Decimal, unit_cost: Decimal) -> None:
        if self.qty + qty == 0:
            value = -self.value
        self.qty += qty
        self.value += value
        self.avg = _micro(self.value / self.qty) if self.qty > 0 else _micro(unit_cost)

    def issue(self, qty: Decimal, value: Decimal | None = None) -> Decimal:
        """Take qty out; returns the value that left."""
        if qty == self.qty:
            value = self.value
        elif value is None:
            value = _money(qty * self.avg)
        self.qty -= qty
        self.value -= value
        return value


@dataclass
class Model:
    books: dict = field(default_factory=lambda: {0: Book(), 1: Book()})
    last_cost: Decimal = Decimal(0)


quantities = st.integers(min_value=1, max_value=40).map(Decimal)
costs = st.integers(min_value=1, max_value=99_999).map(lambda c: Decimal(c) / 1000)
warehouses = st.integers(min_value=0, max_value=1)
operations = st.one_of(
    st.tuples(st.just("in"), warehouses, quantities, costs),
    st.tuples(st.just("out"), warehouses, quantities),
    st.tuples(st.just("transfer"), warehouses, quantities),
    st.tuples(st.just("adjust"), warehouses, st.integers(min_value=0, max_value=60).map(Decimal)),
    st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=30)),
)


@pytest.fixture
def place(app, make_user):
    user_id = make_user("keeper", ["warehouse"])
    with app.app_context():
        ids = [ensure_warehouse(code, code).id for code in ("P1", "P2")]
    return {"user_id": user_id, "warehouses": ids}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, min_size=1, max_size=14))
def test_random_documents_keep_balances_values_and_averages_right(app, place, steps):
    with app.app_context():
        product = create_product({"sku": f"PROP-{next(_skus)}", "name": "随机", "unit": "个"})
        model = Model()
        posted: list[dict] = []  # each document and its effects in the model
        for step in steps:
            _apply(step, product.id, place, model, posted)
            _check(product.id, place["warehouses"], model)
        db.session.remove()


def _apply(step, product_id: int, place, model: Model, posted: list) -> None:
    kind, *args = step
    warehouse_ids, user = place["warehouses"], place["user_id"]

    def post(kind, index, qty, **options):
        return ledger.post_movements(
            kind,
            warehouse_ids[index],
            [
                ledger.Line(
                    product_id=product_id,
                    qty=qty,
                    unit_cost=options.pop("cost", None),
                )
            ],
            user_id=user,
            **options,
        )

    if kind == "in":
        index, qty, cost = args
        doc = post("in", index, qty, cost=cost)
        value = _money(qty * cost)
        model.books[index].receive(qty, value, cost)
        model.last_cost = cost
        posted.append(_record(doc, [(index, qty, value, cost)]))
    elif kind == "out":
        index, qty = args
        book = model.books[index]
        if qty > book.qty:
            _expect_refusal(lambda: post("out", index, qty))
            return
        cost = book.avg
        value = book.issue(qty)
        posted.append(_record(post("out", index, qty), [(index, -qty, -value, cost)]))
    elif kind == "transfer":
        index, qty = args
        source, target = model.books[index], model.books[1 - index]
        if qty > source.qty:
            _expect_refusal(
                lambda: post("transfer", index, qty, to_warehouse_id=warehouse_ids[1 - index])
            )
            return
        cost = source.avg
        value = source.issue(qty)
        target.receive(qty, value, cost)
        doc = post("transfer", index, qty, to_warehouse_id=warehouse_ids[1 - index])
        posted.append(_record(doc, [(index, -qty, -value, cost), (1 - index, qty, value, cost)]))
    elif kind == "adjust":
        index, counted = args
        book = model.books[index]
        difference = counted - book.qty
        cost = book.avg or model.last_cost
        if difference > 0:
            value = _money(difference * cost)
            book.receive(difference, value, cost)
            effects = [(index, difference, value, cost)]
        elif difference < 0:
            cost = book.avg
            effects = [(index, difference, -book.issue(-difference), cost)]
        else:
            effects = []
        posted.append(_record(post("adjust", index, counted), effects))
    elif kind == "cancel":
        if not posted:
            return
        record = posted[args[0] % len(posted)]
        doc, effects = record["doc"], record["effects"]
        if record["cancelled"]:
            _expect_refusal(lambda: _cancel(doc, user))
            return
        takes = [e for e in effects if e[1] > 0]
        if any(qty > model.books[index].qty for index, qty, _, _ in takes):
            _expect_refusal(lambda: _cancel(doc, user))
            return
        for index, qty, value, cost in sorted(effects, key=lambda e: e[1] < 0):
            if qty > 0:
                model.books[index].issue(qty, value)
            else:
                model.books[index].receive(-qty, -value, cost)
        _cancel(doc, user)
        record["cancelled"] = True


def _record(document_id: int, effects: list) -> dict:
    return {"doc": document_id, "effects": effects, "cancelled": False}


def _cancel(document_id: int, user_id: int) -> None:
    run_transaction(lambda: ledger.cancel(document_id, user_id=user_id))


def _expect_refusal(action) -> None:
    with pytest.raises(Problem):
        action()
    db.session.rollback()


def _check(product_id: int, warehouse_ids: list[int], model: Model) -> None:
    db.session.expire_all()
    assert differences() == []
    negative = db.session.query(StockBalance).filter(StockBalance.on_hand < 0).count()
    assert negative == 0
    for index, warehouse_id in enumerate(warehouse_ids):
        book = model.books[index]
        valuation = db.session.get(StockValuation, (product_id, warehouse_id))
        if valuation is None:
            assert book.qty == 0 and book.value == 0
            continue
        assert (valuation.qty, valuation.value) == (book.qty, book.value)
        if book.qty > 0:
            assert valuation.avg_cost == book.avg
