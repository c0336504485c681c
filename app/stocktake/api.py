from flask import request

from app.core import printing
from app.core.api_docs import ApiBlueprint
from app.core.pagination import list_page
from app.core.schemas import page_of
from app.core.security import requires
from app.stocktake import counting, review, services
from app.stocktake.models import Stocktake
from app.stocktake.schemas import (
    CountsInSchema,
    CountsResultSchema,
    LineListArgsSchema,
    ProgressDetailSchema,
    RecountSchema,
    StocktakeCreateSchema,
    StocktakeHistorySchema,
    StocktakeLineSchema,
    StocktakeListArgsSchema,
    StocktakeSchema,
    StocktakeSubmitSchema,
    StocktakeSummarySchema,
    StocktakeTransitionSchema,
    StocktakeUpdateSchema,
    VarianceArgsSchema,
    VariancePageSchema,
    VarianceReportArgsSchema,
)

blp = ApiBlueprint(
    "stocktake", __name__, url_prefix="/api/v1", description="Stocktakes: counting and variances"
)
URL = "/stocktakes/<int:stocktake_id>"


@blp.route("/stocktakes")
@requires("stocktake:read")
@blp.arguments(StocktakeListArgsSchema, location="query")
@blp.response(200, page_of(StocktakeSummarySchema))
@blp.documents_errors(401, 403)
def list_stocktakes(args):
    """Stocktakes, newest first; `q` searches the number. Clerks and floor staff see those
    of their warehouses."""
    page = list_page(
        services.stocktake_query(args),
        args,
        search=(Stocktake.number,),
        sortable={
            "created_at": Stocktake.created_at,
            "number": Stocktake.number,
            "id": Stocktake.id,
        },
        default_sort="-created_at,-id",
    )
    page["items"] = services.stocktake_summaries(page["items"])
    return page


@blp.route("/stocktakes", methods=["POST"])
@requires("stocktake:write")
@blp.arguments(StocktakeCreateSchema)
@blp.response(201, StocktakeSchema)
@blp.documents_errors(401, 403, 422)
def create_stocktake(data):
    """Create a draft stocktake (ST-<year>-<n>) of a warehouse, or of some of its locations
    and/or categories (a `cycle` count must name some)."""
    return services.create_stocktake(data)


@blp.route(URL)
@requires("stocktake:read")
@blp.response(200, StocktakeSchema)
@blp.documents_errors(401, 403, 404)
def get_stocktake(stocktake_id):
    return services.stocktake_detail(services.get_stocktake(stocktake_id))


@blp.route(URL, methods=["PATCH"])
@requires("stocktake:write")
@blp.arguments(StocktakeUpdateSchema)
@blp.response(200, StocktakeSchema)
@blp.documents_errors(401, 403, 404, 409, 422)
def update_stocktake(changes, stocktake_id):
    """Change a draft; `version` must match. Refused (409 `invalid-state`) once started."""
    return services.update_stocktake(stocktake_id, changes)


@blp.route(f"{URL}/start", methods=["POST"])
@requires("stocktake:write")
@blp.arguments(StocktakeTransitionSchema)
@blp.response(200, StocktakeSchema)
@blp.documents_errors(401, 403, 404, 409)
def start_stocktake(data, stocktake_id):
    """draft → counting: the quantity of every key in scope is taken now; the warehouse
    keeps working, and what moves from now on follows into the expected quantities."""
    return services.start(stocktake_id, data["note"])


@blp.route(f"{URL}/submit", methods=["POST"])
@requires("stocktake:write")
@blp.arguments(StocktakeSubmitSchema)
@blp.response(200, StocktakeSchema)
@blp.documents_errors(401, 403, 404, 409)
def submit_stocktake(data, stocktake_id):
    """counting → review. Keys not counted in their current round are a 409
    `uncounted-keys` (with `uncounted`: how many), unless `uncounted_as_zero`."""
    return services.submit(stocktake_id, data["note"], data["uncounted_as_zero"])


