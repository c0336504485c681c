from app.core.api_docs import ApiBlueprint
from app.core.pagination import changed_since, list_page
from app.core.schemas import page_of
from app.core.security import requires
from app.partners import services
from app.partners.models import Customer, Supplier
from app.partners.schemas import (
    CustomerCreateSchema,
    CustomerListArgsSchema,
    CustomerSchema,
    CustomerUpdateSchema,
    SupplierCreateSchema,
    SupplierListArgsSchema,
    SupplierSchema,
    SupplierUpdateSchema,
)

blp = ApiBlueprint(
    "partners", __name__, url_prefix="/api/v1", description="Suppliers and customers"
)


# --- suppliers ---------------------------------------------------------------------------


@blp.route("/suppliers")
@requires("partners:read")
@blp.arguments(SupplierListArgsSchema, location="query")
@blp.response(200, page_of(SupplierSchema))
@blp.documents_errors(401, 403)
def list_suppliers(args):
    """Suppliers, searchable by code, name, contact and phone."""
    return list_page(
        services.supplier_query(args.get("active")),
        args,
        search=services.supplier_search_columns(),
        sortable={"code": Supplier.code, "name": Supplier.name, "id": Supplier.id},
        default_sort="code",
    )


@blp.route("/suppliers", methods=["POST"])
@requires("partners:write")
@blp.arguments(SupplierCreateSchema)
@blp.response(201, SupplierSchema)
@blp.documents_errors(401, 403, 409)
def create_supplier(args):
    """Create a supplier; its code is unique (stored upper-case)."""
    return services.create_supplier(args)


@blp.route("/suppliers/<int:supplier_id>")
@requires("partners:read")
@blp.response(200, SupplierSchema)
@blp.documents_errors(401, 403, 404)
def get_supplier(supplier_id):
    return services.get_supplier(supplier_id)


@blp.route("/suppliers/<int:supplier_id>", methods=["PATCH"])
@requires("partners:write")
@blp.arguments(SupplierUpdateSchema)
@blp.response(200, SupplierSchema)
@blp.documents_errors(401, 403, 404, 409)
def update_supplier(changes, supplier_id):
    """Change any of the supplier's fields; `version` must match."""
    return services.update_supplier(supplier_id, changes)


@blp.route("/suppliers/<int:supplier_id>", methods=["DELETE"])
@requires("partners:write")
@blp.response(204)
@blp.documents_errors(401, 403, 404)
def archive_supplier(supplier_id):
    """Archive the supplier (suppliers are never deleted)."""
    services.archive_supplier(supplier_id)


# --- customers ---------------------------------------------------------------------------


@blp.route("/customers")
@requires("partners:read")
@blp.arguments(CustomerListArgsSchema, location="query")
@blp.response(200, page_of(CustomerSchema))
@blp.documents_errors(401, 403)
def list_customers(args):
    """Customers, searchable by code and name; a salesperson may see only their own."""
    stmt = services.customer_query(
        args.get("active"), args.get("salesperson_id"), args.get("price_level")
    )
    stmt, default_sort = changed_since(stmt, Customer, args, "code")
    return list_page(
        stmt,
        args,
        search=services.customer_search_columns(),
        sortable={
            "code": Customer.code,
            "name": Customer.name,
            "id": Customer.id,
            "updated_at": Customer.updated_at,
        },  # fmt: skip
        default_sort=default_sort,
    )


@blp.route("/customers", methods=["POST"])
@requires("partners:write")
@blp.arguments(CustomerCreateSchema)
@blp.response(201, CustomerSchema)
@blp.documents_errors(401, 403, 409)
def create_customer(args):
    """Create a customer; a salesperson who names no salesperson is assigned it."""
    return services.create_customer(args)


@blp.route("/customers/<int:customer_id>")
@requires("partners:read")
@blp.response(200, CustomerSchema)
@blp.documents_errors(401, 403, 404)
def get_customer(customer_id):
    return services.get_customer(customer_id)


@blp.route("/customers/<int:customer_id>", methods=["PATCH"])
@requires("partners:write")
@blp.arguments(CustomerUpdateSchema)
@blp.response(200, CustomerSchema)
@blp.documents_errors(401, 403, 404, 409)
def update_customer(changes, customer_id):
    """Change any of the customer's fields; `version` must match."""
    return services.update_customer(customer_id, changes)


@blp.route("/customers/<int:customer_id>", methods=["DELETE"])
@requires("partners:write")
@blp.response(204)
@blp.documents_errors(401, 403, 404)
def archive_customer(customer_id):
    """Archive the customer (customers are never deleted)."""
    services.archive_customer(customer_id)
