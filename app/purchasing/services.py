"""Purchase orders: pricing, the state machine and what an order expects to arrive.

Each public function owns its transaction. A state change always goes through
`set_state()` (history row and `order.status` event), and the quantity on order through
`expect()` (the ledger writes it): while an order is open (approved or partially
received) each line's remainder counts as on order in its warehouse.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import func, select

from app.core.db import utcnow
from app.core.errors import Conflict, NotFound, ValidationProblem
from app.core.events import emit
from app.core.numbering import next_number
from app.core.records import check_version
from app.core.security import allowed_warehouse_ids
from app.core.transactions import run_transaction
from app.extensions import db
from app.inventory import ledger
from app.inventory.models import Warehouse
from app.inventory.refs import product_refs, user_ref, warehouse_ref
from app.partners.models import Supplier
from app.purchasing.models import PurchaseOrder, PurchaseOrderHistory, PurchaseOrderLine
from app.trade.lines import (
    AMOUNT_MAX,
    ZERO,
    line_product,
    order_totals,
    priced_line,
)

OPEN = ("approved", "partially_received")  # their remainders are on order
# action → (states it may start from, the state it leads to)
TRANSITIONS = {
    "approve": (("draft",), "approved"),
    "cancel": (("draft", "approved"), "cancelled"),  # nothing received yet
    "close": (("partially_received", "received"), "closed"),  # ends the remainder
}
EVENT_ROOMS = ("role:manager", "role:purchaser")


class InvalidState(Conflict):
    type = "invalid-state"

    def __init__(self, order: PurchaseOrder, to: str, detail: str | None = None):
        super().__init__(
            detail or f"{order.number} is {order.state}; it cannot become {to}.",
            state=order.state,
            to=to,
        )


# --- amounts ---------------------------------------------------------------------------------


def net_unit_cost(line: PurchaseOrderLine) -> Decimal:
    """What one base unit of the line costs the stock: after discount, without tax."""
    return line.unit_price * (1 - line.discount) / line.factor


def remaining(line: PurchaseOrderLine) -> Decimal:
    """Base units still to come (never negative: a tolerated over-receipt owes nothing)."""
    return max(line.base_qty - line.received_base_qty, ZERO)


# --- reading ---------------------------------------------------------------------------------


def order_query(args: dict | None = None):
    """Orders the caller may see (warehouse-scoped staff: their warehouses only)."""
    args = args or {}
    stmt = select(PurchaseOrder)
    for field in ("state", "supplier_id", "warehouse_id"):
        if args.get(field) is not None:
            stmt = stmt.where(getattr(PurchaseOrder, field) == args[field])
    allowed = allowed_warehouse_ids()
    if allowed is not None:
        stmt = stmt.where(PurchaseOrder.warehouse_id.in_(allowed))
    return stmt


def get_order(order_id: int) -> PurchaseOrder:
    order = db.session.scalar(order_query().where(PurchaseOrder.id == order_id))
    if order is None:
        raise NotFound(f"No purchase order with id {order_id}.")
    return order


def locked_order(order_id: int) -> PurchaseOrder:
    """The order, read afresh and locked for this transaction (FOR UPDATE on PostgreSQL;
    SQLite writers already hold the write lock), so changes to it queue."""
    order = db.session.scalar(
        order_query()
        .where(PurchaseOrder.id == order_id)
        .with_for_update(of=PurchaseOrder)
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound(f"No purchase order with id {order_id}.")
    return order


def order_summaries(orders: Sequence[PurchaseOrder]) -> list[dict]:
    counts = dict(
        db.session.execute(
            select(PurchaseOrderLine.order_id, func.count())
            .where(PurchaseOrderLine.order_id.in_([o.id for o in orders]))
            .group_by(PurchaseOrderLine.order_id)
        ).all()
    )
    return [{**_summary(order), "line_count": counts.get(order.id, 0)} for order in orders]


def order_detail(order: PurchaseOrder) -> dict:
    products = product_refs({line.product_id for line in order.lines})
    return {
        **_summary(order),
        "line_count": len(order.lines),
        "lines": [_line_detail(line, products) for line in order.lines],
    }


def order_history(order_id: int) -> list[dict]:
    get_order(order_id)
    rows = db.session.scalars(
        select(PurchaseOrderHistory)
        .where(PurchaseOrderHistory.order_id == order_id)
        .order_by(PurchaseOrderHistory.id)
    )
    return [
        {
            "id": row.id,
            "at": row.at,
            "user": user_ref(row.user_id),
            "from": row.from_state,
            "to": row.to_state,
            "note": row.note,
        }
        for row in rows
    ]


def _summary(order: PurchaseOrder) -> dict:
    supplier = db.session.get(Supplier, order.supplier_id)
    return {
        "id": order.id,
        "number": order.number,
        "state": order.state,
        "supplier": {"id": supplier.id, "code": supplier.code, "name": supplier.name},
        "warehouse": warehouse_ref(db.session.get(Warehouse, order.warehouse_id)),
        "expected_date": order.expected_date,
        "note": order.note,
        "totals": {"amount": order.amount, "tax": order.tax, "total": order.total},
        "created_by": user_ref(order.created_by_id),
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "version": order.version,
    }


def _line_detail(line: PurchaseOrderLine, products: dict[int, dict]) -> dict:
    return {
        "id": line.id,
        "line_no": line.line_no,
        "product": products[line.product_id],
        "unit": line.unit,
        "factor": line.factor,
        "qty": line.qty,
        "base_qty": line.base_qty,
        "received_qty": line.received_base_qty / line.factor,
        "received_base_qty": line.received_base_qty,
        "unit_price": line.unit_price,
        "discount": line.discount,
        "tax_rate": line.tax_rate,
        "amount": line.amount,
        "tax": line.tax,
        "total": line.total,
    }


# --- writing ---------------------------------------------------------------------------------


def create_order(data: dict) -> dict:
    """Check a new order, number it PO-<year>-<n> and save it as a draft."""
    errors: dict[str, list[str]] = {}
    check_supplier(data["supplier_id"], errors)
    check_warehouse(data["warehouse_id"], errors)
    lines = _checked_lines(data["lines"], errors)
    if errors:
        raise ValidationProblem(errors)

    return run_transaction(lambda: order_detail(new_order(data, lines)))


def new_order(data: dict, lines: Sequence[dict]) -> PurchaseOrder:
    """Save a checked draft inside the caller's transaction, numbered PO-<year>-<n>."""
    order = PurchaseOrder(
        number=next_number("PO"),
        supplier_id=data["supplier_id"],
        warehouse_id=data["warehouse_id"],
        state="draft",
        expected_date=data.get("expected_date"),
        note=(data.get("note") or "").strip(),
        created_by_id=current_user.id,
    )
    _set_lines(order, lines)
    db.session.add(order)
    db.session.flush()
    return order


