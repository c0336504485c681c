from flask import Response

from app.catalog.schemas import ProductListArgsSchema
from app.core.api_docs import ApiBlueprint
from app.core.db import utcnow
from app.core.security import requires
from app.imports import services
from app.partners.schemas import CustomerListArgsSchema, SupplierListArgsSchema

blp = ApiBlueprint("imports", __name__, url_prefix="/api/v1", description="Excel and CSV")

FORMATS = "<any(xlsx, csv):fmt>"
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


def _download(kind: str, fmt: str, columns, records) -> Response:
    if fmt == "xlsx":
        body = services.to_xlsx(kind, columns, records)
    else:
        body = services.to_csv(columns, records)
    response = Response(body, mimetype=MEDIA_TYPES[fmt])
    if fmt == "csv":
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    filename = f"{kind}-{utcnow():%Y%m%d}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _documented(func):
    return blp.alt_response(
        200, description="The file (.xlsx or .csv)", content_type=MEDIA_TYPES["xlsx"], success=True
    )(blp.documents_errors(401, 403, 422)(func))


@blp.route(f"/exports/products.{FORMATS}")
@requires("catalog:read")
@blp.arguments(ProductListArgsSchema, location="query")
@_documented
def export_products(args, fmt):
    """Products matching the list filters; cost columns only with cost:read."""
    return _download("products", fmt, *services.export_products(args))


@blp.route(f"/exports/suppliers.{FORMATS}")
@requires("partners:read")
@blp.arguments(SupplierListArgsSchema, location="query")
@_documented
def export_suppliers(args, fmt):
    """Suppliers matching the list filters; opening payables only for finance and purchasing."""
    return _download("suppliers", fmt, *services.export_suppliers(args))


@blp.route(f"/exports/customers.{FORMATS}")
@requires("partners:read")
@blp.arguments(CustomerListArgsSchema, location="query")
@_documented
def export_customers(args, fmt):
    """Customers matching the list filters (a salesperson: their own)."""
    return _download("customers", fmt, *services.export_customers(args))
