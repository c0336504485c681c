"""Printable labels as PDF: products, locations and batches, 50 mm × 30 mm each.

Pure rendering: label data in, PDF bytes out. Bars and QR modules are vector rectangles
(reportlab's barcode widgets), so they stay sharp at any printer resolution.

Each distinct label is drawn once as a PDF form and placed as often as it is asked for:
a hundred copies cost a hundred references, not a hundred drawings.
"""

import io
import itertools
from dataclasses import dataclass
from datetime import date

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.eanbc import Ean13BarcodeWidget
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from app.core.printing import CJK_FONT

LAYOUTS = ("50x30", "a4")
LABEL_W, LABEL_H = 50 * mm, 30 * mm
MARGIN = 1.5 * mm
# Module width: 0.38 mm when the code fits; a long code gets narrower bars so it still
# fits the label with its quiet zones (10 modules each side for Code 128).
X_MAX = 0.38 * mm
CODE128_QUIET = 10
QR_SIZE = 14 * mm
QR_BORDER = 2  # modules
# A4 sheet: 3 × 9 labels, a cutting gap between columns and rows, centred on the page.
A4_COLUMNS, A4_ROWS = 3, 9
A4_GAP_X, A4_GAP_Y = 5 * mm, 1.5 * mm

FNC1 = "\xf1"  # how reportlab's Code128 spells FNC1: after the start it makes GS1-128
# GS1 character set 82 without the brackets (they delimit AIs in the printed form).
_GS1_LOT_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!\"%&'*+,-./:;<=>?_"
)

LATIN_FONT, LATIN_BOLD = "Helvetica", "Helvetica-Bold"


@dataclass(frozen=True)
class ProductLabel:
    name: str
    sku: str
    spec: str = ""
    ean13: str | None = None  # 13 digits with a valid check digit; None: Code 128 of the SKU
    price: str | None = None  # printed as given, e.g. "¥12.50"


@dataclass(frozen=True)
class LocationLabel:
    warehouse_code: str
    code: str
    name: str = ""
    warehouse_name: str = ""

    @property
    def text(self) -> str:
        """What /scan/resolve reads as this location."""
        return f"{self.warehouse_code}/{self.code}"


@dataclass(frozen=True)
class BatchLabel:
    product_name: str
    sku: str
    number: str
    expiry: date | None = None
    gtin: str | None = None  # GTIN-14 of the product; None: no GS1 label possible


def gs1_lot_ok(number: str) -> bool:
    """Can this batch number travel as AI (10)? At most 20 characters of GS1's set."""
    return 0 < len(number) <= 20 and set(number) <= _GS1_LOT_CHARS


def gs1_fields(label: BatchLabel) -> list[tuple[str, str]] | None:
    """The (AI, value) pairs of a batch label, or None when it cannot be a GS1 label.

    Fixed-length fields go first and the lot last, so no separator is ever needed.
    """
    if label.gtin is None or not gs1_lot_ok(label.number):
        return None
    pairs = [("01", label.gtin)]
    if label.expiry is not None:
        pairs.append(("17", label.expiry.strftime("%y%m%d")))
    pairs.append(("10", label.number))
    return pairs


# --- drawing helpers ----------------------------------------------------------------------


