from app.core.api_docs import ApiBlueprint
from app.core.pagination import list_page
from app.core.schemas import page_of
from app.core.security import requires
from app.inventory import movements, services, stock
from app.inventory.models import Location, StockDocument, Warehouse
from app.inventory.schemas import (
    BalanceListArgsSchema,
    LedgerLineSchema,
    LedgerListArgsSchema,
    LocationCreateSchema,
    LocationListArgsSchema,
    LocationSchema,
    LocationUpdateSchema,
    MovementCreateSchema,
    MovementListArgsSchema,
    MovementSchema,
    MovementSummarySchema,
    WarehouseBalanceSchema,
    WarehouseCreateSchema,
    WarehouseListArgsSchema,
    WarehouseSchema,
    WarehouseUpdateSchema,
)

blp = ApiBlueprint("inventory", __name__, url_prefix="/api/v1", description="Warehouses and stock")


@blp.route("/warehouses")
@requires("warehouses:read")
@blp.arguments(WarehouseListArgsSchema, location="query")
@blp.response(200, page_of(WarehouseSchema))
@blp.documents_errors(401, 403)
def list_warehouses(args):
    """Warehouses; floor staff and clerks see only the ones assigned to them."""
    return list_page(
        services.warehouse_query(args.get("active")),
        args,
        search=(Warehouse.code, Warehouse.name),
        sortable={"code": Warehouse.code, "name": Warehouse.name, "id": Warehouse.id},
        default_sort="code",
    )


@blp.route("/warehouses", methods=["POST"])
@requires("warehouses:write")
@blp.arguments(WarehouseCreateSchema)
@blp.response(201, WarehouseSchema)
@blp.documents_errors(401, 403, 409)
def create_warehouse(args):
    """Create a warehouse; its code is unique (stored upper-case)."""
    return services.create_warehouse(args["code"], args["name"], args["address"])


@blp.route("/warehouses/<int:warehouse_id>")
@requires("warehouses:read")
@blp.response(200, WarehouseSchema)
@blp.documents_errors(401, 403, 404)
def get_warehouse(warehouse_id):
    return services.get_warehouse(warehouse_id)


@blp.route("/warehouses/<int:warehouse_id>", methods=["PATCH"])
@requires("warehouses:write")
@blp.arguments(WarehouseUpdateSchema)
@blp.response(200, WarehouseSchema)
@blp.documents_errors(401, 403, 404, 409)
def update_warehouse(changes, warehouse_id):
    """Change code, name, address or active; `version` must match."""
    return services.update_warehouse(warehouse_id, changes)


@blp.route("/warehouses/<int:warehouse_id>", methods=["DELETE"])
@requires("warehouses:write")
@blp.response(204)
@blp.documents_errors(401, 403, 404)
def archive_warehouse(warehouse_id):
    """Archive the warehouse (warehouses are never deleted)."""
    services.archive_warehouse(warehouse_id)


@blp.route("/warehouses/<int:warehouse_id>/locations")
@requires("warehouses:read")
@blp.arguments(LocationListArgsSchema, location="query")
@blp.response(200, page_of(LocationSchema))
@blp.documents_errors(401, 403, 404)
def list_locations(args, warehouse_id):
    """Locations of a warehouse, searchable by code and name."""
    return list_page(
        services.location_query(warehouse_id, args.get("active")),
        args,
        search=(Location.code, Location.name),
        sortable={"code": Location.code, "name": Location.name, "id": Location.id},
        default_sort="code",
    )


@blp.route("/warehouses/<int:warehouse_id>/locations", methods=["POST"])
@requires("warehouses:write")
@blp.arguments(LocationCreateSchema)
@blp.response(201, LocationSchema)
@blp.documents_errors(401, 403, 404, 409)
def create_location(args, warehouse_id):
    """Create a location; its code (e.g. A-01-03) is unique within the warehouse."""
    return services.create_location(warehouse_id, args["code"], args["name"])


@blp.route("/warehouses/<int:warehouse_id>/locations/<int:location_id>")
@requires("warehouses:read")
@blp.response(200, LocationSchema)
@blp.documents_errors(401, 403, 404)
def get_location(warehouse_id, location_id):
    return services.get_location(warehouse_id, location_id)


@blp.route("/warehouses/<int:warehouse_id>/locations/<int:location_id>", methods=["PATCH"])
@requires("warehouses:write")
@blp.arguments(LocationUpdateSchema)
@blp.response(200, LocationSchema)
@blp.documents_errors(401, 403, 404, 409)
def update_location(changes, warehouse_id, location_id):
    """Change code, name or active; `version` must match."""
    return services.update_location(warehouse_id, location_id, changes)


@blp.route("/warehouses/<int:warehouse_id>/locations/<int:location_id>", methods=["DELETE"])
@requires("warehouses:write")
@blp.response(204)
@blp.documents_errors(401, 403, 404)
def archive_location(warehouse_id, location_id):
    """Archive the location (it may be referenced by stock)."""
    services.archive_location(warehouse_id, location_id)


# --- stock ---------------------------------------------------------------------------------


@blp.route("/stock/movements", methods=["POST"])
@requires("inventory:write")
@blp.arguments(MovementCreateSchema)
@blp.response(201, MovementSchema)
@blp.documents_errors(401, 403, 409, 422)
def create_movement(data):
    """Post a stock document: `in`, `out`, `transfer`, `adjust` (to the counted quantity) or
    `write_off`. Refused with 409 `insufficient-stock` (naming the product, requested and
    available) rather than go below zero."""
    return movements.create_movement(data)


@blp.route("/stock/movements")
@requires("inventory:read")
@blp.arguments(MovementListArgsSchema, location="query")
@blp.response(200, page_of(MovementSummarySchema))
@blp.documents_errors(401, 403)
def list_movements(args):
    page = list_page(
        movements.movement_query(args),
        args,
        search=(StockDocument.number, StockDocument.note),
        sortable={"posted_at": StockDocument.posted_at, "number": StockDocument.number},
        default_sort="-posted_at",
    )
    page["items"] = movements.movement_summaries(page["items"])
    return page


@blp.route("/stock/movements/<int:document_id>")
@requires("inventory:read")
@blp.response(200, MovementSchema)
@blp.documents_errors(401, 403, 404)
def get_movement(document_id):
    return movements.movement_detail(movements.get_movement(document_id))


@blp.route("/stock/movements/<int:document_id>/cancel", methods=["POST"])
@requires("inventory:write")
@blp.response(200, MovementSchema)
@blp.documents_errors(401, 403, 404, 409)
def cancel_movement(document_id):
    """Cancel by posting reversing lines; refused (409) when that would make stock negative."""
    return movements.cancel_movement(document_id)


@blp.route("/stock/balances")
@requires("inventory:read")
@blp.arguments(BalanceListArgsSchema, location="query")
@blp.response(200, page_of(WarehouseBalanceSchema))
@blp.documents_errors(401, 403)
def list_balances(args):
    """Stock per place (location × batch), or per warehouse with `by=warehouse`."""
    if args["by"] == "warehouse" or args["below_safety"]:
        return stock.balances_by_warehouse(args)
    return stock.balances_by_place(args)


@blp.route("/stock/ledger")
@requires("inventory:read")
@blp.arguments(LedgerListArgsSchema, location="query")
@blp.response(200, page_of(LedgerLineSchema))
@blp.documents_errors(401, 403)
def list_ledger(args):
    """Ledger lines, newest first, with the running quantity (and value) after each."""
    return stock.ledger_page(args)
