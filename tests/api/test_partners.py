from tests.support import assert_problem

SUPPLIERS = "/api/v1/suppliers"
CUSTOMERS = "/api/v1/customers"


def _supplier(client, code="sh-01", name="上海五金 Shanghai Hardware", **extra):
    return client.post(SUPPLIERS, json={"code": code, "name": name, **extra})


def _customer(client, code="c-001", name="华联超市 Hualian", **extra):
    return client.post(CUSTOMERS, json={"code": code, "name": name, **extra})


def _me(client) -> int:
    return client.get("/api/v1/auth/me").json["id"]


def _codes(client, url) -> list[str]:
    return [item["code"] for item in client.get(url).json["items"]]


# --- suppliers ---------------------------------------------------------------------------


def test_manager_creates_reads_edits_and_archives_a_supplier(login_as):
    manager = login_as("manager")
    created = _supplier(manager, contact="王经理", phone="021-5555 0101", opening_payable="1200.5")
    assert created.status_code == 201
    supplier = created.json
    assert supplier["code"] == "SH-01" and supplier["active"] is True and supplier["version"] == 1
    assert supplier["opening_payable"] == "1200.50"
    assert supplier["payment_terms_days"] == 30 and supplier["lead_time_days"] == 7
    assert supplier["rating"] is None
    url = f"{SUPPLIERS}/{supplier['id']}"
    assert manager.get(url).json["contact"] == "王经理"

    edited = manager.patch(url, json={"version": 1, "rating": 4, "payment_terms_days": 60})
    assert edited.status_code == 200 and edited.json["version"] == 2
    assert edited.json["rating"] == 4 and edited.json["payment_terms_days"] == 60
    assert_problem(manager.patch(url, json={"version": 1, "rating": 1}), 409, "stale-version")
    assert manager.get(url).json["rating"] == 4

    assert manager.delete(url).status_code == 204
    assert manager.get(url).json["active"] is False
    assert _codes(manager, f"{SUPPLIERS}?active=false") == ["SH-01"]
    assert _codes(manager, f"{SUPPLIERS}?active=true") == []


def test_bad_supplier_input_names_the_field_and_saves_nothing(login_as):
    manager = login_as("manager")
    cases = [
        ({"name": None}, "name"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"code": "has space"}, "code"),
        ({"code": "X" * 33}, "code"),
        ({"rating": 6}, "rating"),
        ({"rating": 0}, "rating"),
        ({"payment_terms_days": -1}, "payment_terms_days"),
        ({"payment_terms_days": 366}, "payment_terms_days"),
        ({"payment_terms_days": "30"}, "payment_terms_days"),
        ({"lead_time_days": -1}, "lead_time_days"),
        ({"opening_payable": "-0.01"}, "opening_payable"),
        ({"opening_payable": "10.005"}, "opening_payable"),
        ({"opening_payable": "NaN"}, "opening_payable"),
        ({"opening_payable": "1e20"}, "opening_payable"),
        ({"contact": "x" * 61}, "contact"),
        ({"phone": "1" * 41}, "phone"),
        ({"address": "x" * 256}, "address"),
        ({"tax_id": "x" * 41}, "tax_id"),
        ({"note": "x" * 501}, "note"),
    ]
    for extra, field in cases:
        body = {"code": "S1", "name": "Some supplier", **extra}
        body = {key: value for key, value in body.items() if value is not None}
        assert_problem(manager.post(SUPPLIERS, json=body), 422, field=field)
    assert manager.get(SUPPLIERS).json["total"] == 0

    url = f"{SUPPLIERS}/{_supplier(manager).json['id']}"
    assert_problem(manager.patch(url, json={"name": "No version"}), 422, field="version")
    assert_problem(manager.patch(url, json={"version": 1, "rating": 6}), 422, field="rating")
    assert_problem(manager.patch(url, json={"version": 1, "name": ""}), 422, field="name")
    assert_problem(manager.patch(f"{SUPPLIERS}/9999", json={"version": 1}), 404)
    assert manager.get(url).json["version"] == 1


def test_duplicate_codes_are_409_whatever_the_case(login_as):
    manager = login_as("manager")
    assert _supplier(manager, code="SH-01").status_code == 201
    body = assert_problem(_supplier(manager, code="sh-01"), 409, "duplicate")
    assert body["errors"] == {"code": ["already exists"]}
    other = _supplier(manager, code="SH-02").json
    renamed = manager.patch(f"{SUPPLIERS}/{other['id']}", json={"version": 1, "code": "sh-01"})
    assert_problem(renamed, 409, "duplicate", field="code")

    assert _customer(manager, code="C-001").status_code == 201
    assert_problem(_customer(manager, code="c-001"), 409, "duplicate", field="code")
    # Suppliers and customers have codes of their own.
    assert _customer(manager, code="sh-01").status_code == 201
    assert manager.get(SUPPLIERS).json["total"] == 2
    assert manager.get(CUSTOMERS).json["total"] == 2


