"""Stock documents as the API sees them: checking a request, posting it, reading it back.

The posting itself is `inventory.ledger`; this module turns what a user sent (codes,
units, batch numbers, warehouses they may or may not use) into ledger lines, or a 4xx
that names every bad field and changes nothing.
"""

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import lazyload

from app.catalog.models import Product
from app.catalog.services import find_by_code
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, NotFound, ValidationProblem
from app.core.security import allowed_warehouse_ids
from app.core.transactions import run_transaction
from app.extensions import db
from app.inventory import ledger
from app.inventory.models import (
    Batch,
    LedgerEntry,
    Location,
    StockBalance,
    StockDocument,
    StockDocumentLine,
    Warehouse,
)
from app.inventory.refs import batch_ref, location_ref, product_refs, user_ref, warehouse_ref

WRITE_OFF_REASONS = ("damaged", "expired", "lost", "other")


# --- posting -----------------------------------------------------------------------------


def create_movement(data: dict) -> dict:
    """Check a stock document from the API, post it through the ledger, and return it as
    `movement_detail` read inside the same transaction (what was written, at no extra
    round trip)."""
    kind = data["type"]
    if data.get("override_expired") and not current_user.can("inventory:override"):
        raise Forbidden("Issuing an expired batch needs a manager's override.")
    errors: dict[str, list[str]] = {}
    warehouse = _usable_warehouse(data["warehouse_id"], "warehouse_id", errors)
    to_warehouse = None
    if kind == "transfer":
        if data.get("to_warehouse_id") is None:
            errors["to_warehouse_id"] = ["required for a transfer"]
        else:
            to_warehouse = _usable_warehouse(data["to_warehouse_id"], "to_warehouse_id", errors)
    elif data.get("to_warehouse_id") is not None:
        errors["to_warehouse_id"] = ["only for a transfer"]
    reason = data.get("reason") or ""
    if kind == "write_off" and reason not in WRITE_OFF_REASONS:
        errors["reason"] = [f"one of {', '.join(WRITE_OFF_REASONS)}"]
    lines = _lines(kind, data["lines"], warehouse, to_warehouse, errors)
    if errors:
        raise ValidationProblem(errors)

    def work():
        document_id = ledger.post(
            kind,
            warehouse.id,
            lines,
            user_id=current_user.id,
            to_warehouse_id=to_warehouse.id if to_warehouse else None,
            reason=reason,
            note=(data.get("note") or "").strip(),
            allow_expired=bool(data.get("override_expired")),
        )
        return movement_detail(db.session.get(StockDocument, document_id))

    return run_transaction(work)


def cancel_movement(document_id: int) -> dict:
    document = get_movement(document_id)
    if document.source_type is not None:
        # A receipt's or a return's stock belongs to that document: cancelling it here
        # would leave the order's received quantities saying otherwise.
        raise Conflict(
            f"{document.number} was posted by a {document.source_type.replace('_', ' ')}; "
            "correct it there.",
            type="posted-by-another-document",
        )
    _check_may_use(document.warehouse_id)
    if document.to_warehouse_id is not None:
        _check_may_use(document.to_warehouse_id)

    def work():
        ledger.cancel(document_id, user_id=current_user.id)
        db.session.refresh(document)
        return movement_detail(document)

    return run_transaction(work)


def _usable_warehouse(warehouse_id: int, field: str, errors: dict) -> Warehouse | None:
    warehouse = db.session.get(Warehouse, warehouse_id)
    allowed = allowed_warehouse_ids()
    if warehouse is None or (allowed is not None and warehouse.id not in allowed):
        errors[field] = ["no such warehouse"]
        return None
    if not warehouse.active:
        errors[field] = ["this warehouse is archived"]
    return warehouse


def _check_may_use(warehouse_id: int) -> None:
    allowed = allowed_warehouse_ids()
    if allowed is not None and warehouse_id not in allowed:
        raise Forbidden("You may not move stock in this warehouse.")


def _lines(kind, rows: Sequence[dict], warehouse, to_warehouse, errors) -> list[ledger.Line]:
    lines = []
    for index, row in enumerate(rows):
        problems: dict[str, list[str]] = {}
        line = stock_line(kind, row, warehouse, to_warehouse, problems)
        for field, reasons in problems.items():
            errors[f"lines.{index}.{field}"] = reasons
        if line is not None and not problems:
            lines.append(line)
    return lines


