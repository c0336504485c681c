"""Sales orders: pricing from the customer's level, the minimum-price and credit rules,
the state machine and what an order reserves.

Each public function owns its transaction. A change of state always goes through
`set_state()` (history row and `order.status` event), and reservations through the
ledger's `reserve()`: while an order is confirmed or partly shipped, each line's
remainder is reserved in its warehouse, so confirming never promises stock twice.
"""

from collections.abc import Sequence
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import func, select

from app.catalog.models import Product, ProductPrice
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, NotFound, ValidationProblem
from app.core.events import emit
from app.core.numbering import next_number
from app.core.records import check_version
from app.core.security import allowed_warehouse_ids, caller_can
from app.core.transactions import run_transaction
from app.extensions import db
from app.inventory import ledger
from app.inventory.models import Warehouse
from app.inventory.refs import history_entry, product_refs, user_ref, warehouse_ref
from app.partners.models import Customer
from app.partners.services import own_customers_only
from app.sales import receivables
from app.sales.models import CustomerInvoice, SalesOrder, SalesOrderHistory, SalesOrderLine
from app.trade.lines import (
    AMOUNT_MAX,
    DEFAULT_TAX_RATE,
    ZERO,
    line_product,
    order_totals,
    priced_line,
)

APPROVE = "sales:approve"  # below-minimum prices and orders over the credit limit
RESERVING = ("confirmed", "partially_shipped")  # their remainders are reserved
# Orders that will be owed for once shipped: they count against the credit limit.
EXPOSED = ("confirmed", "partially_shipped", "shipped")
EVENT_ROOMS = ("role:manager",)


class InvalidState(Conflict):
    type = "invalid-state"

    def __init__(self, order: SalesOrder, to: str, detail: str | None = None):
        super().__init__(
            detail or f"{order.number} is {order.state}; it cannot become {to}.",
            state=order.state,
            to=to,
        )


# --- reading ---------------------------------------------------------------------------------


def order_query(args: dict | None = None):
    """Orders the caller may see: a salesperson (by setting) those of their customers,
    warehouse-scoped staff those of their warehouses."""
    args = args or {}
    stmt = select(SalesOrder)
    for field in ("state", "customer_id", "warehouse_id", "salesperson_id"):
        if args.get(field) is not None:
            stmt = stmt.where(getattr(SalesOrder, field) == args[field])
    if args.get("client_id"):
        stmt = stmt.where(SalesOrder.client_id == args["client_id"])
    own = own_customers_only()
    if own is not None:
        stmt = stmt.where(
            SalesOrder.customer_id.in_(select(Customer.id).where(Customer.salesperson_id == own))
        )
    allowed = allowed_warehouse_ids()
    if allowed is not None:
        stmt = stmt.where(SalesOrder.warehouse_id.in_(allowed))
    return stmt


def get_order(order_id: int, *, lock: bool = False) -> SalesOrder:
    """The order if the caller may see it; locked and read afresh for a write (FOR UPDATE
    on PostgreSQL; SQLite writers hold the write lock), so changes to it queue."""
    stmt = order_query().where(SalesOrder.id == order_id)
    if lock:
        stmt = stmt.with_for_update(of=SalesOrder).execution_options(populate_existing=True)
    order = db.session.scalar(stmt)
    if order is None:
        raise NotFound(f"No sales order with id {order_id}.")
    return order


def order_summaries(orders: Sequence[SalesOrder]) -> list[dict]:
    counts = dict(
        db.session.execute(
            select(SalesOrderLine.order_id, func.count())
            .where(SalesOrderLine.order_id.in_([o.id for o in orders]))
            .group_by(SalesOrderLine.order_id)
        ).all()
    )
    return [{**_summary(order), "line_count": counts.get(order.id, 0)} for order in orders]


def order_detail(order: SalesOrder) -> dict:
    products = product_refs({line.product_id for line in order.lines})
    return {
        **_summary(order),
        "line_count": len(order.lines),
        "lines": [_line_detail(line, products) for line in order.lines],
    }


def order_history(order_id: int) -> list[dict]:
    get_order(order_id)
    rows = db.session.scalars(
        select(SalesOrderHistory)
        .where(SalesOrderHistory.order_id == order_id)
        .order_by(SalesOrderHistory.id)
    )
    return [history_entry(row) for row in rows]


def warehouse_summary(order: SalesOrder) -> dict:
    return warehouse_ref(db.session.get(Warehouse, order.warehouse_id))