@blp.route(f"{URL}/recount", methods=["POST"])
@requires("stocktake:approve")
@blp.arguments(RecountSchema)
@blp.response(200, StocktakeSchema)
@blp.documents_errors(401, 403, 404, 409, 422)
def recount_stocktake(data, stocktake_id):
    """Send keys back to the counters: their earlier counts no longer count. A stocktake in
    review goes back to counting."""
    return services.recount(stocktake_id, data["line_ids"], data["note"])


@blp.route(f"{URL}/approve", methods=["POST"])
@requires("stocktake:approve")
@blp.arguments(StocktakeTransitionSchema)
@blp.response(200, StocktakeSchema)
@blp.documents_errors(401, 403, 404, 409)
def approve_stocktake(data, stocktake_id):
    """review → posted: every key's difference is posted through the ledger as one
    adjustment (`document`). Approving twice is a 409 `invalid-state`."""
    return services.approve(stocktake_id, data["note"])


@blp.route(f"{URL}/cancel", methods=["POST"])
@requires("stocktake:write")
@blp.arguments(StocktakeTransitionSchema)
@blp.response(200, StocktakeSchema)
@blp.documents_errors(401, 403, 404, 409)
def cancel_stocktake(data, stocktake_id):
    """Cancel a draft, a count or a review; nothing is posted."""
    return services.cancel(stocktake_id, data["note"])


@blp.route(f"{URL}/history")
@requires("stocktake:read")
@blp.response(200, StocktakeHistorySchema(many=True))
@blp.documents_errors(401, 403, 404)
def stocktake_history(stocktake_id):
    """The stocktake's story in order: created, each change of state, recounts."""
    return services.stocktake_history(stocktake_id)


@blp.route(f"{URL}/counts", methods=["POST"])
@requires("stocktake:write")
@blp.arguments(CountsInSchema)
@blp.response(201, CountsResultSchema)
@blp.documents_errors(401, 403, 404, 409, 422)
def add_counts(data, stocktake_id):
    """Counts by the caller, all or nothing (a bad line is a 422 on `lines.<n>.<field>`).
    Counts of one key by several counters add up; a key nobody expected is added and
    flagged `unexpected`. Only while counting (409 `invalid-state` otherwise)."""
    return counting.record_counts(stocktake_id, data["lines"]), 201


@blp.route(f"{URL}/lines")
@requires("stocktake:read")
@blp.arguments(LineListArgsSchema, location="query")
@blp.response(200, page_of(StocktakeLineSchema))
@blp.documents_errors(401, 403, 404, 422)
def list_lines(args, stocktake_id):
    """The keys to count, by location and SKU; `expected` is absent in a blind count
    unless the caller may approve."""
    return counting.line_page(stocktake_id, args)


@blp.route(f"{URL}/progress")
@requires("stocktake:read")
@blp.response(200, ProgressDetailSchema)
@blp.documents_errors(401, 403, 404)
def stocktake_progress(stocktake_id):
    """Keys counted of those expected, per location and per counter."""
    return services.progress_detail(stocktake_id)


@blp.route(f"{URL}/variances")
@requires("stocktake:read")
@blp.arguments(VarianceArgsSchema, location="query")
@blp.response(200, VariancePageSchema)
@blp.documents_errors(401, 403, 404, 422)
def list_variances(args, stocktake_id):
    """Per key: expected (the snapshot and the key's movements up to its count), counted,
    difference, and for callers who may see costs its value at the moving average; with
    `totals`. In a blind count, for reviewers only (403)."""
    return review.variance_page(stocktake_id, args)


@blp.route(f"{URL}/variances.<any(xlsx, pdf):fmt>")
@requires("stocktake:read")
@blp.arguments(VarianceReportArgsSchema, location="query")
@blp.alt_response(
    200, description="The variance report as .xlsx or PDF", content_type="application/pdf",
    success=True,
)  # fmt: skip
@blp.documents_errors(401, 403, 404, 422)
def printed_variances(args, stocktake_id, fmt):
    """The variance report to print or send, in `lang`, with the same choice of keys."""
    stocktake, rows, totals = review.reviewed_variances(stocktake_id, args)
    lang = args["lang"] or request.accept_languages.best_match(review.LANGUAGES, "zh-CN")
    document = review.printed(stocktake, rows, totals, lang)
    return printing.download(document, fmt, f"variances-{stocktake['number']}")
