from tests.support import assert_problem


def _create(client, code="hz01", name="杭州仓 Hangzhou", **extra):
    return client.post("/api/v1/warehouses", json={"code": code, "name": name, **extra})


def test_admin_creates_reads_edits_and_archives_a_warehouse(login_as):
    admin = login_as("admin")
    created = _create(admin, address="杭州市余杭区 1 号")
    assert created.status_code == 201
    warehouse = created.json
    assert warehouse["code"] == "HZ01" and warehouse["active"] is True and warehouse["version"] == 1
    url = f"/api/v1/warehouses/{warehouse['id']}"
    assert admin.get(url).json["address"] == "杭州市余杭区 1 号"

    edited = admin.patch(url, json={"version": 1, "name": "Hangzhou East"})
    assert edited.status_code == 200 and edited.json["version"] == 2
    assert_problem(admin.patch(url, json={"version": 1, "name": "x"}), 409, "stale-version")

    assert admin.delete(url).status_code == 204
    assert admin.get(url).json["active"] is False
    assert [w["code"] for w in admin.get("/api/v1/warehouses?active=false").json["items"]] == [
        "HZ01"
    ]


def test_warehouse_input_is_checked_and_nothing_saved(login_as):
    admin = login_as("admin")
    assert _create(admin).status_code == 201
    assert_problem(_create(admin, code="HZ01"), 409, "duplicate", field="code")
    assert_problem(_create(admin, code="hz01"), 409, "duplicate", field="code")
    assert_problem(_create(admin, code="has space"), 422, field="code")
    assert_problem(_create(admin, code="X" * 33), 422, field="code")
    assert_problem(_create(admin, name=""), 422, field="name")
    assert_problem(admin.post("/api/v1/warehouses", json={"code": "B"}), 422, field="name")
    assert admin.get("/api/v1/warehouses").json["total"] == 1


def test_locations_are_unique_within_a_warehouse_only(login_as):
    admin = login_as("admin")
    one = _create(admin, code="W-A").json["id"]
    two = _create(admin, code="W-B").json["id"]
    made = admin.post(
        f"/api/v1/warehouses/{one}/locations", json={"code": "a-01-03", "name": "Shelf"}
    )
    assert made.status_code == 201 and made.json["code"] == "A-01-03"
    assert made.json["warehouse_id"] == one
    again = admin.post(f"/api/v1/warehouses/{one}/locations", json={"code": "A-01-03"})
    assert_problem(again, 409, "duplicate", field="code")
    # The same code in another warehouse is a different place.
    assert (
        admin.post(f"/api/v1/warehouses/{two}/locations", json={"code": "A-01-03"}).status_code
        == 201
    )
    assert_problem(admin.post(f"/api/v1/warehouses/{one}/locations", json={"code": "A 01"}), 422)
    assert_problem(admin.post("/api/v1/warehouses/9999/locations", json={"code": "A-1"}), 404)
    listing = admin.get(f"/api/v1/warehouses/{one}/locations").json
    assert [loc["code"] for loc in listing["items"]] == ["A-01-03"]


def test_location_edit_archive_and_wrong_warehouse(login_as):
    admin = login_as("admin")
    one = _create(admin, code="W-A").json["id"]
    two = _create(admin, code="W-B").json["id"]
    loc = admin.post(f"/api/v1/warehouses/{one}/locations", json={"code": "B-02-01"}).json
    url = f"/api/v1/warehouses/{one}/locations/{loc['id']}"
    renamed = admin.patch(url, json={"version": loc["version"], "code": "b-02-02", "name": "Cold"})
    assert renamed.status_code == 200 and renamed.json["code"] == "B-02-02"
    # A location is reached through its own warehouse only.
    assert_problem(admin.get(f"/api/v1/warehouses/{two}/locations/{loc['id']}"), 404)
    assert admin.delete(url).status_code == 204
    assert admin.get(url).json["active"] is False
    search = admin.get(f"/api/v1/warehouses/{one}/locations?q=cold&active=false").json
    assert search["total"] == 1


def test_floor_staff_reach_only_their_warehouse_and_cannot_change_it(login_as, warehouses):
    admin = login_as("admin")
    theirs, other = warehouses
    admin.post(f"/api/v1/warehouses/{theirs}/locations", json={"code": "A-01-01"})
    staff = login_as("warehouse", warehouse_ids=[theirs])
    assert staff.get(f"/api/v1/warehouses/{theirs}").status_code == 200
    assert staff.get(f"/api/v1/warehouses/{theirs}/locations").json["total"] == 1
    assert_problem(staff.get(f"/api/v1/warehouses/{other}"), 404)
    assert_problem(staff.get(f"/api/v1/warehouses/{other}/locations"), 404)
    assert_problem(staff.post(f"/api/v1/warehouses/{theirs}/locations", json={"code": "X"}), 403)


def test_warehouse_changes_are_audited(login_as):
    admin = login_as("admin")
    warehouse = _create(admin).json
    admin.patch(f"/api/v1/warehouses/{warehouse['id']}", json={"version": 1, "name": "New"})
    entries = admin.get(f"/api/v1/audit?entity=warehouses&entity_id={warehouse['id']}").json
    assert [e["action"] for e in entries["items"]] == ["update", "create"]
    assert entries["items"][0]["before"]["name"] == "杭州仓 Hangzhou"
