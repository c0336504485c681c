"""Opening stock (期初库存) from a sheet, posted through the stock ledger.

Each row becomes a ledger line; the rows of one warehouse become one `opening` stock
document, and the whole file is posted in one transaction. Opening stock is the first
entry of a product in a warehouse, never a top-up: a product × warehouse that already has
ledger entries is refused (later stock comes by receipts, stock-ins or stocktakes).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app.catalog.codes import gtin_forms
from app.catalog.models import Product, ProductBarcode
from app.catalog.services import find_by_code
from app.core.errors import Conflict, Problem
from app.core.records import normalise_code
from app.core.schemas import DecimalString
from app.core.security import allowed_warehouse_ids
from app.core.transactions import run_transaction
from app.extensions import db
from app.inventory import ledger
from app.inventory.models import Batch, LedgerEntry, Location, StockDocument, Warehouse

KIND = "opening"
NOTE = "期初库存导入 Opening stock import"
QTY_PLACES = Decimal("0.001")
QTY_MAX = Decimal("999999999999.999")
COST_MAX = Decimal("99999999999999")
EXISTS = "opening-stock-exists"


class OpeningStockRowSchema(Schema):
    warehouse = fields.String(required=True, validate=validate.Length(max=32))
    code = fields.String(required=True, validate=validate.Length(max=500))
    location = fields.String(load_default="", validate=validate.Length(max=32))
    batch = fields.String(load_default="", validate=validate.Length(max=40))
    expiry = fields.Date(load_default=None)
    qty = DecimalString(
        3,
        required=True,
        validate=[validate.Range(min=0, min_inclusive=False), validate.Range(max=QTY_MAX)],
    )
    unit = fields.String(load_default="", validate=validate.Length(max=10))
    unit_cost = DecimalString(6, required=True, minimum=0, validate=validate.Range(max=COST_MAX))


def drop_blanks(payload: dict, *_args) -> None:
    """An empty cell is a missing value: required columns say so, the others default."""
    for key in [k for k, v in payload.items() if v in (None, "")]:
        del payload[key]


@dataclass
class Plan:
    """What the file posts: per warehouse, its ledger lines in sheet order."""

    warehouses: dict[int, Warehouse] = field(default_factory=dict)
    lines: dict[int, list[ledger.Line]] = field(default_factory=dict)
    # (product id, warehouse id) → sheet rows, to name them if opening stock exists
    rows: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    skus: dict[int, str] = field(default_factory=dict)

    @property
    def line_count(self) -> int:
        return sum(len(lines) for lines in self.lines.values())

    def in_order(self) -> list[Warehouse]:
        return sorted((self.warehouses[i] for i in self.lines), key=lambda w: w.code)


class _Lookups:
    """What the rows name, each looked up once per file."""

    def __init__(self, codes: set[str]):
        allowed = allowed_warehouse_ids()
        self.warehouses = {
            w.code: w
            for w in db.session.scalars(select(Warehouse))
            if allowed is None or w.id in allowed  # others are as good as unknown
        }
        ids = [w.id for w in self.warehouses.values()]
        self.locations = {
            (loc.warehouse_id, loc.code): loc
            for loc in db.session.scalars(select(Location).where(Location.warehouse_id.in_(ids)))
        }
        self._codes: dict[str, tuple | None] = {}
        self._skus, self._barcodes = _load_products(codes)
        self._batches: dict[tuple[int, str], Batch | None] = {}

    def product(self, code: str):
        """(product, unit or None) for a SKU (any case) or any barcode, or None: what
        `find_by_code` answers, asked only for barcodes (which may mean a packing unit);
        a code no barcode matches is a SKU, found among the products loaded at once."""
        if code not in self._codes:
            if gtin_forms(code.strip()) & self._barcodes:
                self._codes[code] = find_by_code(code)
            else:
                product = self._skus.get(normalise_code(code))
                self._codes[code] = (product, None) if product is not None else None
        return self._codes[code]

    def batch(self, product_id: int, number: str) -> Batch | None:
        key = (product_id, number)
        if key not in self._batches:
            where = (Batch.product_id == product_id, Batch.number == number)
            self._batches[key] = db.session.scalar(select(Batch).where(*where))
        return self._batches[key]


def _load_products(codes: set[str], chunk: int = 500) -> tuple[dict[str, Product], set[str]]:
    """The products the codes name by SKU, and which codes are barcodes: a few queries
    for a whole sheet instead of several per row."""
    codes = sorted({code.strip() for code in codes})
    skus: dict[str, Product] = {}
    barcodes: set[str] = set()
    for start in range(0, len(codes), chunk):
        part = codes[start : start + chunk]
        forms = set().union(*(gtin_forms(code) for code in part))
        found = select(ProductBarcode.code).where(ProductBarcode.code.in_(forms))
        barcodes.update(db.session.scalars(found))
        named = select(Product).where(Product.sku.in_({normalise_code(c) for c in part}))
        skus.update((product.sku, product) for product in db.session.scalars(named))
    return skus, barcodes


def resolve(checked: list, errors) -> Plan:
    """Turn rows that read well into ledger lines; every problem goes to `errors` with its
    row and column. With no row errors, a product × warehouse that already has stock
    entries refuses the whole file (409)."""
    plan = Plan()
    lookups = _Lookups({data["code"] for _, data, _ in checked})
    places: dict[tuple, int] = {}
    new_batches: dict[tuple[int, str], tuple[date | None, int]] = {}
    for row, data, _present in checked:
        resolved = _line(row, data, lookups, errors, new_batches)
        if resolved is None:
            continue
        warehouse, product, line = resolved
        place = (warehouse.id, product.id, line.location_id, line.batch_number)
        if place in places:
            errors.add(row, "code", f"{product.sku} at this place is also in row {places[place]}")
            continue
        places[place] = row
        plan.warehouses[warehouse.id] = warehouse
        plan.lines.setdefault(warehouse.id, []).append(line)
        plan.rows.setdefault((product.id, warehouse.id), []).append(row)
        plan.skus[product.id] = product.sku
    if not errors.items:
        existing = _existing(plan)
        if existing:
            for product_id, warehouse_id in sorted(existing):
                sku, warehouse = plan.skus[product_id], plan.warehouses[warehouse_id].code
                for row in plan.rows[(product_id, warehouse_id)]:
                    errors.add(row, "code", f"{sku} already has stock entries in {warehouse}")
            errors.refusal = (409, EXISTS, _exists_detail(len(existing)))
    return plan


def _line(row: int, data: dict, lookups: _Lookups, errors, new_batches):
    """(warehouse, product, ledger line) for one row, or None when the row has errors."""
    failed = len(errors.items)
    warehouse = lookups.warehouses.get(normalise_code(data["warehouse"]))
    if warehouse is None:
        errors.add(row, "warehouse", f"no such warehouse: {data['warehouse']}")
    elif not warehouse.active:
        errors.add(row, "warehouse", f"{warehouse.code} is archived")

    found = lookups.product(data["code"])
    if found is None:
        errors.add(row, "code", f"no product has the SKU or barcode {data['code']}")
        return None
    product, unit = found
    if not product.active:
        errors.add(row, "code", f"{product.sku} is archived")

    unit = _unit(row, data, product, unit, errors)
    factor = unit.factor if unit is not None else Decimal(1)
    qty = data["qty"] * factor
    if qty != qty.quantize(QTY_PLACES):
        errors.add(row, "qty", f"more than 3 decimal places of the base unit {product.unit}")
    elif qty > QTY_MAX:
        errors.add(row, "qty", "too large")

    location_id = None
    if data["location"] and warehouse is not None:
        location = lookups.locations.get((warehouse.id, normalise_code(data["location"])))
        if location is None:
            errors.add(row, "location", f"no location {data['location']} in {warehouse.code}")
        elif not location.active:
            errors.add(row, "location", f"{location.code} is archived")
        else:
            location_id = location.id

    batch, expiry = data["batch"] or None, data["expiry"]
    _check_batch(row, product, batch, expiry, lookups, errors, new_batches)

    if len(errors.items) > failed:
        return None
    return (
        warehouse,
        product,
        ledger.Line(
            product_id=product.id,
            qty=qty,
            unit=unit.name if unit is not None else product.unit,
            factor=factor,
            entered_qty=data["qty"],
            location_id=location_id,
            batch_number=batch,
            expiry=expiry,
            unit_cost=data["unit_cost"] / factor,  # the sheet's cost is per its unit
        ),
    )


def _unit(row: int, data: dict, product: Product, implied, errors):
    """The packing unit of the row (None: the base unit). A case barcode implies its unit;
    the unit column may repeat it but not contradict it."""
    wanted = data["unit"].casefold()
    if not wanted:
        return implied
    if implied is not None:
        if wanted != implied.name.casefold():
            errors.add(row, "unit", f"{data['code']} is the barcode of one {implied.name}")
        return implied
    if wanted == product.unit.casefold():
        return None
    unit = next((u for u in product.units if u.name.casefold() == wanted), None)
    if unit is None:
        known = ", ".join([product.unit, *(u.name for u in product.units)])
        errors.add(row, "unit", f"{product.sku} is counted in {known}")
    return unit


def _check_batch(row, product, batch, expiry, lookups: _Lookups, errors, new_batches) -> None:
    tracked = product.track_batches or product.track_expiry
    if tracked and not batch:
        errors.add(row, "batch", f"{product.sku} needs a batch number")
    if batch and not tracked:
        errors.add(row, "batch", f"{product.sku} does not track batches")
    if expiry is not None and not batch:
        errors.add(row, "expiry", "an expiry belongs to a batch")
    if not (batch and tracked):
        return
    # A batch has one expiry, whichever warehouse holds it.
    known = lookups.batch(product.id, batch)
    if known is not None:
        if expiry is not None and known.expiry != expiry:
            was = known.expiry.isoformat() if known.expiry else "no date"
            errors.add(row, "expiry", f"batch {batch} of {product.sku} expires on {was}")
        return
    if (product.id, batch) in new_batches:
        first_expiry, first_row = new_batches[(product.id, batch)]
        if expiry is not None and expiry != first_expiry:
            errors.add(row, "expiry", f"row {first_row} gives batch {batch} another expiry")
        return
    if product.track_expiry and expiry is None:
        # Guessing from the shelf life would make old stock look fresh.
        errors.add(row, "expiry", f"{product.sku} tracks expiry: give the batch's expiry")
    new_batches[(product.id, batch)] = (expiry, row)


def _existing(plan: Plan, *, besides: list[int] = ()) -> set[tuple[int, int]]:
    """The product × warehouse pairs of the plan that have ledger entries (other than
    the documents in `besides`)."""
    if not plan.rows:
        return set()
    products = {product_id for product_id, _ in plan.rows}
    query = (
        select(LedgerEntry.product_id, LedgerEntry.warehouse_id)
        .where(LedgerEntry.product_id.in_(products))
        .where(LedgerEntry.warehouse_id.in_(list(plan.lines)))
        .distinct()
    )
    if besides:
        query = query.where(LedgerEntry.document_id.not_in(besides))
    return {tuple(pair) for pair in db.session.execute(query)} & set(plan.rows)


def _exists_detail(count: int) -> str:
    return (
        f"{count} product(s) already have stock entries in these warehouses; opening stock "
        "must be their first entry. Nothing was saved: post a stock-in or an adjustment."
    )


def post(plan: Plan, *, dry_run: bool, user_id: int) -> dict:
    """One `opening` document per warehouse, the whole file in one transaction."""
    warehouses = plan.in_order()
    if dry_run:
        db.session.rollback()
        numbers = [None] * len(warehouses)
    else:

        def work():
            ids = [
                ledger.post(KIND, w.id, plan.lines[w.id], user_id=user_id, note=NOTE)
                for w in warehouses
            ]
            # Checked again after the ledger's locks: another posting may have reached the
            # same product × warehouse since the rows were checked.
            clash = _existing(plan, besides=ids)
            if clash:
                raise Conflict(_exists_detail(len(clash)), type=EXISTS)
            found = select(StockDocument.id, StockDocument.number).where(StockDocument.id.in_(ids))
            numbers = dict(db.session.execute(found).all())
            return [numbers[i] for i in ids]

        try:
            numbers = run_transaction(work)
        except Problem:
            db.session.rollback()
            raise
    documents = [
        {"number": number, "warehouse": w.code, "lines": len(plan.lines[w.id])}
        for number, w in zip(numbers, warehouses, strict=True)
    ]
    return {"created": plan.line_count, "updated": 0, "documents": documents}
