from app.core.api_docs import ApiBlueprint
from app.core.pagination import list_page
from app.core.schemas import page_of
from app.core.security import requires
from app.inventory import services
from app.inventory.models import Warehouse
from app.inventory.schemas import WarehouseListArgsSchema, WarehouseSchema

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
