"""The statements the ledger runs, built once and run with core.driver.Driver.

Building a SQLAlchemy expression costs more than running it on SQLite (≈180 µs against
≈40 µs, measured), and a posting runs about eight of them, so the hot ones are made here
at import with bind parameters and only executed per posting.
"""

from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.catalog.models import Product, ProductWarehouseSetting
from app.inventory.models import (
    Batch,
    LedgerEntry,
    StockBalance,
    StockDocument,
    StockDocumentLine,
    StockValuation,
)

balances = StockBalance.__table__
valuations = StockValuation.__table__
ledger = LedgerEntry.__table__
products = Product.__table__
documents = StockDocument.__table__
document_lines = StockDocumentLine.__table__
_settings = ProductWarehouseSetting.__table__
_others = valuations.alias("others")


class ProductFacts(NamedTuple):
    """What a posting needs to know of a product, read with its valuation's lock."""

    id: int
    sku: str
    name: str
    unit: str
    allow_negative_stock: bool
    last_cost: Decimal


def _total_elsewhere(column):
    """The product's stock (or value) in its other warehouses that hold some."""
    return (
        select(func.coalesce(func.sum(_others.c[column]), 0))
        .where(
            _others.c.product_id == valuations.c.product_id,
            _others.c.warehouse_id != valuations.c.warehouse_id,
            _others.c.qty > 0,
        )
        .scalar_subquery()
    )


_reserved = (
    select(func.coalesce(func.sum(balances.c.reserved), 0))
    .where(
        balances.c.product_id == valuations.c.product_id,
        balances.c.warehouse_id == valuations.c.warehouse_id,
    )
    .scalar_subquery()
)

# One product × warehouse: its valuation, the product, safety stock and reservations there.
VALUATION = (
    select(
        valuations.c.qty,
        valuations.c.value,
        valuations.c.avg_cost,
        _reserved.label("reserved"),
        func.coalesce(_settings.c.safety_stock, products.c.safety_stock).label("safety_stock"),
        _total_elsewhere("qty").label("qty_elsewhere"),
        _total_elsewhere("value").label("value_elsewhere"),
        *(products.c[name] for name in ProductFacts._fields),
    )
    .select_from(
        valuations.join(products, products.c.id == valuations.c.product_id).outerjoin(
            _settings,
            (_settings.c.product_id == valuations.c.product_id)
            & (_settings.c.warehouse_id == valuations.c.warehouse_id),
        )
    )
    .where(
        valuations.c.product_id == bindparam("product_id"),
        valuations.c.warehouse_id == bindparam("warehouse_id"),
    )
)
# PostgreSQL: the row lock that orders writers of one product × warehouse.
VALUATION_FOR_UPDATE = VALUATION.with_for_update(of=valuations)
NEW_VALUATION = {
    name: dialect.insert(valuations).on_conflict_do_nothing()
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}
SAVE_VALUATION = (
    update(valuations)
    .where(
        valuations.c.product_id == bindparam("v_product"),
        valuations.c.warehouse_id == bindparam("v_warehouse"),
    )
    .values(qty=bindparam("v_qty"), value=bindparam("v_value"), avg_cost=bindparam("v_avg"))
)

ADD_DOCUMENT = insert(documents).returning(documents.c.id)
ADD_LINES = insert(document_lines).returning(document_lines.c.id)
ADD_ENTRIES = insert(ledger)

# Every place that holds the product in the warehouse, with its batch's expiry.
PLACES = (
    select(
        balances.c.id,
        balances.c.location_id,
        balances.c.batch_id,
        balances.c.on_hand,
        balances.c.reserved,
        Batch.expiry,
    )
    .outerjoin(Batch, Batch.id == balances.c.batch_id)
    .where(
        balances.c.product_id == bindparam("product_id"),
        balances.c.warehouse_id == bindparam("warehouse_id"),
    )
)
_this_place = (
    balances.c.product_id == bindparam("b_product"),
    balances.c.warehouse_id == bindparam("b_warehouse"),
    balances.c.place == bindparam("b_place"),
)
ON_HAND_AT = select(balances.c.on_hand).where(*_this_place)
ADD_ON_HAND = (
    update(balances)
    .where(*_this_place)
    .values(on_hand=balances.c.on_hand + bindparam("delta", type_=balances.c.on_hand.type))
)
NEW_PLACE = insert(balances)
# On order (open purchase orders): kept on the warehouse-level row of a product.
ADD_ON_ORDER = (
    update(balances)
    .where(*_this_place)
    .values(on_order=balances.c.on_order + bindparam("delta", type_=balances.c.on_order.type))
)
# Reserved (confirmed sales orders): also on the warehouse-level row.
ADD_RESERVED = (
    update(balances)
    .where(*_this_place)
    .values(reserved=balances.c.reserved + bindparam("delta", type_=balances.c.reserved.type))
)
NEW_EMPTY_PLACE = {
    name: dialect.insert(balances).on_conflict_do_nothing()
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}
# The decrement and its check in one statement: it changes a row only if enough is free.
TAKE = (
    update(balances)
    .where(
        balances.c.id == bindparam("balance_id"),
        balances.c.on_hand - balances.c.reserved
        >= bindparam("take", type_=balances.c.on_hand.type),
    )
    .values(on_hand=balances.c.on_hand - bindparam("take", type_=balances.c.on_hand.type))
)

SET_LAST_COST = (
    update(products)
    .where(products.c.id == bindparam("cost_product"))
    .values(last_cost=bindparam("last"), updated_at=bindparam("at"))
)
SET_COSTS = SET_LAST_COST.values(avg_cost=bindparam("average"))
