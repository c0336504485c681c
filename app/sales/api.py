from flask import request

from app.core import printing
from app.core.api_docs import ApiBlueprint
from app.core.pagination import list_page
from app.core.schemas import page_of
from app.core.security import requires
from app.sales import documents, invoicing, receivables, returns, services, shipping
from app.sales.models import CustomerInvoice, CustomerReceipt, SalesOrder
from app.sales.schemas import (
    CustomerInvoiceCreateSchema,
    CustomerInvoiceListArgsSchema,
    CustomerInvoiceSchema,
    CustomerInvoiceSummarySchema,
    CustomerReceiptAllocateSchema,
    CustomerReceiptCreateSchema,
    CustomerReceiptListArgsSchema,
    CustomerReceiptSchema,
    CustomerStatementArgsSchema,
    CustomerStatementSchema,
    PickListSchema,
    PrintedCustomerStatementArgsSchema,
    ReceivableAgeingArgsSchema,
    ReceivableAgeingSchema,
    ReceivablesArgsSchema,
    ReceivablesSchema,
    SalesHistorySchema,
    SalesOrderCreateSchema,
    SalesOrderListArgsSchema,
    SalesOrderSchema,
    SalesOrderSummarySchema,
    SalesOrderUpdateSchema,
    SalesPrintArgsSchema,
    SalesReturnCreateSchema,
    SalesReturnSchema,
    SalesTransitionSchema,
    ShipmentCreateSchema,
    ShipmentSchema,
)

blp = ApiBlueprint("sales", __name__, url_prefix="/api/v1", description="Sales orders")


@blp.route("/sales-orders")
@requires("sales:read")
@blp.arguments(SalesOrderListArgsSchema, location="query")
@blp.response(200, page_of(SalesOrderSummarySchema))
@blp.documents_errors(401, 403)
def list_orders(args):
    """Sales orders, newest first; `q` searches the number. A salesperson sees those of
    their own customers (setting SALES_SEE_OWN_CUSTOMERS_ONLY)."""
    page = list_page(
        services.order_query(args),
        args,
        search=(SalesOrder.number,),
        sortable={
            "created_at": SalesOrder.created_at,
            "updated_at": SalesOrder.updated_at,
            "number": SalesOrder.number,
            "id": SalesOrder.id,
        },
        default_sort="-created_at,-id",
    )
    page["items"] = services.order_summaries(page["items"])
    return page


@blp.route("/sales-orders", methods=["POST"])
@requires("sales:write")
@blp.arguments(SalesOrderCreateSchema)
@blp.response(201, SalesOrderSchema)
@blp.alt_response(200, schema=SalesOrderSchema, description="The order this client_id made already")
@blp.documents_errors(401, 403, 422)
def create_order(data):
    """Create a draft order, numbered SO-<year>-<n>, priced from the customer's price
    level where no price is given."""
    order, created = services.create_order(data)
    return order, 201 if created else 200


@blp.route("/sales-orders/<int:order_id>")
@requires("sales:read")
@blp.response(200, SalesOrderSchema)
@blp.documents_errors(401, 403, 404)
def get_order(order_id):
    return services.order_detail(services.get_order(order_id))


@blp.route("/sales-orders/<int:order_id>", methods=["PATCH"])
@requires("sales:write")
@blp.arguments(SalesOrderUpdateSchema)
@blp.response(200, SalesOrderSchema)
@blp.documents_errors(401, 403, 404, 409, 422)
def update_order(changes, order_id):
    """Change a draft; `version` must match. Refused (409 `invalid-state`) once confirmed."""
    return services.update_order(order_id, changes)


@blp.route("/sales-orders/<int:order_id>/confirm", methods=["POST"])
@requires("sales:write")
@blp.arguments(SalesTransitionSchema)
@blp.response(200, SalesOrderSchema)
@blp.documents_errors(401, 403, 404, 409)
def confirm_order(data, order_id):
    """Confirm a draft, reserving every line: 409 `insufficient-stock` lists each short
    line with what it asks and what is available. Over the customer's credit limit the
    order goes `on_hold` instead, unless a manager confirms it."""
    return services.confirm(order_id, data["note"])


@blp.route("/sales-orders/<int:order_id>/hold", methods=["POST"])
@requires("sales:write")
@blp.arguments(SalesTransitionSchema)
@blp.response(200, SalesOrderSchema)
@blp.documents_errors(401, 403, 404, 409)
def hold_order(data, order_id):
    """Hold a draft or confirmed order; a reservation is freed."""
    return services.hold(order_id, data["note"])


@blp.route("/sales-orders/<int:order_id>/release", methods=["POST"])
@requires("sales:write")
@blp.arguments(SalesTransitionSchema)
@blp.response(200, SalesOrderSchema)
@blp.documents_errors(401, 403, 404, 409)
def release_order(data, order_id):
    """Release a held order: it is confirmed and reserves again. A credit-limit hold is
    released only by a manager (403 otherwise)."""
    return services.release(order_id, data["note"])


