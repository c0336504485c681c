"""Who may open a socket, and which rooms their connection joins."""

from app.extensions import db
from app.inventory.models import Warehouse
from app.realtime.rooms import room_name


def test_a_connection_without_credentials_is_refused(connect, client):
    assert not connect().is_connected()
    assert not connect(client).is_connected()  # a client that never logged in
    assert not connect(auth={"token": "not-a-token"}).is_connected()


def test_the_session_cookie_of_a_logged_in_user_connects(connect, login_as, warehouses):
    manager = login_as("manager")
    me = manager.get("/api/v1/auth/me").json
    sock = connect(manager)
    assert sock.is_connected()
    assert sock.emit("rooms", callback=True) == [
        "role:manager#cost",
        f"user:{me['id']}#cost",
        f"warehouse:{warehouses[0]}#cost",
        f"warehouse:{warehouses[1]}#cost",
    ]


def test_a_bearer_token_in_auth_connects_without_a_cookie(connect, login_as, warehouses):
    staff = login_as("warehouse", warehouse_ids=[warehouses[0]])
    me = staff.get("/api/v1/auth/me").json
    token = staff.post("/api/v1/auth/tokens", json={"name": "scanner"}).json["token"]
    sock = connect(auth={"token": token})
    assert sock.is_connected()
    # Scoped staff hear their own warehouse only, and without costs.
    assert sock.emit("rooms", callback=True) == [
        "role:warehouse",
        f"user:{me['id']}",
        f"warehouse:{warehouses[0]}",
    ]


def test_a_token_is_judged_alone_even_with_a_valid_cookie(connect, login_as):
    manager = login_as("manager")
    assert not connect(manager, auth={"token": "revoked-or-wrong"}).is_connected()


def test_a_logged_out_session_and_a_revoked_token_no_longer_connect(connect, login_as):
    manager = login_as("manager")
    made = manager.post("/api/v1/auth/tokens", json={"name": "tablet"}).json
    assert manager.delete(f"/api/v1/auth/tokens/{made['id']}").status_code == 204
    assert not connect(auth={"token": made["token"]}).is_connected()
    manager.post("/api/v1/auth/logout")
    assert not connect(manager).is_connected()


def test_a_disabled_user_is_refused(app, connect, login_as, make_user):
    admin = login_as("admin")
    user_id = make_user("leaver", ["sales"])
    leaver = app.test_client()
    assert leaver.login("leaver").status_code == 200
    user = admin.get(f"/api/v1/users/{user_id}").json
    changed = admin.patch(f"/api/v1/users/{user_id}",
                          json={"version": user["version"], "active": False})  # fmt: skip
    assert changed.status_code == 200, changed.json
    assert not connect(leaver).is_connected()


def test_unscoped_users_hear_every_active_warehouse(app, connect, login_as, warehouses):
    with app.app_context():
        db.session.add(Warehouse(code="OLD", name="Closed", active=False))
        db.session.commit()
    rooms = connect(login_as("sales")).emit("rooms", callback=True)
    assert [r for r in rooms if r.startswith("warehouse:")] == [
        f"warehouse:{warehouses[0]}",
        f"warehouse:{warehouses[1]}",
    ]


def test_room_names_in_each_tier():
    assert room_name("warehouse:1", sees_cost=False) == "warehouse:1"
    assert room_name("warehouse:1", sees_cost=True) == "warehouse:1#cost"
