from flask import request

from app.core import printing
from app.core.api_docs import ApiBlueprint
from app.core.pagination import list_page
from app.core.schemas import page_of
from app.core.security import requires
from app.finance import services, statement
from app.finance.models import SupplierBill, SupplierPayment
from app.finance.schemas import (
    AgeingArgsSchema,
    AgeingSchema,
    AllocateSchema,
    BillableArgsSchema,
    BillableSchema,
    BillCreateSchema,
    BillListArgsSchema,
    BillSchema,
    BillSummarySchema,
    PayablesArgsSchema,
    PayablesSchema,
    PaymentCreateSchema,
    PaymentListArgsSchema,
    PaymentSchema,
    PrintedStatementArgsSchema,
    StatementArgsSchema,
    StatementSchema,
)

blp = ApiBlueprint(
    "finance",
    __name__,
    url_prefix="/api/v1",
    description="Supplier bills, supplier payments and payables",
)


@blp.route("/supplier-bills")
@requires("finance:read")
@blp.arguments(BillListArgsSchema, location="query")
@blp.response(200, page_of(BillSummarySchema))
@blp.documents_errors(401, 403)
def list_bills(args):
    """Supplier bills, newest first; `q` searches our number and the supplier's."""
    page = list_page(
        services.bill_query(args),
        args,
        search=(SupplierBill.number, SupplierBill.bill_no),
        sortable={
            "created_at": SupplierBill.created_at,
            "bill_date": SupplierBill.bill_date,
            "due_date": SupplierBill.due_date,
            "number": SupplierBill.number,
            "id": SupplierBill.id,
        },
        default_sort="-created_at,-id",
    )
    page["items"] = [services.bill_summary(bill) for bill in page["items"]]
    return page


@blp.route("/supplier-bills", methods=["POST"])
@requires("finance:write")
@blp.arguments(BillCreateSchema)
@blp.response(201, BillSchema)
@blp.documents_errors(401, 403, 422)
def create_bill(data):
    """Enter a supplier's bill as a draft, numbered BL-<year>-<n>, line by receipt line.
    Billing more than is left of a receipt line (received − returned − billed) is a 422
    naming the line; a price or tax rate other than the order's is kept and flagged."""
    return services.create_bill(data)


@blp.route("/supplier-bills/billable")
@requires("finance:read")
@blp.arguments(BillableArgsSchema, location="query")
@blp.response(200, BillableSchema)
@blp.documents_errors(401, 403, 422)
def billable(args):
    """A supplier's receipt lines with something left to bill (received − returned − billed
    by drafts and posted bills), oldest first, with the order's price: what a new bill
    picks its lines from."""
    return services.billable(args["supplier_id"])


@blp.route("/supplier-bills/<int:bill_id>")
@requires("finance:read")
@blp.response(200, BillSchema)
@blp.documents_errors(401, 403, 404)
def get_bill(bill_id):
    return services.bill_detail(services.get_bill(bill_id))


@blp.route("/supplier-bills/<int:bill_id>/post", methods=["POST"])
@requires("finance:write")
@blp.response(200, BillSchema)
@blp.documents_errors(401, 403, 404, 409, 422)
def post_bill(bill_id):
    """Confirm a draft: from now on it counts in payables and takes payments."""
    return services.post_bill(bill_id)


@blp.route("/supplier-bills/<int:bill_id>/cancel", methods=["POST"])
@requires("finance:write")
@blp.response(200, BillSchema)
@blp.documents_errors(401, 403, 404, 409)
def cancel_bill(bill_id):
    """Cancel a draft; a posted bill stays."""
    return services.cancel_bill(bill_id)


@blp.route("/supplier-payments")
@requires("finance:read")
@blp.arguments(PaymentListArgsSchema, location="query")
@blp.response(200, page_of(PaymentSchema))
@blp.documents_errors(401, 403)
def list_payments(args):
    """Supplier payments, newest first; `q` searches the number and reference."""
    page = list_page(
        services.payment_query(args),
        args,
        search=(SupplierPayment.number, SupplierPayment.reference),
        sortable={
            "created_at": SupplierPayment.created_at,
            "paid_on": SupplierPayment.paid_on,
            "number": SupplierPayment.number,
            "id": SupplierPayment.id,
        },
        default_sort="-created_at,-id",
    )
    page["items"] = [services.payment_detail(payment) for payment in page["items"]]
    return page


@blp.route("/supplier-payments", methods=["POST"])
@requires("finance:write")
@blp.arguments(PaymentCreateSchema)
@blp.response(201, PaymentSchema)
@blp.documents_errors(401, 403, 422)
def create_payment(data):
    """Record a payment, numbered PM-<year>-<n>, and allocate it to posted bills. An
    allocation beyond a bill's open amount is a 422 naming it; what is not allocated is a
    prepayment."""
    return services.create_payment(data)


@blp.route("/supplier-payments/<int:payment_id>")
@requires("finance:read")
@blp.response(200, PaymentSchema)
@blp.documents_errors(401, 403, 404)
def get_payment(payment_id):
    return services.payment_detail(services.get_payment(payment_id))


@blp.route("/supplier-payments/<int:payment_id>/allocate", methods=["POST"])
@requires("finance:write")
@blp.arguments(AllocateSchema)
@blp.response(200, PaymentSchema)
@blp.documents_errors(401, 403, 404, 422)
def allocate_payment(data, payment_id):
    """Allocate what is left of a payment (a prepayment) to posted bills."""
    return services.allocate_payment(payment_id, data)


@blp.route("/payables")
@requires("finance:read")
@blp.arguments(PayablesArgsSchema, location="query")
@blp.response(200, PayablesSchema)
@blp.documents_errors(401, 403, 422)
def payables(args):
    """What is owed per supplier: opening + posted bills − credit for billed goods sent
    back − payments; unallocated payments and overdue open amounts beside it."""
    return services.payables(args)


@blp.route("/payables/ageing")
@requires("finance:read")
@blp.arguments(AgeingArgsSchema, location="query")
@blp.response(200, AgeingSchema)
@blp.documents_errors(401, 403, 422)
def payables_ageing(args):
    """Open amounts of posted bills by days past due on `as_of`: not due, 1–30, 31–60,
    61–90, over 90."""
    return services.ageing(args)


@blp.route("/suppliers/<int:supplier_id>/statement")
@requires("finance:read")
@blp.arguments(StatementArgsSchema, location="query")
@blp.response(200, StatementSchema)
@blp.documents_errors(401, 403, 404, 422)
def supplier_statement(args, supplier_id):
    """The supplier statement (对账单) for `from`–`to`: opening balance, bills, credit for
    billed goods sent back, payments with the running balance, closing balance."""
    return statement.statement(supplier_id, args["start"], args["end"])


@blp.route("/suppliers/<int:supplier_id>/statement.<any(xlsx, pdf):fmt>")
@requires("finance:read")
@blp.arguments(PrintedStatementArgsSchema, location="query")
@blp.alt_response(200, description="The statement as .xlsx or PDF", content_type="application/pdf",
                  success=True)  # fmt: skip
@blp.documents_errors(401, 403, 404, 422)
def printed_statement(args, supplier_id, fmt):
    """The same statement to send or print, in `lang`."""
    data = statement.statement(supplier_id, args["start"], args["end"])
    lang = args["lang"] or request.accept_languages.best_match(statement.LANGUAGES, "zh-CN")
    name = f"statement-{data['supplier']['code']}-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}"
    return printing.download(statement.printed(data, lang), fmt, name)