def test_opening_payables_are_shown_to_finance_and_purchasing_only(login_as):
    manager = login_as("manager")
    supplier = _supplier(manager, opening_payable="8000").json
    url = f"{SUPPLIERS}/{supplier['id']}"
    for role in ("finance", "purchaser", "admin"):
        assert login_as(role).get(url).json["opening_payable"] == "8000.00", role

    sales = login_as("sales")
    assert "opening_payable" not in sales.get(url).json
    assert "opening_payable" not in sales.get(SUPPLIERS).json["items"][0]
    # Nor may they set what they cannot see; the rest of a supplier is theirs to edit.
    refused = sales.patch(url, json={"version": 1, "opening_payable": "0"})
    assert_problem(refused, 403, field="opening_payable")
    assert_problem(_supplier(sales, code="S2", opening_payable="5"), 403, field="opening_payable")
    assert sales.patch(url, json={"version": 1, "phone": "400-800"}).status_code == 200
    assert manager.get(url).json["opening_payable"] == "8000.00"
    assert _supplier(sales, code="S3").status_code == 201


def test_suppliers_are_searched_by_code_name_contact_and_phone(login_as):
    manager = login_as("manager")
    _supplier(manager, code="A1", name="Alpha Steel", contact="Li Lei", phone="138 0000 1111")
    _supplier(manager, code="B2", name="北方纸业", contact="Han Meimei", phone="139 2222 3333")
    _supplier(manager, code="C3", name="Gamma 100%", contact="", phone="")
    assert _codes(manager, f"{SUPPLIERS}?q=steel") == ["A1"]
    assert _codes(manager, f"{SUPPLIERS}?q=meimei") == ["B2"]
    assert _codes(manager, f"{SUPPLIERS}?q=2222") == ["B2"]
    assert _codes(manager, f"{SUPPLIERS}?q=纸业") == ["B2"]
    assert _codes(manager, f"{SUPPLIERS}?q=b2") == ["B2"]
    assert _codes(manager, f"{SUPPLIERS}?q=%25") == ["C3"]
    assert _codes(manager, f"{SUPPLIERS}?sort=-code") == ["C3", "B2", "A1"]
    assert_problem(manager.get(f"{SUPPLIERS}?sort=opening_payable"), 422, field="sort")


# --- customers ---------------------------------------------------------------------------


def test_manager_creates_reads_edits_and_archives_a_customer(login_as, make_user):
    manager = login_as("manager")
    amy = make_user("amy", ["sales"])
    created = _customer(
        manager,
        contacts=[{"name": "张三", "phone": "137 0000 0000", "title": "采购"}, {"name": "Li"}],
        delivery_addresses=[
            {"label": "仓库", "address": "杭州市滨江区 8 号", "is_default": True},
            {"address": "Shop, 12 West Lake Rd"},
        ],
        price_level="wholesale",
        credit_limit="5000",
        credit_days=45,
        salesperson_id=amy,
        opening_receivable="320.10",
    )
    assert created.status_code == 201
    customer = created.json
    assert customer["code"] == "C-001" and customer["version"] == 1 and customer["active"] is True
    assert customer["credit_limit"] == "5000.00" and customer["opening_receivable"] == "320.10"
    assert customer["salesperson_id"] == amy and customer["price_level"] == "wholesale"
    assert customer["contacts"][1] == {"name": "Li", "phone": "", "title": ""}
    assert customer["delivery_addresses"][1] == {
        "label": "",
        "address": "Shop, 12 West Lake Rd",
        "is_default": False,
    }
    url = f"{CUSTOMERS}/{customer['id']}"
    assert manager.get(url).json["contacts"][0]["title"] == "采购"

    edited = manager.patch(
        url, json={"version": 1, "contacts": [], "credit_limit": "0", "salesperson_id": None}
    )
    assert edited.status_code == 200 and edited.json["version"] == 2
    assert edited.json["contacts"] == [] and edited.json["credit_limit"] == "0.00"
    assert edited.json["salesperson_id"] is None
    assert edited.json["delivery_addresses"] == customer["delivery_addresses"]
    assert_problem(manager.patch(url, json={"version": 1, "name": "x"}), 409, "stale-version")

    assert manager.delete(url).status_code == 204
    assert manager.get(url).json["active"] is False


def test_new_customers_get_the_defaults(login_as):
    customer = _customer(login_as("manager")).json
    assert customer["price_level"] == "retail" and customer["credit_limit"] == "0.00"
    assert customer["credit_days"] == 0 and customer["opening_receivable"] == "0.00"
    assert customer["contacts"] == [] and customer["delivery_addresses"] == []
    assert customer["salesperson_id"] is None


