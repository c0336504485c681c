"""What a report is, and the one way every report is filtered, sorted, paged and totalled.

A report names its columns (key, headers in both languages, kind, whether it is cost) and
builds one SELECT whose result columns are labelled after them. The rest is done here, the
same for every report: the caller's filters are checked (an unknown id is a 422 naming the
field), the sort is checked against the sortable columns the caller may see, count and
totals are one aggregate over the same SELECT (or a report's own statement of them), and
cost columns are left out of items, totals, sorting and files for a caller without
`cost:read`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import Boolean, Select, func, select, true, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from app.auth.models import User
from app.catalog.models import Category, Product
from app.catalog.services import category_with_descendants
from app.core.db import Money, Percent, Quantity, Rate, UnitCost, UTCDateTime
from app.core.errors import Problem, ValidationProblem
from app.core.pagination import apply_sort
from app.core.schemas import DecimalString, RestrictedFieldsSchema, restricted
from app.core.security import allowed_warehouse_ids, caller_can
from app.extensions import db
from app.inventory.models import Warehouse
from app.partners.models import Customer, Supplier

COST_PERMISSION = "cost:read"
MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 50
EXPORT_LIMIT = 100_000
FORMATS = ("json", "xlsx", "csv")
LANGUAGES = ("zh-CN", "en")

# How each kind of column is typed in SQL (exact Decimals on SQLite too) and in JSON.
SQL_TYPES = {
    "qty": Quantity,
    "money": Money,
    "unit_cost": UnitCost,
    "datetime": UTCDateTime,
    "flag": Boolean,
    "percent": Percent,
    "times": Percent,  # a multiple to 2 places: turnover
    "ratio": Rate,
}
JSON_FIELDS: dict[str, Callable[[dict], fields.Field]] = {
    "id": lambda meta: fields.Integer(allow_none=True, metadata=meta),
    "text": lambda meta: fields.String(allow_none=True, metadata=meta),
    "date": lambda meta: fields.Date(allow_none=True, metadata=meta),
    "datetime": lambda meta: fields.DateTime(allow_none=True, metadata=meta),
    "qty": lambda meta: DecimalString(3, allow_none=True, metadata=meta),
    "money": lambda meta: DecimalString(2, allow_none=True, metadata=meta),
    "unit_cost": lambda meta: DecimalString(6, allow_none=True, metadata=meta),
    "flag": lambda meta: fields.Boolean(allow_none=True, metadata=meta),
    "percent": lambda meta: DecimalString(2, allow_none=True, metadata=meta),
    "count": lambda meta: fields.Integer(allow_none=True, metadata=meta),
    "times": lambda meta: DecimalString(2, allow_none=True, metadata=meta),
    "ratio": lambda meta: DecimalString(4, allow_none=True, metadata=meta),
}


@dataclass(frozen=True)
class Column:
    """One column of a report. `key` is its path in an item ("in_by_kind.sale.qty" sits
    in nested objects); the SELECT labels it with `label`."""

    key: str
    zh: str
    en: str
    # id | text | date | datetime | qty | money | unit_cost | flag | percent | count | times
    # | ratio
    kind: str = "text"
    cost: bool = False  # only for callers with cost:read: absent from items, totals, files
    summed: bool = False  # has a figure in `totals`
    sortable: bool = False
    # 100 × one column / another (their keys), to 2 places, null when the other is 0:
    # worked out from the figures of each item and of the totals, never summed.
    percent_of: tuple[str, str] | None = None

    def __post_init__(self):
        assert self.kind in JSON_FIELDS, self.kind
        assert not (self.percent_of and (self.summed or self.sortable)), self.key

    @property
    def in_totals(self) -> bool:
        return self.summed or self.percent_of is not None

    @property
    def label(self) -> str:
        return self.key.replace(".", "__")

    def header(self, lang: str) -> str:
        return self.zh if lang == "zh-CN" else self.en


@dataclass
class ReportQuery:
    """What a report's builder returns: its SELECT, how it sorts, and notes for the reader."""

    stmt: Select
    default_sort: str
    tiebreak: tuple[str, ...]  # labels that make the order total, so pages never overlap
    finish: Callable[[dict], None] | None = None  # fills figures SQL cannot (per item)
    notes: list[str] = field(default_factory=list)
    facts: list[tuple[str, str, str]] = field(default_factory=list)  # (zh, en, value) for files
    # The count (`total`) and the summed columns' totals as a one-row statement of its own,
    # instead of aggregates over `stmt`: for a report whose page an index gives in order
    # and whose totals are known without reading every row (the ledger's, from the month
    # totals).
    totals: Select | None = None


