"""Customer invoices from shipments, and receipts of money applied to them (应收).

An invoice bills what an order's shipments sent and nobody has billed yet, less what
came back before billing, each shipment line once at its order line's price terms; it is
due `credit_days` after its date. A receipt is allocated to posted invoices, never beyond
an invoice's open amount; what is not allocated is a prepayment. Every write locks the
customer row first, so one customer's invoices, receipts and returns queue.
"""

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import select

from app.core.db import utcnow
from app.core.errors import Conflict, NotFound, ValidationProblem
from app.core.numbering import next_number
from app.core.transactions import run_transaction
from app.extensions import db
from app.finance import allocations
from app.inventory.refs import product_refs, user_ref
from app.partners.models import Customer
from app.sales import services
from app.sales.models import (
    CustomerInvoice,
    CustomerInvoiceLine,
    CustomerReceipt,
    CustomerReceiptAllocation,
    SalesOrder,
    Shipment,
    ShipmentLine,
)
from app.trade.lines import QTY_PLACES, ZERO, line_amounts, order_totals


def locked_customer(customer_id: int, errors: dict | None = None) -> Customer | None:
    """The customer row, locked for this transaction: its money documents queue on it."""
    customer = db.session.scalar(
        select(Customer).where(Customer.id == customer_id).with_for_update()
    )
    if customer is None:
        if errors is None:
            raise NotFound(f"No customer with id {customer_id}.")
        errors["customer_id"] = [f"no customer with id {customer_id}"]
    return customer


def invoiceable(line: ShipmentLine) -> Decimal:
    """Base units of a shipment line not yet invoiced, less what came back before."""
    return max(line.base_qty - line.returned_base_qty - line.invoiced_base_qty, ZERO)


# --- invoices ----------------------------------------------------------------------------------


def invoice_order(order_id: int, data: dict) -> dict:
    """Invoice what the order's shipments (all, or those named) sent and nobody billed."""

    def work():
        order = services.get_order(order_id, lock=True)
        customer = locked_customer(order.customer_id)
        shipments = db.session.scalars(
            select(Shipment)
            .where(Shipment.order_id == order.id)
            .order_by(Shipment.id)
            .execution_options(populate_existing=True)
        ).all()
        wanted = data.get("shipment_ids")
        if wanted:
            unknown = set(wanted) - {s.id for s in shipments}
            if unknown:
                names = ", ".join(map(str, sorted(unknown)))
                raise ValidationProblem(
                    {"shipment_ids": [f"{order.number} has no shipment {names}"]}
                )
            shipments = [s for s in shipments if s.id in wanted]
        order_lines = {line.id: line for line in order.lines}
        lines = []
        for shipment in shipments:
            for shipment_line in shipment.lines:
                base_qty = invoiceable(shipment_line)
                if base_qty <= 0:
                    continue
                order_line = order_lines[shipment_line.order_line_id]
                qty = (base_qty / order_line.factor).quantize(QTY_PLACES)
                amount, tax, total = line_amounts(
                    qty, order_line.unit_price, order_line.discount, order_line.tax_rate
                )
                lines.append(
                    {
                        "shipment_line_id": shipment_line.id,
                        "order_line_id": order_line.id,
                        "product_id": order_line.product_id,
                        "unit": order_line.unit,
                        "qty": qty,
                        "base_qty": base_qty,
                        "unit_price": order_line.unit_price,
                        "discount": order_line.discount,
                        "tax_rate": order_line.tax_rate,
                        "amount": amount,
                        "tax": tax,
                        "total": total,
                    }
                )
                shipment_line.invoiced_base_qty += base_qty
        if not lines:
            raise Conflict(
                f"Nothing of {order.number} is left to invoice.", type="nothing-to-invoice"
            )
        invoice_date = data.get("invoice_date") or utcnow().date()
        invoice = CustomerInvoice(
            number=next_number("IV"),
            customer_id=customer.id,
            order_id=order.id,
            invoice_date=invoice_date,
            due_date=invoice_date + timedelta(days=customer.credit_days),
            state="posted",
            note=(data.get("note") or "").strip(),
            paid=ZERO,
            credited=ZERO,
            created_by_id=current_user.id,
            lines=[CustomerInvoiceLine(line_no=n, **line) for n, line in enumerate(lines, 1)],
        )
        invoice.amount, invoice.tax, invoice.total = order_totals(lines)
        db.session.add(invoice)
        db.session.flush()
        services.record_event(
            order,
            "invoiced",
            data={
                "invoice": {"id": invoice.id, "number": invoice.number},
                "total": str(invoice.total),
            },
        )
        complete_if_done(order)
        db.session.flush()
        return invoice_detail(invoice)

    return run_transaction(work)


