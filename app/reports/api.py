"""GET /api/v1/reports/<name>: one route per report, so each documents its own filters
and columns. JSON pages by default; ?format=xlsx|csv gives the whole result as a file."""

from app.core.api_docs import ApiBlueprint
from app.core.security import requires
from app.reports import ageing, exports, registry, sales, stock, stock_health
from app.reports.registry import Report

blp = ApiBlueprint("reports", __name__, url_prefix="/api/v1/reports", description="Reports (报表)")

REPORTS: tuple[Report, ...] = (
    *stock.REPORTS,
    *sales.REPORTS,
    *stock_health.REPORTS,
    *ageing.REPORTS,
)

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