def test_bad_customer_input_names_the_field_and_saves_nothing(login_as, make_user):
    manager = login_as("manager")
    clerk = make_user("finn", ["finance"])
    retired = make_user("old-sales", ["sales"], active=False)
    home = {"address": "1 Main St", "is_default": True}
    cases = [
        ({"name": None}, "name"),
        ({"code": "c 1"}, "code"),
        ({"credit_limit": "-1"}, "credit_limit"),
        ({"credit_limit": "abc"}, "credit_limit"),
        ({"opening_receivable": "-0.5"}, "opening_receivable"),
        ({"credit_days": 366}, "credit_days"),
        ({"credit_days": -1}, "credit_days"),
        ({"price_level": "x" * 21}, "price_level"),
        ({"price_level": ""}, "price_level"),
        ({"salesperson_id": 9999}, "salesperson_id"),
        ({"salesperson_id": clerk}, "salesperson_id"),
        ({"salesperson_id": retired}, "salesperson_id"),
        ({"salesperson_id": "1"}, "salesperson_id"),
        ({"contacts": "Zhang San 137"}, "contacts"),
        ({"contacts": {"name": "Zhang"}}, "contacts"),
        ({"contacts": [{"phone": "137"}]}, "contacts"),
        ({"contacts": [{"name": "x" * 61}]}, "contacts"),
        ({"contacts": [{"name": "Zhang", "phone": "1" * 41}]}, "contacts"),
        ({"contacts": [{"name": "Zhang", "email": "z@example.com"}]}, "contacts"),
        ({"contacts": [{"name": f"C{i}"} for i in range(21)]}, "contacts"),
        ({"delivery_addresses": [home, home]}, "delivery_addresses"),
        ({"delivery_addresses": [{"label": "no address"}]}, "delivery_addresses"),
        ({"delivery_addresses": [{"address": "x" * 256}]}, "delivery_addresses"),
        ({"delivery_addresses": [{"address": "A", "label": "x" * 41}]}, "delivery_addresses"),
        ({"delivery_addresses": [{"address": f"{i}"} for i in range(21)]}, "delivery_addresses"),
        ({"note": "x" * 501}, "note"),
    ]
    for extra, field in cases:
        body = {"code": "C1", "name": "Some customer", **extra}
        body = {key: value for key, value in body.items() if value is not None}
        assert_problem(manager.post(CUSTOMERS, json=body), 422, field=field)
    assert manager.get(CUSTOMERS).json["total"] == 0

    url = f"{CUSTOMERS}/{_customer(manager).json['id']}"
    assert_problem(manager.patch(url, json={"credit_limit": "1"}), 422, field="version")
    for body, field in [
        ({"delivery_addresses": [home, home]}, "delivery_addresses"),
        ({"salesperson_id": clerk}, "salesperson_id"),
        ({"credit_limit": "-5"}, "credit_limit"),
    ]:
        assert_problem(manager.patch(url, json={"version": 1, **body}), 422, field=field)
    assert manager.get(url).json["version"] == 1


def test_salespeople_see_only_their_own_customers(login_as, make_user):
    manager = login_as("manager")
    amy = login_as("sales", username="amy")
    ben = make_user("ben", ["sales"])
    mine = _customer(manager, code="AMY-1", salesperson_id=_me(amy)).json
    theirs = _customer(manager, code="BEN-1", salesperson_id=ben).json
    _customer(manager, code="NOBODY")

    assert _codes(amy, CUSTOMERS) == ["AMY-1"]
    assert amy.get(f"{CUSTOMERS}/{mine['id']}").status_code == 200
    url = f"{CUSTOMERS}/{theirs['id']}"
    assert_problem(amy.get(url), 404)
    assert_problem(amy.patch(url, json={"version": 1, "name": "Mine now"}), 404)
    assert_problem(amy.delete(url), 404)
    assert amy.get(f"{CUSTOMERS}?salesperson_id={ben}").json["total"] == 0
    assert _codes(manager, CUSTOMERS) == ["AMY-1", "BEN-1", "NOBODY"]
    assert manager.get(url).json["name"] == theirs["name"]


def test_salespeople_are_assigned_the_customers_they_create(login_as, make_user):
    amy = login_as("sales", username="amy")
    ben = make_user("ben", ["sales"])
    created = _customer(amy, code="NEW-1")
    assert created.status_code == 201 and created.json["salesperson_id"] == _me(amy)
    assert _codes(amy, CUSTOMERS) == ["NEW-1"]
    # Handing a customer to someone else would hide it from them: that is a manager's call.
    assert_problem(_customer(amy, code="NEW-2", salesperson_id=ben), 422, field="salesperson_id")
    url = f"{CUSTOMERS}/{created.json['id']}"
    handover = amy.patch(url, json={"version": 1, "salesperson_id": ben})
    assert_problem(handover, 422, field="salesperson_id")
    assert amy.get(url).json["salesperson_id"] == _me(amy)


