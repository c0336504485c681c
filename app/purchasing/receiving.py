"""Receiving goods against a purchase order (收货).

A receipt is a stock-in posted through the ledger (so it is a stock document, numbered
IN-…, with its own receipt number GR-…), at each line's net price per base unit. The
order is locked first: two people receiving the same line at once queue, and the second
is checked against what the first received.
"""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from flask import current_app
from flask_login import current_user
from sqlalchemy import select

from app.catalog.services import find_by_code
from app.core.db import utcnow
from app.core.errors import Conflict, ValidationProblem
from app.core.numbering import next_number
from app.core.transactions import run_transaction
from app.extensions import db
from app.inventory import ledger, movements
from app.inventory.models import Batch, Location, StockDocument, StockDocumentLine, Warehouse
from app.inventory.refs import batch_ref, location_ref, product_refs, user_ref
from app.purchasing import services
from app.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchaseReceiptLine,
)
from app.trade.lines import plain

RECEIVABLE = ("approved", "partially_received")


class OverReceipt(Conflict):
    type = "over-receipt"

    def __init__(self, order, line: PurchaseOrderLine, product: dict, index: int, requested):
        ordered, received = plain(line.base_qty), plain(line.received_base_qty)
        requested = plain(requested)
        super().__init__(
            f"Line {line.line_no} of {order.number} ({product['sku']} {product['name']}): "
            f"ordered {ordered}, already received {received}, requested {requested} "
            f"{product['unit']}.",
            errors={f"lines.{index}.qty": ["more than is still to come on this order line"]},
            line=index + 1,
            po_line_id=line.id,
            product=product,
            unit=product["unit"],
            ordered=ordered,
            received=received,
            requested=requested,
        )


def receive(order_id: int, data: dict) -> dict:
    """Check and post a receipt; returns it with the order as it is afterwards."""

    def work():
        order = services.locked_order(order_id)
        if order.state not in RECEIVABLE:
            raise services.InvalidState(
                order,
                "received",
                f"{order.number} is {order.state}; goods are received only against an "
                "approved order.",
            )
        arriving = _checked_lines(order, data["lines"])
        _check_quantities(order, arriving)
        note = (data.get("note") or "").strip()
        document_id = ledger.post(
            "in",
            order.warehouse_id,
            [stock_line for _, _, stock_line in arriving],
            user_id=current_user.id,
            source=("purchase_order", order.id),
            note=note or order.number,
        )
        receipt = _record(order, document_id, arriving, note)
        db.session.flush()
        return {**receipt_detail(receipt), "purchase_order": services.order_detail(order)}

    return run_transaction(work)


def _checked_lines(order, rows: Sequence[dict]) -> list[tuple[int, PurchaseOrderLine, object]]:
    """(request index, order line, ledger line) per row, or a 422 naming every bad field."""
    warehouse = db.session.get(Warehouse, order.warehouse_id)
    errors: dict[str, list[str]] = {}
    arriving = []
    for index, row in enumerate(rows):
        problems: dict[str, list[str]] = {}
        checked = _checked_line(order, warehouse, row, problems)
        for field, reasons in problems.items():
            errors[f"lines.{index}.{field}"] = reasons
        if checked is not None and not problems:
            arriving.append((index, *checked))
    if errors:
        raise ValidationProblem(errors)
    return arriving


def _checked_line(order, warehouse, row: dict, problems: dict):
    named_by = "po_line_id" if row.get("po_line_id") is not None else "code"
    if named_by == "po_line_id":
        line = next((x for x in order.lines if x.id == row["po_line_id"]), None)
        if line is None:
            problems["po_line_id"] = [f"{order.number} has no line {row['po_line_id']}"]
            return None
        unit = row.get("unit") or line.unit
    else:
        found = find_by_code(row["code"])
        if found is None:
            problems["code"] = [f"no product has the code {row['code']}"]
            return None
        product, code_unit = found
        on_order = [x for x in order.lines if x.product_id == product.id]
        if not on_order:
            problems["code"] = [f"{product.sku} is not on {order.number}"]
            return None
        # The first of its lines with something still to come (a product may be on two).
        line = next((x for x in on_order if services.remaining(x) > 0), on_order[0])
        unit = row.get("unit") or (code_unit.name if code_unit else product.unit)
    # Units, quantity, batch, expiry and location follow the rules of any stock-in.
    stock_row = {
        "product_id": line.product_id,
        "qty": row["qty"],
        "unit": unit,
        "batch": row.get("batch"),
        "expiry": row.get("expiry"),
        "location_id": row.get("location_id"),
    }
    stock_line = movements.stock_line("in", stock_row, warehouse, None, problems)
    if "product_id" in problems:
        problems[named_by] = problems.pop("product_id")
    if stock_line is None:
        return None
    stock_line.unit_cost = services.net_unit_cost(line)
    return line, stock_line


