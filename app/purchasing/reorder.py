"""Reorder suggestions (补货建议): what a warehouse should order, and from whom.

A product of a warehouse (one with stock rows there, or settings for it) is suggested
when its projected quantity — on hand + on order − reserved — is below its reorder point
(the warehouse's override, else the product's). It is suggested up to its maximum level,
rounded up to whole packing units, under the supplier of its most recent order line.

On the `forecast` basis the reorder point and the level come from the product's demand
forecast in that warehouse instead (app.purchasing.replenishment), at the installation's
service level; products without a forecast (nothing sold lately) are not suggested.
"""

from collections import defaultdict
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from sqlalchemy import and_, func, or_, select, type_coerce

from app.catalog.models import Product, ProductWarehouseSetting
from app.core.db import Quantity
from app.core.errors import ValidationProblem
from app.core.transactions import run_transaction
from app.extensions import db
from app.inventory.models import Warehouse
from app.inventory.refs import warehouse_ref
from app.partners.models import Supplier
from app.purchasing import replenishment, services
from app.purchasing.models import DemandForecast
from app.purchasing.sourcing import last_order_lines, order_multiples
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


BASES = ("fixed", "forecast")


def suggestions(warehouse_id: int, basis: str = "fixed") -> dict:
    """Products below their reorder point in a warehouse, grouped by supplier."""
    errors: dict[str, list[str]] = {}
    services.check_warehouse(warehouse_id, errors)
    if errors:
        raise ValidationProblem(errors)
    rows = _below_reorder_point(warehouse_id, basis)
    ids = [row.id for row in rows]
    multiples = order_multiples(ids)
    last_lines = last_order_lines(ids)
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
        "basis": basis,
        "groups": [
            {"supplier": _supplier_ref(suppliers.get(key)), "lines": groups[key]} for key in ordered
        ],
    }


def _quantity(expr):  # read back as the quantity column it is (scaled on SQLite)
    return type_coerce(expr, Quantity())


def _below_reorder_point(warehouse_id: int, basis: str):
    setting = ProductWarehouseSetting
    totals = replenishment.stock_position(warehouse_id)
    on_hand = _quantity(func.coalesce(totals.c.on_hand, 0))
    reserved = _quantity(func.coalesce(totals.c.reserved, 0))
    on_order = _quantity(func.coalesce(totals.c.on_order, 0))
    stmt = select(
        Product.id, Product.sku, Product.name, Product.unit,
        on_hand.label("on_hand"), reserved.label("reserved"), on_order.label("on_order"),
    ).outerjoin(totals, totals.c.product_id == Product.id)  # fmt: skip
    if basis == "forecast":
        f = DemandForecast
        at = replenishment.figures(f, totals, replenishment.default_service_level())
        reorder_point, reorder_qty = at.reorder_point, _quantity(f.review_demand)
        stmt = stmt.join(f, and_(f.product_id == Product.id, f.warehouse_id == warehouse_id))
    else:
        reorder_point = _quantity(func.coalesce(setting.reorder_point, Product.reorder_point))
        reorder_qty = _quantity(func.coalesce(setting.reorder_qty, Product.reorder_qty))
        stmt = stmt.outerjoin(
            setting,
            and_(setting.product_id == Product.id, setting.warehouse_id == warehouse_id),
        ).where(or_(totals.c.product_id.is_not(None), setting.product_id.is_not(None)))
    stmt = stmt.add_columns(
        reorder_point.label("reorder_point"), reorder_qty.label("reorder_qty")
    ).where(
        Product.active.is_(True),
        # Every term is a quantity of the same scale: compared exactly in SQL.
        on_hand + on_order - reserved < reorder_point,
    )
    return db.session.execute(stmt.order_by(Product.sku)).all()


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
    last = last_order_lines([row["product_id"]], row["supplier_id"]).get(row["product_id"])
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
