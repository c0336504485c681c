from tests.support import PASSWORD, assert_problem


def test_login_sets_httponly_samesite_cookie_and_returns_me(client, make_user, warehouses):
    make_user("wh1", ["warehouse"], warehouse_ids=[warehouses[0]])
    response = client.login("wh1")
    assert response.status_code == 200
    body = response.json
    assert body["csrf_token"] and body["user"]["username"] == "wh1"
    assert body["user"]["roles"] == ["warehouse"]
    assert "inventory:write" in body["user"]["permissions"]
    assert "cost:read" not in body["user"]["permissions"]
    assert [w["code"] for w in body["user"]["warehouses"]] == ["W1"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie

    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json["warehouse_ids"] == [warehouses[0]]


def test_username_is_case_insensitive(client, make_user):
    make_user("Alice", ["sales"])
    assert client.login("ALICE").status_code == 200


def test_wrong_password_and_unknown_user_are_401(client, make_user):
    make_user("bob", ["sales"])
    assert_problem(client.login("bob", "wrong-password"), 401, "invalid-credentials")
    assert_problem(client.login("nobody", PASSWORD), 401, "invalid-credentials")
    assert_problem(client.get("/api/v1/auth/me"), 401)


def test_disabled_user_cannot_log_in(client, make_user):
    make_user("gone", ["sales"], active=False)
    assert_problem(client.login("gone"), 403, "account-disabled")


def test_logout_ends_the_session(client, make_user):
    make_user("carol", ["sales"])
    client.login("carol")
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert_problem(client.get("/api/v1/auth/me"), 401)


def test_cookie_writes_need_the_csrf_token(app, make_user):
    make_user("dave", ["sales"])
    client = app.test_client()
    token = client.login("dave").json["csrf_token"]
    client.csrf_token = None  # stop sending it automatically
    assert_problem(client.post("/api/v1/auth/tokens", json={"name": "x"}), 403, "csrf-failed")
    wrong = {"X-CSRF-Token": "not-it"}
    assert_problem(
        client.post("/api/v1/auth/tokens", json={"name": "x"}, headers=wrong), 403, "csrf-failed"
    )
    ok = client.post("/api/v1/auth/tokens", json={"name": "x"}, headers={"X-CSRF-Token": token})
    assert ok.status_code == 201
    # Only the accepted request created a token.
    assert client.get("/api/v1/auth/tokens").json["total"] == 1


def _issue_token(app, username):
    client = app.test_client()
    client.login(username)
    created = client.post("/api/v1/auth/tokens", json={"name": "scanner"})
    assert created.status_code == 201
    return client, created.json


def test_bearer_token_works_without_csrf_and_revoked_token_is_401(app, make_user):
    make_user("erin", ["admin"])
    owner, token = _issue_token(app, "erin")
    assert token["token"].startswith("jxc_")
    listed = owner.get("/api/v1/auth/tokens").json["items"]
    assert [t["name"] for t in listed] == ["scanner"] and "token" not in listed[0]

    bearer = {"Authorization": f"Bearer {token['token']}"}
    api = app.test_client()
    assert api.get("/api/v1/auth/me", headers=bearer).json["username"] == "erin"
    made = api.post(
        "/api/v1/users",
        json={"username": "viatoken", "password": PASSWORD, "roles": ["sales"]},
        headers=bearer,
    )
    assert made.status_code == 201  # no CSRF header needed with a token
    assert "Set-Cookie" not in made.headers

    assert owner.delete(f"/api/v1/auth/tokens/{token['id']}").status_code == 204
    assert_problem(api.get("/api/v1/auth/me", headers=bearer), 401)
    assert_problem(api.get("/api/v1/auth/me", headers={"Authorization": "Bearer jxc_nope"}), 401)


def test_a_bad_bearer_token_is_refused_even_with_a_session_cookie(app, make_user):
    make_user("nina", ["sales"])
    owner, token = _issue_token(app, "nina")
    owner.delete(f"/api/v1/auth/tokens/{token['id']}")
    revoked = {"Authorization": f"Bearer {token['token']}"}
    assert_problem(owner.get("/api/v1/auth/me", headers=revoked), 401)
    assert owner.get("/api/v1/auth/me").status_code == 200  # the cookie alone still works


def test_tokens_of_a_disabled_user_stop_working(app, make_user, login_as):
    user_id = make_user("frank", ["sales"])
    _, token = _issue_token(app, "frank")
    bearer = {"Authorization": f"Bearer {token['token']}"}
    assert app.test_client().get("/api/v1/auth/me", headers=bearer).status_code == 200

    admin = login_as("admin")
    version = admin.get(f"/api/v1/users/{user_id}").json["version"]
    assert (
        admin.patch(
            f"/api/v1/users/{user_id}", json={"version": version, "active": False}
        ).status_code
        == 200
    )
    assert_problem(app.test_client().get("/api/v1/auth/me", headers=bearer), 401)


def test_disabling_or_resetting_password_ends_existing_sessions(app, make_user, login_as):
    user_id = make_user("gina", ["sales"])
    gina = app.test_client()
    gina.login("gina")
    admin = login_as("admin")
    version = admin.get(f"/api/v1/users/{user_id}").json["version"]
    reset = admin.patch(
        f"/api/v1/users/{user_id}", json={"version": version, "password": "brand-new-pass"}
    )
    assert reset.status_code == 200
    assert_problem(gina.get("/api/v1/auth/me"), 401)
    assert_problem(gina.login("gina"), 401)
    assert gina.login("gina", "brand-new-pass").status_code == 200


def test_cannot_revoke_someone_elses_token(app, make_user):
    make_user("hank", ["sales"])
    make_user("ivy", ["sales"])
    _, token = _issue_token(app, "hank")
    other = app.test_client()
    other.login("ivy")
    assert_problem(other.delete(f"/api/v1/auth/tokens/{token['id']}"), 404)


def test_login_is_rate_limited_per_username(app, make_user):
    app.config["LOGIN_RATE_LIMIT_PER_USERNAME"] = "3 per minute"
    make_user("jack", ["sales"])
    client = app.test_client()
    for _ in range(3):
        assert_problem(client.login("jack", "bad-password"), 401)
    limited = client.login("jack", PASSWORD)  # even the right password waits now
    assert_problem(limited, 429, "rate-limited")
    assert limited.headers.get("Retry-After")
    # Another username from the same address is not blocked by jack's limit.
    make_user("kate", ["sales"])
    assert client.login("kate").status_code == 200


def test_login_is_rate_limited_per_ip(app, make_user):
    app.config["LOGIN_RATE_LIMIT_PER_IP"] = "4 per minute"
    client = app.test_client()
    for n in range(4):
        assert_problem(client.login(f"nobody{n}", "bad-password"), 401)
    assert_problem(client.login("nobody9", "bad-password"), 429)
    other_ip = app.test_client()
    response = other_ip.post(
        "/api/v1/auth/login",
        json={"username": "nobody", "password": "x"},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert_problem(response, 401)


def test_failed_and_successful_logins_are_audited(client, make_user, login_as):
    make_user("liam", ["sales"])
    client.login("liam", "bad-password")
    client.login("liam")
    entries = login_as("admin").get("/api/v1/audit?entity=users&per_page=50").json["items"]
    actions = [e["action"] for e in entries if e["entity_id"] and e["action"].startswith("login")]
    assert "login_failed" in actions and "login" in actions