def _font(text: str, latin: str = LATIN_FONT) -> str:
    """Helvetica knows WinAnsi only: Chinese or full-width signs need STSong."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return CJK_FONT
    return latin


def fit_text(text: str, font: str, size: float, width: float, min_size: float = 5):
    """(text, size) that fits `width`: shrink down to min_size, then cut with an ellipsis."""
    measure = pdfmetrics.stringWidth
    while size > min_size and measure(text, font, size) > width:
        size = max(min_size, size - 0.5)
    if measure(text, font, size) <= width:
        return text, size
    while text and measure(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…", size


def _text(c: Canvas, text: str, x: float, y: float, width: float, size: float, **kw) -> None:
    """One line at baseline y within [x, x + width]: left, right or centre aligned."""
    if not text:
        return
    font = _font(text, LATIN_BOLD if kw.get("bold") else LATIN_FONT)
    text, size = fit_text(text, font, size, width, kw.get("min_size", 5))
    c.setFont(font, size)
    if kw.get("align") == "right":
        c.drawRightString(x + width, y, text)
    elif kw.get("align") == "centre":
        c.drawCentredString(x + width / 2, y, text)
    else:
        c.drawString(x, y, text)


def _code128(c: Canvas, value: str, x: float, y: float, width: float, height: float) -> float:
    """Code 128 centred in [x, x + width] with its quiet zones; returns the module width."""
    modules = Code128(value, barWidth=1, quiet=0).width
    bar = min(X_MAX, width / (modules + 2 * CODE128_QUIET))
    symbol = Code128(value, barWidth=bar, barHeight=height, quiet=0)
    symbol.drawOn(c, x + (width - modules * bar) / 2, y)
    return bar


def _ean13(c: Canvas, digits: str, x: float, y: float, width: float, height: float) -> None:
    """EAN-13 with its digits, centred with quiet zones of 11 and 7 modules as GS1 asks."""
    bar = min(X_MAX, width / 113)
    # The widget's own quiet-zone settings refuse lengths, so it draws none and the
    # zones are left here; its first digit sits in the left zone as usual.
    widget = Ean13BarcodeWidget(
        digits[:12],  # the widget appends the check digit itself
        barWidth=bar,
        barHeight=height,
        fontName=LATIN_FONT,
        fontSize=7,
        quiet=0,
    )
    drawing = Drawing(widget.width, height)
    drawing.add(widget)
    renderPDF.draw(drawing, c, x + (width - 113 * bar) / 2 + 11 * bar, y)


def _qr(c: Canvas, text: str, x: float, y: float, size: float) -> None:
    """A QR code in a size × size square, its modules one filled vector path.

    reportlab encodes it; drawing the modules straight onto the canvas is ~10× faster than
    its widget's one-shape-per-run drawing, and one path leaves no seams between rows.
    """
    # Level M survives a scuffed label; the label's white margin adds to the 2-module border.
    qr = QrCodeWidget(text, barLevel="M").qr
    qr.make()
    box = size / (qr.getModuleCount() + 2 * QR_BORDER)
    path = c.beginPath()
    for row_no, row in enumerate(qr.modules):
        top = y + size - (row_no + QR_BORDER) * box
        col = QR_BORDER
        for dark, run in itertools.groupby(bool(m) for m in row):
            count = len(list(run))
            if dark:
                path.rect(x + col * box, top - box, count * box, box)
            col += count
    c.drawPath(path, stroke=0, fill=1)


# --- the three labels (drawn in the label's own frame: 0..LABEL_W × 0..LABEL_H) -----------

_INNER_W = LABEL_W - 2 * MARGIN
_BESIDE_QR_W = _INNER_W - QR_SIZE - 1 * mm


def _draw_product(c: Canvas, label: ProductLabel) -> None:
    _text(c, label.name, MARGIN, 25.6 * mm, _INNER_W, 9, min_size=6)
    price_w = 0
    if label.price:
        _text(c, label.price, MARGIN, 21.8 * mm, _INNER_W, 9, bold=True, align="right")
        price_w = pdfmetrics.stringWidth(label.price, _font(label.price, LATIN_BOLD), 9) + 2 * mm
    _text(c, label.sku, MARGIN, 21.8 * mm, _INNER_W - price_w, 7)
    _text(c, label.spec, MARGIN, 18.6 * mm, _INNER_W, 6.5)
    if label.ean13:
        _ean13(c, label.ean13, MARGIN, MARGIN, _INNER_W, 15 * mm)
    else:
        # The SKU is printed above; /scan/resolve finds the product by it.
        _code128(c, label.sku, MARGIN, MARGIN + 0.5 * mm, _INNER_W, 14 * mm)


def _draw_location(c: Canvas, label: LocationLabel) -> None:
    _qr(c, label.text, LABEL_W - MARGIN - QR_SIZE, LABEL_H - MARGIN - QR_SIZE, QR_SIZE)
    _text(c, label.code, MARGIN, 23.5 * mm, _BESIDE_QR_W, 14, bold=True, min_size=7)
    _text(c, label.name, MARGIN, 19.8 * mm, _BESIDE_QR_W, 7)
    warehouse = f"{label.warehouse_code} {label.warehouse_name}".strip()
    _text(c, warehouse, MARGIN, 16.3 * mm, _BESIDE_QR_W, 7)
    _code128(c, label.text, MARGIN, MARGIN, _INNER_W, 11.5 * mm)


def _draw_batch(c: Canvas, label: BatchLabel) -> None:
    pairs = gs1_fields(label)
    if pairs is not None:
        bars = FNC1 + "".join(ai + value for ai, value in pairs)
        printed = "".join(f"({ai}){value}" for ai, value in pairs)
    else:
        # No GTIN (or a lot GS1 cannot carry): no GS1 label. The bars carry the SKU, which
        # /scan/resolve knows; the batch number is printed for the eye.
        bars = printed = label.sku
    # The QR carries the same, bracketed, for phone cameras: the 1D symbol of three GS1
    # fields needs narrow bars to fit 50 mm, and /scan/resolve reads the bracketed form too.
    _qr(c, printed, LABEL_W - MARGIN - QR_SIZE, LABEL_H - MARGIN - QR_SIZE, QR_SIZE)
    _text(c, label.product_name, MARGIN, 25.3 * mm, _BESIDE_QR_W, 8, min_size=5.5)
    _text(c, f"批号 {label.number}", MARGIN, 21.3 * mm, _BESIDE_QR_W, 7.5)
    if label.expiry is not None:
        _text(c, f"有效期至 {label.expiry.isoformat()}", MARGIN, 17.8 * mm, _BESIDE_QR_W, 7)
    _code128(c, bars, MARGIN, 3.6 * mm, _INNER_W, 9.4 * mm)
    _text(c, printed, MARGIN, MARGIN, _INNER_W, 5.5, min_size=4, align="centre")


_DRAW = {ProductLabel: _draw_product, LocationLabel: _draw_location, BatchLabel: _draw_batch}


# --- the document -------------------------------------------------------------------------


def _a4_slots():
    """Lower-left corners of the labels on an A4 sheet, row by row from the top."""
    page_w, page_h = A4
    grid_w = A4_COLUMNS * LABEL_W + (A4_COLUMNS - 1) * A4_GAP_X
    grid_h = A4_ROWS * LABEL_H + (A4_ROWS - 1) * A4_GAP_Y
    left, top = (page_w - grid_w) / 2, page_h - (page_h - grid_h) / 2
    return [
        (left + col * (LABEL_W + A4_GAP_X), top - (row + 1) * LABEL_H - row * A4_GAP_Y)
        for row in range(A4_ROWS)
        for col in range(A4_COLUMNS)
    ]


def render(labels: list, layout: str = "50x30", *, copies: int = 1, title: str = "Labels") -> bytes:
    """A PDF of `labels`, each `copies` times in a row: one per page, or 27 to an A4 sheet."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}")
    buffer = io.BytesIO()
    pagesize = A4 if layout == "a4" else (LABEL_W, LABEL_H)
    c = Canvas(buffer, pagesize=pagesize, pageCompression=1)
    c.setTitle(title)
    c.setCreator("JXC")

    forms: dict = {}
    for label in labels:
        if label not in forms:
            forms[label] = name = f"label{len(forms)}"
            c.beginForm(name, 0, 0, LABEL_W, LABEL_H)
            _DRAW[type(label)](c, label)
            c.endForm()
    sequence = [forms[label] for label in labels for _ in range(copies)]

    slots = _a4_slots() if layout == "a4" else [(0, 0)]
    for start in range(0, len(sequence), len(slots)):
        for (x, y), name in zip(slots, sequence[start : start + len(slots)], strict=False):
            c.saveState()
            c.translate(x, y)
            if layout == "a4":
                # A hairline frame to cut along; light enough to read as white to a scanner.
                c.setStrokeGray(0.8)
                c.setLineWidth(0.2)
                c.rect(0, 0, LABEL_W, LABEL_H, stroke=1, fill=0)
            c.doForm(name)
            c.restoreState()
        c.showPage()
    c.save()
    return buffer.getvalue()
