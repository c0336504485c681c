"""Where a product comes from: the latest line it was ordered on (supplier, unit, price)
and the pack it is ordered in."""

from decimal import Decimal

from sqlalchemy import func, select, type_coerce

from app.catalog.models import ProductUnit
from app.core.db import Quantity
from app.extensions import db
from app.purchasing.models import PurchaseOrder, PurchaseOrderLine


def order_multiples(product_ids) -> dict[int, Decimal]:
    """Each product's largest packing unit (a case of 12 → 12)."""
    rows = db.session.execute(
        select(ProductUnit.product_id, type_coerce(func.max(ProductUnit.factor), Quantity()))
        .where(ProductUnit.product_id.in_(product_ids))
        .group_by(ProductUnit.product_id)
    )
    return dict(rows.all())


def last_order_lines(product_ids, supplier_id: int | None = None) -> dict:
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
