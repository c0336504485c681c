"""Returning goods to the supplier against a receipt (采购退货).

A return is a stock-out posted through the ledger (a stock document OUT-…, with its own
return number PR-…), from the very batch and location the receipt put the goods in, at
the receipt's cost rather than today's average: what comes back out of the valuation is
what went in. The order is locked first, so two returns of the same receipt line queue
and the second is checked against what the first sent back. A return does not reopen the
order: its received quantity stays, and the receipt line counts what went back.
"""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import select

from app.core.db import utcnow
from app.core.errors import Conflict, NotFound, ValidationProblem
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
    PurchaseReturn,
    PurchaseReturnLine,
)
from app.trade.lines import plain


class OverReturn(Conflict):
    type = "over-return"

    def __init__(self, receipt, line: PurchaseReceiptLine, product: dict, index: int, requested):
        received, returned = plain(line.base_qty), plain(line.returned_base_qty)
        requested = plain(requested)
        super().__init__(
            f"{receipt.number} ({product['sku']} {product['name']}): received {received}, "
            f"already returned {returned}, requested {requested} {product['unit']}.",
            errors={f"lines.{index}.qty": ["more than is left to return of this receipt line"]},
            line=index + 1,
            receipt_line_id=line.id,
            product=product,
            unit=product["unit"],
            received=received,
            returned=returned,
            requested=requested,
        )


def return_goods(receipt_id: int, data: dict) -> dict:
    """Check and post a return against a receipt; returns it."""

    def work():
        order = services.locked_order(_order_id(receipt_id))
        receipt = db.session.scalar(  # its lines' returned quantities, read under the lock
            select(PurchaseReceipt)
            .where(PurchaseReceipt.id == receipt_id)
            .execution_options(populate_existing=True)
        )
        leaving = _checked_lines(receipt, order, data["lines"])
        _check_quantities(receipt, leaving)
        reason, note = (data.get("reason") or "").strip(), (data.get("note") or "").strip()
        sent_back = PurchaseReturn(
            number=next_number("PR"),
            receipt_id=receipt.id,
            order_id=order.id,
            user_id=current_user.id,
            returned_at=utcnow(),
            reason=reason,
            note=note,
        )
        db.session.add(sent_back)
        db.session.flush()  # its id names the stock document's source
        sent_back.document_id = ledger.post(
            "out",
            order.warehouse_id,
            [stock_line for _, _, stock_line in leaving],
            user_id=current_user.id,
            source=("purchase_return", sent_back.id),
            note=" ".join(filter(None, (sent_back.number, reason, note))),
            allow_expired=True,  # an expired batch is just what goes back to its supplier
        )
        _record(sent_back, leaving)
        db.session.flush()
        return return_detail(sent_back)

    return run_transaction(work)


def _order_id(receipt_id: int) -> int:
    """The receipt's order, if the caller may see it (warehouse-scoped staff: theirs)."""
    found = db.session.scalar(
        select(PurchaseReceipt.order_id).where(
            PurchaseReceipt.id == receipt_id,
            PurchaseReceipt.order_id.in_(
                services.order_query().with_only_columns(PurchaseOrder.id)
            ),
        )
    )
    if found is None:
        raise NotFound(f"No purchase receipt with id {receipt_id}.")
    return found


def _checked_lines(receipt, order, rows: Sequence[dict]):
    """(request index, receipt line, ledger line) per row, or a 422 naming every bad field."""
    warehouse = db.session.get(Warehouse, order.warehouse_id)
    by_id = {line.id: line for line in receipt.lines}
    order_lines = {line.id: line for line in order.lines}
    errors: dict[str, list[str]] = {}
    leaving = []
    for index, row in enumerate(rows):
        problems: dict[str, list[str]] = {}
        line = by_id.get(row["receipt_line_id"])
        if line is None:
            problems["receipt_line_id"] = [f"{receipt.number} has no line {row['receipt_line_id']}"]
        else:
            stock_line = _stock_line(line, order_lines[line.order_line_id], warehouse, row,
                                     problems)  # fmt: skip
            if stock_line is not None and not problems:
                leaving.append((index, line, stock_line))
        for field, reasons in problems.items():
            errors[f"lines.{index}.{field}"] = reasons
    if errors:
        raise ValidationProblem(errors)
    return leaving


