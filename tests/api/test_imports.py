import io

from openpyxl import Workbook, load_workbook

from tests.support import assert_problem

HEADERS = [
    "商品编码 SKU",
    "名称 Name",
    "零售价 Retail price",
    "条码 Barcodes",
    "包装单位 Units (name=factor:barcode)",
    "分类 Category",
]


def _ean13(n: int) -> str:
    body = f"690{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _workbook(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rows(count):
    return [
        [f"IMP-{n:03d}", f"导入商品 {n}", "9.90", _ean13(n), f"箱=12:{_ean13(5000 + n)}", ""]
        for n in range(1, count + 1)
    ]


def _import(client, data, **form):
    return client.post(
        "/api/v1/imports/products",
        data={"file": (io.BytesIO(data), "products.xlsx"), **form},
        content_type="multipart/form-data",
    )


def test_the_template_has_bilingual_headers_an_example_and_notes(login_as):
    response = login_as("purchaser").get("/api/v1/imports/products/template")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[0] == "商品编码 SKU *" and "零售价 Retail price" in headers
    assert not any("cost" in h.lower() for h in headers)  # costs come from receipts, not sheets
    assert sheet.cell(row=2, column=1).value == "COKE-330"
    assert sheet.data_validations.dataValidation  # Y/N drop-downs
    assert book.sheetnames[1] == "说明 Notes"


def test_a_clean_sheet_imports_every_row(login_as):
    manager = login_as("manager")
    manager.post("/api/v1/categories", json={"name": "饮料"})
    rows = _rows(3)
    rows[0][5] = "饮料"
    result = _import(manager, _workbook(rows))
    assert result.status_code == 200, result.json
    assert result.json == {"rows": 3, "created": 3, "updated": 0, "dry_run": False}
    product = manager.get("/api/v1/products?q=IMP-001").json["items"][0]
    assert product["retail_price"] == "9.90" and product["units"][0]["factor"] == "12.000"
    assert product["category_id"] is not None


def test_one_bad_row_among_100_saves_nothing_and_names_that_row(login_as):
    manager = login_as("manager")
    rows = _rows(100)
    rows[41][2] = "-3"  # sheet row 43: a negative price
    response = _import(manager, _workbook(rows))
    body = assert_problem(response, 422, "import-rejected")
    assert body["rows"] == [
        {"row": 43, "column": "零售价 Retail price", "reason": "Must be at least 0."}
    ]
    assert manager.get("/api/v1/products").json["total"] == 0

    with manager.get(body["annotated_url"]) as annotated:
        assert annotated.status_code == 200
        sheet = load_workbook(io.BytesIO(annotated.data)).worksheets[0]
    assert sheet.cell(row=43, column=3).fill.fgColor.rgb.endswith("FFC7CE")
    assert "Must be at least 0" in sheet.cell(row=43, column=len(HEADERS) + 1).value
    # The annotated copy is only for the one who uploaded it.
    assert_problem(login_as("manager").get(body["annotated_url"]), 404)


def test_duplicates_in_the_file_and_business_rules_are_reported_per_row(login_as):
    manager = login_as("manager")
    rows = _rows(3)
    rows[2][0] = "imp-001"  # the same SKU as row 2, whatever the case
    rows[1][3] = "6901234567893"  # a wrong check digit
    rows[1][5] = "没有这个分类"
    body = assert_problem(_import(manager, _workbook(rows)), 422)
    found = {(e["row"], e["column"]) for e in body["rows"]}
    assert (4, "商品编码 SKU") in found
    assert (3, "条码 Barcodes") in found and (3, "分类 Category") in found
    assert manager.get("/api/v1/products").json["total"] == 0


def test_create_refuses_existing_skus_and_upsert_updates_them(login_as):
    manager = login_as("manager")
    assert _import(manager, _workbook(_rows(2))).status_code == 200
    rows = _rows(2)
    rows[0][2] = "12.50"
    body = assert_problem(_import(manager, _workbook(rows)), 422)
    assert {e["row"] for e in body["rows"]} == {2, 3}
    result = _import(manager, _workbook(rows), mode="upsert")
    assert result.json == {"rows": 2, "created": 0, "updated": 2, "dry_run": False}
    assert manager.get("/api/v1/products?q=IMP-001").json["items"][0]["retail_price"] == "12.50"


def test_a_dry_run_checks_but_saves_nothing(login_as):
    manager = login_as("manager")
    result = _import(manager, _workbook(_rows(5)), dry_run="true")
    assert result.json == {"rows": 5, "created": 5, "updated": 0, "dry_run": True}
    assert manager.get("/api/v1/products").json["total"] == 0


