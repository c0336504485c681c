"""The demo company's sales orders, one in every state, made through the sales services as
the demo salesperson (orders), floor keeper (shipments, a return) and finance clerk
(invoices, receipts) would make them: one customer overdue. Only when there are no sales
orders yet."""

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.catalog.models import Product
from app.core.db import utcnow
from app.demo_history import PAST
from app.demo_purchasing import acting_as
from app.extensions import db
from app.inventory.models import StockBalance, Warehouse
from app.partners.models import Customer
from app.sales import invoicing, returns, services, shipping
from app.sales.models import SalesOrder

# (what happens to the order, share of each line shipped)
STORIES = (
    ("draft", None),
    ("confirmed", None),
    ("partially_shipped", Decimal("0.5")),
    ("overdue", Decimal(1)),  # invoiced 50 days ago, a third paid
    ("completed", Decimal(1)),  # invoiced, one unit sent back, paid in full
    ("cancelled", None),
    ("held", None),
    ("confirmed", None),
)


def seed_sales() -> int:
    """Create the demo sales orders; returns how many (0: some exist already)."""
    if db.session.scalar(select(SalesOrder.id).where(SalesOrder.note != PAST).limit(1)):
        return 0
    rng = random.Random(20261203)
    warehouse = db.session.scalar(select(Warehouse).order_by(Warehouse.code))
    # The demo salesperson's customers.
    customers = db.session.scalars(
        select(Customer).where(Customer.salesperson_id.is_not(None)).order_by(Customer.code)
    ).all()
    # Products with plenty free in the warehouse, not batch-tracked: they ship FEFO-free.
    stocked = db.session.scalars(
        select(Product)
        .join(StockBalance, StockBalance.product_id == Product.id)
        .where(
            StockBalance.warehouse_id == warehouse.id,
            StockBalance.on_hand >= 40,
            Product.track_batches.is_(False),
            Product.retail_price > 0,
        )
        .order_by(Product.id)
        .distinct()
        .limit(30)
    ).all()
    if len(customers) < 2 or len(stocked) < 3:
        return 0
    unlimited = [c for c in customers if not c.credit_limit] or customers
    limited = next((c for c in customers if c.credit_limit), None)
    made = 0
    for n, (story, share) in enumerate(STORIES):
        customer = unlimited[n % len(unlimited)]
        lines = [
            {"product_id": p.id, "qty": Decimal(rng.choice([2, 3, 5, 6, 10]))}
            for p in rng.sample(stocked, 3)
        ]
        if story == "held" and limited is not None:
            customer = limited  # an order far over its credit limit
            lines = [{"product_id": stocked[0].id, "qty": Decimal(30),
                      "unit_price": limited.credit_limit}]  # fmt: skip
        with acting_as("sales"):
            order, _ = services.create_order(
                {
                    "customer_id": customer.id,
                    "warehouse_id": warehouse.id,
                    "note": "",
                    "lines": lines,
                }  # fmt: skip
            )
            if story != "draft":
                order = services.confirm(order["id"])
            if story == "cancelled":
                services.cancel(order["id"], "客户取消 customer cancelled")
        if share is not None and order["state"] == "confirmed":
            shipped = [
                {"so_line_id": line["id"], "qty": (Decimal(line["qty"]) * share).quantize(1)}
                for line in order["lines"]
            ]
            shipment = {"carrier": "顺丰速运", "tracking_no": f"SF10{rng.randrange(10**9):09d}",
                        "lines": [line for line in shipped if line["qty"] > 0]}  # fmt: skip
            with acting_as("warehouse"):
                sent = shipping.ship(order["id"], shipment)
            if story in ("overdue", "completed"):
                _bill_and_collect(story, order, sent)
        made += 1
    return made


def _bill_and_collect(story: str, order: dict, shipment: dict) -> None:
    today = utcnow().date()
    with acting_as("finance"):
        dated = today - timedelta(days=50) if story == "overdue" else today
        invoice = invoicing.invoice_order(order["id"], {"invoice_date": dated, "note": ""})
    if story == "completed":
        with acting_as("warehouse"):
            line = shipment["lines"][0]
            back = {"shipment_line_id": line["id"], "qty": Decimal(1)}
            returns.return_goods(
                shipment["id"],
                {
                    "disposition": "restock",
                    "reason": "包装破损 damaged box",
                    "note": "",
                    "lines": [back],
                },
            )
    with acting_as("finance"):
        invoice = invoicing.invoice_detail(invoicing.get_invoice(invoice["id"]))
        amount = Decimal(invoice["open"])
        if story == "overdue":
            amount = (amount / 3).quantize(Decimal("0.01"))
        allocation = {"invoice_id": invoice["id"], "amount": amount}
        invoicing.create_receipt(
            {
                "customer_id": invoice["customer"]["id"],
                "received_on": today - timedelta(days=5),
                "amount": amount,
                "method": "bank",
                "account": "",
                "reference": "TT-5521",
                "note": "",
                "allocations": [allocation],
            }
        )