@dataclass(frozen=True)
class Report:
    name: str
    title_zh: str
    title_en: str
    description: str
    args: type[Schema]
    columns: tuple[Column, ...]
    build: Callable[[dict, "Scope"], ReportQuery]
    permission: str = "reports:read"

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh-CN" else self.title_en


# --- arguments --------------------------------------------------------------------------------


class ReportArgsSchema(Schema):
    """Paging, sort, output format and the filters most reports take."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE)
    )
    sort = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "Column keys, comma-separated, '-' for descending"},
    )
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(FORMATS),
        metadata={"description": "xlsx or csv: the whole result (not one page), totals last"},
    )
    lang = fields.String(
        load_default="zh-CN",
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "Language of the headers in a file"},
    )
    warehouse_id = fields.Integer(load_default=None)
    category_id = fields.Integer(
        load_default=None, metadata={"description": "The category and its sub-categories"}
    )
    product_id = fields.Integer(load_default=None)


class PeriodArgsSchema(ReportArgsSchema):
    """A period of whole days (UTC), both ends included."""

    from_ = fields.Date(data_key="from", attribute="from", required=True)
    to = fields.Date(required=True)

    @validates_schema
    def _in_order(self, data, **kwargs):
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            raise ValidationError("must not be after to", "from")


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def period_bounds(args: dict) -> tuple[datetime, datetime]:
    """[start of `from`, start of the day after `to`) in UTC."""
    return day_start(args["from"]), day_start(args["to"] + timedelta(days=1))


# --- filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The rows a caller asked for and may see: warehouses, one product, some categories."""

    warehouse_ids: frozenset[int] | None  # None: every warehouse
    product_id: int | None
    category_ids: frozenset[int] | None
    customer_id: int | None = None
    supplier_id: int | None = None
    salesperson_id: int | None = None

    def apply(self, stmt: Select, product_column, warehouse_column) -> Select:
        if self.warehouse_ids is not None:
            stmt = stmt.where(warehouse_column.in_(self.warehouse_ids))
        if self.product_id is not None:
            stmt = stmt.where(product_column == self.product_id)
        if self.category_ids is not None:
            in_categories = select(Product.id).where(Product.category_id.in_(self.category_ids))
            stmt = stmt.where(product_column.in_(in_categories))
        return stmt


# Filters by one partner or user: (argument, model, what an unknown id is called).
PARTY_FILTERS = (
    ("customer_id", Customer, "customer"),
    ("supplier_id", Supplier, "supplier"),
    ("salesperson_id", User, "salesperson"),
)


def resolve_scope(args: dict) -> Scope:
    """Check every id the caller filtered by; a warehouse they may not see is as unknown as
    one that does not exist (as when posting stock)."""
    errors: dict[str, list[str]] = {}
    allowed = allowed_warehouse_ids()
    warehouse_ids = allowed
    if (warehouse_id := args.get("warehouse_id")) is not None:
        known = db.session.get(Warehouse, warehouse_id) is not None
        if not known or (allowed is not None and warehouse_id not in allowed):
            errors["warehouse_id"] = ["no such warehouse"]
        warehouse_ids = frozenset({warehouse_id})
    if (product_id := args.get("product_id")) is not None:
        if db.session.get(Product, product_id) is None:
            errors["product_id"] = ["no such product"]
    category_ids = None
    if (category_id := args.get("category_id")) is not None:
        if db.session.get(Category, category_id) is None:
            errors["category_id"] = ["no such category"]
        else:
            category_ids = frozenset(category_with_descendants(category_id))
    for name, model, what in PARTY_FILTERS:
        if (party_id := args.get(name)) is not None and db.session.get(model, party_id) is None:
            errors[name] = [f"no such {what}"]
    if errors:
        raise ValidationProblem(errors)
    return Scope(
        warehouse_ids,
        product_id,
        category_ids,
        args.get("customer_id"),
        args.get("supplier_id"),
        args.get("salesperson_id"),
    )


# --- running a report -------------------------------------------------------------------------


def visible_columns(report: Report) -> list[Column]:
    """The columns this caller may see: cost columns only with cost:read."""
    sees_cost = caller_can(COST_PERMISSION)
    return [c for c in report.columns if sees_cost or not c.cost]


def _typed(column: Column, expression: ColumnElement) -> ColumnElement:
    sql_type = SQL_TYPES.get(column.kind)
    return type_coerce(expression, sql_type()) if sql_type else expression


TOTAL_LABEL = "jxc_total"


def _sum_label(column: Column) -> str:
    return f"jxc_sum__{column.label}"


