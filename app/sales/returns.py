"""Goods a customer sends back against a shipment (销售退货).

Restocked, they come in through the ledger (IN-…, with the return's own number SR-…)
into the warehouse chosen, at the cost they left with, so the valuation gets back exactly
what it gave. Damaged, they are written off: nothing comes back into stock. Either way
the customer owes less: goods not yet invoiced are simply no longer invoiceable; goods
already invoiced earn a credit note (CN-…) at the invoice's price and tax that reduces
that invoice. The order is locked first, so two returns of one shipment line queue.
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
from app.inventory.models import Batch, LedgerEntry, StockDocument, Warehouse
from app.inventory.refs import product_refs, user_ref, warehouse_ref
from app.sales import invoicing, services
from app.sales.models import (
    CustomerInvoice,
    CustomerInvoiceLine,
    SalesOrderLine,
    SalesReturn,
    SalesReturnLine,
    Shipment,
    ShipmentLine,
)
from app.trade.lines import ZERO, cents, line_amounts, plain


class OverReturn(Conflict):
    type = "over-return"

    def __init__(
        self, shipment: Shipment, line: ShipmentLine, product: dict, index: int, requested: Decimal
    ):
        shipped, returned = plain(line.base_qty), plain(line.returned_base_qty)
        super().__init__(
            f"{shipment.number} ({product['sku']} {product['name']}): shipped {shipped}, "
            f"already returned {returned}, requested {plain(requested)} {product['unit']}.",
            errors={f"lines.{index}.qty": ["more than is left to return of this shipment line"]},
            line=index + 1,
            shipment_line_id=line.id,
            product=product,
            shipped=shipped,
            returned=returned,
            requested=plain(requested),
        )


def return_goods(shipment_id: int, data: dict) -> dict:
    """Check and post a return against a shipment; returns it."""

    def work():
        found = db.session.get(Shipment, shipment_id)
        if found is None:
            raise NotFound(f"No shipment with id {shipment_id}.")
        order = services.get_order(found.order_id, lock=True)
        invoicing.locked_customer(order.customer_id)
        shipment = db.session.scalar(
            select(Shipment)
            .where(Shipment.id == shipment_id)
            .execution_options(populate_existing=True)
        )
        disposition = data["disposition"]
        warehouse_id = data.get("warehouse_id") or order.warehouse_id
        coming = _checked_lines(shipment, order, warehouse_id, data["lines"])
        _check_quantities(shipment, coming)
        reason, note = data["reason"].strip(), data["note"].strip()
        sent_back = SalesReturn(
            number=next_number("SR"),
            shipment_id=shipment.id,
            order_id=order.id,
            customer_id=order.customer_id,
            warehouse_id=warehouse_id,
            disposition=disposition,
            user_id=current_user.id,
            returned_at=utcnow(),
            reason=reason,
            note=note,
            credit=ZERO,
        )
        db.session.add(sent_back)
        if disposition == "restock":
            sent_back.document_id = ledger.post(
                "in",
                warehouse_id,
                [stock_line for _, _, stock_line in coming],
                user_id=current_user.id,
                source=("sales_order", order.id),
                note=" ".join(filter(None, (sent_back.number, order.number, reason, note))),
            )
        _record(sent_back, order, coming)
        db.session.flush()
        data_ = {
            "return": {"id": sent_back.id, "number": sent_back.number},
            "disposition": disposition,
            "credit": str(sent_back.credit),
        }
        if sent_back.credit_note_number:
            data_["credit_note"] = sent_back.credit_note_number
        services.record_event(order, "returned", note=reason, data=data_)
        db.session.flush()
        return return_detail(sent_back)

    return run_transaction(work)


def _checked_lines(shipment: Shipment, order, warehouse_id: int, rows: Sequence[dict]):
    """(request index, shipment line, ledger line) per row, or a 422 naming every bad field."""
    warehouse = db.session.get(Warehouse, warehouse_id)
    errors: dict[str, list[str]] = {}
    if warehouse is None or not warehouse.active:
        errors["warehouse_id"] = ["no such warehouse"]
    by_id = {line.id: line for line in shipment.lines}
    order_lines = {line.id: line for line in order.lines}
    coming = []
    for index, row in enumerate(rows):
        problems: dict[str, list[str]] = {}
        line = by_id.get(row["shipment_line_id"])
        if line is None:
            problems["shipment_line_id"] = [
                f"{shipment.number} has no line {row['shipment_line_id']}"
            ]
        elif warehouse is not None:
            order_line = order_lines[line.order_line_id]
            stock_row = {
                "product_id": order_line.product_id,
                "qty": row["qty"],
                "unit": row.get("unit") or line.unit,
                "batch": row.get("batch") or _batch_of(line),
                "expiry": row.get("expiry"),
                "location_id": row.get("location_id"),
            }
            stock_line = movements.stock_line("in", stock_row, warehouse, None, problems)
            problems.pop("product_id", None)  # archived since: it still comes back
            if stock_line is not None and not problems:
                # At the cost it left with: what the valuation gave, it gets back.
                stock_line.unit_cost = line.cost / line.base_qty
                coming.append((index, line, stock_line))
        for field, reasons in problems.items():
            errors[f"lines.{index}.{field}"] = reasons
    if errors:
        raise ValidationProblem(errors)
    return coming


def _batch_of(line: ShipmentLine) -> str | None:
    """The batch the line left from, when it left from exactly one."""
    batches = set(
        db.session.scalars(
            select(LedgerEntry.batch_id).where(
                LedgerEntry.document_line_id == line.document_line_id
            )
        )
    )
    if len(batches) != 1 or None in batches:
        return None
    return db.session.get(Batch, batches.pop()).number


def _check_quantities(shipment: Shipment, coming) -> None:
    asked: dict[int, Decimal] = defaultdict(Decimal)
    order_lines = {
        line.id: line
        for line in db.session.scalars(
            select(SalesOrderLine).where(SalesOrderLine.order_id == shipment.order_id)
        )
    }
    products = product_refs({order_lines[line.order_line_id].product_id for _, line, _ in coming})
    for index, line, stock_line in coming:
        asked[line.id] += stock_line.qty
        if line.returned_base_qty + asked[line.id] > line.base_qty:
            product = products[order_lines[line.order_line_id].product_id]
            raise OverReturn(shipment, line, product, index, asked[line.id])


def _record(sent_back: SalesReturn, order, coming) -> None:
    """Return lines with cost, revenue and credit; the credit note on the invoice; what
    the shipment lines count as returned."""
    order_lines = {line.id: line for line in order.lines}
    invoice_lines = {
        row.shipment_line_id: row
        for row in db.session.scalars(
            select(CustomerInvoiceLine).where(
                CustomerInvoiceLine.shipment_line_id.in_([line.id for _, line, _ in coming])
            )
        )
    }
    credit_by_invoice: dict[int, Decimal] = defaultdict(Decimal)
    for _, line, stock_line in coming:
        order_line = order_lines[line.order_line_id]
        qty = stock_line.qty
        # What was not invoiced comes back free; the rest earns credit at the invoice's terms.
        uninvoiced = max(line.base_qty - line.returned_base_qty - line.invoiced_base_qty, ZERO)
        credited_qty = max(qty - uninvoiced, ZERO)
        credit, invoice_id = ZERO, None
        invoiced = invoice_lines.get(line.id)
        if credited_qty > 0 and invoiced is not None:
            in_unit = credited_qty / invoiced.base_qty * invoiced.qty
            credit = line_amounts(
                in_unit, invoiced.unit_price, invoiced.discount, invoiced.tax_rate
            )[2]
            invoice_id = invoiced.invoice_id
            credit_by_invoice[invoice_id] += credit
        sent_back.lines.append(
            SalesReturnLine(
                shipment_line_id=line.id,
                unit=stock_line.unit,
                qty=stock_line.entered_qty,
                base_qty=qty,
                cost=cents(line.cost * qty / line.base_qty),
                revenue=cents(order_line.amount * qty / order_line.base_qty),
                credit=credit,
                invoice_id=invoice_id,
            )
        )
        line.returned_base_qty += qty
        sent_back.credit += credit
    if sent_back.credit > 0:
        sent_back.credit_note_number = next_number("CN")
        for invoice_id, credit in credit_by_invoice.items():
            invoice = db.session.get(CustomerInvoice, invoice_id)
            # Beyond what is open (it was paid), the credit stays on the customer's account.
            invoice.credited += min(credit, max(invoice.open_amount, ZERO))
            if invoice.open_amount <= 0 and invoice.state == "posted":
                invoice.state = "paid"
    invoicing.complete_if_done(order)


# --- reading ---------------------------------------------------------------------------------


def shipment_returns(shipment_id: int) -> list[dict]:
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFound(f"No shipment with id {shipment_id}.")
    services.get_order(shipment.order_id)
    found = db.session.scalars(
        select(SalesReturn).where(SalesReturn.shipment_id == shipment_id).order_by(SalesReturn.id)
    )
    return [return_detail(sent_back) for sent_back in found]


def return_detail(sent_back: SalesReturn) -> dict:
    shipment = db.session.get(Shipment, sent_back.shipment_id)
    shipment_lines = {line.id: line for line in shipment.lines}
    order_lines = {
        line.id: line
        for line in db.session.scalars(
            select(SalesOrderLine).where(SalesOrderLine.order_id == sent_back.order_id)
        )
    }
    products = product_refs({line.product_id for line in order_lines.values()})
    order = services.get_order(sent_back.order_id)
    document = _get(StockDocument, sent_back.document_id)
    return {
        "id": sent_back.id,
        "number": sent_back.number,
        "shipment": {"id": shipment.id, "number": shipment.number},
        "order": {"id": order.id, "number": order.number},
        "warehouse": warehouse_ref(db.session.get(Warehouse, sent_back.warehouse_id)),
        "disposition": sent_back.disposition,
        "document": {"id": document.id, "number": document.number} if document else None,
        "user": user_ref(sent_back.user_id),
        "returned_at": sent_back.returned_at,
        "reason": sent_back.reason,
        "note": sent_back.note,
        "credit_note": sent_back.credit_note_number,
        "credit": sent_back.credit,
        "lines": [
            {
                "id": line.id,
                "shipment_line_id": line.shipment_line_id,
                "product": products[
                    order_lines[shipment_lines[line.shipment_line_id].order_line_id].product_id
                ],
                "unit": line.unit,
                "qty": line.qty,
                "base_qty": line.base_qty,
                "cost": line.cost,
                "revenue": line.revenue,
                "credit": line.credit,
                "invoice_id": line.invoice_id,
            }
            for line in sent_back.lines
        ],
    }


def _get(model, record_id):
    return None if record_id is None else db.session.get(model, record_id)
