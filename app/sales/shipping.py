"""Shipping against a sales order (发货).

A shipment is one stock-out posted through the ledger (OUT-…, with its own number SH-…):
in one transaction the order's reservation for what leaves is released and the goods are
taken out — from the batch and location named, else first-expiry-first-out — at the
moving average. What the stock gave up per line is kept on the shipment line (COGS), so
margins need no recalculation. The order is locked first, so two shipments of one line
queue and the second is checked against what the first took.
"""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import func, select

from app.catalog.services import find_by_code
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound, ValidationProblem
from app.core.numbering import next_number
from app.core.transactions import run_transaction
from app.extensions import db
from app.inventory import ledger, movements
from app.inventory.models import (
    Batch,
    LedgerEntry,
    Location,
    StockDocument,
    StockDocumentLine,
    Warehouse,
)
from app.inventory.refs import batch_ref, location_ref, product_refs, user_ref
from app.sales import services
from app.sales.models import SalesOrder, SalesOrderLine, Shipment, ShipmentLine
from app.trade.lines import cents, plain

ZERO = Decimal(0)
SHIPPABLE = ("confirmed", "partially_shipped")


def remaining(line: SalesOrderLine) -> Decimal:
    """Base units still to ship."""
    return line.base_qty - line.shipped_base_qty


class OverShipment(Conflict):
    type = "over-shipment"

    def __init__(self, order: SalesOrder, line: SalesOrderLine, product: dict, index: int,
                 requested: Decimal):  # fmt: skip
        ordered, shipped = plain(line.base_qty), plain(line.shipped_base_qty)
        super().__init__(
            f"{order.number} line {line.line_no} ({product['sku']} {product['name']}): "
            f"ordered {ordered}, already shipped {shipped}, requested {plain(requested)} "
            f"{product['unit']}.",
            errors={f"lines.{index}.qty": ["more than is left to ship of this order line"]},
            line=index + 1,
            so_line_id=line.id,
            product=product,
            ordered=ordered,
            shipped=shipped,
            requested=plain(requested),
        )


def ship(order_id: int, data: dict) -> dict:
    """Check and post a shipment against an order; returns it."""

    def work():
        order = services.get_order(order_id, lock=True)
        if order.state not in SHIPPABLE:
            raise services.InvalidState(
                order, "shipped", f"{order.number} is {order.state}; only a confirmed order ships."
            )
        leaving = _checked_lines(order, data["lines"])
        _check_quantities(order, leaving)
        shipment = Shipment(
            number=next_number("SH"),
            order_id=order.id,
            user_id=current_user.id,
            shipped_at=utcnow(),
            carrier=(data.get("carrier") or "").strip(),
            tracking_no=(data.get("tracking_no") or "").strip(),
            note=(data.get("note") or "").strip(),
        )
        freed = [(line.id, line.product_id, -stock_line.qty) for _, line, stock_line in leaving]
        ledger.reserve(order.warehouse_id, freed, user_id=current_user.id)
        document_id = ledger.post(
            "out",
            order.warehouse_id,
            [stock_line for _, _, stock_line in leaving],
            user_id=current_user.id,
            source=("sales_order", order.id),
            note=" ".join(filter(None, (shipment.number, order.number, shipment.note))),
        )
        shipment.document_id = document_id
        db.session.add(shipment)
        db.session.flush()
        _record(order, shipment, leaving)
        db.session.flush()
        return shipment_detail(shipment)

    return run_transaction(work)


def _checked_lines(order: SalesOrder, rows: Sequence[dict]):
    """(request index, order line, ledger line) per row, or a 422 naming every bad field."""
    warehouse = db.session.get(Warehouse, order.warehouse_id)
    errors: dict[str, list[str]] = {}
    leaving = []
    for index, row in enumerate(rows):
        problems: dict[str, list[str]] = {}
        checked = _checked_line(order, warehouse, row, problems)
        for field, reasons in problems.items():
            errors[f"lines.{index}.{field}"] = reasons
        if checked is not None and not problems:
            leaving.append((index, *checked))
    if errors:
        raise ValidationProblem(errors)
    return leaving


def _checked_line(order: SalesOrder, warehouse, row: dict, problems: dict):
    named_by = "so_line_id" if row.get("so_line_id") is not None else "code"
    if named_by == "so_line_id":
        line = next((x for x in order.lines if x.id == row["so_line_id"]), None)
        if line is None:
            problems["so_line_id"] = [f"{order.number} has no line {row['so_line_id']}"]
            return None
        unit = row.get("unit") or line.unit
    else:
        found = find_by_code(row["code"])
        if found is None:
            problems["code"] = [f"no product has the code {row['code']}"]
            return None
        product, code_unit = found
        on_order = [x for x in order.lines if x.product_id == product.id]
        if not on_order:
            problems["code"] = [f"{product.sku} is not on {order.number}"]
            return None
        # The first of its lines with something still to ship (a product may be on two).
        line = next((x for x in on_order if remaining(x) > 0), on_order[0])
        unit = row.get("unit") or (code_unit.name if code_unit else product.unit)
    stock_row = {
        "product_id": line.product_id,
        "qty": row["qty"],
        "unit": unit,
        "batch": row.get("batch"),
        "location_id": row.get("location_id"),
    }
    stock_line = movements.stock_line("out", stock_row, warehouse, None, problems)
    if "product_id" in problems:  # archived since it was ordered: it still ships
        problems.pop("product_id")
    return None if stock_line is None else (line, stock_line)


def _check_quantities(order: SalesOrder, leaving) -> None:
    """Refuse (409) a line that would ship more than its order line has left to ship."""
    asked: dict[int, Decimal] = defaultdict(Decimal)
    products = product_refs({line.product_id for _, line, _ in leaving})
    for index, line, stock_line in leaving:
        asked[line.id] += stock_line.qty
        if asked[line.id] > remaining(line):
            raise OverShipment(order, line, products[line.product_id], index,
                               line.shipped_base_qty + asked[line.id])  # fmt: skip


