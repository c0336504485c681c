"""Exports of products, suppliers and customers as .xlsx or .csv, honouring list filters;
imports of master data and opening stock from .xlsx, all through one `run_import`."""

import csv
import io
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn
from zipfile import BadZipFile

from flask import current_app
from marshmallow import Schema, ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.catalog import services as catalog
from app.catalog.models import Product
from app.catalog.schemas import ProductWriteSchema
from app.core.errors import NotFound, Problem, ValidationProblem
from app.core.pagination import apply_search
from app.core.records import normalise_code
from app.core.security import caller_can
from app.extensions import db
from app.imports import opening_stock
from app.imports.columns import (
    Column,
    customer_columns,
    opening_stock_columns,
    product_columns,
    supplier_columns,
    yes_no,
)
from app.partners import services as partners
from app.partners.models import PAYABLE_READERS, Customer, Supplier
from app.partners.schemas import CustomerCreateSchema, SupplierCreateSchema

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


# --- imports ------------------------------------------------------------------------------

MAX_IMPORT_ROWS = 10_000
_HEADER_NOISE = re.compile(r"[\s*（）()]")


def _header_key(header) -> str:
    return _HEADER_NOISE.sub("", str(header or "")).lower()


def _importable(columns: list[Column]) -> list[Column]:
    return [c for c in columns if c.parse is not None]


def product_import_columns() -> list[Column]:
    return _importable(product_columns({}))


def template_workbook(kind: str) -> bytes:
    """An empty sheet to fill: bilingual headers, an example row, drop-downs, notes."""
    columns = _visible(IMPORTERS[kind].columns())
    book = Workbook()
    sheet = book.active
    sheet.title = kind
    sheet.append([c.header + (" *" if c.required else "") for c in columns])
    sheet.append([IMPORTERS[kind].example.get(c.key, "") for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    yes_no_list = DataValidation(type="list", formula1='"Y,N"', allow_blank=True)
    sheet.add_data_validation(yes_no_list)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column.header) + 4)
        if column.parse is yes_no:
            yes_no_list.add(f"{letter}2:{letter}{MAX_IMPORT_ROWS + 1}")
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("说明 Notes")
    notes.append(["列 Column", "必填 Required", "说明 Notes"])
    for column in columns:
        notes.append([column.header, "Y" if column.required else "", column.note])
    notes.append([])
    notes.append(["每行一条记录；整个文件通过校验后才会保存。"])
    notes.append(["One record a row; nothing is saved unless every row is valid."])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _read_rows(data: bytes, columns: list[Column]) -> list[tuple[int, dict]]:
    """(row number, {column key: cell}) for every non-empty row; clear errors for bad files."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise Problem(
            "This is not an .xlsx workbook; download the template and fill it in.",
            status=415,
            type="not-a-workbook",
            errors={"file": ["not an .xlsx workbook"]},
        ) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if not header or not any(header):
        raise ValidationProblem(
            {"file": ["the first sheet is empty"]}, detail="The sheet is empty."
        )
    by_key = {_header_key(c.header): c for c in columns}
    by_key.update({_header_key(c.key): c for c in columns})
    by_key.update({_header_key(c.zh): c for c in columns})
    by_key.update({_header_key(c.en): c for c in columns})
    positions = {
        i: by_key[_header_key(h)] for i, h in enumerate(header) if _header_key(h) in by_key
    }
    missing = [c.header for c in columns if c.required and c not in positions.values()]
    if missing:
        raise ValidationProblem(
            {"file": [f"missing column: {name}" for name in missing]},
            detail=f"Missing columns: {', '.join(missing)}.",
        )
    records = []
    for number, row in enumerate(rows, start=2):
        if not any(cell not in (None, "") for cell in row):
            continue
        if len(records) >= MAX_IMPORT_ROWS:
            raise ValidationProblem(
                {"file": [f"more than {MAX_IMPORT_ROWS} rows"]},
                detail=f"At most {MAX_IMPORT_ROWS} rows at a time; split the file.",
            )
        cells = {}
        for index, column in positions.items():
            cells[column.key] = row[index] if index < len(row) else None
        records.append((number, cells))
    if not records:
        raise ValidationProblem(
            {"file": ["no rows below the header"]}, detail="The sheet has no rows."
        )
    return records


class RowErrors:
    """Reasons per (row, column header); the import saves nothing while there are any."""

    def __init__(self, columns: list[Column]):
        self.headers = {c.key: c.header for c in columns}
        self.items: list[dict] = []
        # (status, problem type, detail) when the rows are refused for another reason than
        # bad cells, e.g. 409 opening-stock-exists; None: a 422 import-rejected.
        self.refusal: tuple[int, str, str] | None = None

    def add(self, row: int, key: str, reasons) -> None:
        column = self.headers.get(key, key)
        for reason in reasons if isinstance(reasons, list) else [reasons]:
            self.items.append({"row": row, "column": column, "reason": str(reason)})

    def add_problem(self, row: int, problem: Problem, field_to_column: dict) -> None:
        if problem.errors:
            for field, reasons in problem.errors.items():
                self.add(row, field_to_column.get(field, field), reasons)
        else:
            self.add(row, "", problem.detail)


@dataclass(frozen=True)
class Prefetched:
    records: dict[str, Any]  # normalised key → existing record
    codes: Any = None  # what the area's checks accept as known (e.g. catalog.KnownCodes)


def _product_codes(payload: dict) -> list[str]:
    """Every barcode a product row brings: its own and its units'."""
    unit_codes = [u["barcode"] for u in payload.get("units", []) if u.get("barcode")]
    return [*payload.get("barcodes", []), *unit_codes]