def test_bad_files_get_clear_errors(login_as):
    manager = login_as("manager")
    assert_problem(_import(manager, b"name,price\nx,1\n"), 415, "not-a-workbook")
    assert_problem(_import(manager, _workbook([], headers=[])), 422, field="file")
    assert_problem(_import(manager, _workbook([])), 422, field="file")  # headers, no rows
    missing = _workbook([["x"]], headers=["名称 Name"])
    body = assert_problem(_import(manager, missing), 422, field="file")
    assert "商品编码 SKU" in body["detail"]
    too_many = _workbook([[f"S{n}", "n"] for n in range(10_001)], headers=HEADERS[:2])
    assert_problem(_import(manager, too_many), 422, field="file")
    assert_problem(_import(manager, _workbook(_rows(1)), mode="merge"), 422, field="mode")
    no_file = manager.post("/api/v1/imports/products", data={}, content_type="multipart/form-data")
    assert_problem(no_file, 422, field="file")


def test_export_then_import_gives_the_same_products(login_as):
    manager = login_as("manager")
    manager.post("/api/v1/categories", json={"name": "饮料"})
    rows = _rows(4)
    rows[0][5] = "饮料"
    _import(manager, _workbook(rows))
    before = manager.get("/api/v1/products?sort=sku").json["items"]
    exported = manager.get("/api/v1/exports/products.xlsx").data
    for product in before:  # change them all, then bring the exported state back
        manager.patch(
            f"/api/v1/products/{product['id']}",
            json={"version": product["version"], "retail_price": "1.00", "units": []},
        )
    assert _import(manager, exported, mode="upsert").status_code == 200
    after = manager.get("/api/v1/products?sort=sku").json["items"]
    keep = ("sku", "name", "retail_price", "barcodes", "units", "category_id", "level_prices")

    def strip_ids(p):
        return {k: ([{**u, "id": None} for u in p[k]] if k == "units" else p[k]) for k in keep}

    assert [strip_ids(p) for p in after] == [strip_ids(p) for p in before]


def test_suppliers_import_reports_bad_rows_and_saves_nothing(login_as):
    purchaser = login_as("purchaser")
    headers = ["编码 Code", "名称 Name", "账期天数 Payment terms days", "期初应付 Opening payable"]
    rows = [["s-1", "供应商一", 30, "1000"], ["S-2", "供应商二", 400, "0"], ["S-3", "", 30, "0"]]
    body = assert_problem(_import_kind(purchaser, "suppliers", _workbook(rows, headers)), 422)
    assert {(e["row"], e["column"]) for e in body["rows"]} == {
        (3, "账期天数 Payment terms days"),
        (4, "名称 Name"),
    }
    assert purchaser.get("/api/v1/suppliers").json["total"] == 0
    rows[1][2], rows[2][1] = 60, "供应商三"
    assert _import_kind(purchaser, "suppliers", _workbook(rows, headers)).json["created"] == 3
    first = purchaser.get("/api/v1/suppliers?q=S-1").json["items"][0]
    assert first["code"] == "S-1" and first["opening_payable"] == "1000.00"


def test_customers_import_fills_contact_address_and_salesperson(login_as, make_user):
    make_user("li.sales", ["sales"])
    manager = login_as("manager")
    headers = [
        "编码 Code",
        "名称 Name",
        "联系人 Contact",
        "电话 Phone",
        "收货地址 Delivery address",
        "业务员 Salesperson",
    ]
    rows = [["C-9", "静安便利店", "王老板", "13800000000", "静安区 1 号", "li.sales"]]
    assert _import_kind(manager, "customers", _workbook(rows, headers)).json["created"] == 1
    customer = manager.get("/api/v1/customers?q=C-9").json["items"][0]
    assert customer["contacts"][0]["name"] == "王老板"
    assert customer["delivery_addresses"][0] == {
        "label": "",
        "address": "静安区 1 号",
        "is_default": True,
    }
    assert customer["salesperson_id"] is not None
    rows[0][0], rows[0][5] = "C-10", "nobody"
    body = assert_problem(_import_kind(manager, "customers", _workbook(rows, headers)), 422)
    assert body["rows"][0]["column"] == "业务员 Salesperson"


def test_a_sales_template_has_no_payables_column(login_as):
    with login_as("sales").get("/api/v1/imports/suppliers/template") as response:
        headers = [c.value for c in load_workbook(io.BytesIO(response.data)).worksheets[0][1]]
    assert "名称 Name *" in headers and not any("期初应付" in h for h in headers)


def _import_kind(client, kind, data, **form):
    return client.post(
        f"/api/v1/imports/{kind}",
        data={"file": (io.BytesIO(data), f"{kind}.xlsx"), **form},
        content_type="multipart/form-data",
    )
