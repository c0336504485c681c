"""Printed business documents — statements now, delivery notes next — as PDF and .xlsx.

A document is a title, a few facts above a table (who, which period), the table, and a
few bold rows below it (opening and closing balances, totals). Pure rendering: data in,
bytes out; the words come in already translated.
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

# Built-in CID font: readers supply the glyphs, so the PDF carries no font file.
CJK_FONT = "STSong-Light"
if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))

MONEY_FORMAT = "#,##0.00"
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class PrintColumn:
    header: str
    width: float = 1  # share of the page width
    numeric: bool = False  # right-aligned, Decimals with thousands separators


@dataclass
class PrintedDocument:
    title: str
    company: str
    columns: list[PrintColumn]
    rows: list[list] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value) above
    summary: list[list] = field(default_factory=list)  # bold rows below the table
    footer: str = ""
    signatures: list[str] = field(default_factory=list)  # a box to sign in for each


def _text(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


# --- PDF -------------------------------------------------------------------------------------


def to_pdf(doc: PrintedDocument) -> bytes:
    buffer = io.BytesIO()
    page = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=doc.title,
        author=doc.company,
    )
    title = ParagraphStyle("title", fontName=CJK_FONT, fontSize=16, leading=20, alignment=1)
    small = ParagraphStyle("small", fontName=CJK_FONT, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", fontName=CJK_FONT, fontSize=8.5, leading=10.5)
    number = ParagraphStyle("number", parent=cell, alignment=2)

    story = [
        Paragraph(_escape(doc.company), small),
        Paragraph(_escape(doc.title), title),
        Spacer(1, 4 * mm),
    ]
    for label, value in doc.facts:
        story.append(Paragraph(f"{_escape(label)}：{_escape(value)}", small))
    story.append(Spacer(1, 4 * mm))

    def row_cells(row, bold=False):
        cells = []
        for column, value in zip(doc.columns, row, strict=True):
            text = _escape(_text(value))
            cells.append(Paragraph(f"<b>{text}</b>" if bold else text,
                                   number if column.numeric else cell))  # fmt: skip
        return cells

    header = [Paragraph(f"<b>{_escape(c.header)}</b>", cell) for c in doc.columns]
    body = [row_cells(row) for row in doc.rows]
    summary = [row_cells(row, bold=True) for row in doc.summary]
    share = page.width / sum(c.width for c in doc.columns)
    table = Table(
        [header, *body, *summary],
        colWidths=[c.width * share for c in doc.columns],
        repeatRows=1,
    )
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if summary:
        style.append(("BACKGROUND", (0, -len(summary)), (-1, -1), colors.HexColor("#f7f8fa")))
    table.setStyle(TableStyle(style))
    story.append(table)
    if doc.footer:
        story += [Spacer(1, 6 * mm), Paragraph(_escape(doc.footer), small)]
    if doc.signatures:
        story += [Spacer(1, 8 * mm), _signature_boxes(doc.signatures, page.width, small)]
    page.build(story)
    return buffer.getvalue()


def _signature_boxes(labels: list[str], width: float, style: ParagraphStyle) -> Table:
    """One box per label, side by side, tall enough to sign and date in."""
    boxes = Table(
        [[Paragraph(_escape(label), style) for label in labels]],
        colWidths=[width / len(labels)] * len(labels),
        rowHeights=[24 * mm],
    )
    boxes.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, colors.black),
                               ("INNERGRID", (0, 0), (-1, -1), 0.6, colors.black),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))  # fmt: skip
    return boxes


def _escape(text: str) -> str:
    """Paragraphs read a little markup; user text must not be taken for it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- .xlsx -----------------------------------------------------------------------------------


def to_xlsx(doc: PrintedDocument, sheet_title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]  # Excel's limit
    sheet.append([doc.company])
    sheet.append([doc.title])
    sheet["A2"].font = Font(bold=True, size=14)
    for label, value in doc.facts:
        sheet.append([label, value])
    sheet.append([])
    header_row = sheet.max_row + 1
    sheet.append([c.header for c in doc.columns])
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in doc.rows:
        _append(sheet, doc.columns, row)
    for row in doc.summary:
        for cell in _append(sheet, doc.columns, row):
            cell.font = Font(bold=True)
    for index, column in enumerate(doc.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, 10 * column.width)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    if doc.footer:
        sheet.append([])
        sheet.append([doc.footer])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append(sheet, columns: list[PrintColumn], row: list):
    # Money goes in as numbers a spreadsheet can sum; text stays text (leading zeros).
    sheet.append([float(v) if isinstance(v, Decimal) else _text(v) for v in row])
    cells = sheet[sheet.max_row]
    for column, cell in zip(columns, cells, strict=False):
        if column.numeric:
            cell.number_format = MONEY_FORMAT
            cell.alignment = Alignment(horizontal="right")
    return cells


def download(doc: PrintedDocument, fmt: str, name: str) -> Response:
    """The document as a response: a PDF opens in the browser, a workbook downloads."""
    body = to_pdf(doc) if fmt == "pdf" else to_xlsx(doc, doc.title)
    response = Response(body, mimetype=MEDIA_TYPES[fmt])
    disposition = "inline" if fmt == "pdf" else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}.{fmt}"'
    return response
