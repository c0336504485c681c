from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.schemas import DecimalString, ListArgsSchema, RestrictedFieldsSchema, restricted
from app.inventory.schemas import (
    QTY_MAX,
    BatchRefSchema,
    ProductRefSchema,
    RefSchema,
    UserRefSchema,
)
from app.stocktake.counting import LINE_STATUSES
from app.stocktake.models import MODES, STATES
from app.stocktake.review import LANGUAGES

COST = restricted("cost:read")
NOTE = validate.Length(max=500)


def _ids(description: str, **kwargs) -> fields.List:
    return fields.List(fields.Integer(strict=True), validate=validate.Length(max=1000),
                       metadata={"description": description}, **kwargs)  # fmt: skip


# --- input -----------------------------------------------------------------------------------


class StocktakeCreateSchema(Schema):
    warehouse_id = fields.Integer(required=True, strict=True)
    mode = fields.String(
        load_default="full",
        validate=validate.OneOf(MODES),
        metadata={"description": "full | cycle (a cycle count names locations or categories)"},
    )
    blind = fields.Boolean(
        load_default=False, metadata={"description": "Counters do not see expected quantities"}
    )
    location_ids = _ids("Locations to count; empty: the whole warehouse", load_default=list)
    category_ids = _ids("Categories (with sub-categories) to count; empty: all",
                        load_default=list)  # fmt: skip
    counter_ids = _ids("Users who count; empty: anyone who may count", load_default=list)
    note = fields.String(load_default="", validate=NOTE)


class StocktakeUpdateSchema(Schema):
    version = fields.Integer(required=True, strict=True)
    warehouse_id = fields.Integer(strict=True)
    mode = fields.String(validate=validate.OneOf(MODES))
    blind = fields.Boolean()
    location_ids = _ids("Replaces the locations")
    category_ids = _ids("Replaces the categories")
    counter_ids = _ids("Replaces the counters")
    note = fields.String(validate=NOTE)


class StocktakeListArgsSchema(ListArgsSchema):
    state = fields.String(validate=validate.OneOf(STATES))
    warehouse_id = fields.Integer()


class StocktakeTransitionSchema(Schema):
    note = fields.String(load_default="", validate=NOTE)


class StocktakeSubmitSchema(StocktakeTransitionSchema):
    uncounted_as_zero = fields.Boolean(
        load_default=False,
        metadata={"description": "Count every key still uncounted as 0 (none there); "
                  "otherwise such keys are a 409 `uncounted-keys`"},
    )  # fmt: skip


class RecountSchema(StocktakeTransitionSchema):
    line_ids = fields.List(
        fields.Integer(strict=True), required=True, validate=validate.Length(min=1, max=5000)
    )


class CountLineInSchema(Schema):
    product_id = fields.Integer(strict=True)
    code = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={"description": "A barcode or SKU; a case barcode means its unit"},
    )
    location_id = fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        metadata={"description": "None only where the warehouse or the key has no location"},
    )
    batch = fields.String(allow_none=True, validate=validate.Length(max=40))
    qty = DecimalString(3, required=True, validate=validate.Range(max=QTY_MAX),
                        metadata={"description": "Counted, >= 0, in `unit`"})  # fmt: skip
    unit = fields.String(
        validate=validate.Length(min=1, max=10),
        metadata={"description": "Default: the code's unit, else the base unit"},
    )

    @validates_schema
    def _one_product(self, data, **kwargs):
        if (data.get("product_id") is None) == (data.get("code") is None):
            raise ValidationError("Give either product_id or code.", "product_id")


class CountsInSchema(Schema):
    lines = fields.List(
        fields.Nested(CountLineInSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class LineListArgsSchema(ListArgsSchema):
    location_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(LINE_STATUSES))


class VarianceArgsSchema(ListArgsSchema):
    threshold = DecimalString(
        3,
        minimum=0,
        metadata={"description": "Only keys with |difference| >= this, in base units; "
                  "default: every key that differs"},
    )  # fmt: skip
    all = fields.Boolean(
        load_default=False,
        metadata={"description": "Every key, also those without a difference or a count"},
    )


class VarianceReportArgsSchema(VarianceArgsSchema):
    lang = fields.String(
        load_default=None,
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "Default: the browser's Accept-Language, else zh-CN"},
    )


# --- output ----------------------------------------------------------------------------------


class ProgressSchema(Schema):
    expected_keys = fields.Integer(metadata={"description": "Keys in the snapshot"})
    counted_keys = fields.Integer(
        metadata={"description": "Of the expected keys, those counted in their current round"}
    )
    unexpected_keys = fields.Integer(metadata={"description": "Keys found, not in the snapshot"})
    recount_keys = fields.Integer(metadata={"description": "Sent back, not yet recounted"})


class StocktakeLocationRefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class StocktakeCategoryRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class AdjustmentRefSchema(Schema):
    id = fields.Integer()
    number = fields.String()


class StocktakeSummarySchema(Schema):
    id = fields.Integer()
    number = fields.String()
    warehouse = fields.Nested(RefSchema)
    mode = fields.String(metadata={"description": " | ".join(MODES)})
    blind = fields.Boolean()
    state = fields.String(metadata={"description": " | ".join(STATES)})
    note = fields.String()
    created_by = fields.Nested(UserRefSchema)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    approved_by = fields.Nested(UserRefSchema, allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    document = fields.Nested(
        AdjustmentRefSchema,
        allow_none=True,
        metadata={"description": "The adjustment that posted the differences"},
    )
    progress = fields.Nested(ProgressSchema)
    version = fields.Integer()


class StocktakeSchema(StocktakeSummarySchema):
    locations = fields.List(fields.Nested(StocktakeLocationRefSchema))
    categories = fields.List(fields.Nested(StocktakeCategoryRefSchema))
    counters = fields.List(fields.Nested(UserRefSchema))


class CountedBySchema(Schema):
    user = fields.Nested(UserRefSchema)
    qty = DecimalString(3, metadata={"description": "Base units"})
    at = fields.DateTime()


class StocktakeLineSchema(Schema):
    id = fields.Integer()
    product = fields.Nested(ProductRefSchema)
    location = fields.Nested(StocktakeLocationRefSchema, allow_none=True)
    batch = fields.Nested(BatchRefSchema, allow_none=True)
    expected = DecimalString(
        3,
        metadata={"description": "Base units. Absent in a blind count for callers without "
                  "stocktake:approve"},
    )  # fmt: skip
    counted = DecimalString(
        3,
        allow_none=True,
        metadata={"description": "Base units, summed over counters; null until counted in "
                  "the current round"},
    )  # fmt: skip
    unexpected = fields.Boolean(metadata={"description": "Found, not in the snapshot"})
    recount = fields.Boolean(metadata={"description": "Sent back and not yet recounted"})
    round = fields.Integer()
    counted_by = fields.List(fields.Nested(CountedBySchema))


class CountsResultSchema(Schema):
    lines = fields.List(fields.Nested(StocktakeLineSchema))
    progress = fields.Nested(ProgressSchema)


class LocationProgressSchema(Schema):
    location = fields.Nested(StocktakeLocationRefSchema, allow_none=True)
    expected_keys = fields.Integer()
    counted_keys = fields.Integer()


class CounterProgressSchema(Schema):
    user = fields.Nested(UserRefSchema)
    lines = fields.Integer(metadata={"description": "Count lines entered"})
    last_at = fields.DateTime(allow_none=True)


class ProgressDetailSchema(ProgressSchema):
    by_location = fields.List(fields.Nested(LocationProgressSchema))
    by_counter = fields.List(fields.Nested(CounterProgressSchema))


class VarianceSchema(RestrictedFieldsSchema):
    line_id = fields.Integer()
    product = fields.Nested(ProductRefSchema)
    location = fields.Nested(StocktakeLocationRefSchema, allow_none=True)
    batch = fields.Nested(BatchRefSchema, allow_none=True)
    unexpected = fields.Boolean()
    expected = DecimalString(
        3, metadata={"description": "Snapshot + the key's movements up to its last count"}
    )
    counted = DecimalString(3, allow_none=True)
    difference = DecimalString(3, allow_none=True, metadata={"description": "counted − expected"})
    unit_cost = DecimalString(6, metadata=restricted("cost:read", description="Moving average"))
    value = DecimalString(2, allow_none=True, metadata=restricted("cost:read",
                          description="difference × unit_cost"))  # fmt: skip


class VarianceTotalsSchema(RestrictedFieldsSchema):
    keys = fields.Integer()
    gains = fields.Integer(metadata={"description": "Keys counted over what was expected"})
    losses = fields.Integer(metadata={"description": "Keys counted under what was expected"})
    value_gain = DecimalString(2, metadata=COST)
    value_loss = DecimalString(2, metadata=restricted("cost:read", description="Negative"))
    value_net = DecimalString(2, metadata=COST)


class VariancePageSchema(Schema):
    items = fields.List(fields.Nested(VarianceSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    totals = fields.Nested(VarianceTotalsSchema)


class StocktakeHistorySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    user = fields.Nested(UserRefSchema)
    event = fields.String(metadata={"description": "created | state | recount"})
    from_ = fields.String(data_key="from", attribute="from", allow_none=True)
    to = fields.String(allow_none=True)
    note = fields.String()
    data = fields.Dict()
