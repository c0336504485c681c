from decimal import Decimal

from tests.support import assert_problem

EAN_COKE = "6901234567892"
EAN_CASE = "6901234567885"


def _product(**overrides):
    body = {
        "sku": "coke-500",
        "name": "可口可乐 500ml",
        "spec": "500ml",
        "brand": "可口可乐",
        "unit": "瓶",
        "barcodes": [EAN_COKE],
        "units": [{"name": "箱", "factor": "24", "barcode": EAN_CASE}],
        "retail_price": "3.50",
        "wholesale_price": "2.80",
        "min_price": "2.50",
        "level_prices": {"vip": "3.00"},
        "safety_stock": "48",
    }
    body.update(overrides)
    return body


def test_a_product_is_created_with_units_barcodes_and_prices(login_as):
    manager = login_as("manager")
    made = manager.post("/api/v1/products", json=_product())
    assert made.status_code == 201, made.json
    p = made.json
    assert p["sku"] == "COKE-500" and p["pinyin_initials"] == "kkkl500ml"
    assert p["barcodes"] == [EAN_COKE]
    assert [(u["name"], u["factor"], u["barcode"]) for u in p["units"]] == [
        ("箱", "24.000", EAN_CASE)
    ]
    assert p["retail_price"] == "3.50" and p["level_prices"] == {"vip": "3.00"}
    assert p["safety_stock"] == "48.000" and p["version"] == 1
    assert p["last_cost"] == "0.000000"  # managers may see cost


def test_cost_is_absent_for_roles_without_the_cost_permission(login_as):
    login_as("manager").post("/api/v1/products", json=_product())
    for role in ("warehouse", "sales", "clerk"):
        client = login_as(role)
        one = client.get("/api/v1/products?q=coke").json["items"][0]
        assert "last_cost" not in one and "avg_cost" not in one
        detail = client.get(f"/api/v1/products/{one['id']}").json
        assert "last_cost" not in detail and "avg_cost" not in detail
    assert "avg_cost" in login_as("purchaser").get("/api/v1/products").json["items"][0]


def test_search_by_pinyin_initials_name_sku_and_barcode(login_as):
    manager = login_as("manager")
    manager.post("/api/v1/products", json=_product())
    manager.post(
        "/api/v1/products",
        json=_product(
            sku="water-550", name="农夫山泉 550ml", brand="农夫山泉", barcodes=[], units=[]
        ),
    )

    def skus(query):
        return [p["sku"] for p in manager.get(f"/api/v1/products?q={query}").json["items"]]

    assert skus("kkl") == ["COKE-500"]
    assert skus("nfsq") == ["WATER-550"]
    assert skus("可乐") == ["COKE-500"]
    assert skus("water") == ["WATER-550"]
    assert skus(EAN_CASE) == ["COKE-500"]  # a case barcode finds its product
    assert skus("550ml") == ["WATER-550"]
    assert skus("nothing-like-it") == []


def test_bad_product_input_names_the_field_and_saves_nothing(login_as):
    manager = login_as("manager")
    cases = [
        (_product(name=""), "name"),
        ({"name": "no sku"}, "sku"),
        (_product(retail_price="-1"), "retail_price"),
        (_product(retail_price="1.234"), "retail_price"),
        (_product(units=[{"name": "箱", "factor": "0"}]), "units"),
        (_product(units=[{"name": "箱", "factor": "-12"}]), "units"),
        (_product(barcodes=["6901234567893"]), "barcodes"),  # wrong check digit
        (_product(barcodes=[EAN_COKE, EAN_COKE]), "barcodes"),
        (_product(barcodes=[EAN_CASE]), "barcodes"),  # also the case barcode
        (_product(sku="x" * 41), "sku"),
        (_product(name="名" * 201), "name"),
        (_product(category_id=9999), "category_id"),
        (_product(units=[{"name": "瓶", "factor": "6"}]), "units"),  # the base unit again
        (_product(track_expiry=True), "shelf_life_days"),
        (_product(expiry_alert_days=3651), "expiry_alert_days"),
        (_product(expiry_alert_days=-1), "expiry_alert_days"),
        (_product(warehouse_settings=[{"warehouse_id": 999}]), "warehouse_settings"),
        (_product(level_prices={"VIP Level": "1"}), "level_prices"),
    ]
    for body, field in cases:
        assert_problem(manager.post("/api/v1/products", json=body), 422, field=field)
    assert manager.get("/api/v1/products").json["total"] == 0


def test_duplicate_sku_or_barcode_is_409(login_as):
    manager = login_as("manager")
    assert manager.post("/api/v1/products", json=_product()).status_code == 201
    dup_sku = manager.post("/api/v1/products", json=_product(barcodes=[], units=[], sku="COKE-500"))
    assert_problem(dup_sku, 409, "duplicate", field="sku")
    dup_code = manager.post("/api/v1/products", json=_product(sku="other", units=[]))
    body = assert_problem(dup_code, 409, "duplicate", field="barcodes")
    assert "COKE-500" in body["detail"]
    assert manager.get("/api/v1/products").json["total"] == 1