@blp.route("/sales-orders/<int:order_id>/cancel", methods=["POST"])
@requires("sales:write")
@blp.arguments(SalesTransitionSchema)
@blp.response(200, SalesOrderSchema)
@blp.documents_errors(401, 403, 404, 409)
def cancel_order(data, order_id):
    """Cancel an order with nothing shipped; its reservation is freed."""
    return services.cancel(order_id, data["note"])


@blp.route("/sales-orders/<int:order_id>/history")
@requires("sales:read")
@blp.response(200, SalesHistorySchema(many=True))
@blp.documents_errors(401, 403, 404)
def order_history(order_id):
    """The order's story in order: created, each change of state, who and when."""
    return services.order_history(order_id)


@blp.route("/sales-orders/<int:order_id>/pick-list")
@requires("sales:read")
@blp.response(200, PickListSchema)
@blp.documents_errors(401, 403, 404)
def pick_list(order_id):
    """What is left to ship of each line, and the places to take it from, first expiry
    first out."""
    return shipping.pick_list(order_id)


@blp.route("/sales-orders/<int:order_id>/shipments", methods=["POST"])
@requires("inventory:write")
@blp.arguments(ShipmentCreateSchema)
@blp.response(201, ShipmentSchema)
@blp.documents_errors(401, 403, 404, 409, 422)
def create_shipment(data, order_id):
    """Ship part or all of a confirmed order: its reservation for these goods is freed and
    they leave through the ledger at the moving average, from the batch and location named
    or first expiry first out. More than is left to ship of a line is a 409
    `over-shipment`; a draft, held or cancelled order a 409 `invalid-state`."""
    return shipping.ship(order_id, data)


@blp.route("/sales-orders/<int:order_id>/shipments")
@requires("sales:read")
@blp.response(200, ShipmentSchema(many=True))
@blp.documents_errors(401, 403, 404)
def order_shipments(order_id):
    return shipping.order_shipments(order_id)


@blp.route("/shipments/<int:shipment_id>")
@requires("sales:read")
@blp.response(200, ShipmentSchema)
@blp.documents_errors(401, 403, 404)
def get_shipment(shipment_id):
    return shipping.shipment_detail(shipping.get_shipment(shipment_id))


@blp.route("/shipments/<int:shipment_id>/delivery-note.pdf")
@requires("sales:read")
@blp.arguments(SalesPrintArgsSchema, location="query")
@blp.alt_response(200, description="The delivery note", content_type="application/pdf",
                  success=True)  # fmt: skip
@blp.documents_errors(401, 403, 404, 422)
def delivery_note(args, shipment_id):
    """The delivery note (送货单) to print and have signed: customer, address, lines with
    batches, carrier, tracking number, signature boxes; no prices."""
    shipment = shipping.shipment_detail(shipping.get_shipment(shipment_id))
    lang = args["lang"] or request.accept_languages.best_match(documents.LANGUAGES, "zh-CN")
    return printing.download(documents.delivery_note(shipment, lang), "pdf", shipment["number"])


# --- invoices and receipts -------------------------------------------------------------------


@blp.route("/sales-orders/<int:order_id>/invoices", methods=["POST"])
@requires("finance:write")
@blp.arguments(CustomerInvoiceCreateSchema)
@blp.response(201, CustomerInvoiceSchema)
@blp.documents_errors(401, 403, 404, 409, 422)
def invoice_order(data, order_id):
    """Invoice what the order's shipments sent and nobody billed yet (IV-<year>-<n>), due
    the customer's credit days after the invoice date. A shipped order with everything
    invoiced is completed. Nothing left to invoice is a 409."""
    return invoicing.invoice_order(order_id, data)


@blp.route("/customer-invoices")
@requires("finance:read")
@blp.arguments(CustomerInvoiceListArgsSchema, location="query")
@blp.response(200, page_of(CustomerInvoiceSummarySchema))
@blp.documents_errors(401, 403)
def list_invoices(args):
    """Customer invoices, newest first; `overdue=1` lists the open ones past due."""
    page = list_page(
        invoicing.invoice_query(args),
        args,
        search=(CustomerInvoice.number,),
        sortable={
            "created_at": CustomerInvoice.created_at,
            "invoice_date": CustomerInvoice.invoice_date,
            "due_date": CustomerInvoice.due_date,
            "id": CustomerInvoice.id,
        },
        default_sort="-created_at,-id",
    )
    page["items"] = [invoicing.invoice_summary(invoice) for invoice in page["items"]]
    return page


@blp.route("/customer-invoices/<int:invoice_id>")
@requires("finance:read")
@blp.response(200, CustomerInvoiceSchema)
@blp.documents_errors(401, 403, 404)
def get_invoice(invoice_id):
    return invoicing.invoice_detail(invoicing.get_invoice(invoice_id))