def test_a_manager_sees_and_filters_every_customer(login_as, make_user):
    manager = login_as("manager")
    amy, ben = make_user("amy", ["sales"]), make_user("ben", ["sales"])
    _customer(manager, code="A-1", name="Apple Mart", salesperson_id=amy)
    _customer(manager, code="B-1", name="Banana Trading", salesperson_id=ben, price_level="vip")
    archived = _customer(manager, code="B-2", name="Berry", salesperson_id=ben).json
    manager.delete(f"{CUSTOMERS}/{archived['id']}")

    assert _codes(manager, CUSTOMERS) == ["A-1", "B-1", "B-2"]
    assert _codes(manager, f"{CUSTOMERS}?salesperson_id={ben}") == ["B-1", "B-2"]
    assert _codes(manager, f"{CUSTOMERS}?salesperson_id={ben}&active=true") == ["B-1"]
    assert _codes(manager, f"{CUSTOMERS}?price_level=vip") == ["B-1"]
    assert _codes(manager, f"{CUSTOMERS}?price_level=retail&sort=-name") == ["B-2", "A-1"]
    assert _codes(manager, f"{CUSTOMERS}?q=banana") == ["B-1"]
    assert _codes(manager, f"{CUSTOMERS}?q=a-") == ["A-1"]
    assert_problem(manager.get(f"{CUSTOMERS}?salesperson_id=x"), 422, field="salesperson_id")


def test_with_the_setting_off_salespeople_see_every_customer(app, login_as, make_user):
    app.config["SALES_SEE_OWN_CUSTOMERS_ONLY"] = False
    manager = login_as("manager")
    ben = make_user("ben", ["sales"])
    _customer(manager, code="BEN-1", salesperson_id=ben)
    amy = login_as("sales")
    assert _codes(amy, CUSTOMERS) == ["BEN-1"]
    assert _customer(amy, code="AMY-1").json["salesperson_id"] == _me(amy)


def test_a_salesperson_with_another_role_sees_every_customer(app, login_as, make_user):
    manager = login_as("manager")
    _customer(manager, code="ANY-1", salesperson_id=make_user("ben", ["sales"]))
    make_user("mixed", ["sales", "purchaser"])
    mixed = app.test_client()
    assert mixed.login("mixed").status_code == 200
    assert _codes(mixed, CUSTOMERS) == ["ANY-1"]


# --- who may do what ---------------------------------------------------------------------


def test_warehouse_staff_have_no_business_with_partners(login_as):
    staff = login_as("warehouse")
    for url in (SUPPLIERS, CUSTOMERS):
        assert_problem(staff.get(url), 403)
        assert_problem(staff.post(url, json={"code": "X", "name": "X"}), 403)
    assert login_as("manager").get(SUPPLIERS).json["total"] == 0


def test_finance_reads_but_does_not_change_partners(login_as):
    manager = login_as("manager")
    supplier = _supplier(manager).json
    customer = _customer(manager, credit_limit="5000").json
    finance = login_as("finance")
    assert finance.get(f"{CUSTOMERS}/{customer['id']}").json["credit_limit"] == "5000.00"
    assert finance.get(SUPPLIERS).json["total"] == 1
    assert_problem(_supplier(finance, code="S2"), 403)
    assert_problem(finance.patch(f"{SUPPLIERS}/{supplier['id']}", json={"version": 1}), 403)
    assert_problem(finance.delete(f"{CUSTOMERS}/{customer['id']}"), 403)
    assert manager.get(f"{CUSTOMERS}/{customer['id']}").json["active"] is True


def test_partner_changes_are_audited(login_as):
    manager = login_as("manager")
    customer = _customer(manager, credit_limit="100").json
    manager.patch(f"{CUSTOMERS}/{customer['id']}", json={"version": 1, "credit_limit": "250.50"})
    entries = manager.get(f"/api/v1/audit?entity=customers&entity_id={customer['id']}").json
    update, create = entries["items"]
    assert create["action"] == "create" and create["after"]["code"] == "C-001"
    assert update["before"]["credit_limit"] == "100.00"
    assert update["after"]["credit_limit"] == "250.50"
    supplier = _supplier(manager).json
    manager.delete(f"{SUPPLIERS}/{supplier['id']}")
    entries = manager.get(f"/api/v1/audit?entity=suppliers&entity_id={supplier['id']}").json
    assert [e["action"] for e in entries["items"]] == ["update", "create"]
    assert entries["items"][0]["after"] == {"active": False}
