from decimal import Decimal

from app.core.api_docs import ApiBlueprint
from app.core.pagination import list_page
from app.core.schemas import page_of
from app.core.security import requires
from app.purchasing import receiving, reorder, replenishment, returns, services
from app.purchasing.models import PurchaseOrder
from app.purchasing.schemas import (
    DemandForecastSchema,
    ForecastArgsSchema,
    ForecastRefreshSchema,
    HistorySchema,
    OrderCreateSchema,
    OrderListArgsSchema,
    OrderSchema,
    OrderSummarySchema,
    OrderUpdateSchema,
    ReceiptCreatedSchema,
    ReceiptCreateSchema,
    ReceiptSchema,
    ReturnCreateSchema,
    ReturnSchema,
    SuggestedOrdersSchema,
    SuggestionArgsSchema,
    SuggestionOrderSchema,
    SuggestionsSchema,
    TransitionSchema,
)

blp = ApiBlueprint(
    "purchasing",
    __name__,
    url_prefix="/api/v1",
    description="Purchase orders, receiving, returns and reordering",
)


@blp.route("/purchase-orders")
@requires("purchasing:read")
@blp.arguments(OrderListArgsSchema, location="query")
@blp.response(200, page_of(OrderSummarySchema))
@blp.documents_errors(401, 403)
def list_orders(args):
    """Purchase orders, newest first; `q` searches the number."""
    page = list_page(
        services.order_query(args),
        args,
        search=(PurchaseOrder.number,),
        sortable={
            "created_at": PurchaseOrder.created_at,
            "number": PurchaseOrder.number,
            "expected_date": PurchaseOrder.expected_date,
            "id": PurchaseOrder.id,
        },
        default_sort="-created_at,-id",
    )
    page["items"] = services.order_summaries(page["items"])
    return page


@blp.route("/purchase-orders", methods=["POST"])
@requires("purchasing:write")
@blp.arguments(OrderCreateSchema)
@blp.response(201, OrderSchema)
@blp.documents_errors(401, 403, 422)
def create_order(data):
    """Create a draft order, numbered PO-<year>-<n>. Each line's amount is qty × price ×
    (1 − discount) and its tax amount × rate, each to the cent."""
    return services.create_order(data)


@blp.route("/purchase-orders/<int:order_id>")
@requires("purchasing:read")
@blp.response(200, OrderSchema)
@blp.documents_errors(401, 403, 404)
def get_order(order_id):
    return services.order_detail(services.get_order(order_id))


@blp.route("/purchase-orders/<int:order_id>", methods=["PATCH"])
@requires("purchasing:write")
@blp.arguments(OrderUpdateSchema)
@blp.response(200, OrderSchema)
@blp.documents_errors(401, 403, 404, 409, 422)
def update_order(changes, order_id):
    """Change a draft; `version` must match. Refused (409 `invalid-state`) once approved."""
    return services.update_order(order_id, changes)


@blp.route("/purchase-orders/<int:order_id>/approve", methods=["POST"])
@requires("purchasing:write")
@blp.arguments(TransitionSchema)
@blp.response(200, OrderSchema)
@blp.documents_errors(401, 403, 404, 409)
def approve_order(data, order_id):
    """Approve a draft: its quantities count as on order in its warehouse."""
    return services.change_state(order_id, "approve", data["note"])


@blp.route("/purchase-orders/<int:order_id>/cancel", methods=["POST"])
@requires("purchasing:write")
@blp.arguments(TransitionSchema)
@blp.response(200, OrderSchema)
@blp.documents_errors(401, 403, 404, 409)
def cancel_order(data, order_id):
    """Cancel an order with nothing received (draft or approved)."""
    return services.change_state(order_id, "cancel", data["note"])


@blp.route("/purchase-orders/<int:order_id>/close", methods=["POST"])
@requires("purchasing:write")
@blp.arguments(TransitionSchema)
@blp.response(200, OrderSchema)
@blp.documents_errors(401, 403, 404, 409)
def close_order(data, order_id):
    """Close an order after receipts: what has not come is no longer expected."""
    return services.change_state(order_id, "close", data["note"])