@blp.route("/customer-receipts")
@requires("finance:read")
@blp.arguments(CustomerReceiptListArgsSchema, location="query")
@blp.response(200, page_of(CustomerReceiptSchema))
@blp.documents_errors(401, 403)
def list_receipts(args):
    """Money received from customers, newest first; `q` searches number and reference."""
    page = list_page(
        invoicing.receipt_query(args),
        args,
        search=(CustomerReceipt.number, CustomerReceipt.reference),
        sortable={
            "created_at": CustomerReceipt.created_at,
            "received_on": CustomerReceipt.received_on,
            "id": CustomerReceipt.id,
        },
        default_sort="-created_at,-id",
    )
    page["items"] = [invoicing.receipt_detail(receipt) for receipt in page["items"]]
    return page


@blp.route("/customer-receipts", methods=["POST"])
@requires("finance:write")
@blp.arguments(CustomerReceiptCreateSchema)
@blp.response(201, CustomerReceiptSchema)
@blp.documents_errors(401, 403, 422)
def create_receipt(data):
    """Record money received (RC-<year>-<n>) and allocate it to posted invoices; more than
    an invoice has open is a 422 naming the allocation; the rest is a prepayment."""
    return invoicing.create_receipt(data)


@blp.route("/customer-receipts/<int:receipt_id>")
@requires("finance:read")
@blp.response(200, CustomerReceiptSchema)
@blp.documents_errors(401, 403, 404)
def get_receipt(receipt_id):
    return invoicing.receipt_detail(invoicing.get_receipt(receipt_id))


@blp.route("/customer-receipts/<int:receipt_id>/allocate", methods=["POST"])
@requires("finance:write")
@blp.arguments(CustomerReceiptAllocateSchema)
@blp.response(200, CustomerReceiptSchema)
@blp.documents_errors(401, 403, 404, 422)
def allocate_receipt(data, receipt_id):
    """Allocate what is left of a receipt (a prepayment) to posted invoices."""
    return invoicing.allocate_receipt(receipt_id, data)


# --- receivables -----------------------------------------------------------------------------


@blp.route("/receivables")
@requires("finance:read")
@blp.arguments(ReceivablesArgsSchema, location="query")
@blp.response(200, ReceivablesSchema)
@blp.documents_errors(401, 403)
def list_receivables(args):
    """What each customer owes: opening + invoices − credit notes − receipts, with
    prepayments and the open amount past due."""
    return receivables.receivables(args)


@blp.route("/receivables/ageing")
@requires("finance:read")
@blp.arguments(ReceivableAgeingArgsSchema, location="query")
@blp.response(200, ReceivableAgeingSchema)
@blp.documents_errors(401, 403)
def receivables_ageing(args):
    """Open amounts of invoices by days past due on `as_of`: not due, 1–30, 31–60, 61–90,
    over 90."""
    return receivables.ageing(args)


@blp.route("/customers/<int:customer_id>/statement")
@requires("finance:read")
@blp.arguments(CustomerStatementArgsSchema, location="query")
@blp.response(200, CustomerStatementSchema)
@blp.documents_errors(401, 403, 404, 422)
def customer_statement(args, customer_id):
    """The customer statement (对账单) for `from`–`to`: opening balance, invoices, credit
    notes, receipts with the running balance, closing balance."""
    return receivables.statement(customer_id, args["start"], args["end"])


@blp.route("/customers/<int:customer_id>/statement.<any(xlsx, pdf):fmt>")
@requires("finance:read")
@blp.arguments(PrintedCustomerStatementArgsSchema, location="query")
@blp.alt_response(
    200, description="The statement as .xlsx or PDF", content_type="application/pdf", success=True
)
@blp.documents_errors(401, 403, 404, 422)
def printed_customer_statement(args, customer_id, fmt):
    """The same statement to send or print, in `lang`."""
    data = receivables.statement(customer_id, args["start"], args["end"])
    lang = args["lang"] or request.accept_languages.best_match(receivables.LANGUAGES, "zh-CN")
    name = f"statement-{data['customer']['code']}-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}"
    return printing.download(receivables.printed(data, lang), fmt, name)


# --- returns ---------------------------------------------------------------------------------


@blp.route("/shipments/<int:shipment_id>/returns", methods=["POST"])
@requires("inventory:write")
@blp.arguments(SalesReturnCreateSchema)
@blp.response(201, SalesReturnSchema)
@blp.documents_errors(401, 403, 404, 409, 422)
def return_goods(data, shipment_id):
    """Goods sent back against a shipment (SR-<year>-<n>): restocked into the warehouse
    chosen at the cost they left with, or written off. Goods already invoiced earn a
    credit note (CN-) that reduces the invoice. More than shipped is a 409 `over-return`."""
    return returns.return_goods(shipment_id, data)


@blp.route("/shipments/<int:shipment_id>/returns")
@requires("sales:read")
@blp.response(200, SalesReturnSchema(many=True))
@blp.documents_errors(401, 403, 404)
def shipment_returns(shipment_id):
    return returns.shipment_returns(shipment_id)