def _prefetch_products(payloads: list[dict]) -> Prefetched:
    skus = [p["sku"] for p in payloads]
    codes = [c for p in payloads for c in _product_codes(p)]
    known = catalog.known_codes(skus, codes)
    found = db.session.scalars(select(Product).where(Product.sku.in_(list(known.sku_ids)))).all()
    return Prefetched({p.sku: p for p in found}, known)


@dataclass(frozen=True, kw_only=True)
class Importer(ABC):
    """How one kind of sheet is read and checked, the same way for every kind.

    `run_import` reads the rows and loads each through `schema`; `stage` applies the
    business rules to the rows that read well (every problem into `errors`); only when
    no row has an error does `save` write them. The subclasses say how.
    """

    columns: Callable[[], list[Column]]
    schema: Schema
    key: str | None = None  # the column that identifies a record: once per file
    modes: tuple[str, ...] = ("create", "upsert")
    # Column keys whose API field has another name.
    fields: dict[str, str] = dataclass_field(default_factory=dict)
    # Codes that must be unique across all rows (barcodes), from a row's parsed cells.
    codes: Callable[[dict], list[str]] = lambda payload: []
    # Turns cells that name things (a category path, a salesperson) into API values;
    # `context` is looked up once per import and handed to every row.
    prepare: Callable[[dict, int, "RowErrors", Any], None] = lambda *args: None
    context: Callable[[], Any] = lambda: None
    example: dict = dataclass_field(default_factory=dict)

    def column_of(self, columns: list[Column]) -> dict[str, str]:
        """API field → the column it came from, to name the column of an error."""
        return {self.fields.get(c.key, c.key): c.key for c in columns}

    @abstractmethod
    def stage(self, checked: list, errors: "RowErrors", mode: str) -> Any:
        """Check (row, loaded, present) tuples against the database; what `save` needs."""

    @abstractmethod
    def save(self, staged: Any, *, dry_run: bool, user_id: int) -> dict:
        """Write what `stage` checked (a dry run: nothing); the counts for the answer."""


@dataclass(frozen=True, kw_only=True)
class RecordImporter(Importer):
    """Master data: each row adds a record, or (upsert) changes the one with its key."""

    key: str  # upsert matches on it
    # Looks up, for all rows at once, the existing records and anything else the checks
    # need (so a 5,000-row sheet costs a few queries, not thousands).
    prefetch: Callable[[list[dict]], "Prefetched"]
    add: Callable[[dict, Any], Any]
    change: Callable[[Any, dict, Any], Any]

    def stage(self, checked: list, errors: "RowErrors", mode: str) -> dict:
        # Each row is checked before it changes anything; the changes are flushed together
        # at the end, inside the transaction `run_import` rolls back on any error.
        column_of = self.column_of(self.columns())
        created = updated = 0
        known = self.prefetch([loaded for _, loaded, _ in checked])
        with db.session.no_autoflush:
            for row, loaded, present in checked:
                existing = known.records.get(normalise_code(loaded[self.key]))
                if existing is not None and mode == "create":
                    errors.add(row, self.key, "already exists; use mode=upsert to update it")
                    continue
                try:
                    if existing is None:
                        self.add(loaded, known.codes)
                        created += 1
                    else:
                        changes = {k: v for k, v in loaded.items() if k in present}
                        self.change(existing, changes, known.codes)
                        updated += 1
                except Problem as problem:
                    errors.add_problem(row, problem, column_of)
        if not errors.items:
            try:
                db.session.flush()
            except IntegrityError:  # someone else saved a clashing record meanwhile
                db.session.rollback()
                raise Problem(
                    "Another change clashed with this import; nothing was saved. Try again.",
                    status=409,
                    type="import-conflict",
                ) from None
        return {"created": created, "updated": updated}

    def save(self, staged: dict, *, dry_run: bool, user_id: int) -> dict:
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        return staged


