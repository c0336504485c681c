"""Delta sync: a device asks for what changed since the last change it saw, and gets the
records changed since then, archived ones included, oldest change first."""

import time
from datetime import UTC, datetime
from urllib.parse import quote


def _since(moment: datetime) -> str:
    return quote(moment.isoformat())


def test_products_changed_since(login_as):
    manager = login_as("manager")
    made = [
        manager.post("/api/v1/products", json={"sku": f"p{n}", "name": f"品{n}", "unit": "个"}).json
        for n in range(3)
    ]
    time.sleep(0.01)
    mark = datetime.now(UTC)
    time.sleep(0.01)
    body = {"version": made[2]["version"], "retail_price": "9.90"}
    changed = manager.patch(f"/api/v1/products/{made[2]['id']}", json=body)
    assert changed.status_code == 200, changed.json
    assert manager.delete(f"/api/v1/products/{made[0]['id']}").status_code in (200, 204)

    got = manager.get(f"/api/v1/products?updated_since={_since(mark)}")
    assert got.status_code == 200, got.json
    assert [(p["sku"], p["active"]) for p in got.json["items"]] == [
        ("P2", True), ("P0", False)]  # fmt: skip
    last = got.json["items"][-1]["updated_at"]
    again = manager.get(f"/api/v1/products?updated_since={quote(last)}").json["items"]
    assert [p["sku"] for p in again] == ["P0"]  # the last one seen, at worst, comes again
    bad = manager.get("/api/v1/products?updated_since=yesterday")
    assert bad.status_code == 422


def test_customers_changed_since_are_still_only_ones_own(login_as):
    sales, other = login_as("sales"), login_as("sales")
    mine = sales.post("/api/v1/customers", json={"code": "C1", "name": "华联"}).json
    theirs = other.post("/api/v1/customers", json={"code": "C2", "name": "联华"}).json
    assert mine["id"] and theirs["id"]
    mark = datetime(2000, 1, 1, tzinfo=UTC)
    got = sales.get(f"/api/v1/customers?updated_since={_since(mark)}").json["items"]
    assert [c["code"] for c in got] == ["C1"]