def _summary(order: SalesOrder) -> dict:
    customer = db.session.get(Customer, order.customer_id)
    return {
        "id": order.id,
        "number": order.number,
        "client_id": order.client_id,
        "state": order.state,
        "hold_reason": order.hold_reason,
        "customer": {"id": customer.id, "code": customer.code, "name": customer.name},
        "warehouse": warehouse_summary(order),
        "salesperson": user_ref(order.salesperson_id),
        "delivery_address": order.delivery_address,
        "note": order.note,
        "totals": {"amount": order.amount, "tax": order.tax, "total": order.total},
        "created_by": user_ref(order.created_by_id),
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "version": order.version,
    }


def _line_detail(line: SalesOrderLine, products: dict[int, dict]) -> dict:
    return {
        "id": line.id,
        "line_no": line.line_no,
        "product": products[line.product_id],
        "unit": line.unit,
        "factor": line.factor,
        "qty": line.qty,
        "base_qty": line.base_qty,
        "reserved_base_qty": line.reserved_base_qty,
        "shipped_qty": line.shipped_base_qty / line.factor,
        "shipped_base_qty": line.shipped_base_qty,
        "list_price": line.list_price,
        "unit_price": line.unit_price,
        "discount": line.discount,
        "tax_rate": line.tax_rate,
        "amount": line.amount,
        "tax": line.tax,
        "total": line.total,
        "price_approved_by": user_ref(line.price_approved_by_id),
    }


# --- writing ---------------------------------------------------------------------------------


def create_order(data: dict) -> tuple[dict, bool]:
    """Check a new order, number it SO-<year>-<n> and save it as a draft. Returns (the
    order, created): an order whose `client_id` is already known is that order, unchanged."""

    def work():
        if data.get("client_id"):
            known = db.session.scalar(
                select(SalesOrder).where(SalesOrder.client_id == data["client_id"])
            )
            if known is not None:
                return order_detail(get_order(known.id)), False
        errors: dict[str, list[str]] = {}
        customer = _checked_customer(data["customer_id"], errors)
        _check_warehouse(data["warehouse_id"], errors)
        lines = _checked_lines(customer, data["lines"], errors) if customer else []
        if errors:
            raise ValidationProblem(errors)
        order = SalesOrder(
            number=next_number("SO"),
            client_id=data.get("client_id") or None,
            customer_id=customer.id,
            warehouse_id=data["warehouse_id"],
            salesperson_id=customer.salesperson_id or _salesperson_or_none(),
            state="draft",
            delivery_address=_address(customer, data.get("delivery_address")),
            note=(data.get("note") or "").strip(),
            created_by_id=current_user.id,
        )
        _set_lines(order, lines)
        db.session.add(order)
        db.session.flush()
        record_event(order, "created", to_state="draft")
        db.session.flush()
        return order_detail(order), True

    return run_transaction(work)


def update_order(order_id: int, changes: dict) -> dict:
    """Change a draft; `version` must match. Lines, when given, replace all lines."""

    def work():
        order = get_order(order_id, lock=True)
        if order.state != "draft":
            raise InvalidState(order, "draft", f"{order.number} is {order.state}; only a draft "
                               "can be changed.")  # fmt: skip
        check_version(order, changes["version"])
        errors: dict[str, list[str]] = {}
        customer = db.session.get(Customer, order.customer_id)
        if "customer_id" in changes:
            customer = _checked_customer(changes["customer_id"], errors)
        if "warehouse_id" in changes:
            _check_warehouse(changes["warehouse_id"], errors)
        lines = None
        if "lines" in changes and customer is not None:
            lines = _checked_lines(customer, changes["lines"], errors)
        if errors:
            raise ValidationProblem(errors)
        if "customer_id" in changes:
            order.customer_id = customer.id
            order.salesperson_id = customer.salesperson_id or order.salesperson_id
        if "warehouse_id" in changes:
            order.warehouse_id = changes["warehouse_id"]
        if "delivery_address" in changes:
            order.delivery_address = _address(customer, changes["delivery_address"])
        if "note" in changes:
            order.note = changes["note"].strip()
        if lines is not None:
            _set_lines(order, lines)
        order.updated_at = utcnow()  # a change of lines alone is a new version too
        db.session.flush()
        return order_detail(order)

    return run_transaction(work)


def confirm(order_id: int, note: str = "") -> dict:
    """draft → confirmed, reserving every line (409 listing each short line, nothing
    changed). An order that would take the customer over the credit limit goes on hold
    instead, unless a manager confirms it."""

    def work():
        order = get_order(order_id, lock=True)
        if order.state != "draft":
            raise InvalidState(order, "confirmed")
        _lock_customer(order.customer_id)
        over = _over_credit_limit(order)
        if over is not None and not caller_can(APPROVE):
            order.hold_reason = "credit_limit"
            set_state(order, "on_hold", note or over)
        else:
            _reserve(order)
            set_state(order, "confirmed", note or (over and f"{over}; approved") or "")
        db.session.flush()
        return order_detail(order)

    return run_transaction(work)


