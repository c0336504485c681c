import pytest


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_backend(request):
    """Like the API tests, these run on SQLite and again on PostgreSQL."""
    return request.param


@pytest.fixture
def depot(app, login_as, warehouses):
    """Two warehouses, a product with a safety stock of 10, and one user of each role that
    alerts are about: floor staff limited to W1."""
    manager = login_as("manager")
    coke = manager.post(
        "/api/v1/products",
        json={"sku": "coke-500", "name": "可口可乐 500ml", "unit": "瓶", "safety_stock": "10"},
    )
    assert coke.status_code == 201, coke.json
    w1, w2 = warehouses
    return {
        "app": app,
        "manager": manager,
        "admin": login_as("admin"),
        "purchaser": login_as("purchaser"),
        "sales": login_as("sales"),
        "finance": login_as("finance"),
        "floor": login_as("warehouse", warehouse_ids=[w1]),
        "coke": coke.json["id"],
        "w1": w1,
        "w2": w2,
    }
