"""Fifty clients each take one unit when ten are on hand: exactly ten win, on both databases,
through the service and through the HTTP API on a real threaded server."""

import json
import threading
import urllib.error
import urllib.request
from decimal import Decimal

import pytest

from app.auth.services import issue_token
from app.catalog.services import create_product
from app.core.errors import Problem
from app.extensions import db
from app.inventory import ledger
from app.inventory.models import StockValuation
from app.inventory.services import ensure_warehouse
from app.inventory.verify import differences
from tests.e2e.conftest import LiveServer, _free_port

CLIENTS = 50
ON_HAND = 10


@pytest.fixture
def ten_on_hand(app, make_user):
    user_id = make_user("floor", ["warehouse"])
    with app.app_context():
        warehouse = ensure_warehouse("W1", "Main")
        product = create_product({"sku": "LAST-TEN", "name": "最后十件", "unit": "个"})
        ledger.post_movements(
            "in",
            warehouse.id,
            [ledger.Line(product_id=product.id, qty=Decimal(ON_HAND), unit_cost=Decimal("2.50"))],
            user_id=user_id,
        )
        return {"user_id": user_id, "product_id": product.id, "warehouse_id": warehouse.id}


def _race(worker) -> list:
    """Run `worker` in CLIENTS threads released at the same moment; collect the outcomes."""
    start = threading.Barrier(CLIENTS)
    outcomes: list = [None] * CLIENTS

    def run(index):
        start.wait()
        try:
            outcomes[index] = worker()
        except Exception as error:  # recorded, and asserted on below
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _assert_ledger_is_whole(app, stock) -> None:
    with app.app_context():
        valuation = db.session.get(StockValuation, (stock["product_id"], stock["warehouse_id"]))
        assert valuation.qty == 0 and valuation.value == 0
        assert differences() == []
    assert app.test_cli_runner().invoke(args=["stock", "verify"]).exit_code == 0


def test_through_the_service(app, ten_on_hand):
    stock = ten_on_hand

    def take_one():
        with app.app_context():
            from app.catalog.models import Product

            product = db.session.get(Product, stock["product_id"])
            try:
                ledger.post_movements(
                    "out",
                    stock["warehouse_id"],
                    [ledger.Line(product_id=product.id, qty=Decimal(1))],
                    user_id=stock["user_id"],
                )
                return "taken"
            except Problem as problem:
                return problem.type
            finally:
                db.session.remove()

    outcomes = _race(take_one)
    assert outcomes.count("taken") == ON_HAND, outcomes
    assert outcomes.count("insufficient-stock") == CLIENTS - ON_HAND, outcomes
    _assert_ledger_is_whole(app, stock)


def test_through_the_http_api(app, ten_on_hand):
    stock = ten_on_hand
    with app.app_context():
        _, token = issue_token(stock["user_id"], "race")
    server = LiveServer(app, _free_port())
    server.start()
    body = json.dumps(
        {
            "type": "out",
            "warehouse_id": stock["warehouse_id"],
            "lines": [{"product_id": stock["product_id"], "qty": "1"}],
        }
    ).encode()

    def take_one():
        request = urllib.request.Request(
            server.url + "/api/v1/stock/movements",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            problem = json.loads(error.read())
            return (error.code, problem["type"].rsplit(":", 1)[-1])

    try:
        outcomes = _race(take_one)
    finally:
        server.stop()
    assert outcomes.count(201) == ON_HAND, outcomes
    assert outcomes.count((409, "insufficient-stock")) == CLIENTS - ON_HAND, outcomes
    _assert_ledger_is_whole(app, stock)
