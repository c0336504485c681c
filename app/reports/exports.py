"""A report as a file: .xlsx (title, filters, header, rows, a bold totals row) or .csv
(header, rows, totals). Pure rendering: the rows come in already filtered and trimmed to
what the caller may see."""

import csv
import io
from datetime import datetime
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.core.db import utcnow
from app.reports.registry import Column, ReportResult

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
NUMBER_FORMATS = {
    "qty": "#,##0.000",
    "money": "#,##0.00",
    "unit_cost": "#,##0.000000",
    "datetime": "yyyy-mm-dd hh:mm:ss",
    "date": "yyyy-mm-dd",
    "times": "0.00",
    "ratio": "0.0000",
}
TOTAL_LABEL = {"zh-CN": "合计", "en": "Total"}


def file_columns(result: ReportResult) -> list[Column]:
    """Ids are for programs; a file shows codes and names."""
    return [c for c in result.columns if c.kind != "id"]


def header(column: Column, lang: str) -> str:
    text = column.header(lang)
    return f"{text} (UTC)" if column.kind == "datetime" else text


def value_at(item: dict, column: Column):
    value = item
    for part in column.key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _totals_row(result: ReportResult, columns: list[Column], lang: str) -> list:
    row = [value_at(result.totals, c) if c.in_totals else None for c in columns]
    row[0] = TOTAL_LABEL[lang]
    return row


def _xlsx_cell(value):
    if isinstance(value, bool):
        return "Y" if value else "N"  # reads the same in every spreadsheet locale
    if isinstance(value, Decimal):
        return float(value)  # a number a spreadsheet can sum
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones; the header says UTC
    return value


def to_xlsx(result: ReportResult, lang: str) -> bytes:
    columns = file_columns(result)
    book = Workbook()
    sheet = book.active
    sheet.title = result.report.name[:31]
    sheet.append([result.report.title(lang)])
    sheet["A1"].font = Font(bold=True, size=14)
    for zh, en, value in result.facts:
        sheet.append([zh if lang == "zh-CN" else en, value])
    sheet.append([])
    sheet.append([header(c, lang) for c in columns])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    rows = [[value_at(item, c) for c in columns] for item in result.items]
    for row in [*rows, _totals_row(result, columns, lang)]:
        sheet.append([_xlsx_cell(v) for v in row])
        for column, cell in zip(columns, sheet[sheet.max_row], strict=True):
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        width = max(12, len(header(column, lang)) * 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv_cell(value):
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else str(value)


def to_csv(result: ReportResult, lang: str) -> bytes:
    columns = file_columns(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header(c, lang) for c in columns])
    for item in result.items:
        writer.writerow([_csv_cell(value_at(item, c)) for c in columns])
    writer.writerow([_csv_cell(v) for v in _totals_row(result, columns, lang)])
    # A BOM so that Excel opens the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def download(result: ReportResult, fmt: str, lang: str) -> Response:
    body = to_xlsx(result, lang) if fmt == "xlsx" else to_csv(result, lang)
    response = Response(body, mimetype=MEDIA_TYPES[fmt].split(";")[0])
    response.headers["Content-Type"] = MEDIA_TYPES[fmt]
    filename = f"{result.report.name}-{utcnow():%Y%m%d}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
