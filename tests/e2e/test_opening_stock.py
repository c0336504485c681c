"""Opening stock from a workbook, on a phone: a bad row is named, a good file is posted."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import exists, select

from app.catalog.models import Product
from app.extensions import db
from app.inventory.models import LedgerEntry, StockDocument, Warehouse
from tests.e2e.conftest import log_in, shot

pytestmark = pytest.mark.e2e


def _unstocked_product(app, warehouse_code: str) -> tuple[str, int]:
    """A demo product with no stock history in the warehouse (the demo leaves a few)."""
    with app.app_context():
        warehouse = db.session.scalar(select(Warehouse).where(Warehouse.code == warehouse_code))
        history = exists().where(
            LedgerEntry.product_id == Product.id, LedgerEntry.warehouse_id == warehouse.id
        )
        product = db.session.scalar(
            select(Product)
            .where(~history, Product.track_batches.is_(False), Product.track_expiry.is_(False))
            .order_by(Product.id)
        )
        return product.sku, warehouse.id


def _workbook(page, base_url: str, path, rows) -> None:
    """The server's own template: its example row replaced by ours."""
    template = page.request.get(base_url + "/api/v1/imports/opening-stock/template")
    assert template.ok, template.text()
    book = load_workbook(io.BytesIO(template.body()))
    book.active.delete_rows(2, book.active.max_row)
    for row in rows:
        book.active.append(row)
    book.save(path)


def test_a_manager_imports_opening_stock(live_server, phone, tmp_path):
    sku, warehouse_id = _unstocked_product(live_server.app, "SZ01")
    log_in(phone, live_server.url, "manager")
    phone.goto(live_server.url + "/stock/opening-import")
    bad, good = tmp_path / "bad.xlsx", tmp_path / "good.xlsx"
    row = ["SZ01", sku, "A-01-01", "", "", "30", "", "2.40"]
    _workbook(phone, live_server.url, bad, [row, ["SZ01", "NO-SUCH", "", "", "", "5", "", "1"]])
    _workbook(phone, live_server.url, good, [row])

    phone.locator(".van-uploader input[type=file]").set_input_files(str(bad))
    phone.get_by_test_id("import-run").click()
    expect(phone.get_by_test_id("import-errors")).to_contain_text("SKU or barcode")
    shot(phone, "opening-stock-rejected")

    phone.locator(".van-uploader input[type=file]").set_input_files(str(good))
    phone.get_by_test_id("import-run").click()
    outcome = phone.get_by_test_id("import-outcome")
    expect(outcome).to_contain_text("OB-2026-")
    shot(phone, "opening-stock-posted")
    with live_server.app.app_context():
        product_id = db.session.scalar(select(Product.id).where(Product.sku == sku))
        entries = db.session.scalars(
            select(LedgerEntry).where(
                LedgerEntry.product_id == product_id, LedgerEntry.warehouse_id == warehouse_id
            )
        ).all()
        assert [(e.qty, e.unit_cost) for e in entries] == [(Decimal(30), Decimal("2.4"))]
        assert db.session.get(StockDocument, entries[0].document_id).type == "opening"
