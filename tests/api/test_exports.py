import csv
import io

from openpyxl import load_workbook

from tests.support import assert_problem


def _seed_products(client):
    client.post("/api/v1/categories", json={"name": "饮料"})
    for sku, name, price in (("A-1", "可口可乐 500ml", "3.50"), ("B-2", "农夫山泉 550ml", "2.00")):
        made = client.post(
            "/api/v1/products",
            json={
                "sku": sku,
                "name": name,
                "retail_price": price,
                "barcodes": ["6901234567892"] if sku == "A-1" else [],
                "units": [{"name": "箱", "factor": "24"}] if sku == "A-1" else [],
            },
        )
        assert made.status_code == 201


def _sheet(response):
    book = load_workbook(io.BytesIO(response.data))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_products_export_as_xlsx_honours_the_filters(login_as):
    manager = login_as("manager")
    _seed_products(manager)
    response = manager.get("/api/v1/exports/products.xlsx?q=kkl")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename="products-' in response.headers["Content-Disposition"]
    rows = _sheet(response)
    header = rows[0]
    assert header[0] == "商品编码 SKU" and "平均成本 Average cost" in header
    assert len(rows) == 2  # the header and the one match for kkl
    row = dict(zip(header, rows[1], strict=True))
    assert row["商品编码 SKU"] == "A-1" and row["零售价 Retail price"] == 3.5
    assert (
        row["条码 Barcodes"] == "6901234567892"
        and row["包装单位 Units (name=factor:barcode)"] == "箱=24"
    )


def test_cost_columns_are_left_out_for_roles_without_cost(login_as):
    _seed_products(login_as("manager"))
    response = login_as("warehouse").get("/api/v1/exports/products.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "商品编码 SKU" and len(rows) == 3
    assert not any("cost" in h.lower() or "成本" in h or "进价" in h for h in rows[0])


def test_partner_exports_and_their_permissions(login_as):
    manager = login_as("manager")
    manager.post(
        "/api/v1/suppliers", json={"code": "S1", "name": "供应商一", "opening_payable": "100"}
    )
    manager.post("/api/v1/customers", json={"code": "C1", "name": "客户一"})
    suppliers = _sheet(manager.get("/api/v1/exports/suppliers.xlsx"))
    assert suppliers[1][:2] == ["S1", "供应商一"] and "期初应付 Opening payable" in suppliers[0]
    sales_view = login_as("sales").get("/api/v1/exports/suppliers.csv").data.decode("utf-8-sig")
    assert "期初应付" not in sales_view and "S1" in sales_view
    # A salesperson exports only their own customers; C1 is nobody's.
    own = login_as("sales").get("/api/v1/exports/customers.csv").data.decode("utf-8-sig")
    assert "C1" not in own
    assert_problem(login_as("warehouse").get("/api/v1/exports/customers.xlsx"), 403)
    assert_problem(manager.get("/api/v1/exports/products.pdf"), 404)
    assert_problem(manager.get("/api/v1/exports/products.xlsx?sort=x&active=maybe"), 422)
