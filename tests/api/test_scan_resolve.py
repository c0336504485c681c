from tests.support import assert_problem


def _setup(login_as, warehouses):
    manager = login_as("manager")
    made = manager.post(
        "/api/v1/products",
        json={
            "sku": "coke-330",
            "name": "可口可乐 330ml",
            "unit": "瓶",
            "barcodes": ["6901234567892", "036000291452"],
            "units": [{"name": "箱", "factor": "24", "barcode": "6901234567885"}],
        },
    )
    assert made.status_code == 201
    admin = login_as("admin")
    admin.post(f"/api/v1/warehouses/{warehouses[0]}/locations", json={"code": "A-01-03"})
    admin.post(f"/api/v1/warehouses/{warehouses[1]}/locations", json={"code": "B-02-01"})
    return made.json


def _resolve(client, code):
    return client.get("/api/v1/scan/resolve", query_string={"code": code})


def test_products_their_cases_and_skus(login_as, warehouses):
    _setup(login_as, warehouses)
    client = login_as("warehouse")
    bottle = _resolve(client, "6901234567892").json
    assert bottle["kind"] == "product" and bottle["product"]["sku"] == "COKE-330"
    assert bottle["quantity"] == "1" and bottle["unit"] is None
    case = _resolve(client, "6901234567885").json
    assert case["kind"] == "unit" and case["unit"]["name"] == "箱" and case["quantity"] == "24.000"
    assert _resolve(client, "coke-330").json["product"]["name"] == "可口可乐 330ml"
    # The same UPC read as a 13-digit EAN by another scanner.
    assert _resolve(client, "0036000291452").json["product"]["sku"] == "COKE-330"


def test_gs1_labels_carry_lot_and_expiry(login_as, warehouses):
    _setup(login_as, warehouses)
    label = _resolve(login_as("clerk"), "(01)06901234567885(17)270630(10)L2027").json
    assert label["kind"] == "unit" and label["quantity"] == "24.000"
    assert label["gs1"] == {"gtin": "06901234567885", "expiry": "2027-06-30", "lot": "L2027"}


def test_locations_are_found_within_what_the_caller_may_see(login_as, warehouses):
    _setup(login_as, warehouses)
    staff = login_as("warehouse", warehouse_ids=[warehouses[0]])
    found = _resolve(staff, "a-01-03").json
    assert found["kind"] == "location" and found["warehouse"]["code"] == "W1"
    assert _resolve(staff, "B-02-01").json["kind"] == "unknown"  # another warehouse's shelf
    assert _resolve(login_as("manager"), "W2/B-02-01").json["location"]["code"] == "B-02-01"


def test_unknown_and_bad_input(login_as, warehouses):
    client = login_as("sales")
    assert _resolve(client, "nothing-here").json == {"kind": "unknown", "code": "nothing-here"}
    assert_problem(client.get("/api/v1/scan/resolve"), 422, field="code")


def test_batches_and_stock_documents(login_as, warehouses):
    made = _setup(login_as, warehouses)
    manager = login_as("manager")
    product = manager.get(f"/api/v1/products/{made['id']}").json
    manager.patch(
        f"/api/v1/products/{made['id']}",
        json={"version": product["version"], "track_batches": True},
    )
    received = manager.post(
        "/api/v1/stock/movements",
        json={
            "type": "in",
            "warehouse_id": warehouses[0],
            "lines": [{"product_id": made["id"], "qty": "3", "batch": "L2027",
                       "expiry": "2027-06-30"}],
        },
    )  # fmt: skip
    assert received.status_code == 201, received.json
    number = received.json["number"]
    client = login_as("warehouse")
    document = _resolve(client, number.lower()).json
    assert document == {
        "kind": "document",
        "document": {"id": received.json["id"], "number": number, "type": "in",
                     "status": "posted"},
    }  # fmt: skip
    batch = _resolve(client, "L2027").json
    assert batch["kind"] == "batch" and batch["product"]["sku"] == "COKE-330"
    assert batch["batch"]["expiry"] == "2027-06-30"
    label = _resolve(client, "(01)06901234567892(10)L2027").json
    assert label["kind"] == "product" and label["batch"]["number"] == "L2027"
    # Floor staff of another warehouse do not see the document.
    elsewhere = login_as("warehouse", warehouse_ids=[warehouses[1]])
    assert _resolve(elsewhere, number).json["kind"] == "unknown"


def test_order_numbers(login_as, warehouses):
    """A scanned PO or SO number opens that order, for those who may see it."""
    manager = login_as("manager")
    supplier = manager.post("/api/v1/suppliers", json={"code": "S1", "name": "批发"}).json
    customer = manager.post("/api/v1/customers", json={"code": "C1", "name": "华联"}).json
    item = {"sku": "x1", "name": "货", "unit": "个", "retail_price": "2"}
    product = manager.post("/api/v1/products", json=item).json
    line = {"product_id": product["id"], "qty": "1", "unit_price": "1"}
    where = {"warehouse_id": warehouses[0], "lines": [line]}
    po = manager.post("/api/v1/purchase-orders", json={"supplier_id": supplier["id"], **where})
    so = manager.post("/api/v1/sales-orders", json={"customer_id": customer["id"], **where})
    floor = login_as("warehouse")
    for order, kind in ((po.json, "purchase_order"), (so.json, "sales_order")):
        found = _resolve(floor, order["number"].lower()).json
        expected = {"id": order["id"], "number": order["number"], "type": kind, "status": "draft"}
        assert found == {"kind": "document", "document": expected}
    # A clerk may see neither kind of order.
    assert _resolve(login_as("clerk"), so.json["number"]).json["kind"] == "unknown"