def _sorted(report: Report, query: ReportQuery, args: dict, base) -> Select:
    in_sql = [c for c in report.columns if c.percent_of is None]
    rows = select(*(_typed(c, base.c[c.label]).label(c.label) for c in in_sql))
    sortable = {c.key: base.c[c.label] for c in visible_columns(report) if c.sortable}
    rows = apply_sort(rows, args.get("sort"), sortable, query.default_sort)
    return rows.order_by(*(base.c[label] for label in query.tiebreak))


def _ordered(report: Report, query: ReportQuery, args: dict) -> tuple[Select, Select, Select]:
    """The sorted rows, the same rows each also carrying the count and totals of all of
    them (one statement gives a page and its totals), and the one-row
    aggregate (count and totals) of a report's query."""
    base = query.stmt.subquery("report")
    rows = _sorted(report, query, args, base)
    summed = [c for c in visible_columns(report) if c.summed]
    if query.totals is None:
        aggregate = select(
            func.count().label("total"),
            *(_typed(c, func.sum(base.c[c.label])).label(c.label) for c in summed),
        ).select_from(base)
    else:
        given = query.totals.subquery("given_totals")
        aggregate = select(
            given.c.total, *(_typed(c, given.c[c.label]).label(c.label) for c in summed)
        )
    # Worked out once, then counted, summed and sorted: left inline, PostgreSQL may plan
    # the joins under the sort as nested loops (50 times slower at 1M ledger lines).
    worked_out = query.stmt.cte("report").prefix_with("MATERIALIZED")
    # Totals as one aggregate row joined to every row, rather than window aggregates:
    # PostgreSQL would keep all the (wide) rows for the window, spilling to disk.
    all_of_them = select(
        func.count().label(TOTAL_LABEL),
        *(_typed(c, func.sum(worked_out.c[c.label])).label(_sum_label(c)) for c in summed),
    ).cte("report_totals")
    with_totals = (
        _sorted(report, query, args, worked_out)
        .add_columns(*all_of_them.c)
        .join_from(worked_out, all_of_them, true())
    )
    return rows, with_totals, aggregate


def _aggregate_of(report: Report, row) -> dict:
    """The count and totals a page's first row carries, as the aggregate names them."""
    values = row._mapping
    summed = [c for c in visible_columns(report) if c.summed]
    return {"total": values[TOTAL_LABEL], **{c.label: values[_sum_label(c)] for c in summed}}


def _percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _add_percents(columns: list[Column], values: dict) -> None:
    labels = {c.key: c.label for c in columns}
    for column in columns:
        if column.percent_of is not None:
            part, whole = (values.get(labels.get(key, "")) for key in column.percent_of)
            values[column.label] = _percent(part, whole)


def _nested(columns: list[Column], values: dict) -> dict:
    item: dict = {}
    for column in columns:
        *parents, leaf = column.key.split(".")
        target = item
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = values.get(column.label)
    return item


def _totals(report: Report, aggregate: dict) -> tuple[int, dict]:
    summed = [c for c in visible_columns(report) if c.summed]
    values = dict(aggregate)
    if values["total"] == 0:  # nothing matched: totals are zero, not unknown
        values.update({c.label: Decimal(0) for c in summed})
    in_totals = [c for c in visible_columns(report) if c.in_totals]
    _add_percents(in_totals, values)
    return values["total"], _nested(in_totals, values)


def _items(report: Report, query: ReportQuery, rows) -> list[dict]:
    """Items with every column first (a finish step may need a cost to derive another),
    then without what the caller may not see."""
    shown = visible_columns(report)
    items = []
    for row in rows:
        values = dict(row._mapping)
        _add_percents(list(report.columns), values)
        if query.finish:
            query.finish(values)
        items.append(_nested(shown, values))
    return items


