from tests.support import PASSWORD, assert_problem


def _new_user(**overrides):
    body = {"username": "mia", "password": PASSWORD, "roles": ["sales"], "display_name": "Mia"}
    body.update(overrides)
    return body


def test_admin_creates_a_user_who_can_then_log_in(app, login_as, warehouses):
    admin = login_as("admin")
    created = admin.post(
        "/api/v1/users", json=_new_user(roles=["warehouse"], warehouse_ids=[warehouses[1]])
    )
    assert created.status_code == 201
    user = created.json
    assert user["username"] == "mia" and user["roles"] == ["warehouse"]
    assert user["warehouse_ids"] == [warehouses[1]] and user["active"] is True
    assert user["version"] == 1 and user["created_at"].endswith("+00:00")
    assert "password" not in user and "password_hash" not in user
    assert app.test_client().login("mia").status_code == 200


def test_bad_user_input_names_the_fields_and_saves_nothing(login_as):
    admin = login_as("admin")
    before = admin.get("/api/v1/users").json["total"]
    cases = [
        (_new_user(username="no spaces"), "username"),
        (_new_user(password="short"), "password"),
        (_new_user(roles=["wizard"]), "roles"),
        (_new_user(roles=[]), "roles"),
        (_new_user(warehouse_ids=[999]), "warehouse_ids"),
        (_new_user(warehouse_ids=["1"]), "warehouse_ids"),
        (_new_user(display_name="x" * 121), "display_name"),
        ({"password": PASSWORD, "roles": ["sales"]}, "username"),
    ]
    for body, field in cases:
        assert_problem(admin.post("/api/v1/users", json=body), 422, field=field)
    assert admin.get("/api/v1/users").json["total"] == before


def test_duplicate_username_is_409_whatever_the_case(login_as):
    admin = login_as("admin")
    assert admin.post("/api/v1/users", json=_new_user()).status_code == 201
    body = assert_problem(
        admin.post("/api/v1/users", json=_new_user(username="MIA")), 409, "duplicate"
    )
    assert body["errors"] == {"username": ["already exists"]}


def test_patch_with_a_stale_version_is_409_and_changes_nothing(login_as):
    admin = login_as("admin")
    user = admin.post("/api/v1/users", json=_new_user()).json
    first = admin.patch(
        f"/api/v1/users/{user['id']}", json={"version": user["version"], "display_name": "Mia W."}
    )
    assert first.status_code == 200 and first.json["version"] == user["version"] + 1
    stale = admin.patch(
        f"/api/v1/users/{user['id']}", json={"version": user["version"], "roles": ["admin"]}
    )
    assert_problem(stale, 409, "stale-version", field="version")
    now = admin.get(f"/api/v1/users/{user['id']}").json
    assert now["roles"] == ["sales"] and now["display_name"] == "Mia W."


def test_patch_needs_a_version_and_valid_fields(login_as):
    admin = login_as("admin")
    user = admin.post("/api/v1/users", json=_new_user()).json
    url = f"/api/v1/users/{user['id']}"
    assert_problem(admin.patch(url, json={"display_name": "x"}), 422, field="version")
    assert_problem(admin.patch(url, json={"version": 1, "roles": ["nope"]}), 422, field="roles")
    assert_problem(admin.patch(url, json={"version": 1, "username": "new"}), 422, field="username")
    assert_problem(admin.patch("/api/v1/users/9999", json={"version": 1}), 404)
    assert admin.get(url).json["version"] == 1


def test_an_admin_cannot_lock_themselves_out(login_as):
    admin = login_as("admin", username="root")
    me = admin.get("/api/v1/auth/me").json
    url = f"/api/v1/users/{me['id']}"
    version = admin.get(url).json["version"]
    assert_problem(
        admin.patch(url, json={"version": version, "active": False}), 422, field="active"
    )
    assert_problem(
        admin.patch(url, json={"version": version, "roles": ["sales"]}), 422, field="roles"
    )


def test_list_searches_filters_sorts_and_pages(login_as):
    admin = login_as("admin", username="zed-admin")
    for name, role in [("amy", "sales"), ("ben", "sales"), ("cho", "finance"), ("dan", "clerk")]:
        admin.post("/api/v1/users", json=_new_user(username=name, display_name=name, roles=[role]))
    sales = admin.get("/api/v1/users?role=sales&sort=-username").json
    assert [u["username"] for u in sales["items"]] == ["ben", "amy"] and sales["total"] == 2
    found = admin.get("/api/v1/users?q=CH").json
    assert [u["username"] for u in found["items"]] == ["cho"]
    page = admin.get("/api/v1/users?per_page=2&page=2&sort=username").json
    assert page["page"] == 2 and page["per_page"] == 2 and page["total"] == 5
    assert [u["username"] for u in page["items"]] == ["cho", "dan"]
    capped = admin.get("/api/v1/users?per_page=100000").json
    assert capped["per_page"] == 100
    assert_problem(admin.get("/api/v1/users?sort=password_hash"), 422, field="sort")
    assert_problem(admin.get("/api/v1/users?page=0"), 422, field="page")
    assert_problem(admin.get("/api/v1/users?role=wizard"), 422, field="role")


def test_every_write_is_in_the_audit_log_with_before_and_after(login_as):
    admin = login_as("admin")
    user = admin.post("/api/v1/users", json=_new_user()).json
    admin.patch(f"/api/v1/users/{user['id']}", json={"version": 1, "roles": ["finance"]})
    entries = admin.get(f"/api/v1/audit?entity=users&entity_id={user['id']}").json["items"]
    update, create = entries[0], entries[1]
    assert create["action"] == "create" and create["after"]["username"] == "mia"
    assert "password_hash" not in create["after"]
    assert update["action"] == "update"
    assert update["before"]["roles"] == ["sales"] and update["after"]["roles"] == ["finance"]
    assert update["username"] == admin.get("/api/v1/auth/me").json["username"]
    assert update["request_id"] and update["ip"] and update["at"].endswith("+00:00")


def test_floor_staff_see_only_their_warehouses(login_as, warehouses):
    scoped = login_as("warehouse", warehouse_ids=[warehouses[0]])
    assert [w["code"] for w in scoped.get("/api/v1/warehouses").json["items"]] == ["W1"]
    manager = login_as("manager", warehouse_ids=[warehouses[0]])  # managers are never scoped
    assert [w["code"] for w in manager.get("/api/v1/warehouses").json["items"]] == ["W1", "W2"]
    unassigned = login_as("clerk")
    assert unassigned.get("/api/v1/warehouses").json["total"] == 2


def test_roles_list_the_permission_matrix(login_as):
    roles = {
        r["name"]: r["permissions"] for r in login_as("sales").get("/api/v1/roles").json["items"]
    }
    assert set(roles) == {"admin", "manager", "purchaser", "sales", "warehouse", "finance", "clerk"}
    assert "cost:read" in roles["purchaser"] and "cost:read" not in roles["warehouse"]
    assert "users:write" in roles["admin"] and "users:write" not in roles["manager"]