def hold(order_id: int, note: str = "") -> dict:
    """Put a draft or confirmed order (nothing shipped) on hold; its reservation is freed."""

    def work():
        order = get_order(order_id, lock=True)
        if order.state not in ("draft", "confirmed"):
            raise InvalidState(order, "on_hold")
        if order.state == "confirmed":
            _release(order)
        order.hold_reason = "manual"
        set_state(order, "on_hold", note)
        db.session.flush()
        return order_detail(order)

    return run_transaction(work)


def release(order_id: int, note: str = "") -> dict:
    """on_hold → confirmed, reserving again (409 if the stock is no longer there). A hold
    for the credit limit is released only by a manager."""

    def work():
        order = get_order(order_id, lock=True)
        if order.state != "on_hold":
            raise InvalidState(order, "confirmed")
        if order.hold_reason == "credit_limit" and not caller_can(APPROVE):
            raise Forbidden(
                f"{order.number} is held for the customer's credit limit; a manager releases it."
            )
        _reserve(order)
        order.hold_reason = None
        set_state(order, "confirmed", note)
        db.session.flush()
        return order_detail(order)

    return run_transaction(work)


def cancel(order_id: int, note: str = "") -> dict:
    """Cancel an order with nothing shipped; what it reserved is freed."""

    def work():
        order = get_order(order_id, lock=True)
        if order.state not in ("draft", "on_hold", "confirmed"):
            raise InvalidState(order, "cancelled")
        if order.state == "confirmed":
            _release(order)
        order.hold_reason = None
        set_state(order, "cancelled", note)
        db.session.flush()
        return order_detail(order)

    return run_transaction(work)


# --- reservations, history, events -----------------------------------------------------------


def _reserve(order: SalesOrder) -> None:
    """Reserve each line's remainder, all or nothing; a shortage is a 409 naming the lines
    with what each asks and what is available."""
    wanted = [
        (line.id, line.product_id, line.base_qty - line.shipped_base_qty - line.reserved_base_qty)
        for line in order.lines
    ]
    try:
        ledger.reserve(order.warehouse_id, wanted, user_id=current_user.id)
    except ledger.Shortages as short:
        by_id = {line.id: line for line in order.lines}
        lines = [
            {
                "line_id": s["key"],
                "line_no": by_id[s["key"]].line_no,
                "product": s["product"],
                "requested": s["requested"],
                "available": s["available"],
            }
            for s in short.extra["short"]
        ]
        raise Conflict(
            f"Not enough stock to confirm {order.number}: "
            + ", ".join(f"line {x['line_no']} {x['product']['sku']} requested "
                        f"{x['requested']}, available {x['available']}" for x in lines)
            + ".",
            type="insufficient-stock",
            lines=lines,
        ) from None  # fmt: skip
    for line, (_, _, qty) in zip(order.lines, wanted, strict=True):
        line.reserved_base_qty += qty


def _release(order: SalesOrder) -> None:
    wanted = [(line.id, line.product_id, -line.reserved_base_qty) for line in order.lines]
    ledger.reserve(order.warehouse_id, wanted, user_id=current_user.id)
    for line in order.lines:
        line.reserved_base_qty = ZERO


def set_state(order: SalesOrder, to: str, note: str = "") -> None:
    """Move an order (locked by the caller) to `to`: history row and, after the commit,
    the `order.status` event to managers, the salesperson and the warehouse."""
    record_event(order, "state", from_state=order.state, to_state=to, note=note)
    rooms = [*EVENT_ROOMS, f"warehouse:{order.warehouse_id}"]
    if order.salesperson_id:
        rooms.append(f"user:{order.salesperson_id}")
    emit(
        "order.status",
        {
            "type": "sales",
            "id": order.id,
            "number": order.number,
            "from": order.state,
            "to": to,
            "by": user_ref(current_user.id),
        },
        rooms=tuple(rooms),
    )
    order.state = to


def record_event(order: SalesOrder, event: str, *, from_state=None, to_state=None, note="",
            data=None) -> None:  # fmt: skip
    db.session.add(
        SalesOrderHistory(
            order_id=order.id,
            at=utcnow(),
            user_id=current_user.id,
            event=event,
            from_state=from_state,
            to_state=to_state,
            note=(note or "").strip()[:500],
            data=data or {},
        )
    )


# --- credit ----------------------------------------------------------------------------------


def _lock_customer(customer_id: int) -> None:
    """Confirmations of one customer queue here, so two cannot both fit under the limit."""
    db.session.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())


