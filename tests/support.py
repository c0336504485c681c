"""Helpers shared by the test suites."""

import io
import os

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

REQUIRE_ALL = os.environ.get("JXC_REQUIRE_ALL") == "1"
PASSWORD = "correct-horse-1"


def unavailable(reason: str):
    """Skip when a service is missing, but fail in CI (JXC_REQUIRE_ALL=1)."""
    if not REQUIRE_ALL:
        pytest.skip(reason)
    pytest.fail(f"JXC_REQUIRE_ALL=1 but {reason}", pytrace=False)


class ApiClient(FlaskClient):
    """A test client that logs in and sends its CSRF token on writes, as the PWA does."""

    csrf_token: str | None = None

    def login(self, username: str, password: str = PASSWORD):
        response = self.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        if response.status_code == 200:
            self.csrf_token = response.json["csrf_token"]
        return response

    def open(self, *args, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        method = kwargs.get("method", "GET")
        if self.csrf_token and method not in ("GET", "HEAD", "OPTIONS"):
            headers.setdefault("X-CSRF-Token", self.csrf_token)
        return super().open(*args, headers=headers, **kwargs)


def assert_problem(response, status: int, type_suffix: str | None = None, field: str | None = None):
    """The response is problem+json with this status (and type / field, when given)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"]
    if type_suffix:
        assert body["type"] == "urn:jxc:problem:" + type_suffix, body["type"]
    if field:
        assert field in body.get("errors", {}), body
    return body


def xlsx_table(data: bytes) -> list[list]:
    """A report workbook's header row and everything below it (above it: the title, the
    filters, a blank row)."""
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    blank = next(i for i, row in enumerate(rows) if not any(row))
    return rows[blank + 1 :]


def post_demand(app, warehouse_id: int, product_id: int, daily, *, user_id: int, stock="0"):
    """Customer demand on the last len(daily) days up to yesterday: `stock` units come in
    the day before, then each day's quantity leaves as a sales order's stock-out at noon
    (oldest first, so the ledger's order is the days' order)."""
    from datetime import UTC, datetime, time, timedelta
    from decimal import Decimal

    from app.core.db import utcnow
    from app.demo_stock import date_documents_back
    from app.inventory import ledger

    def at_noon(document_id: int, day) -> None:
        date_documents_back([document_id], datetime.combine(day, time(12), tzinfo=UTC))

    with app.app_context():
        first = utcnow().date() - timedelta(days=len(daily))
        if Decimal(stock):
            line = ledger.Line(product_id=product_id, qty=Decimal(stock), unit_cost=Decimal(2))
            document = ledger.post_movements("in", warehouse_id, [line], user_id=user_id)
            at_noon(document, first - timedelta(days=1))
        for n, qty in enumerate(daily):
            if Decimal(qty):
                line = ledger.Line(product_id=product_id, qty=Decimal(qty))
                document = ledger.post_movements(
                    "out", warehouse_id, [line], user_id=user_id, source=("sales_order", 0)
                )
                at_noon(document, first + timedelta(days=n))