def _check_quantities(order, arriving) -> None:
    """Refuse (409) a line that would take its order line past the ordered quantity
    (plus the RECEIPT_TOLERANCE share, e.g. "0.05" for 5 %)."""
    tolerance = Decimal(str(current_app.config["RECEIPT_TOLERANCE"]))
    asked: dict[int, Decimal] = defaultdict(Decimal)
    products = product_refs({line.product_id for _, line, _ in arriving})
    for index, line, stock_line in arriving:
        asked[line.id] += stock_line.qty
        if line.received_base_qty + asked[line.id] > line.base_qty * (1 + tolerance):
            raise OverReceipt(order, line, products[line.product_id], index, asked[line.id])


def _record(order: PurchaseOrder, document_id: int, arriving, note: str) -> PurchaseReceipt:
    """The receipt rows, the lines' received quantities, on order and the order's state."""
    document_lines = db.session.scalars(
        select(StockDocumentLine.id)
        .where(StockDocumentLine.document_id == document_id)
        .order_by(StockDocumentLine.line_no)
    ).all()
    receipt = PurchaseReceipt(
        number=next_number("GR"),
        order_id=order.id,
        document_id=document_id,
        user_id=current_user.id,
        received_at=utcnow(),
        note=note,
    )
    no_longer_expected = []
    for (_, line, stock_line), document_line_id in zip(arriving, document_lines, strict=True):
        receipt.lines.append(
            PurchaseReceiptLine(
                order_line_id=line.id,
                document_line_id=document_line_id,
                unit=stock_line.unit,
                qty=stock_line.entered_qty,
                base_qty=stock_line.qty,
            )
        )
        no_longer_expected.append((line.product_id, -min(stock_line.qty, services.remaining(line))))
        line.received_base_qty += stock_line.qty
    db.session.add(receipt)
    services.expect(order.warehouse_id, no_longer_expected)
    done = all(services.remaining(line) == 0 for line in order.lines)
    state = "received" if done else "partially_received"
    if state != order.state:
        services.set_state(order, state, note)
    order.updated_at = receipt.received_at  # received quantities changed: a new version
    return receipt


# --- reading ---------------------------------------------------------------------------------


def order_receipts(order_id: int) -> list[dict]:
    services.get_order(order_id)
    receipts = db.session.scalars(
        select(PurchaseReceipt)
        .where(PurchaseReceipt.order_id == order_id)
        .order_by(PurchaseReceipt.id)
    )
    return [receipt_detail(receipt) for receipt in receipts]


def receipt_detail(receipt: PurchaseReceipt) -> dict:
    document = db.session.get(StockDocument, receipt.document_id)
    order = db.session.get(PurchaseOrder, receipt.order_id)
    stock_lines = {line.id: line for line in document.lines}
    order_lines = {line.id: line for line in order.lines}
    products = product_refs({line.product_id for line in order.lines})
    lines = []
    for line in receipt.lines:
        stock_line = stock_lines[line.document_line_id]
        lines.append(
            {
                "id": line.id,
                "po_line_id": line.order_line_id,
                "product": products[order_lines[line.order_line_id].product_id],
                "unit": line.unit,
                "qty": line.qty,
                "base_qty": line.base_qty,
                "returned_base_qty": line.returned_base_qty,
                "unit_cost": stock_line.unit_cost,
                "batch": batch_ref(_get(Batch, stock_line.batch_id)),
                "location": location_ref(_get(Location, stock_line.location_id)),
            }
        )
    return {
        "id": receipt.id,
        "number": receipt.number,
        "order": {"id": order.id, "number": order.number},
        "document": {"id": document.id, "number": document.number, "status": document.status},
        "user": user_ref(receipt.user_id),
        "received_at": receipt.received_at,
        "note": receipt.note,
        "lines": lines,
    }


def _get(model, record_id):
    return None if record_id is None else db.session.get(model, record_id)
