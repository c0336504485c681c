"""Reorder suggestions (补货建议): what a warehouse should order, and from whom.

A product of a warehouse (one with stock rows there, or settings for it) is suggested
when its projected quantity — on hand + on order − reserved — is below its reorder point
(the warehouse's override, else the product's). It is suggested up to its maximum level,
rounded up to whole packing units, under the supplier of its most recent order line.
"""

from collections import defaultdict
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func, or_, select, type_coerce

from app.catalog.models import Product, ProductUnit, ProductWarehouseSetting
from app.core.db import Quantity
from app.core.errors import ValidationProblem
from app.core.transactions import run_transaction
from app.extensions import db
from app.inventory.models import StockBalance, Warehouse
from app.inventory.refs import warehouse_ref
from app.partners.models import Supplier
from app.purchasing import services
from app.purchasing.models import PurchaseOrder, PurchaseOrderLine
from app.trade.lines import DEFAULT_TAX_RATE

ZERO = Decimal(0)
ONE = Decimal(1)
QTY_PLACES = Decimal("0.001")
PRICE_PLACES = Decimal("0.000001")


def round_up(qty: Decimal, multiple: Decimal) -> Decimal:
    """The smallest whole number of `multiple` that is at least `qty`."""
    return ((qty / multiple).to_integral_value(rounding=ROUND_CEILING) * multiple).quantize(
        QTY_PLACES
    )


# --- suggesting ------------------------------------------------------------------------------


def suggestions(warehouse_id: int) -> dict:
    """Products below their reorder point in a warehouse, grouped by supplier."""
    errors: dict[str, list[str]] = {}
    services.check_warehouse(warehouse_id, errors)
    if errors:
        raise ValidationProblem(errors)
    rows = _below_reorder_point(warehouse_id)
    ids = [row.id for row in rows]
    multiples = _order_multiples(ids)
    last_lines = _last_lines(ids)
    groups: dict[int | None, list[dict]] = defaultdict(list)
    for row in rows:
        reorder_point, reorder_qty = row.reorder_point, max(row.reorder_qty, ZERO)
        projected = row.on_hand + row.on_order - row.reserved
        # There is no maximum-level column: the level to order up to is the reorder
        # point plus the reorder quantity.
        max_level = reorder_point + reorder_qty
        multiple = multiples.get(row.id, ONE)
        last = last_lines.get(row.id)
        groups[last.supplier_id if last else None].append(
            {
                "product": {"id": row.id, "sku": row.sku, "name": row.name, "unit": row.unit},
                "on_hand": row.on_hand,
                "on_order": row.on_order,
                "reserved": row.reserved,
                "projected": projected,
                "reorder_point": reorder_point,
                "reorder_qty": reorder_qty,
                "max_level": max_level,
                "order_multiple": multiple,
                "suggested_qty": round_up(max(reorder_point, max_level) - projected, multiple),
                "last_unit": last.unit if last else None,
                "last_unit_price": last.unit_price if last else None,
                "last_order": {"id": last.order_id, "number": last.number} if last else None,
            }
        )
    suppliers = {
        supplier.id: supplier
        for supplier in db.session.scalars(
            select(Supplier).where(Supplier.id.in_([key for key in groups if key is not None]))
        )
    }
    ordered = sorted(groups, key=lambda key: (key is None, suppliers[key].code if key else ""))
    return {
        "warehouse": warehouse_ref(db.session.get(Warehouse, warehouse_id)),
        "groups": [
            {"supplier": _supplier_ref(suppliers.get(key)), "lines": groups[key]} for key in ordered
        ],
    }


def _below_reorder_point(warehouse_id: int):
    b, setting = StockBalance, ProductWarehouseSetting
    totals = (
        select(
            b.product_id,
            func.sum(b.on_hand).label("on_hand"),
            func.sum(b.reserved).label("reserved"),
            func.sum(b.on_order).label("on_order"),
        )
        .where(b.warehouse_id == warehouse_id)
        .group_by(b.product_id)
        .subquery()
    )

    def quantity(expr):  # read back as the quantity column it is (scaled on SQLite)
        return type_coerce(expr, Quantity())

    on_hand = quantity(func.coalesce(totals.c.on_hand, 0))
    reserved = quantity(func.coalesce(totals.c.reserved, 0))
    on_order = quantity(func.coalesce(totals.c.on_order, 0))
    reorder_point = quantity(func.coalesce(setting.reorder_point, Product.reorder_point))
    stmt = (
        select(
            Product.id,
            Product.sku,
            Product.name,
            Product.unit,
            on_hand.label("on_hand"),
            reserved.label("reserved"),
            on_order.label("on_order"),
            reorder_point.label("reorder_point"),
            quantity(func.coalesce(setting.reorder_qty, Product.reorder_qty)).label("reorder_qty"),
        )
        .outerjoin(totals, totals.c.product_id == Product.id)
        .outerjoin(
            setting,
            and_(setting.product_id == Product.id, setting.warehouse_id == warehouse_id),
        )
        .where(
            Product.active.is_(True),
            or_(totals.c.product_id.is_not(None), setting.product_id.is_not(None)),
            # Every term is a quantity of the same scale: compared exactly in SQL.
            on_hand + on_order - reserved < reorder_point,
        )
        .order_by(Product.sku)
    )
    return db.session.execute(stmt).all()


