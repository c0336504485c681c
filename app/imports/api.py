from flask import Response, request, send_file
from flask_login import current_user
from marshmallow import Schema, fields

from app.catalog.schemas import ProductListArgsSchema
from app.core.api_docs import ApiBlueprint
from app.core.content import accepts
from app.core.db import utcnow
from app.core.errors import ValidationProblem
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


def _returns_workbook(description: str):
    return blp.alt_response(
        200, description=description, content_type=MEDIA_TYPES["xlsx"], success=True
    )


def _documented(func):
    return _returns_workbook("The file (.xlsx or .csv)")(blp.documents_errors(401, 403, 422)(func))


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


class ImportedDocumentSchema(Schema):
    number = fields.String(allow_none=True, metadata={"description": "null in a dry run"})
    warehouse = fields.String(metadata={"description": "The warehouse's code"})
    lines = fields.Integer()


class ImportResultSchema(Schema):
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    dry_run = fields.Boolean()
    documents = fields.List(
        fields.Nested(ImportedDocumentSchema),
        metadata={"description": "Opening stock only: one stock document per warehouse"},
    )


def _template(kind: str) -> Response:
    response = Response(services.template_workbook(kind), mimetype=MEDIA_TYPES["xlsx"])
    response.headers["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response


def _import(kind: str) -> dict:
    upload = request.files.get("file")
    errors = {}
    if upload is None:
        errors["file"] = ["send the workbook in the field 'file'"]
    mode = request.form.get("mode", "create")
    modes = services.IMPORTERS[kind].modes
    if mode not in modes:
        errors["mode"] = [" or ".join(modes)]
    dry_run = request.form.get("dry_run", "false").lower()
    if dry_run not in ("true", "false", "1", "0"):
        errors["dry_run"] = ["true or false"]
    if errors:
        raise ValidationProblem(errors)
    return services.run_import(
        kind, upload.read(), mode=mode, dry_run=dry_run in ("true", "1"), user_id=current_user.id
    )


_IMPORT_DOC = """Import {kind} from .xlsx (multipart `file`; `mode`=create|upsert; `dry_run`).

Every row is checked first; one bad row and nothing is saved: the 422 lists row, column
and reason for each error and links an annotated copy of the workbook."""


_OPENING_STOCK_DOC = """Import opening stock (期初库存) from .xlsx (multipart `file`; `dry_run`).

Every row is checked first; one bad row and nothing is saved (422 with row, column and
reason, and an annotated workbook). The rows of each warehouse are posted as one stock
document of type `opening` (number OB-…), all in one transaction. A product × warehouse
that already has stock entries refuses the file: 409 `opening-stock-exists`. Warehouse
staff limited to some warehouses may import into those only."""


def _import_endpoints(kind: str, permission: str, doc: str = _IMPORT_DOC) -> None:
    """GET /imports/<kind>/template and POST /imports/<kind>, guarded by `permission`."""

    @requires(permission)
    @_returns_workbook("The .xlsx template")
    @blp.documents_errors(401, 403)
    def template():
        return _template(kind)

    @requires(permission)
    @accepts("multipart/form-data")
    @blp.response(200, ImportResultSchema)
    @blp.documents_errors(401, 403, 413, 415, 422)
    def run():
        return _import(kind)

    template.__doc__ = f"An .xlsx to fill in for {kind}: bilingual headers, an example, notes."
    run.__doc__ = doc.format(kind=kind)
    name = kind.replace("-", "_")
    template.__name__, run.__name__ = f"{name}_import_template", f"import_{name}"
    blp.route(f"/imports/{kind}/template", endpoint=template.__name__)(template)
    blp.route(f"/imports/{kind}", methods=["POST"], endpoint=run.__name__)(run)


_import_endpoints("products", "catalog:write")
_import_endpoints("suppliers", "partners:write")
_import_endpoints("customers", "partners:write")
_import_endpoints("opening-stock", "inventory:write", _OPENING_STOCK_DOC)


@blp.route("/imports/annotated/<token>")
@requires(None)
@blp.alt_response(
    200, description="The annotated .xlsx", content_type=MEDIA_TYPES["xlsx"], success=True
)
@blp.documents_errors(401, 404)
def annotated_workbook(token):
    """The rejected workbook with its bad cells marked (only for the user who uploaded it)."""
    path = services.annotated_file(token, current_user.id)
    return send_file(
        path, mimetype=MEDIA_TYPES["xlsx"], as_attachment=True, download_name="errors.xlsx"
    )