@dataclass(frozen=True, kw_only=True)
class OpeningStockImporter(Importer):
    """Opening stock: the rows become `opening` documents posted through the ledger."""

    modes: tuple[str, ...] = ("create",)

    def stage(self, checked: list, errors: "RowErrors", mode: str) -> opening_stock.Plan:
        return opening_stock.resolve(checked, errors)

    def save(self, staged: opening_stock.Plan, *, dry_run: bool, user_id: int) -> dict:
        return opening_stock.post(staged, dry_run=dry_run, user_id=user_id)


def _resolve_category(payload: dict, row: int, errors: "RowErrors", category_ids: dict) -> None:
    """The sheet names a category by its path; the API wants its id."""
    if "category" not in payload:
        return
    path = payload.pop("category", "")
    if not path:
        payload["category_id"] = None
        return
    category_id = category_ids.get(_path_key(path))
    if category_id is None:
        errors.add(row, "category", f"no such category: {path}")
    payload["category_id"] = category_id


def _path_key(path: str) -> str:
    return path.replace(" ", "").replace("／", "/").lower()


def _prefetch_by_code(model, payloads: list[dict]) -> Prefetched:
    codes = [normalise_code(str(p.get("code") or "")) for p in payloads]
    found = db.session.scalars(select(model).where(model.code.in_(codes))).all()
    return Prefetched({record.code: record for record in found})


def _customer_cells(payload: dict, row: int, errors: "RowErrors", user_ids: dict) -> None:
    """One contact, one (default) address and a salesperson's username, as the API wants."""
    contact, phone = payload.pop("contact", None), payload.pop("phone", None)
    if contact or phone:
        payload["contacts"] = [{"name": contact or "", "phone": phone or ""}]
    address = payload.pop("address", None)
    if address:
        payload["delivery_addresses"] = [{"label": "", "address": address, "is_default": True}]
    if "salesperson" in payload:
        username = payload.pop("salesperson").lower()
        payload["salesperson_id"] = user_ids.get(username) if username else None
        if username and username not in user_ids:
            errors.add(row, "salesperson", f"no user named {username}")


IMPORTERS = {
    "products": RecordImporter(
        columns=product_import_columns,
        schema=ProductWriteSchema(),
        key="sku",
        prefetch=_prefetch_products,
        add=catalog.add_product,
        change=catalog.change_product,
        fields={"category": "category_id"},
        codes=_product_codes,
        prepare=_resolve_category,
        context=lambda: {_path_key(p): i for i, p in _category_paths().items()},
        example={
            "sku": "COKE-330", "name": "可口可乐 330ml", "spec": "330ml", "brand": "可口可乐",
            "unit": "瓶", "barcodes": "6901234567892", "units": "箱=24:6901234567885",
            "retail_price": "3.00", "wholesale_price": "2.50", "min_price": "2.20",
            "level_prices": "vip=2.80", "safety_stock": "48", "track_batches": "N",
            "track_expiry": "N", "allow_negative_stock": "N", "active": "Y",
        },
    ),
    "suppliers": RecordImporter(
        columns=lambda: _importable(supplier_columns(PAYABLE_READERS)),
        schema=SupplierCreateSchema(),
        key="code",
        prefetch=lambda payloads: _prefetch_by_code(Supplier, payloads),
        add=lambda data, _known: partners.add_supplier(data),
        change=lambda supplier, changes, _known: partners.change_supplier(supplier, changes),
        example={
            "code": "S100", "name": "可口可乐华东饮料有限公司", "contact": "陈经理",
            "phone": "021-12345678", "payment_terms_days": 30, "lead_time_days": 7, "rating": 4,
            "active": "Y",
        },
    ),
    "customers": RecordImporter(
        columns=lambda: _importable(customer_columns({})),
        schema=CustomerCreateSchema(),
        key="code",
        prefetch=lambda payloads: _prefetch_by_code(Customer, payloads),
        add=lambda data, _known: partners.add_customer(data),
        change=lambda customer, changes, _known: partners.change_customer(customer, changes),
        fields={"contact": "contacts", "phone": "contacts", "address": "delivery_addresses",
                "salesperson": "salesperson_id"},
        prepare=_customer_cells,
        context=lambda: dict(db.session.execute(select(User.username, User.id)).all()),
        example={
            "code": "C100", "name": "徐汇好又多便利店", "contact": "王老板", "phone": "13800000000",
            "address": "徐汇区建设路 1 号", "price_level": "retail", "credit_limit": "5000",
            "credit_days": 30, "salesperson": "sales", "active": "Y",
        },
    ),
    "opening-stock": OpeningStockImporter(
        columns=opening_stock_columns,
        schema=opening_stock.OpeningStockRowSchema(),
        prepare=opening_stock.drop_blanks,
        example={
            "warehouse": "W1", "code": "COKE-330", "location": "A-01-03", "batch": "",
            "expiry": "", "qty": 10, "unit": "箱", "unit_cost": "48.00",
        },
    ),
}  # fmt: skip