def run_page(report: Report, args: dict) -> dict:
    """One page of a report with the totals of all its rows."""
    query = report.build(args, resolve_scope(args))
    rows, with_totals, aggregate = _ordered(report, query, args)
    page, per_page = args["page"], args["per_page"]
    together = query.totals is None
    window = db.session.execute(
        (with_totals if together else rows).limit(per_page).offset((page - 1) * per_page)
    ).all()
    if window and together:
        total, totals = _totals(report, _aggregate_of(report, window[0]))
    else:  # also when nothing matched, or a page past the end
        total, totals = _totals(report, db.session.execute(aggregate).one()._mapping)
        if not window and page > 1:
            last = max(1, -(-total // per_page))
            raise ValidationProblem({"page": [f"past the last page ({last})"]})
    return {
        "report": report.name,
        "items": _items(report, query, window),
        "totals": totals,
        "total": total,
        "page": page,
        "per_page": per_page,
        "notes": query.notes,
    }


@dataclass
class ReportResult:
    """Every row of a report, for a file."""

    report: Report
    columns: list[Column]
    items: list[dict]
    totals: dict
    facts: list[tuple[str, str, str]]


def run_all(report: Report, args: dict) -> ReportResult:
    """Every row of a report (for a file), refused beyond EXPORT_LIMIT rows."""
    query = report.build(args, resolve_scope(args))
    rows, _, aggregate = _ordered(report, query, args)
    total, totals = _totals(report, db.session.execute(aggregate).one()._mapping)
    if total > EXPORT_LIMIT:
        raise Problem(
            f"{total} rows match, more than {EXPORT_LIMIT} fit in a file; narrow the filters.",
            status=422,
            type="export-too-large",
        )
    items = _items(report, query, db.session.execute(rows))
    return ReportResult(report, visible_columns(report), items, totals, query.facts)


# --- the response shape -----------------------------------------------------------------------


def _schema(name: str, columns: list[Column]) -> type[Schema]:
    """A schema for items (or totals) from the columns: nested keys become nested objects,
    cost columns are marked so the API docs say who receives them."""
    direct: dict[str, fields.Field] = {}
    children: dict[str, list[Column]] = {}
    for column in columns:
        head, _, rest = column.key.partition(".")
        if rest:
            children.setdefault(head, []).append(
                Column(rest, column.zh, column.en, column.kind, column.cost, column.summed)
            )
            continue
        meta = {"description": f"{column.zh} / {column.en}"}
        if column.cost:
            meta = restricted(COST_PERMISSION, **meta)
        direct[head] = JSON_FIELDS[column.kind](meta)
    for head, nested in children.items():
        child = _schema(f"{name}{head.title().replace('_', '')}", nested)
        direct[head] = fields.Nested(child)
    return RestrictedFieldsSchema.from_dict(direct, name=name)


def page_schema(report: Report) -> type[Schema]:
    """{report, items, totals, total, page, per_page, notes} for one report."""
    stem = "".join(part.title() for part in report.name.split("-"))
    return Schema.from_dict(
        {
            "report": fields.String(),
            "items": fields.List(fields.Nested(_schema(f"{stem}Item", list(report.columns)))),
            "totals": fields.Nested(
                _schema(f"{stem}Totals", [c for c in report.columns if c.in_totals])
            ),
            "total": fields.Integer(metadata={"description": "Rows matching the filters"}),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "notes": fields.List(fields.String(), metadata={"description": "How to read it"}),
        },
        name=f"{stem}ReportSchema",
    )


# --- the catalogue ----------------------------------------------------------------------------

# Arguments every report takes that are not filters of what it shows.
CONTROL_ARGS = frozenset({"page", "per_page", "sort", "format", "lang"})
FILTER_TYPES = ((fields.Integer, "integer"), (fields.Date, "date"), (fields.Boolean, "boolean"))


def _filter_entry(name: str, field: fields.Field) -> dict:
    kind = next((kind for cls, kind in FILTER_TYPES if isinstance(field, cls)), "string")
    choices = next(
        (list(v.choices) for v in field.validators if isinstance(v, validate.OneOf)), None
    )
    default = field.load_default
    return {
        "name": field.data_key or name,
        "type": kind,
        "required": field.required,
        "choices": choices,
        "default": None if default is None or callable(default) else default,
    }


def catalogue_entry(report: Report) -> dict:
    """What a screen needs to show a report: its titles, the columns this caller may see
    (headers in both languages) and the filters it takes."""
    return {
        "name": report.name,
        "title": {"zh-CN": report.title_zh, "en": report.title_en},
        "description": report.description,
        "columns": [
            {
                "key": c.key,
                "kind": c.kind,
                "cost": c.cost,
                "summed": c.in_totals,
                "sortable": c.sortable,
                "headers": {"zh-CN": c.zh, "en": c.en},
            }
            for c in visible_columns(report)
        ],
        "filters": [
            _filter_entry(name, field)
            for name, field in report.args().fields.items()
            if name not in CONTROL_ARGS
        ],
    }


def period_facts(args: dict) -> list[tuple[str, str, str]]:
    """The period (and grouping) a report was asked for, printed above an export's table."""
    facts = [("期间", "Period", f"{args['from'].isoformat()} – {args['to'].isoformat()}")]
    if "group_by" in args:
        facts.append(("分组", "Group by", args["group_by"]))
    return facts