def credit_exposure(customer_id: int) -> Decimal:
    """What the customer owes (receivables) and will owe: confirmed orders' totals not
    yet invoiced."""
    customer = db.session.get(Customer, customer_id)
    ordered = db.session.scalar(
        select(func.coalesce(func.sum(SalesOrder.total), 0)).where(
            SalesOrder.customer_id == customer_id, SalesOrder.state.in_(EXPOSED)
        )
    )
    invoiced = db.session.scalar(
        select(func.coalesce(func.sum(CustomerInvoice.total), 0))
        .join(SalesOrder, SalesOrder.id == CustomerInvoice.order_id)
        .where(SalesOrder.customer_id == customer_id, SalesOrder.state.in_(EXPOSED))
    )
    return receivables.balance_of(customer) + Decimal(ordered) - Decimal(invoiced)


def _over_credit_limit(order: SalesOrder) -> str | None:
    """Why the order would take its customer over the credit limit, or None. A limit of
    0 means none is set."""
    customer = db.session.get(Customer, order.customer_id)
    if not customer.credit_limit:
        return None
    exposure = credit_exposure(customer.id)
    if exposure + order.total <= customer.credit_limit:
        return None
    return (f"credit limit {customer.credit_limit} exceeded: {exposure} open + "
            f"{order.total} this order")  # fmt: skip


# --- checks and prices -----------------------------------------------------------------------


def _checked_customer(customer_id: int, errors: dict) -> Customer | None:
    customer = db.session.get(Customer, customer_id)
    own = own_customers_only()
    if customer is None or (own is not None and customer.salesperson_id != own):
        errors["customer_id"] = ["no such customer"]
        return None
    if not customer.active:
        errors["customer_id"] = [f"customer {customer.code} is archived"]
    return customer


def _check_warehouse(warehouse_id: int, errors: dict) -> None:
    warehouse = db.session.get(Warehouse, warehouse_id)
    allowed = allowed_warehouse_ids()
    if warehouse is None or (allowed is not None and warehouse.id not in allowed):
        errors["warehouse_id"] = ["no such warehouse"]
    elif not warehouse.active:
        errors["warehouse_id"] = [f"warehouse {warehouse.code} is archived"]


def _salesperson_or_none() -> int | None:
    return current_user.id if "sales" in (current_user.roles or ()) else None


def _address(customer: Customer, given: str | None) -> str:
    """The address given, else the customer's default delivery address."""
    if given and given.strip():
        return given.strip()
    addresses = customer.delivery_addresses or []
    default = next(
        (a for a in addresses if a.get("is_default")), addresses[0] if addresses else None
    )
    return default["address"] if default else ""


def level_price(product: Product, level: str) -> Decimal:
    """A product's price per base unit at a price level: its price for that level, else
    its wholesale price for "wholesale", else its retail price."""
    special = db.session.get(ProductPrice, (product.id, level))
    if special is not None:
        return special.price
    if level == "wholesale" and product.wholesale_price:
        return product.wholesale_price
    return product.retail_price


def _checked_lines(customer: Customer, rows: Sequence[dict], errors: dict) -> list[dict]:
    """Each line as stored, priced from the customer's level where no price is given; a
    net price below the product's minimum needs a manager (`sales:approve`)."""
    lines = []
    for index, row in enumerate(rows):
        problems: dict[str, list[str]] = {}
        found = line_product(row, problems)
        if found is not None:
            product, unit, factor = found
            list_price = level_price(product, customer.price_level) * factor
            row = {"unit_price": list_price, "discount": ZERO, "tax_rate": DEFAULT_TAX_RATE,
                   **{k: v for k, v in row.items() if v is not None}}  # fmt: skip
            line = priced_line(product, unit, factor, row, problems)
            line["list_price"] = list_price
            line["price_approved_by_id"] = _approval(product, factor, row, problems)
        for field, reasons in problems.items():
            errors[f"lines.{index}.{field}"] = reasons
        if found is not None and not problems:
            lines.append(line)
    return lines


def _approval(product: Product, factor: Decimal, row: dict, problems: dict) -> int | None:
    """None when the net price is at or above the product's minimum; the manager's id when
    below it and the caller may allow that; else a problem on unit_price."""
    minimum = product.min_price * factor
    net = row["unit_price"] * (1 - row["discount"])
    if not product.min_price or net >= minimum:
        return None
    if caller_can(APPROVE):
        return current_user.id
    problems["unit_price"] = [
        f"{net.normalize():f} after discount is below {product.sku}'s minimum price "
        f"{minimum.normalize():f}; a manager must enter it"
    ]
    return None


def _set_lines(order: SalesOrder, lines: Sequence[dict]) -> None:
    order.lines = [
        SalesOrderLine(line_no=number, reserved_base_qty=ZERO, shipped_base_qty=ZERO, **line)
        for number, line in enumerate(lines, 1)
    ]
    order.amount, order.tax, order.total = order_totals(lines)
    if order.total > AMOUNT_MAX:
        raise ValidationProblem({"lines": ["the order's total is too large"]})
