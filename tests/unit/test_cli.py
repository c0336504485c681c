from sqlalchemy import func, select

from app.auth.models import User
from app.catalog.codes import gtin_check_digit_ok
from app.catalog.models import Product, ProductBarcode
from app.extensions import db
from app.inventory.models import Batch, LedgerEntry, Warehouse
from app.partners.models import Customer, Supplier
from app.purchasing.models import PurchaseOrder


def test_seed_demo_is_idempotent_and_its_users_log_in(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "none (already there)" in again.output
    with app.app_context():
        usernames = set(db.session.scalars(select(User.username)))
        assert usernames == {
            "admin",
            "manager",
            "purchaser",
            "sales",
            "warehouse",
            "finance",
            "clerk",
        }
        assert db.session.scalar(select(func.count()).select_from(Warehouse)) == 2
        assert db.session.scalar(select(func.count()).select_from(Product)) == 200
        assert db.session.scalar(select(func.count()).select_from(Supplier)) == 10
        assert db.session.scalar(select(func.count()).select_from(Customer)) == 30
        # Stock in both warehouses, batches close to expiry, some products below safety.
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) > 400
        assert db.session.scalar(select(func.count()).select_from(Batch)) > 50
        assert "demo stock documents posted: 0" in again.output
        # Purchase orders in every state.
        states = set(db.session.scalars(select(PurchaseOrder.state)))
        assert states == {
            "draft",
            "approved",
            "partially_received",
            "received",
            "closed",
            "cancelled",
        }
        # Every demo barcode carries a valid check digit.
        codes = db.session.scalars(select(ProductBarcode.code)).all()
        assert len(codes) > 200 and all(gtin_check_digit_ok(code) for code in codes)
    client = app.test_client()
    me = client.login("warehouse", "jxc-demo").json["user"]
    assert me["roles"] == ["warehouse"] and len(me["warehouses"]) == 1
    low = client.get("/api/v1/stock/balances?below_safety=1").json
    assert low["total"] > 0
    assert runner.invoke(args=["stock", "verify"]).exit_code == 0


def test_seed_demo_if_empty_leaves_a_used_database_alone(app, make_user):
    make_user("owner", ["admin"])
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "not added" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_create_user_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "ops", "--role", "manager", "--password", "long-enough-pw"]
    )
    assert result.exit_code == 0, result.output
    assert app.test_client().login("ops", "long-enough-pw").status_code == 200
    bad = runner.invoke(
        args=["create-user", "ops", "--role", "manager", "--password", "long-enough-pw"]
    )
    assert bad.exit_code != 0 and "taken" in bad.output