def stock_line(kind, row: dict, warehouse, to_warehouse, problems) -> ledger.Line | None:
    """One request line as a ledger line, or None with `problems` filled in (also used by
    documents that post stock of their own, such as purchase receipts)."""
    product, unit = _product(row, problems)
    if product is None:
        return None
    tracked = product.track_batches or product.track_expiry
    if kind == "in" and not product.active:
        problems["product_id"] = [f"{product.sku} is archived"]

    factor, unit_name = Decimal(1), product.unit
    wanted_unit = row.get("unit")
    if wanted_unit and wanted_unit != product.unit:
        unit = next((u for u in product.units if u.name == wanted_unit), None)
        if unit is None:
            known = ", ".join([product.unit, *(u.name for u in product.units)])
            problems["unit"] = [f"{product.sku} is counted in {known}"]
            return None
    elif wanted_unit == product.unit:
        unit = None
    if unit is not None:
        factor, unit_name = unit.factor, unit.name

    qty = row["qty"]
    if kind == "adjust":
        if qty < 0:
            problems["qty"] = ["a counted quantity cannot be negative"]
    elif qty <= 0:
        problems["qty"] = ["must be more than 0"]
    base_qty = qty * factor
    if base_qty != base_qty.quantize(Decimal("0.001")):
        problems["qty"] = ["more than 3 decimal places of the base unit"]

    batch, expiry = (row.get("batch") or "").strip() or None, row.get("expiry")
    if batch and not tracked:
        problems["batch"] = [f"{product.sku} does not track batches"]
    if tracked and not batch and kind in ("in", "adjust"):
        problems["batch"] = [f"{product.sku} needs a batch number"]
    if expiry is not None and kind != "in":
        problems["expiry"] = ["only when stock comes in"]
    if expiry is not None and not batch:
        problems["batch"] = ["an expiry belongs to a batch"]
    if kind == "in" and product.track_expiry and batch and expiry is None:
        if not _batch_exists(product.id, batch):  # a new batch lasts the shelf life
            expiry = utcnow().date() + timedelta(days=product.shelf_life_days or 0)

    unit_cost = row.get("unit_cost")
    if unit_cost is not None:
        if kind != "in":
            problems["unit_cost"] = ["only for stock in"]
        else:
            unit_cost = unit_cost / factor  # the price was per entered unit

    location_id = _location(row.get("location_id"), warehouse, "location_id", problems)
    to_location_id = None
    if kind == "transfer":
        to_location_id = _location(row.get("to_location_id"), to_warehouse, "to_location_id",
                                   problems)  # fmt: skip
        if to_warehouse is not None and warehouse is not None:
            same_place = to_warehouse.id == warehouse.id and to_location_id == location_id
            if same_place:
                problems["to_location_id"] = ["a transfer must go to another place"]
    elif row.get("to_location_id") is not None:
        problems["to_location_id"] = ["only for a transfer"]

    return ledger.Line(
        product_id=product.id,
        qty=base_qty,
        unit=unit_name,
        factor=factor,
        entered_qty=qty,
        location_id=location_id,
        to_location_id=to_location_id,
        batch_number=batch,
        expiry=expiry,
        unit_cost=unit_cost,
    )


def _product(row: dict, problems):
    if row.get("product_id") is not None:
        # Units only when asked for: no eager loading of barcodes, prices and settings.
        product = db.session.get(Product, row["product_id"], options=[lazyload("*")])
        if product is None:
            problems["product_id"] = ["no such product"]
        return product, None
    found = find_by_code(row["code"])
    if found is None:
        problems["code"] = [f"no product has the code {row['code']}"]
        return None, None
    return found


def _location(location_id, warehouse, field, problems) -> int | None:
    if location_id is None or warehouse is None:
        return None
    location = db.session.get(Location, location_id)
    if location is None or location.warehouse_id != warehouse.id:
        problems[field] = [f"no such location in {warehouse.code}"]
        return None
    if not location.active:
        problems[field] = [f"{location.code} is archived"]
    return location.id


def _batch_exists(product_id: int, number: str) -> bool:
    found = select(Batch.id).where(Batch.product_id == product_id, Batch.number == number)
    return db.session.scalar(found) is not None


# --- reading -----------------------------------------------------------------------------