def _record(order: SalesOrder, shipment: Shipment, leaving) -> None:
    """The shipment lines with their cost, the order lines' shipped and reserved
    quantities, the order's state and its history."""
    document_lines = db.session.scalars(
        select(StockDocumentLine.id)
        .where(StockDocumentLine.document_id == shipment.document_id)
        .order_by(StockDocumentLine.line_no)
    ).all()
    costs = dict(
        db.session.execute(
            select(LedgerEntry.document_line_id, func.sum(LedgerEntry.value))
            .where(LedgerEntry.document_id == shipment.document_id)
            .group_by(LedgerEntry.document_line_id)
        ).all()
    )
    for (_, line, stock_line), document_line_id in zip(leaving, document_lines, strict=True):
        shipment.lines.append(
            ShipmentLine(
                order_line_id=line.id,
                document_line_id=document_line_id,
                unit=stock_line.unit,
                qty=stock_line.entered_qty,
                base_qty=stock_line.qty,
                cost=-Decimal(costs.get(document_line_id) or 0),
            )
        )
        line.shipped_base_qty += stock_line.qty
        line.reserved_base_qty -= stock_line.qty
    done = all(remaining(line) <= 0 for line in order.lines)
    state = "shipped" if done else "partially_shipped"
    data = {"shipment": {"id": shipment.id, "number": shipment.number},
            "carrier": shipment.carrier, "tracking_no": shipment.tracking_no}  # fmt: skip
    services.record_event(order, "shipped", note=shipment.note, data=data)
    if state != order.state:
        services.set_state(order, state)
    order.updated_at = shipment.shipped_at  # shipped quantities changed: a new version


# --- reading ---------------------------------------------------------------------------------


def get_shipment(shipment_id: int) -> Shipment:
    shipment = db.session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFound(f"No shipment with id {shipment_id}.")
    services.get_order(shipment.order_id)  # the caller must see its order
    return shipment


def order_shipments(order_id: int) -> list[dict]:
    services.get_order(order_id)
    found = db.session.scalars(
        select(Shipment).where(Shipment.order_id == order_id).order_by(Shipment.id)
    )
    return [shipment_detail(shipment) for shipment in found]


def shipment_detail(shipment: Shipment) -> dict:
    order = db.session.get(SalesOrder, shipment.order_id)
    document = db.session.get(StockDocument, shipment.document_id)
    order_lines = {line.id: line for line in order.lines}
    products = product_refs({line.product_id for line in order.lines})
    # Where each line's goods came from: a line may span batches and locations (FEFO).
    picked: dict[int, list[dict]] = defaultdict(list)
    for entry in db.session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.document_id == shipment.document_id)
        .order_by(LedgerEntry.id)
    ):
        picked[entry.document_line_id].append(
            {
                "qty": -entry.qty,
                "batch": batch_ref(_get(Batch, entry.batch_id)),
                "location": location_ref(_get(Location, entry.location_id)),
            }
        )
    lines = []
    for line in shipment.lines:
        order_line = order_lines[line.order_line_id]
        revenue = _revenue(order_line, line.base_qty)
        lines.append(
            {
                "id": line.id,
                "so_line_id": line.order_line_id,
                "product": products[order_line.product_id],
                "unit": line.unit,
                "qty": line.qty,
                "base_qty": line.base_qty,
                "cost": line.cost,
                "unit_price": order_line.unit_price,
                "revenue": revenue,
                "margin": revenue - line.cost,
                "returned_base_qty": line.returned_base_qty,
                "invoiced_base_qty": line.invoiced_base_qty,
                "picked": picked[line.document_line_id],
            }
        )
    return {
        "id": shipment.id,
        "number": shipment.number,
        "order": {"id": order.id, "number": order.number, "state": order.state},
        "document": {"id": document.id, "number": document.number, "status": document.status},
        "user": user_ref(shipment.user_id),
        "shipped_at": shipment.shipped_at,
        "carrier": shipment.carrier,
        "tracking_no": shipment.tracking_no,
        "note": shipment.note,
        "lines": lines,
    }


def _revenue(line: SalesOrderLine, base_qty: Decimal) -> Decimal:
    """The order line's amount (after discount, excluding tax) for `base_qty` of it."""
    if base_qty == line.base_qty:
        return line.amount
    return cents(line.amount * base_qty / line.base_qty)


def _get(model, record_id):
    return None if record_id is None else db.session.get(model, record_id)


def pick_list(order_id: int) -> dict:
    """What is left to ship of each line, and where to take it from (FEFO): the floor's
    list to scan against."""
    order = services.get_order(order_id)
    products = product_refs({line.product_id for line in order.lines})
    lines = []
    for line in order.lines:
        left = remaining(line)
        if left <= 0:
            continue
        picks = ledger.pick_places(line.product_id, order.warehouse_id, left)
        lines.append(
            {
                "so_line_id": line.id,
                "line_no": line.line_no,
                "product": products[line.product_id],
                "unit": line.unit,
                "factor": line.factor,
                "qty": line.qty,
                "left_qty": left / line.factor,
                "left_base_qty": left,
                "picks": [
                    {
                        "location": location_ref(_get(Location, pick["location_id"])),
                        "batch": batch_ref(_get(Batch, pick["batch_id"])),
                        "qty": pick["qty"],
                    }
                    for pick in picks
                ],
            }
        )
    return {"order": {"id": order.id, "number": order.number, "state": order.state},
            "warehouse": services.warehouse_summary(order), "lines": lines}  # fmt: skip
