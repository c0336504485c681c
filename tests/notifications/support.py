"""Helpers of the notification tests."""

from app.extensions import db
from app.notifications.models import Notification


def move(client, type_, warehouse_id, product_id, qty, **line):
    """Post a stock movement of one line; returns the response."""
    if type_ == "in":
        line.setdefault("unit_cost", "1")
    body = {"type": type_, "warehouse_id": warehouse_id,
            "lines": [{"product_id": product_id, "qty": qty, **line}]}  # fmt: skip
    return client.post("/api/v1/stock/movements", json=body)


def drop_below_safety(depot, warehouse="w1"):
    """Stock 12 coke in, take 3 out: the coke crosses below its safety stock of 10."""
    admin = depot["admin"]
    assert move(admin, "in", depot[warehouse], depot["coke"], "12").status_code == 201
    assert move(admin, "out", depot[warehouse], depot["coke"], "3").status_code == 201


def notifications(client, query="") -> list[dict]:
    page = client.get(f"/api/v1/notifications{query}")
    assert page.status_code == 200, page.json
    return page.json["items"]


def stored(app) -> list[Notification]:
    with app.app_context():
        return list(db.session.scalars(db.select(Notification).order_by(Notification.id)))