def complete_if_done(order: SalesOrder) -> None:
    """A shipped order whose shipments are all invoiced (or came back) is completed."""
    if order.state != "shipped":
        return
    left = db.session.scalars(
        select(ShipmentLine)
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.order_id == order.id)
    ).all()
    if all(invoiceable(line) <= 0 for line in left):
        services.set_state(order, "completed")


def invoice_query(args: dict | None = None):
    args = args or {}
    stmt = select(CustomerInvoice)
    for field in ("state", "customer_id", "order_id"):
        if args.get(field) is not None:
            stmt = stmt.where(getattr(CustomerInvoice, field) == args[field])
    if args.get("overdue"):
        stmt = stmt.where(CustomerInvoice.overdue_on(utcnow().date()))
    return stmt


def get_invoice(invoice_id: int) -> CustomerInvoice:
    invoice = db.session.get(CustomerInvoice, invoice_id)
    if invoice is None:
        raise NotFound(f"No customer invoice with id {invoice_id}.")
    return invoice


def invoice_summary(invoice: CustomerInvoice) -> dict:
    customer = db.session.get(Customer, invoice.customer_id)
    order = db.session.get(SalesOrder, invoice.order_id)
    today = utcnow().date()
    return {
        "id": invoice.id,
        "number": invoice.number,
        "customer": {"id": customer.id, "code": customer.code, "name": customer.name},
        "order": {"id": order.id, "number": order.number},
        "invoice_date": invoice.invoice_date,
        "due_date": invoice.due_date,
        "state": invoice.state,
        "note": invoice.note,
        "totals": {"amount": invoice.amount, "tax": invoice.tax, "total": invoice.total},
        "paid": invoice.paid,
        "credited": invoice.credited,
        "open": invoice.open_amount,
        "days_overdue": max((today - invoice.due_date).days, 0) if invoice.open_amount > 0 else 0,
        "created_by": user_ref(invoice.created_by_id),
        "created_at": invoice.created_at,
    }


def invoice_detail(invoice: CustomerInvoice) -> dict:
    products = product_refs({line.product_id for line in invoice.lines})
    return {
        **invoice_summary(invoice),
        "lines": [
            {
                "id": line.id,
                "line_no": line.line_no,
                "shipment_line_id": line.shipment_line_id,
                "so_line_id": line.order_line_id,
                "product": products[line.product_id],
                "unit": line.unit,
                "qty": line.qty,
                "base_qty": line.base_qty,
                "unit_price": line.unit_price,
                "discount": line.discount,
                "tax_rate": line.tax_rate,
                "amount": line.amount,
                "tax": line.tax,
                "total": line.total,
            }
            for line in invoice.lines
        ],
    }


# --- receipts ----------------------------------------------------------------------------------


def receipt_query(args: dict | None = None):
    args = args or {}
    stmt = select(CustomerReceipt)
    for field in ("customer_id", "method"):
        if args.get(field) is not None:
            stmt = stmt.where(getattr(CustomerReceipt, field) == args[field])
    return stmt


def get_receipt(receipt_id: int) -> CustomerReceipt:
    receipt = db.session.get(CustomerReceipt, receipt_id)
    if receipt is None:
        raise NotFound(f"No customer receipt with id {receipt_id}.")
    return receipt


