"""Exports of products, suppliers and customers as .xlsx or .csv, honouring list filters."""

import csv
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from app.auth.models import User
from app.catalog import services as catalog
from app.catalog.models import Product
from app.core.errors import Problem
from app.core.pagination import apply_search
from app.core.security import caller_can
from app.extensions import db
from app.imports.columns import Column, customer_columns, product_columns, supplier_columns
from app.partners import services as partners
from app.partners.models import PAYABLE_READERS, Customer, Supplier

EXPORT_LIMIT = 50_000


def _visible(columns: list[Column]) -> list[Column]:
    """Columns the caller may see: cost and payables only with their permission."""
    return [c for c in columns if not c.requires or any(caller_can(p) for p in c.requires)]


def _limited(stmt, order_by):
    rows = db.session.scalars(stmt.order_by(order_by).limit(EXPORT_LIMIT + 1)).all()
    if len(rows) > EXPORT_LIMIT:
        raise Problem(
            f"More than {EXPORT_LIMIT} rows match; narrow the filters.",
            status=422,
            type="export-too-large",
        )
    return rows


def _category_paths() -> dict[int, str]:
    paths: dict[int, str] = {}

    def walk(nodes, prefix=""):
        for node in nodes:
            path = f"{prefix}/{node['name']}" if prefix else node["name"]
            paths[node["id"]] = path
            walk(node["children"], path)

    walk(catalog.category_tree())
    return paths


def export_products(args: dict) -> tuple[list[Column], list]:
    stmt = catalog.product_query(
        args.get("q"), args.get("category_id"), args.get("brand"), args.get("active")
    )
    return _visible(product_columns(_category_paths())), _limited(stmt, Product.sku)


def export_suppliers(args: dict) -> tuple[list[Column], list]:
    stmt = apply_search(
        partners.supplier_query(args.get("active")),
        args.get("q"),
        partners.supplier_search_columns(),
    )
    return _visible(supplier_columns(PAYABLE_READERS)), _limited(stmt, Supplier.code)


def export_customers(args: dict) -> tuple[list[Column], list]:
    stmt = partners.customer_query(
        args.get("active"), args.get("salesperson_id"), args.get("price_level")
    )
    stmt = apply_search(stmt, args.get("q"), partners.customer_search_columns())
    names = dict(db.session.execute(select(User.id, User.username)).all())
    return _visible(customer_columns(names)), _limited(stmt, Customer.code)


def _cell(value):
    if isinstance(value, bool):
        return "Y" if value else "N"  # Y/N reads the same in every spreadsheet locale
    if value is None:
        return ""
    return value


def to_xlsx(title: str, columns: list[Column], records: list) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        row = []
        for column in columns:
            value = _cell(column.value(record))
            # Decimals go in as numbers Excel can sum, codes stay text (leading zeros).
            row.append(float(value) if isinstance(value, Decimal) else value)
        sheet.append(row)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.header) + 4)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_csv(columns: list[Column], records: list) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in columns])
    for record in records:
        writer.writerow([_cell(column.value(record)) for column in columns])
    # A BOM so that Excel opens the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