def update_order(order_id: int, changes: dict) -> dict:
    """Change a draft; `version` must match. Lines, when given, replace all lines."""

    def work():
        order = locked_order(order_id)
        if order.state != "draft":
            raise InvalidState(order, "draft", f"{order.number} is {order.state}; only a draft "
                               "can be changed.")  # fmt: skip
        check_version(order, changes["version"])
        errors: dict[str, list[str]] = {}
        if "supplier_id" in changes:
            check_supplier(changes["supplier_id"], errors)
        if "warehouse_id" in changes:
            check_warehouse(changes["warehouse_id"], errors)
        lines = _checked_lines(changes["lines"], errors) if "lines" in changes else None
        if errors:
            raise ValidationProblem(errors)
        for field in ("supplier_id", "warehouse_id", "expected_date"):
            if field in changes:
                setattr(order, field, changes[field])
        if "note" in changes:
            order.note = changes["note"].strip()
        if lines is not None:
            _set_lines(order, lines)
        order.updated_at = utcnow()  # a change of lines alone is a new version too
        db.session.flush()
        return order_detail(order)

    return run_transaction(work)


def change_state(order_id: int, action: str, note: str = "") -> dict:
    """approve, cancel or close: refused with 409 `invalid-state` from any other state."""
    starts, to = TRANSITIONS[action]

    def work():
        order = locked_order(order_id)
        if order.state not in starts:
            raise InvalidState(order, to)
        set_state(order, to, note)
        db.session.flush()
        return order_detail(order)

    return run_transaction(work)