def receipt_detail(receipt: CustomerReceipt) -> dict:
    invoices = {
        invoice.id: invoice
        for invoice in db.session.scalars(
            select(CustomerInvoice).where(
                CustomerInvoice.id.in_({a.invoice_id for a in receipt.allocations})
            )
        )
    }
    customer = db.session.get(Customer, receipt.customer_id)
    return {
        "id": receipt.id,
        "number": receipt.number,
        "customer": {"id": customer.id, "code": customer.code, "name": customer.name},
        "received_on": receipt.received_on,
        "amount": receipt.amount,
        "allocated": receipt.allocated,
        "unallocated": receipt.amount - receipt.allocated,
        "method": receipt.method,
        "account": receipt.account,
        "reference": receipt.reference,
        "note": receipt.note,
        "created_by": user_ref(receipt.created_by_id),
        "created_at": receipt.created_at,
        "allocations": [
            {
                "id": allocation.id,
                "invoice": {
                    "id": allocation.invoice_id,
                    "number": invoices[allocation.invoice_id].number,
                },
                "amount": allocation.amount,
                "allocated_at": allocation.allocated_at,
            }
            for allocation in receipt.allocations
        ],
    }


def create_receipt(data: dict) -> dict:
    """Record money received, numbered RC-<year>-<n>, and apply it to the invoices named."""

    def work():
        errors: dict[str, list[str]] = {}
        customer = locked_customer(data["customer_id"], errors)
        if errors:
            raise ValidationProblem(errors)
        fitting = _checked_allocations(customer.id, data["amount"], data["allocations"])
        receipt = CustomerReceipt(
            number=next_number("RC"),
            customer_id=customer.id,
            received_on=data["received_on"],
            amount=data["amount"],
            allocated=ZERO,
            method=data["method"],
            account=data["account"].strip(),
            reference=data["reference"].strip(),
            note=data["note"].strip(),
            created_by_id=current_user.id,
        )
        db.session.add(receipt)
        db.session.flush()
        _apply(receipt, fitting)
        return receipt_detail(receipt)

    return run_transaction(work)


def allocate_receipt(receipt_id: int, data: dict) -> dict:
    """Apply what is left of a receipt (a prepayment) to posted invoices."""

    def work():
        customer_id = get_receipt(receipt_id).customer_id
        locked_customer(customer_id)
        receipt = db.session.scalar(
            select(CustomerReceipt)
            .where(CustomerReceipt.id == receipt_id)
            .execution_options(populate_existing=True)
        )
        fitting = _checked_allocations(
            customer_id, receipt.amount - receipt.allocated, data["allocations"]
        )
        _apply(receipt, fitting)
        return receipt_detail(receipt)

    return run_transaction(work)


def _checked_allocations(customer_id: int, available: Decimal, rows: Sequence[dict]):
    invoices = {
        invoice.id: invoice
        for invoice in db.session.scalars(
            select(CustomerInvoice)
            .where(CustomerInvoice.id.in_({row["invoice_id"] for row in rows}))
            .execution_options(populate_existing=True)
        )
    }
    return allocations.checked(
        rows,
        invoices,
        key="invoice_id",
        owner=lambda invoice: invoice.customer_id,
        owner_id=customer_id,
        available=available,
        what="invoice",
    )


def _apply(receipt: CustomerReceipt, fitting) -> None:
    def make(invoice, amount, at, user_id):
        return CustomerReceiptAllocation(
            invoice_id=invoice.id, amount=amount, allocated_at=at, user_id=user_id
        )

    allocations.apply(receipt, fitting, make, user_id=current_user.id)
    for invoice, amount in fitting:  # the order's story shows the money coming in
        order = db.session.get(SalesOrder, invoice.order_id)
        services.record_event(
            order,
            "paid",
            data={
                "receipt": {"id": receipt.id, "number": receipt.number},
                "invoice": {"id": invoice.id, "number": invoice.number},
                "amount": str(amount),
            },
        )
    db.session.flush()
