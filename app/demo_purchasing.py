"""The demo company's purchase orders, one in every state, made through the purchasing
services as the demo purchaser (orders) and floor keeper (receipts) would make them.
Only when there are no purchase orders yet."""

import random
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from flask_login import login_user
from sqlalchemy import select

from app.auth.models import User
from app.catalog.models import Product
from app.core.db import utcnow
from app.extensions import db
from app.inventory.models import Warehouse
from app.partners.models import Supplier
from app.purchasing import receiving, services
from app.purchasing.models import PurchaseOrder

# (state the order ends in, share of each line received before that)
STORIES = (
    ("draft", None),
    ("approved", None),
    ("partially_received", Decimal("0.5")),
    ("received", Decimal(1)),
    ("closed", Decimal("0.5")),
    ("cancelled", None),
    ("approved", None),
)


@contextmanager
def acting_as(username: str):
    """Run services as this demo user (they record who did what)."""
    user = db.session.scalar(select(User).where(User.username == username))
    with current_app.test_request_context("/demo", method="POST"):
        login_user(user)
        yield


def seed_purchasing() -> int:
    """Create the demo purchase orders; returns how many (0: some exist already)."""
    if db.session.scalar(select(PurchaseOrder.id).limit(1)) is not None:
        return 0
    rng = random.Random(20261125)
    warehouse = db.session.scalar(select(Warehouse).order_by(Warehouse.code))
    suppliers = db.session.scalars(select(Supplier).order_by(Supplier.code).limit(4)).all()
    products = db.session.scalars(
        select(Product)
        .where(Product.track_batches.is_(False), Product.track_expiry.is_(False))
        .order_by(Product.id)
        .limit(40)
    ).all()
    for n, (state, share) in enumerate(STORIES):
        chosen = rng.sample(products, 3)
        lines = [
            {
                "product_id": p.id,
                "unit": p.unit,
                "qty": Decimal(rng.choice([12, 24, 48, 60])),
                "unit_price": (p.retail_price * Decimal("0.6")).quantize(Decimal("0.01")),
                "tax_rate": Decimal("0.13"),
                "discount": Decimal(rng.choice(["0", "0", "0.05"])),
            }
            for p in chosen
        ]
        with acting_as("purchaser"):
            order = services.create_order(
                {
                    "supplier_id": suppliers[n % len(suppliers)].id,
                    "warehouse_id": warehouse.id,
                    "expected_date": (utcnow() + timedelta(days=3 + n)).date(),
                    "note": "",
                    "lines": lines,
                }
            )
            if state != "draft":
                services.change_state(order["id"], "approve")
        if share is not None:
            received = [
                {"po_line_id": line["id"], "qty": Decimal(line["qty"]) * share}
                for line in order["lines"]
            ]
            with acting_as("warehouse"):
                receiving.receive(order["id"], {"lines": received, "note": ""})
        if state in ("closed", "cancelled"):
            with acting_as("purchaser"):
                services.change_state(order["id"], "close" if state == "closed" else "cancel")
    return len(STORIES)
