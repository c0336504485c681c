"""The demo company's stock: opening balances in both warehouses (dated before the twelve
weeks of the demo's past), batches with expiries (a few close to expiring), some products
below their safety stock, and today's work. Posted through the ledger like any other
stock; only into an empty ledger."""

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from app.auth.models import User
from app.catalog.models import Product
from app.core.db import utcnow
from app.core.transactions import run_transaction
from app.extensions import db
from app.inventory import ledger, periods
from app.inventory.models import LedgerEntry, Location, StockDocument, Warehouse

CENT = Decimal("0.01")
HISTORY_DAYS = 84  # the demo's past (app.demo_history) runs from the opening stock to today


def opening_day():
    """When the demo's opening stock is dated: before the twelve weeks of its past."""
    return utcnow().date() - timedelta(days=HISTORY_DAYS + 1)


def date_documents_back(document_ids, moment: datetime) -> None:
    """Date stock documents (and their ledger lines) at `moment`: the demo's past is posted
    now and dated back, oldest first, so the ledger's order stays the order of time."""
    moved = update(LedgerEntry).where(LedgerEntry.document_id.in_(document_ids))
    db.session.execute(moved.values(posted_at=moment))
    db.session.execute(
        update(StockDocument).where(StockDocument.id.in_(document_ids)).values(posted_at=moment)
    )
    pairs = db.session.execute(
        select(LedgerEntry.product_id, LedgerEntry.warehouse_id)
        .where(LedgerEntry.document_id.in_(document_ids))
        .distinct()
    ).all()
    # Their products' running totals, by the months the documents now fall in.
    periods.rebuild(products={p for p, _ in pairs}, warehouses={w for _, w in pairs})
    db.session.commit()


def seed_opening_stock() -> int:
    """Post the opening stock, dated before the demo's past; returns how many stock
    documents were posted (0: the ledger has some already)."""
    if db.session.scalar(select(LedgerEntry.id).limit(1)) is not None:
        return 0
    rng = random.Random(20261124)
    keeper = db.session.scalar(select(User).where(User.username == "warehouse"))
    products = db.session.scalars(
        select(Product).where(Product.active.is_(True)).order_by(Product.id)
    ).all()
    warehouses = db.session.scalars(select(Warehouse).order_by(Warehouse.code)).all()
    posted = 0
    for warehouse in warehouses:
        locations = db.session.scalars(
            select(Location.id).where(Location.warehouse_id == warehouse.id)
        ).all()
        lines = [
            line
            for product in products
            if rng.random() > 0.1  # a few products are not stocked here at all
            for line in _opening_lines(product, locations, rng)
        ]
        document_id = run_transaction(
            lambda w=warehouse, lines=lines: ledger.post(
                "opening", w.id, lines, user_id=keeper.id, note="演示期初库存 demo opening stock"
            )
        )
        date_documents_back([document_id], datetime.combine(opening_day(), time(8), tzinfo=UTC))
        posted += 1
    return posted


def _opening_lines(product: Product, locations: list[int], rng) -> list[ledger.Line]:
    safety = int(product.safety_stock)
    if safety and rng.random() < 0.15:
        qty = rng.randint(1, safety - 1)  # below its safety stock: shows on the alerts
    else:
        qty = rng.randint(safety + 12, safety + 240)
    cost = (product.retail_price * Decimal(rng.choice(["0.6", "0.65", "0.7"]))).quantize(CENT)
    location = rng.choice(locations)
    if not (product.track_batches or product.track_expiry):
        return [_line(product, qty, cost, location)]
    # Two lots, the same in every warehouse: an older one close to its expiry, a fresh one.
    today, life = utcnow().date(), product.shelf_life_days or 365
    older = qty // 3 or 1
    expiring = today + timedelta(days=5 + product.id % 20)
    fresh = today + timedelta(days=life // 2 + product.id * 7 % (life // 2))
    return [
        _line(product, older, cost, location, f"B{today:%y%m}01", expiring),
        _line(product, max(qty - older, 1), cost, location, f"B{today:%y%m}02", fresh),
    ]


def _line(product, qty, cost, location, batch=None, expiry=None) -> ledger.Line:
    return ledger.Line(
        product_id=product.id,
        qty=Decimal(qty),
        unit_cost=cost,
        location_id=location,
        batch_number=batch,
        expiry=expiry,
    )


def seed_days_of_work() -> int:
    """Stock out, a transfer and a write-off today, so the ledger has a story to tell."""
    rng = random.Random(20261125)
    keeper = db.session.scalar(select(User).where(User.username == "warehouse"))
    products = db.session.scalars(
        select(Product).where(Product.active.is_(True)).order_by(Product.id)
    ).all()
    warehouses = db.session.scalars(select(Warehouse).order_by(Warehouse.code)).all()
    main, branch = warehouses[0], warehouses[-1]
    plain = [p for p in products if not (p.track_batches or p.track_expiry)]
    documents = [
        ("out", main.id, {}, rng.sample(plain, 8), 3),
        ("out", branch.id, {}, rng.sample(plain, 5), 2),
        ("transfer", main.id, {"to_warehouse_id": branch.id}, rng.sample(plain, 4), 6),
        ("write_off", main.id, {"reason": "damaged"}, rng.sample(plain, 2), 1),
    ]
    posted = 0
    for kind, warehouse_id, options, chosen, qty in documents:
        lines = [ledger.Line(product_id=p.id, qty=Decimal(qty)) for p in chosen]
        try:
            ledger.post_movements(kind, warehouse_id, lines, user_id=keeper.id, **options)
            posted += 1
        except ledger.NotEnoughStock:
            db.session.rollback()  # a product the dice left unstocked: skip this one
    return posted