@blp.route("/purchase-orders/<int:order_id>/history")
@requires("purchasing:read")
@blp.response(200, HistorySchema(many=True))
@blp.documents_errors(401, 403, 404)
def order_history(order_id):
    """Every change of state: who, when, from, to."""
    return services.order_history(order_id)


@blp.route("/purchase-orders/<int:order_id>/receipts", methods=["POST"])
@requires("inventory:write")
@blp.arguments(ReceiptCreateSchema)
@blp.response(201, ReceiptCreatedSchema)
@blp.documents_errors(401, 403, 404, 409, 422)
def create_receipt(data, order_id):
    """Receive goods: by order line or by scanned code. Stock comes in at the line's net
    price; more than ordered (beyond RECEIPT_TOLERANCE) is a 409 `over-receipt`."""
    return receiving.receive(order_id, data)


@blp.route("/purchase-orders/<int:order_id>/receipts")
@requires("purchasing:read")
@blp.response(200, ReceiptSchema(many=True))
@blp.documents_errors(401, 403, 404)
def list_receipts(order_id):
    return receiving.order_receipts(order_id)


@blp.route("/purchase-receipts/<int:receipt_id>/returns", methods=["POST"])
@requires("inventory:write")
@blp.arguments(ReturnCreateSchema)
@blp.response(201, ReturnSchema)
@blp.documents_errors(401, 403, 404, 409, 422)
def create_return(data, receipt_id):
    """Send goods of a receipt back to the supplier, numbered PR-<year>-<n>: they leave
    from the batch and location they came in to, at the receipt's cost. More than is left
    to return of a receipt line is a 409 `over-return`; the order is not reopened."""
    return returns.return_goods(receipt_id, data)


@blp.route("/purchase-orders/<int:order_id>/returns")
@requires("purchasing:read")
@blp.response(200, ReturnSchema(many=True))
@blp.documents_errors(401, 403, 404)
def list_returns(order_id):
    return returns.order_returns(order_id)


@blp.route("/purchasing/reorder-suggestions")
@requires("purchasing:read")
@blp.arguments(SuggestionArgsSchema, location="query")
@blp.response(200, SuggestionsSchema)
@blp.documents_errors(401, 403, 422)
def reorder_suggestions(args):
    """Products whose on hand + on order − reserved in the warehouse is below their
    reorder point, with the quantity that brings them to reorder point + reorder qty in
    whole packing units, grouped by the supplier of their last order line."""
    return reorder.suggestions(args["warehouse_id"], args["basis"])


@blp.route("/purchasing/reorder-suggestions", methods=["POST"])
@requires("purchasing:write")
@blp.arguments(SuggestionOrderSchema)
@blp.response(201, SuggestedOrdersSchema)
@blp.documents_errors(401, 403, 422)
def order_suggestions(data):
    """Turn chosen suggestions into draft orders, one per supplier, in one transaction.
    A line without a supplier is a 422."""
    return reorder.order_suggestions(data)


@blp.route("/purchasing/demand-forecast")
@requires("purchasing:read")
@blp.arguments(ForecastArgsSchema, location="query")
@blp.response(200, DemandForecastSchema)
@blp.documents_errors(401, 403, 404, 422)
def demand_forecast(args):
    """One product's demand in one warehouse: the daily history, the hold-out days with the
    forecast made without them (MASE, MAPE), the days ahead, and the safety stock, reorder
    point and suggested order at the service level. 404 when it has no forecast."""
    level = args["service_level"] or replenishment.default_service_level()
    return replenishment.detail(args["product_id"], args["warehouse_id"], level)


@blp.route("/purchasing/demand-forecasts/refresh", methods=["POST"])
@requires("purchasing:write")
@blp.response(200, ForecastRefreshSchema)
@blp.documents_errors(401, 403)
def refresh_demand_forecasts():
    """Remake every product's demand forecast from the sales of the last 84 days now
    (the scheduler does it daily)."""
    done = replenishment.refresh()
    seconds = Decimal(str(round(done.seconds, 2)))
    return {"count": done.count, "computed_at": done.computed_at, "seconds": seconds}
