"""The demo company's past: twelve weeks of sales before today, so the dashboard has a trend
and replenishment has demand to forecast.

Each day's orders are taken, confirmed and shipped through the sales services, then dated
back to that day (order, history, shipment, stock document and ledger lines), oldest first,
so the ledger's order stays the order of time. Every Monday the main warehouse restocks each
product below about ten days of its demand back up to that, so some are due for reordering
today. Demand per product is steady, weekly (more at the weekend) or intermittent, and never
more than is there. The notifications the past made are dropped: nobody saw them.
"""

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import delete, select, update

from app.auth.models import User
from app.catalog.models import Product
from app.core.db import utcnow
from app.demo_purchasing import acting_as
from app.demo_stock import HISTORY_DAYS, date_documents_back
from app.extensions import db
from app.inventory import ledger
from app.inventory.models import StockBalance, StockValuation, Warehouse
from app.notifications.models import Notification
from app.partners.models import Customer
from app.sales import services, shipping
from app.sales.models import SalesOrder, SalesOrderHistory, Shipment

PRODUCTS = 12
CARRIERS = ("顺丰速运", "中通快递", "京东物流")
PAST = "往期订单 past order"  # the note that tells these orders from the demo's others


def seed_history() -> int:
    """Post the past; returns how many orders it took (0: nothing to sell from)."""
    rng = random.Random(20261204)
    main = db.session.scalar(select(Warehouse).order_by(Warehouse.code))
    keeper = db.session.scalar(select(User).where(User.username == "warehouse"))
    # The demo salesperson's customers without a credit limit: nothing is held.
    customers = db.session.scalars(
        select(Customer)
        .where(Customer.salesperson_id.is_not(None), Customer.credit_limit == 0)
        .order_by(Customer.code)
    ).all()
    products = _sold_products(main.id)
    if not customers or not products:
        return 0
    patterns = {p.id: _pattern(rng, n) for n, p in enumerate(products)}
    on_hand = dict(
        db.session.execute(
            select(StockValuation.product_id, StockValuation.qty).where(
                StockValuation.warehouse_id == main.id,
                StockValuation.product_id.in_(patterns),
            )
        ).all()
    )
    first = utcnow().date() - timedelta(days=HISTORY_DAYS)
    taken = 0
    for offset in range(HISTORY_DAYS):
        day = first + timedelta(days=offset)
        if day.weekday() == 0:
            short = {p: level - on_hand[p] for p, (_, level) in patterns.items()
                     if on_hand[p] < level}  # fmt: skip
            if short:
                _restock(main.id, keeper.id, short, day)
                on_hand.update({p: on_hand[p] + qty for p, qty in short.items()})
        wanted = {}
        for product_id, (demand, _) in patterns.items():
            qty = min(demand(day.weekday(), rng), on_hand[product_id])  # no more than there is
            if qty > 0:
                wanted[product_id] = qty
                on_hand[product_id] -= qty
        for order_lines in _split(rng, wanted):
            _sell(rng, main.id, rng.choice(customers), order_lines, day)
            taken += 1
    db.session.execute(delete(Notification))
    db.session.commit()
    return taken


def _sold_products(warehouse_id: int) -> list[Product]:
    """Plain products with a price and plenty in the main warehouse."""
    return db.session.scalars(
        select(Product)
        .join(StockBalance, StockBalance.product_id == Product.id)
        .where(
            StockBalance.warehouse_id == warehouse_id,
            StockBalance.on_hand >= 60,
            Product.track_batches.is_(False),
            Product.track_expiry.is_(False),
            Product.retail_price > 0,
        )
        .order_by(Product.id)
        .distinct()
        .limit(PRODUCTS)
    ).all()


def _pattern(rng: random.Random, n: int):
    """A product's daily demand (steady, weekly or intermittent, by its place in the list)
    and the level its Monday restock brings it back up to: about ten days of it."""
    base = rng.choice((2, 3, 4, 6))
    level = Decimal(10 * base)
    if n % 3 == 0:  # weekly: busier Friday to Sunday

        def weekly(weekday, rng):
            return max(0, round(base * (1.8 if weekday >= 4 else 0.8) + rng.gauss(0, 0.7)))

        return weekly, level
    if n % 3 == 1:  # intermittent: a bigger order now and then

        def intermittent(weekday, rng):
            return rng.choice((4, 6, 8, 12)) if rng.random() < 0.25 else 0

        return intermittent, level

    def steady(weekday, rng):
        return max(0, round(base + rng.gauss(0, 1)))

    return steady, level


def _split(rng: random.Random, wanted: dict[int, int]) -> list[dict[int, int]]:
    """A day's demand as one to three orders."""
    orders: list[dict[int, int]] = [{} for _ in range(rng.randint(1, 3))]
    for product_id, qty in wanted.items():
        rng.choice(orders)[product_id] = qty
    return [order for order in orders if order]


def _at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _sell(rng, warehouse_id: int, customer: Customer, lines: dict[int, int], day) -> None:
    with acting_as("sales"):
        order, _ = services.create_order({
            "customer_id": customer.id, "warehouse_id": warehouse_id, "note": PAST,
            "lines": [{"product_id": p, "qty": Decimal(q)} for p, q in lines.items()]})  # fmt: skip
        order = services.confirm(order["id"])
    everything = [
        {"so_line_id": line["id"], "qty": Decimal(line["qty"])} for line in order["lines"]
    ]
    shipment = {"carrier": rng.choice(CARRIERS), "lines": everything,
                "tracking_no": f"SF20{rng.randrange(10**9):09d}"}  # fmt: skip
    with acting_as("warehouse"):
        sent = shipping.ship(order["id"], shipment)
    taken, shipped = _at(day, rng.randint(8, 11), rng.randint(0, 59)), _at(day, 16)
    db.session.execute(
        update(SalesOrder)
        .where(SalesOrder.id == order["id"])
        .values(created_at=taken, updated_at=shipped)  # fmt: skip
    )
    db.session.execute(
        update(SalesOrderHistory).where(SalesOrderHistory.order_id == order["id"]).values(at=taken)
    )
    db.session.execute(
        update(SalesOrderHistory)
        .where(SalesOrderHistory.order_id == order["id"], SalesOrderHistory.event == "shipped")
        .values(at=shipped)
    )
    document_id = db.session.scalar(select(Shipment.document_id).where(Shipment.id == sent["id"]))
    db.session.execute(update(Shipment).where(Shipment.id == sent["id"]).values(shipped_at=shipped))
    date_documents_back([document_id], shipped)


def _restock(warehouse_id: int, user_id: int, sold: dict, day) -> None:
    """Stock in these quantities at each product's average cost (so its value holds)."""
    costs = dict(
        db.session.execute(
            select(StockValuation.product_id, StockValuation.avg_cost).where(
                StockValuation.warehouse_id == warehouse_id,
                StockValuation.product_id.in_(sold),
            )
        ).all()
    )
    lines = [ledger.Line(product_id=p, qty=Decimal(q), unit_cost=costs[p]) for p, q in sold.items()]
    document_id = ledger.post_movements(
        "in", warehouse_id, lines, user_id=user_id, note="补货 restock"
    )
    date_documents_back([document_id], _at(day, 7))