def movement_query(args: dict):
    stmt = select(StockDocument)
    for field in ("type", "status", "warehouse_id"):
        if args.get(field) is not None:
            stmt = stmt.where(getattr(StockDocument, field) == args[field])
    if args.get("product_id") is not None:
        stmt = stmt.where(
            StockDocument.id.in_(
                select(StockDocumentLine.document_id).where(
                    StockDocumentLine.product_id == args["product_id"]
                )
            )
        )
    if args.get("from") is not None:
        stmt = stmt.where(StockDocument.posted_at >= args["from"])
    if args.get("to") is not None:
        stmt = stmt.where(StockDocument.posted_at < args["to"])
    allowed = allowed_warehouse_ids()
    if allowed is not None:
        stmt = stmt.where(
            StockDocument.warehouse_id.in_(allowed) | StockDocument.to_warehouse_id.in_(allowed)
        )
    return stmt


def get_movement(document_id: int) -> StockDocument:
    document = db.session.scalar(movement_query({}).where(StockDocument.id == document_id))
    if document is None:
        raise NotFound(f"No stock document with id {document_id}.")
    return document


def movement_detail(document: StockDocument) -> dict:
    """The document with its lines, ledger entries and the balances after it."""
    entries = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.document_id == document.id).order_by(LedgerEntry.id)
    ).all()
    places = {(e.product_id, e.warehouse_id) for e in entries} or {
        (line.product_id, document.warehouse_id) for line in document.lines
    }
    products = product_refs({line.product_id for line in document.lines})
    return {
        **_document_summary(document),
        "lines": [_line_summary(line, products) for line in document.lines],
        "entries": entries,
        "balances": warehouse_balances(places, products),
    }


def movement_summaries(documents: Sequence[StockDocument]) -> list[dict]:
    counts = dict(
        db.session.execute(
            select(StockDocumentLine.document_id, func.count())
            .where(StockDocumentLine.document_id.in_([d.id for d in documents]))
            .group_by(StockDocumentLine.document_id)
        ).all()
    )
    return [{**_document_summary(d), "line_count": counts.get(d.id, 0)} for d in documents]


def _document_summary(document: StockDocument) -> dict:
    return {
        "id": document.id,
        "number": document.number,
        "type": document.type,
        "status": document.status,
        "warehouse": warehouse_ref(_get(Warehouse, document.warehouse_id)),
        "to_warehouse": warehouse_ref(_get(Warehouse, document.to_warehouse_id)),
        "reason": document.reason,
        "note": document.note,
        "user": user_ref(document.user_id),
        "posted_at": document.posted_at,
        "cancelled_at": document.cancelled_at,
        "cancelled_by": user_ref(document.cancelled_by_id),
    }


def _line_summary(line: StockDocumentLine, products: dict[int, dict]) -> dict:
    return {
        "id": line.id,
        "line_no": line.line_no,
        "product": products[line.product_id],
        "unit": line.unit,
        "factor": line.factor,
        "qty": line.qty,
        "base_qty": line.base_qty,
        "unit_cost": line.unit_cost,
        "location": location_ref(_get(Location, line.location_id)),
        "to_location": location_ref(_get(Location, line.to_location_id)),
        "batch": batch_ref(_get(Batch, line.batch_id)),
    }


def warehouse_balances(places, products: dict[int, dict]) -> list[dict]:
    """On hand, reserved, available and on order per product × warehouse."""
    b = StockBalance
    totals = {
        (row.product_id, row.warehouse_id): row
        for row in db.session.execute(
            select(
                b.product_id,
                b.warehouse_id,
                func.sum(b.on_hand).label("on_hand"),
                func.sum(b.reserved).label("reserved"),
                func.sum(b.on_order).label("on_order"),
            )
            .where(tuple_(b.product_id, b.warehouse_id).in_(list(places)))
            .group_by(b.product_id, b.warehouse_id)
        )
    }
    rows = []
    for product_id, warehouse_id in sorted(places):
        row = totals.get((product_id, warehouse_id))
        on_hand, reserved, on_order = (row.on_hand, row.reserved, row.on_order) if row else (0,) * 3
        rows.append(
            {
                "product": products.get(product_id) or product_refs({product_id})[product_id],
                "warehouse": warehouse_ref(_get(Warehouse, warehouse_id)),
                "on_hand": on_hand,
                "reserved": reserved,
                "available": on_hand - reserved,
                "on_order": on_order,
            }
        )
    return rows


def _get(model, record_id):
    return None if record_id is None else db.session.get(model, record_id)