def _order_multiples(product_ids) -> dict[int, Decimal]:
    """Each product's largest packing unit (a case of 12 → 12)."""
    rows = db.session.execute(
        select(ProductUnit.product_id, type_coerce(func.max(ProductUnit.factor), Quantity()))
        .where(ProductUnit.product_id.in_(product_ids))
        .group_by(ProductUnit.product_id)
    )
    return dict(rows.all())


def _last_lines(product_ids, supplier_id: int | None = None) -> dict:
    """Each product's most recent order line (of one supplier, if given), with its order's
    supplier and number. Cancelled orders do not count: nothing came of them."""
    newest = (
        func.row_number()
        .over(
            partition_by=PurchaseOrderLine.product_id,
            order_by=(PurchaseOrder.id.desc(), PurchaseOrderLine.id.desc()),
        )
        .label("newest")
    )
    ranked = (
        select(
            PurchaseOrderLine.product_id,
            PurchaseOrderLine.unit,
            PurchaseOrderLine.factor,
            PurchaseOrderLine.unit_price,
            PurchaseOrderLine.tax_rate,
            PurchaseOrder.id.label("order_id"),
            PurchaseOrder.number,
            PurchaseOrder.supplier_id,
            newest,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(PurchaseOrderLine.product_id.in_(product_ids), PurchaseOrder.state != "cancelled")
    )
    if supplier_id is not None:
        ranked = ranked.where(PurchaseOrder.supplier_id == supplier_id)
    ranked = ranked.subquery()
    rows = db.session.execute(select(ranked).where(ranked.c.newest == 1))
    return {row.product_id: row for row in rows}


def _supplier_ref(supplier: Supplier | None) -> dict | None:
    if supplier is None:
        return None
    return {
        "id": supplier.id,
        "code": supplier.code,
        "name": supplier.name,
        "lead_time_days": supplier.lead_time_days,
    }


# --- ordering --------------------------------------------------------------------------------


def order_suggestions(data: dict) -> dict:
    """One draft order per supplier for the chosen suggestions, all in one transaction.
    Each line is priced as that supplier's last line of the product (in its unit where
    the quantity is whole units of it), else at the product's last cost."""
    errors: dict[str, list[str]] = {}
    warehouse_id = data["warehouse_id"]
    services.check_warehouse(warehouse_id, errors)
    by_supplier: dict[int, list[dict]] = {}
    for index, row in enumerate(data["lines"]):
        problems: dict[str, list[str]] = {}
        line = _order_line(row, problems)
        for field, reasons in problems.items():
            errors[f"lines.{index}.{field}"] = reasons
        if line is not None and not problems:
            by_supplier.setdefault(row["supplier_id"], []).append(line)
    if errors:
        raise ValidationProblem(errors)

    def work():
        orders = [
            services.new_order({"supplier_id": supplier_id, "warehouse_id": warehouse_id}, lines)
            for supplier_id, lines in by_supplier.items()
        ]
        return {"orders": [services.order_detail(order) for order in orders]}

    return run_transaction(work)


def _order_line(row: dict, problems: dict) -> dict | None:
    if row["supplier_id"] is None:
        problems["supplier_id"] = ["choose a supplier: this product was never ordered"]
        return None
    services.check_supplier(row["supplier_id"], problems)
    if problems:
        return None
    qty = row["qty"]
    last = _last_lines([row["product_id"]], row["supplier_id"]).get(row["product_id"])
    if last is None:
        product = db.session.get(Product, row["product_id"])
        price = product.last_cost if product is not None else ZERO
        order_row = {"unit": None, "qty": qty, "unit_price": price, "tax_rate": DEFAULT_TAX_RATE}
    elif qty % last.factor == 0:  # whole units of what was ordered last: order those again
        order_row = {"unit": last.unit, "qty": qty / last.factor, "unit_price": last.unit_price,
                     "tax_rate": last.tax_rate}  # fmt: skip
    else:
        price = (last.unit_price / last.factor).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)
        order_row = {"unit": None, "qty": qty, "unit_price": price, "tax_rate": last.tax_rate}
    return services.checked_line(
        {"product_id": row["product_id"], "discount": ZERO, **order_row}, problems
    )
