"""Opening stock (期初库存) from Excel: checked row by row, posted through the ledger."""

import io
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook

from tests.support import assert_problem

EAN = "6901234567892"
CASE_EAN = "6901234567885"
HEADERS = [
    "仓库编码 Warehouse code",
    "商品SKU或条码 SKU or barcode",
    "库位 Location code",
    "批号 Batch",
    "有效期 Expiry",
    "数量 Quantity",
    "单位 Unit",
    "单位成本 Unit cost",
]
WAREHOUSE, CODE, LOCATION, BATCH, EXPIRY, QTY, UNIT, COST = HEADERS


@pytest.fixture
def stock(app, login_as, warehouses):
    """A manager; W1 (with location A-01) and W2; a bottle sold by the case of 24, a
    batch-and-expiry tracked milk and rice weighed in kg with a half-kg unit (斤)."""
    manager = login_as("manager")
    products = {}
    for body in (
        {"sku": "coke-500", "name": "可口可乐 500ml", "unit": "瓶", "barcodes": [EAN],
         "units": [{"name": "箱", "factor": "24", "barcode": CASE_EAN}]},
        {"sku": "milk-1l", "name": "牛奶 1L", "unit": "盒", "track_batches": True,
         "track_expiry": True, "shelf_life_days": 30},
        {"sku": "rice", "name": "大米", "unit": "kg", "units": [{"name": "斤", "factor": "0.5"}]},
    ):  # fmt: skip
        made = manager.post("/api/v1/products", json=body)
        assert made.status_code == 201, made.json
        products[body["sku"]] = made.json["id"]
    admin = login_as("admin")
    admin.post(f"/api/v1/warehouses/{warehouses[0]}/locations", json={"code": "A-01"})
    return {"client": manager, "w1": warehouses[0], "w2": warehouses[1], **products}