def _stock_line(line: PurchaseReceiptLine, order_line: PurchaseOrderLine, warehouse, row,
                problems):  # fmt: skip
    """The ledger line that takes the goods back out of where the receipt put them."""
    received = db.session.get(StockDocumentLine, line.document_line_id)
    batch = db.session.get(Batch, received.batch_id) if received.batch_id else None
    stock_row = {
        "product_id": order_line.product_id,
        "qty": row["qty"],
        "unit": row.get("unit") or line.unit,
        "batch": batch.number if batch else None,
        "location_id": received.location_id,
    }
    stock_line = movements.stock_line("out", stock_row, warehouse, None, problems)
    if "product_id" in problems:
        problems["receipt_line_id"] = problems.pop("product_id")
    if "location_id" in problems:  # archived since: the goods are still there
        problems.pop("location_id")
        if stock_line is not None:
            stock_line.location_id = received.location_id
    if stock_line is not None:
        stock_line.unit_cost = received.unit_cost
    return stock_line


def _check_quantities(receipt, leaving) -> None:
    """Refuse (409) a line that would send back more than its receipt line brought in,
    less what earlier returns already sent back."""
    asked: dict[int, Decimal] = defaultdict(Decimal)
    order_lines = {line.id: line for line in db.session.get(PurchaseOrder, receipt.order_id).lines}
    products = product_refs({order_lines[line.order_line_id].product_id for _, line, _ in leaving})
    for index, line, stock_line in leaving:
        asked[line.id] += stock_line.qty
        if line.returned_base_qty + asked[line.id] > line.base_qty:
            product = products[order_lines[line.order_line_id].product_id]
            raise OverReturn(receipt, line, product, index, asked[line.id])


def _record(sent_back: PurchaseReturn, leaving) -> None:
    document_lines = db.session.scalars(
        select(StockDocumentLine.id)
        .where(StockDocumentLine.document_id == sent_back.document_id)
        .order_by(StockDocumentLine.line_no)
    ).all()
    for (_, line, stock_line), document_line_id in zip(leaving, document_lines, strict=True):
        sent_back.lines.append(
            PurchaseReturnLine(
                receipt_line_id=line.id,
                document_line_id=document_line_id,
                unit=stock_line.unit,
                qty=stock_line.entered_qty,
                base_qty=stock_line.qty,
            )
        )
        line.returned_base_qty += stock_line.qty


# --- reading ---------------------------------------------------------------------------------


def order_returns(order_id: int) -> list[dict]:
    services.get_order(order_id)
    found = db.session.scalars(
        select(PurchaseReturn)
        .where(PurchaseReturn.order_id == order_id)
        .order_by(PurchaseReturn.id)
    )
    return [return_detail(sent_back) for sent_back in found]


def return_detail(sent_back: PurchaseReturn) -> dict:
    document = db.session.get(StockDocument, sent_back.document_id)
    receipt = db.session.get(PurchaseReceipt, sent_back.receipt_id)
    order = db.session.get(PurchaseOrder, sent_back.order_id)
    stock_lines = {line.id: line for line in document.lines}
    receipt_lines = {line.id: line for line in receipt.lines}
    order_lines = {line.id: line for line in order.lines}
    products = product_refs({line.product_id for line in order.lines})
    lines = []
    for line in sent_back.lines:
        stock_line = stock_lines[line.document_line_id]
        receipt_line = receipt_lines[line.receipt_line_id]
        lines.append(
            {
                "id": line.id,
                "receipt_line_id": line.receipt_line_id,
                "po_line_id": receipt_line.order_line_id,
                "product": products[order_lines[receipt_line.order_line_id].product_id],
                "unit": line.unit,
                "qty": line.qty,
                "base_qty": line.base_qty,
                "unit_cost": stock_line.unit_cost,
                "batch": batch_ref(_get(Batch, stock_line.batch_id)),
                "location": location_ref(_get(Location, stock_line.location_id)),
                "received_base_qty": receipt_line.base_qty,
                "returned_base_qty": receipt_line.returned_base_qty,
            }
        )
    return {
        "id": sent_back.id,
        "number": sent_back.number,
        "receipt": {"id": receipt.id, "number": receipt.number},
        "purchase_order": {"id": order.id, "number": order.number},
        "document": {"id": document.id, "number": document.number, "status": document.status},
        "user": user_ref(sent_back.user_id),
        "returned_at": sent_back.returned_at,
        "reason": sent_back.reason,
        "note": sent_back.note,
        "lines": lines,
    }


def _get(model, record_id):
    return None if record_id is None else db.session.get(model, record_id)
