"""GET /api/v1/reports/<name>: one route per report, so each documents its own filters
and columns. JSON pages by default; ?format=xlsx|csv gives the whole result as a file."""

from marshmallow import Schema, fields

from app.core.api_docs import ApiBlueprint
from app.core.security import caller_can, requires
from app.reports import (
    ageing,
    dashboard,
    exports,
    registry,
    replenishment,
    sales,
    stock,
    stock_health,
)
from app.reports.registry import Report

blp = ApiBlueprint("reports", __name__, url_prefix="/api/v1/reports", description="Reports (报表)")

REPORTS: tuple[Report, ...] = (
    *stock.REPORTS,
    *sales.REPORTS,
    *stock_health.REPORTS,
    *ageing.REPORTS,
    *replenishment.REPORTS,
)


class _Words(Schema):
    zh_cn = fields.String(data_key="zh-CN", attribute="zh-CN")
    en = fields.String()


class CatalogueColumnSchema(Schema):
    key = fields.String(metadata={"description": "Its path in an item: a.b is item.a.b"})
    kind = fields.String(
        metadata={"description": "id|text|date|datetime|qty|money|unit_cost|flag|percent|count"}
    )
    cost = fields.Boolean()
    summed = fields.Boolean(metadata={"description": "Has a figure in totals"})
    sortable = fields.Boolean()
    headers = fields.Nested(_Words)


class CatalogueFilterSchema(Schema):
    name = fields.String()
    type = fields.String(metadata={"description": "integer|date|boolean|string"})
    required = fields.Boolean()
    choices = fields.List(fields.String(), allow_none=True)
    default = fields.Raw(allow_none=True)


class CatalogueEntrySchema(Schema):
    name = fields.String()
    title = fields.Nested(_Words)
    description = fields.String()
    columns = fields.List(fields.Nested(CatalogueColumnSchema))
    filters = fields.List(fields.Nested(CatalogueFilterSchema))


class CatalogueSchema(Schema):
    items = fields.List(fields.Nested(CatalogueEntrySchema))


@blp.route("")
@requires(None)
@blp.response(200, CatalogueSchema)
@blp.documents_errors(401)
def catalogue():
    """The reports the caller may read, each with the columns they may see and its filters."""
    readable = [r for r in REPORTS if caller_can(r.permission)]
    return {"items": [registry.catalogue_entry(r) for r in readable]}


_FORMATS_DOC = """

Filters, then `sort` over the sortable columns; `totals` adds up every matching row, not
only the page. `format=xlsx|csv` returns the whole result (up to 100,000 rows) with a totals
row, headers in `lang`. Cost columns (value, cost) only for callers with cost:read."""


def _add_route(report: Report) -> None:
    @requires(report.permission)
    @blp.arguments(report.args, location="query")
    @blp.response(200, registry.page_schema(report))
    @blp.documents_errors(401, 403, 422)
    def view(args):
        if args["format"] == "json":
            return registry.run_page(report, args)
        return exports.download(registry.run_all(report, args), args["format"], args["lang"])

    view.__name__ = report.name.replace("-", "_")
    view.__doc__ = f"{report.title_en} ({report.title_zh})\n\n{report.description}{_FORMATS_DOC}"
    blp.route(f"/{report.name}", endpoint=view.__name__)(view)


for _report in REPORTS:
    _add_route(_report)


@blp.route("/dashboard")
@requires("reports:read")
@blp.arguments(dashboard.DashboardArgsSchema, location="query")
@blp.response(200, dashboard.DashboardSchema)
@blp.documents_errors(401, 403, 422)
def dashboard_view(args):
    """The manager's dashboard (经营看板): sales today, this week and this month against the
    days just before, margin, stock value, low stock, expiring batches, overdue receivables,
    orders by status, top sellers and a 30-day trend, within the warehouses the caller may
    see; cost figures only for cost:read, overdue receivables only for finance:read."""
    return dashboard.dashboard(registry.resolve_scope(args))