def _workbook(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(client, data, **form):
    return client.post(
        "/api/v1/imports/opening-stock",
        data={"file": (io.BytesIO(data), "opening.xlsx"), **form},
        content_type="multipart/form-data",
    )


def _balance(client, product_id, warehouse_id):
    page = client.get(
        f"/api/v1/stock/balances?by=warehouse&product_id={product_id}&warehouse_id={warehouse_id}"
    ).json
    return page["items"][0] if page["items"] else None


def _nothing_written(client):
    assert client.get("/api/v1/stock/ledger").json["total"] == 0
    assert client.get("/api/v1/stock/movements").json["total"] == 0
    assert client.get("/api/v1/stock/balances").json["total"] == 0


GOOD_ROWS = [
    # warehouse, code, location, batch, expiry, qty, unit, unit cost
    ["w1", "coke-500", "a-01", "", "", 2, "箱", "48.00"],  # 48 bottles at 2.00
    ["W1", EAN, "", "", "", 12, "", 2.5],  # by its bottle barcode, in the base unit
    ["W1", "MILK-1L", "", "B1", datetime(2027, 3, 31), 10, "", "5.5"],
    ["W2", "MILK-1L", "", "B1", "", 4, "盒", "5.5"],  # the same batch elsewhere
    ["W2", CASE_EAN, "", "", "", 1, "", "60"],  # a case barcode: 24 bottles at 2.50
]


def test_a_good_file_posts_one_opening_document_per_warehouse(stock):
    c = stock["client"]
    result = _import(c, _workbook(GOOD_ROWS))
    assert result.status_code == 200, result.json
    body = result.json
    assert (body["rows"], body["created"], body["updated"], body["dry_run"]) == (5, 5, 0, False)
    assert [(d["warehouse"], d["lines"]) for d in body["documents"]] == [("W1", 3), ("W2", 2)]
    assert all(d["number"].startswith("OB-") for d in body["documents"])

    coke = _balance(c, stock["coke-500"], stock["w1"])
    assert (coke["on_hand"], coke["value"], coke["avg_cost"]) == ("60.000", "126.00", "2.100000")
    coke = _balance(c, stock["coke-500"], stock["w2"])
    assert (coke["on_hand"], coke["value"], coke["avg_cost"]) == ("24.000", "60.00", "2.500000")
    milk = _balance(c, stock["milk-1l"], stock["w1"])
    assert (milk["on_hand"], milk["value"], milk["avg_cost"]) == ("10.000", "55.00", "5.500000")

    ledger = c.get("/api/v1/stock/ledger").json
    assert ledger["total"] == 5  # one line per row
    assert {i["document"]["number"] for i in ledger["items"]} == {
        d["number"] for d in body["documents"]
    }
    assert all(i["document"]["type"] == "opening" for i in ledger["items"])
    places = c.get(f"/api/v1/stock/balances?product_id={stock['milk-1l']}").json["items"]
    assert {(p["batch"]["number"], p["batch"]["expiry"]) for p in places} == {("B1", "2027-03-31")}

    movements = c.get("/api/v1/stock/movements").json["items"]
    w1 = c.get(f"/api/v1/stock/movements/{movements[-1]['id']}").json
    assert w1["type"] == "opening" and w1["warehouse"]["code"] == "W1"
    case_line = w1["lines"][0]
    assert (case_line["unit"], case_line["qty"], case_line["base_qty"]) == ("箱", "2.000", "48.000")
    assert case_line["unit_cost"] == "2.000000" and case_line["location"]["code"] == "A-01"


def test_one_bad_row_among_good_ones_writes_nothing_and_names_it(stock):
    c = stock["client"]
    rows = [["W1", "MILK-1L", "", f"B{n}", "2027-06-30", n, "", "5"] for n in range(1, 41)]
    rows[11][5] = "-2"  # sheet row 13
    body = assert_problem(_import(c, _workbook(rows)), 422, "import-rejected")
    assert body["rows"] == [{"row": 13, "column": QTY, "reason": "Must be greater than 0."}]
    assert body["errors"] == {f"row 13: {QTY}": ["Must be greater than 0."]}
    assert body["detail"] == "1 row(s) have errors; nothing was saved."
    _nothing_written(c)
    with c.get(body["annotated_url"]) as annotated:
        sheet = load_workbook(io.BytesIO(annotated.data)).worksheets[0]
    assert sheet.cell(row=13, column=HEADERS.index(QTY) + 1).fill.fgColor.rgb.endswith("FFC7CE")
    assert "Must be greater than 0" in sheet.cell(row=13, column=len(HEADERS) + 1).value


def test_every_row_error_is_reported_with_its_row_and_column(stock):
    c = stock["client"]
    rows = [
        ["W1", "COKE-500", "", "", "", 1, "", "1"],  # 2: good
        ["NOPE", "COKE-500", "", "", "", 1, "", "1"],  # 3
        ["W1", "NO-SUCH", "", "", "", 1, "", "1"],  # 4
        ["W1", "RICE", "Z-99", "", "", 1, "", "1"],  # 5
        ["W1", "RICE", "", "", "", 1, "桶", "1"],  # 6
        ["W1", "RICE", "", "", "", 0, "", "1"],  # 7
        ["W1", "RICE", "", "", "", "0.001", "斤", "1"],  # 8: 0.0005 kg
        ["W2", "RICE", "", "", "", 1, "", "-1"],  # 9
        ["W2", "MILK-1L", "", "", "", 1, "", "1"],  # 10: no batch
        ["W2", "COKE-500", "", "B9", "", 1, "", "1"],  # 11: untracked with a batch
        ["W1", "RICE", "A-01", "", "2027-01-01", 1, "", "1"],  # 12: expiry without batch
        ["W2", CASE_EAN, "", "", "", 1, "瓶", "1"],  # 13: a case barcode counted in bottles
        ["W1", "MILK-1L", "", "B1", "", 1, "", "1"],  # 14: tracks expiry, none given
        ["W1", "MILK-1L", "A-01", "B2", "2027/3/31", 1, "", "1"],  # 15: good
        ["W2", "MILK-1L", "", "B2", "2027-04-30", 1, "", "1"],  # 16: B2's expiry differs
        ["W1", "coke-500", "", "", "", 2, "", "1"],  # 17: the same place as row 2
        ["W1", "", "", "", "", 1, "", ""],  # 18: no product, no cost
        ["W1", "RICE", "", "", "next year", 1, "", "1"],  # 19
    ]
    body = assert_problem(_import(c, _workbook(rows)), 422, "import-rejected")
    assert sorted((e["row"], e["column"]) for e in body["rows"]) == sorted([
        (3, WAREHOUSE), (4, CODE), (5, LOCATION), (6, UNIT), (7, QTY), (8, QTY), (9, COST),
        (10, BATCH), (11, BATCH), (12, EXPIRY), (13, UNIT), (14, EXPIRY), (16, EXPIRY),
        (17, CODE), (18, CODE), (18, COST), (19, EXPIRY),
    ])  # fmt: skip
    reasons = {(e["row"], e["column"]): e["reason"] for e in body["rows"]}
    assert reasons[(3, WAREHOUSE)] == "no such warehouse: NOPE"
    assert reasons[(8, QTY)] == "more than 3 decimal places of the base unit kg"
    assert reasons[(10, BATCH)] == "MILK-1L needs a batch number"
    assert reasons[(6, UNIT)] == "RICE is counted in kg, 斤"
    assert reasons[(13, UNIT)] == f"{CASE_EAN} is the barcode of one 箱"
    assert reasons[(16, EXPIRY)] == "row 15 gives batch B2 another expiry"
    assert [e["row"] for e in body["rows"]] == sorted(e["row"] for e in body["rows"])
    _nothing_written(c)


def test_a_dry_run_reports_what_would_be_posted_and_writes_nothing(stock):
    c = stock["client"]
    result = _import(c, _workbook(GOOD_ROWS), dry_run="true")
    assert result.status_code == 200, result.json
    assert result.json == {
        "rows": 5,
        "created": 5,
        "updated": 0,
        "dry_run": True,
        "documents": [
            {"number": None, "warehouse": "W1", "lines": 3},
            {"number": None, "warehouse": "W2", "lines": 2},
        ],
    }
    _nothing_written(c)
    # No document number was used up: the real import takes the first.
    posted = _import(c, _workbook(GOOD_ROWS)).json["documents"]
    assert posted[0]["number"].endswith("-000001")


def test_opening_stock_is_the_first_entry_not_a_top_up(stock):
    c = stock["client"]
    first = [["W1", "COKE-500", "", "", "", 5, "", "2"]]
    assert _import(c, _workbook(first)).status_code == 200
    again = [["W2", "RICE", "", "", "", 1, "", "3"], ["W1", EAN, "", "", "", 1, "", "2"]]
    body = assert_problem(_import(c, _workbook(again)), 409, "opening-stock-exists")
    assert body["rows"] == [
        {"row": 3, "column": CODE, "reason": "COKE-500 already has stock entries in W1"}
    ]
    assert "first entry" in body["detail"] and body["annotated_url"]
    assert _balance(c, stock["rice"], stock["w2"]) is None  # the good row was not saved either
    assert _balance(c, stock["coke-500"], stock["w1"])["on_hand"] == "5.000"

    # Any movement counts, not just an earlier opening; another warehouse is still open.
    moved = c.post("/api/v1/stock/movements", json={
        "type": "in", "warehouse_id": stock["w2"],
        "lines": [{"product_id": stock["rice"], "qty": "1", "unit_cost": "3"}]})  # fmt: skip
    assert moved.status_code == 201
    assert_problem(_import(c, _workbook(again[:1])), 409, "opening-stock-exists")
    assert _import(c, _workbook([["W2", "COKE-500", "", "", "", 1, "", "2"]])).status_code == 200


def test_warehouse_staff_import_only_into_their_warehouses(stock, login_as):
    floor = login_as("warehouse", warehouse_ids=[stock["w1"]])
    elsewhere = [["W1", "RICE", "", "", "", 1, "", "3"], ["W2", "COKE-500", "", "", "", 1, "", "2"]]
    body = assert_problem(_import(floor, _workbook(elsewhere)), 422, "import-rejected")
    assert [(e["row"], e["column"]) for e in body["rows"]] == [(3, WAREHOUSE)]
    _nothing_written(stock["client"])
    ok = _import(floor, _workbook(elsewhere[:1]))
    assert ok.status_code == 200 and ok.json["documents"][0]["warehouse"] == "W1"
    assert_problem(_import(login_as("sales"), _workbook(elsewhere[:1])), 403)
    assert_problem(login_as("purchaser").get("/api/v1/imports/opening-stock/template"), 403)


def test_the_template_downloads_with_its_headers_and_fills_in(stock, login_as):
    floor = login_as("warehouse")
    with floor.get("/api/v1/imports/opening-stock/template") as response:
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers == [
        "仓库编码 Warehouse code *", "商品SKU或条码 SKU or barcode *", "库位 Location code",
        "批号 Batch", "有效期 Expiry", "数量 Quantity *", "单位 Unit", "单位成本 Unit cost *",
    ]  # fmt: skip
    assert book.sheetnames[1] == "说明 Notes"
    # The template's own headers read back; Chinese or English alone do too.
    filled = _workbook([["W1", "RICE", "", "", "", "2.5", "", "3.20"]], headers)
    result = _import(floor, filled)
    assert result.status_code == 200, result.json
    english = _workbook(
        [["W2", "RICE", "", "", "", 1, "", "3"]], [h.split(" ", 1)[1] for h in HEADERS]
    )
    assert _import(floor, english).status_code == 200
    rice = _balance(stock["client"], stock["rice"], stock["w1"])
    assert (rice["on_hand"], rice["value"]) == ("2.500", "8.00")


def test_opening_is_not_a_movement_type_and_the_import_has_no_upsert(stock):
    c = stock["client"]
    refused = c.post("/api/v1/stock/movements", json={
        "type": "opening", "warehouse_id": stock["w1"],
        "lines": [{"product_id": stock["rice"], "qty": "1"}]})  # fmt: skip
    assert_problem(refused, 422, field="type")
    good = _workbook(GOOD_ROWS[:1])
    assert_problem(_import(c, good, mode="upsert"), 422, field="mode")
    missing = _workbook([["W1", "RICE", 1]], [WAREHOUSE, CODE, QTY])
    assert "单位成本 Unit cost" in assert_problem(_import(c, missing), 422, field="file")["detail"]
    _nothing_written(c)


def test_a_posting_between_the_check_and_the_import_is_refused(stock, monkeypatch):
    """Another import or movement may post the same product × warehouse after the rows
    were checked: the check is made again after the ledger's locks, and nothing stays."""
    from decimal import Decimal

    from flask_login import current_user

    from app.catalog.models import Product
    from app.extensions import db
    from app.imports import opening_stock
    from app.inventory import ledger

    checked_rows = opening_stock.resolve

    def resolve_then_someone_posts(checked, errors):
        plan = checked_rows(checked, errors)
        rice = db.session.get(Product, stock["rice"])
        line = ledger.Line(product_id=rice.id, qty=Decimal(1), unit_cost=Decimal(3))
        ledger.post_movements("in", stock["w1"], [line], user_id=current_user.id)
        return plan

    monkeypatch.setattr(opening_stock, "resolve", resolve_then_someone_posts)
    rows = [["W1", "COKE-500", "", "", "", 5, "", "2"], ["W1", "RICE", "", "", "", 1, "", "3"]]
    assert_problem(_import(stock["client"], _workbook(rows)), 409, "opening-stock-exists")
    assert _balance(stock["client"], stock["coke-500"], stock["w1"]) is None
    assert _balance(stock["client"], stock["rice"], stock["w1"])["on_hand"] == "1.000"