def set_state(order: PurchaseOrder, to: str, note: str = "") -> None:
    """Move an order (locked by the caller) to `to`: on-order quantities, history row and
    the `order.status` event for after the commit."""
    was_open, now_open = order.state in OPEN, to in OPEN
    if was_open != now_open:  # the remainders start or stop being on order
        sign = 1 if now_open else -1
        expect(
            order.warehouse_id, ((line.product_id, sign * remaining(line)) for line in order.lines)
        )
    db.session.add(
        PurchaseOrderHistory(
            order_id=order.id,
            at=utcnow(),
            user_id=current_user.id,
            from_state=order.state,
            to_state=to,
            note=note.strip(),
        )
    )
    emit(
        "order.status",
        {
            "type": "purchase",
            "id": order.id,
            "number": order.number,
            "from": order.state,
            "to": to,
            "by": user_ref(current_user.id),
        },
        rooms=(*EVENT_ROOMS, f"warehouse:{order.warehouse_id}"),
    )
    order.state = to


def expect(warehouse_id: int, deltas: Iterable[tuple[int, Decimal]]) -> None:
    """Add to (or take from) on order per product, in product order so that two orders
    touching the same products never wait on each other crosswise."""
    by_product: dict[int, Decimal] = defaultdict(Decimal)
    for product_id, delta in deltas:
        by_product[product_id] += delta
    for product_id, delta in sorted(by_product.items()):
        if delta:
            ledger.expect(product_id, warehouse_id, delta)


# --- checks ----------------------------------------------------------------------------------


def check_supplier(supplier_id: int, errors: dict) -> None:
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        errors["supplier_id"] = ["no such supplier"]
    elif not supplier.active:
        errors["supplier_id"] = [f"supplier {supplier.code} is archived"]


def check_warehouse(warehouse_id: int, errors: dict) -> None:
    warehouse = db.session.get(Warehouse, warehouse_id)
    allowed = allowed_warehouse_ids()
    if warehouse is None or (allowed is not None and warehouse.id not in allowed):
        errors["warehouse_id"] = ["no such warehouse"]
    elif not warehouse.active:
        errors["warehouse_id"] = [f"warehouse {warehouse.code} is archived"]


def _checked_lines(rows: Sequence[dict], errors: dict) -> list[dict]:
    """Each line as it will be stored (unit, factor, base quantity and amounts), or its
    problems in `errors` as lines.<index>.<field>."""
    lines = []
    for index, row in enumerate(rows):
        problems: dict[str, list[str]] = {}
        line = checked_line(row, problems)
        for field, reasons in problems.items():
            errors[f"lines.{index}.{field}"] = reasons
        if line is not None and not problems:
            lines.append(line)
    return lines


def checked_line(row: dict, problems: dict) -> dict | None:
    found = line_product(row, problems)
    return None if found is None else priced_line(*found, row, problems)


def _set_lines(order: PurchaseOrder, lines: Sequence[dict]) -> None:
    order.lines = [
        PurchaseOrderLine(line_no=number, received_base_qty=ZERO, **line)
        for number, line in enumerate(lines, 1)
    ]
    order.amount, order.tax, order.total = order_totals(lines)
    if order.total > AMOUNT_MAX:
        raise ValidationProblem({"lines": ["the order's total is too large"]})