def test_patch_changes_only_what_is_sent_and_a_stale_version_is_409(login_as):
    manager = login_as("manager")
    p = manager.post("/api/v1/products", json=_product()).json
    url = f"/api/v1/products/{p['id']}"
    edited = manager.patch(url, json={"version": 1, "retail_price": "3.80"})
    assert edited.status_code == 200
    after = edited.json
    assert after["retail_price"] == "3.80" and after["version"] == 2
    assert after["units"] == p["units"] and after["barcodes"] == p["barcodes"]  # untouched
    assert_problem(
        manager.patch(url, json={"version": 1, "retail_price": "9"}), 409, "stale-version"
    )
    assert manager.get(url).json["retail_price"] == "3.80"


def test_units_and_barcodes_can_be_rearranged(login_as):
    manager = login_as("manager")
    p = manager.post("/api/v1/products", json=_product()).json
    url = f"/api/v1/products/{p['id']}"
    # The case barcode becomes a plain barcode, and a 6-pack unit is added.
    changed = manager.patch(
        url,
        json={
            "version": 1,
            "barcodes": [EAN_COKE, EAN_CASE],
            "units": [{"name": "箱", "factor": "24"}, {"name": "六连包", "factor": "6"}],
        },
    )
    assert changed.status_code == 200, changed.json
    body = changed.json
    assert sorted(body["barcodes"]) == sorted([EAN_COKE, EAN_CASE])
    assert [(u["name"], u["barcode"]) for u in body["units"]] == [("箱", None), ("六连包", None)]
    assert body["units"][0]["id"] == p["units"][0]["id"]  # the kept unit keeps its id


def test_archive_keeps_the_product_and_hides_it_from_active_lists(login_as):
    manager = login_as("manager")
    p = manager.post("/api/v1/products", json=_product()).json
    assert manager.delete(f"/api/v1/products/{p['id']}").status_code == 204
    assert manager.get(f"/api/v1/products/{p['id']}").json["active"] is False
    assert manager.get("/api/v1/products?active=true").json["total"] == 0
    assert manager.get("/api/v1/products?active=false").json["total"] == 1


def test_warehouse_overrides_and_category_filter_with_sub_categories(login_as, warehouses):
    manager = login_as("manager")
    drinks = manager.post("/api/v1/categories", json={"name": "饮料"}).json
    soda = manager.post("/api/v1/categories", json={"name": "碳酸", "parent_id": drinks["id"]}).json
    made = manager.post(
        "/api/v1/products",
        json=_product(
            category_id=soda["id"],
            warehouse_settings=[{"warehouse_id": warehouses[0], "safety_stock": "120"}],
        ),
    ).json
    setting = made["warehouse_settings"][0]
    assert setting["safety_stock"] == "120.000" and setting["reorder_point"] is None
    found = manager.get(f"/api/v1/products?category_id={drinks['id']}").json
    assert [p["sku"] for p in found["items"]] == ["COKE-500"]


def test_categories_form_a_tree_and_refuse_cycles_and_non_empty_deletes(login_as):
    manager = login_as("manager")
    food = manager.post("/api/v1/categories", json={"name": "食品"}).json
    snacks = manager.post("/api/v1/categories", json={"name": "零食", "parent_id": food["id"]}).json
    assert_problem(
        manager.post("/api/v1/categories", json={"name": "零食", "parent_id": food["id"]}),
        409,
        "duplicate",
    )
    tree = manager.get("/api/v1/categories").json["items"]
    assert tree[0]["name"] == "食品" and tree[0]["children"][0]["name"] == "零食"
    cycle = manager.patch(
        f"/api/v1/categories/{food['id']}", json={"version": 1, "parent_id": snacks["id"]}
    )
    assert_problem(cycle, 422, field="parent_id")
    assert_problem(manager.delete(f"/api/v1/categories/{food['id']}"), 409, "category-not-empty")
    assert manager.delete(f"/api/v1/categories/{snacks['id']}").status_code == 204
    assert manager.delete(f"/api/v1/categories/{food['id']}").status_code == 204


def test_who_may_change_the_catalogue(login_as):
    assert_problem(login_as("warehouse").post("/api/v1/products", json=_product()), 403)
    assert_problem(login_as("sales").post("/api/v1/categories", json={"name": "x"}), 403)
    assert login_as("purchaser").post("/api/v1/products", json=_product()).status_code == 201


def test_prices_are_exact_decimals(app, login_as):
    manager = login_as("manager")
    p = manager.post("/api/v1/products", json=_product(retail_price="0.10")).json
    from app.catalog.models import Product
    from app.extensions import db

    with app.app_context():
        assert db.session.get(Product, p["id"]).retail_price == Decimal("0.10")