def _flatten(messages) -> list[str]:
    if isinstance(messages, dict):
        return [f"{k}: {m}" for k, v in messages.items() for m in _flatten(v)]
    return [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]


def run_import(kind: str, data: bytes, *, mode: str, dry_run: bool, user_id: int) -> dict:
    """Check every row, then write all of them in one transaction — or none."""
    importer = IMPORTERS[kind]
    columns = importer.columns()
    records = _read_rows(data, columns)
    errors = RowErrors(columns)
    checked = _load_rows(importer, columns, records, errors)
    # Rows that read well go through the business rules too, so one upload reports every
    # problem at once.
    staged = importer.stage(checked, errors, mode)
    if errors.items:
        db.session.rollback()
        _reject(data, errors, user_id)
    result = importer.save(staged, dry_run=dry_run, user_id=user_id)
    return {"rows": len(records), **result, "dry_run": dry_run}


def _load_rows(importer: Importer, columns: list[Column], records, errors: RowErrors) -> list:
    """(row, loaded, present) for each row the schema accepts; the rest into `errors`."""
    column_of = importer.column_of(columns)
    seen: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    checked = []
    context = importer.context()
    for row, cells in records:
        payload = {c.key: c.parse(cells[c.key]) for c in columns if c.key in cells}
        importer.prepare(payload, row, errors, context)
        if importer.key is not None:
            key = normalise_code(str(payload.get(importer.key) or ""))
            if key and key in seen:
                errors.add(row, importer.key, f"{key} is also in row {seen[key]}")
            seen.setdefault(key, row)
        for code in importer.codes(payload):
            if code in seen_codes and seen_codes[code] != row:
                errors.add(row, "barcodes", f"{code} is also in row {seen_codes[code]}")
            seen_codes.setdefault(code, row)
        try:
            loaded = importer.schema.load(payload)
        except ValidationError as refused:
            for field, reasons in refused.messages.items():
                errors.add(row, column_of.get(field, field), _flatten(reasons))
            continue
        # An update changes only what the sheet has columns for.
        present = {importer.fields.get(k, k) for k in cells} | {importer.key}
        checked.append((row, loaded, present))
    return checked


def _reject(data: bytes, errors: RowErrors, user_id: int) -> NoReturn:
    """The refusal, with every row's errors and a link to the annotated workbook."""
    token = _save_annotated(data, errors, user_id)
    items = sorted(errors.items, key=lambda e: e["row"])  # cell checks come first: re-sort
    bad_rows = len({e["row"] for e in items})
    status, problem_type, detail = errors.refusal or (
        422, "import-rejected", f"{bad_rows} row(s) have errors; nothing was saved."
    )  # fmt: skip
    by_cell: dict[str, list[str]] = {}
    for e in items:
        by_cell.setdefault(f"row {e['row']}: {e['column']}", []).append(e["reason"])
    raise Problem(
        detail,
        status=status,
        type=problem_type,
        errors=by_cell,
        rows=items,
        annotated_url=f"/api/v1/imports/annotated/{token}",
    )


def _annotated_dir() -> Path:
    return Path(current_app.instance_path) / "imports"


def _save_annotated(data: bytes, errors: RowErrors, user_id: int) -> str:
    """The uploaded workbook with each bad cell marked red and the reasons beside the row."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    header_cells = {_header_key(cell.value): cell.column for cell in sheet[1] if cell.value}
    by_header = {c: header_cells.get(_header_key(c)) for c in {e["column"] for e in errors.items}}
    report_column = sheet.max_column + 1
    sheet.cell(row=1, column=report_column, value="错误 Errors").font = Font(
        bold=True, color="C00000"
    )
    red = PatternFill("solid", fgColor="FFC7CE")
    reasons_by_row: dict[int, list[str]] = {}
    for error in errors.items:
        column = by_header.get(error["column"])
        if column:
            sheet.cell(row=error["row"], column=column).fill = red
        reasons_by_row.setdefault(error["row"], []).append(f"{error['column']}: {error['reason']}")
    for row, reasons in reasons_by_row.items():
        sheet.cell(row=row, column=report_column, value="\n".join(reasons))
    token = f"{user_id}-{secrets.token_urlsafe(12)}"
    folder = _annotated_dir()
    folder.mkdir(parents=True, exist_ok=True)
    book.save(folder / f"{token}.xlsx")
    return token


def annotated_file(token: str, user_id: int) -> Path:
    """Only the user who uploaded the workbook gets its annotated copy back."""
    owner, _, _ = token.partition("-")
    path = _annotated_dir() / f"{token}.xlsx"
    if owner != str(user_id) or not re.fullmatch(r"\d+-[\w-]+", token) or not path.is_file():
        raise NotFound("No such annotated workbook.")
    return path
