from flask import Response, request

from app.core import printing
from app.core.api_docs import ApiBlueprint
from app.core.pagination import list_page
from app.core.schemas import page_of
from app.core.security import requires
from app.sales import documents, services, shipping
from app.sales.models import SalesOrder
from app.sales.schemas import (
    PickListSchema,
    PrintArgsSchema,
    SalesHistorySchema,
    SalesOrderCreateSchema,
    SalesOrderListArgsSchema,
    SalesOrderSchema,
    SalesOrderSummarySchema,
    SalesOrderUpdateSchema,
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
@blp.arguments(PrintArgsSchema, location="query")
@blp.alt_response(200, description="The delivery note", content_type="application/pdf",
                  success=True)  # fmt: skip
@blp.documents_errors(401, 403, 404, 422)
def delivery_note(args, shipment_id):
    """The delivery note (送货单) to print and have signed: customer, address, lines with
    batches, carrier, tracking number, signature boxes; no prices."""
    shipment = shipping.shipment_detail(shipping.get_shipment(shipment_id))
    lang = args["lang"] or request.accept_languages.best_match(documents.LANGUAGES, "zh-CN")
    body = printing.to_pdf(documents.delivery_note(shipment, lang))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{shipment["number"]}.pdf"'
    return response
