"""Printable labels: every kind is read back from the rendered page by our own decoder."""

import io
from datetime import date

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from app.core.permissions import ROLE_PERMISSIONS
from app.extensions import db
from app.inventory.models import Batch
from app.scanning import gs1
from app.scanning.services import decode_picture
from tests.support import assert_problem

DPI = 300
EAN = "6901234567892"
NAME = "可口可乐 330ml 经典装"


@pytest.fixture
def records(app, login_as, warehouses):
    """Products with and without an EAN, a location in each warehouse, two batches."""
    manager = login_as("manager")

    def product(**data):
        made = manager.post("/api/v1/products", json={"unit": "瓶", **data})
        assert made.status_code == 201, made.json
        return made.json["id"]

    coke = product(
        sku="coke-330",
        name=NAME,
        spec="330ml",
        retail_price="3.50",
        barcodes=[EAN],
        units=[{"name": "箱", "factor": "24", "barcode": "6901234567885"}],
    )
    bolt = product(sku="bolt-m8", name="六角螺栓 M8", spec="M8×30")
    # Its only barcode is the case's: a label of the bottle must not scan as a case.
    crate = product(
        sku="crate-1",
        name="Crate",
        units=[{"name": "箱", "factor": "6", "barcode": "4006381333931"}],
    )
    admin = login_as("admin")
    shelf = admin.post(
        f"/api/v1/warehouses/{warehouses[0]}/locations", json={"code": "A-01-03", "name": "冷藏区"}
    ).json["id"]
    other = admin.post(
        f"/api/v1/warehouses/{warehouses[1]}/locations", json={"code": "B-02-01"}
    ).json["id"]
    with app.app_context():
        dated = Batch(product_id=coke, number="L2027A", expiry=date(2027, 6, 30))
        plain = Batch(product_id=bolt, number="B-77")
        db.session.add_all([dated, plain])
        db.session.commit()
        batches = {"dated": dated.id, "plain": plain.id}
    return {
        "coke": coke,
        "bolt": bolt,
        "crate": crate,
        "shelf": shelf,
        "other": other,
        "warehouses": warehouses,
        **batches,
    }


def _labels(client, kind, ids, **query):
    ids = ",".join(map(str, ids)) if isinstance(ids, list) else ids
    return client.get(f"/api/v1/labels/{kind}.pdf", query_string={"ids": ids, **query})


def _pdf(response, kind):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'inline; filename="{kind}-labels.pdf"'
    assert response.data.startswith(b"%PDF-")
    return response.data


def _pages(data: bytes) -> list[tuple[tuple[float, float], bytes, str]]:
    """Each page: (size in mm, PNG at 300 dpi, its text)."""
    pages = []
    document = pdfium.PdfDocument(data)
    try:
        for page in document:
            width, height = page.get_size()
            bitmap = page.render(scale=DPI / 72, grayscale=True)
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, "PNG")
            text = page.get_textpage().get_text_range()
            size = (round(width / 72 * 25.4), round(height / 72 * 25.4))
            pages.append((size, buffer.getvalue(), text))
    finally:
        document.close()
    return pages


def _codes(png: bytes) -> dict[str, str]:
    return {code.format: code.text for code in decode_picture(png)}


def test_product_labels_carry_the_ean_or_the_sku(login_as, records):
    client = login_as("sales")
    ids = [records["coke"], records["bolt"], records["crate"]]
    pages = _pages(_pdf(_labels(client, "products", ids, price="true"), "products"))
    assert [size for size, _, _ in pages] == [(50, 30)] * 3

    _, png, text = pages[0]
    assert _codes(png) == {"EAN-13": EAN}
    assert NAME in text and "COKE-330" in text and "330ml" in text and "¥3.50" in text

    _, png, text = pages[1]
    assert _codes(png) == {"Code128": "BOLT-M8"}
    assert "六角螺栓 M8" in text and "M8×30" in text

    assert _codes(pages[2][1]) == {"Code128": "CRATE-1"}


def test_copies_repeat_each_label_and_price_is_optional(login_as, records):
    client = login_as("warehouse")
    pages = _pages(_pdf(_labels(client, "products", [records["bolt"]], copies=3), "products"))
    assert len(pages) == 3
    assert all("¥" not in text for _, _, text in pages)


def test_location_labels_read_as_the_location(login_as, records):
    client = login_as("clerk")
    [(size, png, text)] = _pages(
        _pdf(_labels(client, "locations", [records["shelf"]]), "locations")
    )
    assert size == (50, 30)
    assert _codes(png) == {"Code128": "W1/A-01-03", "QR": "W1/A-01-03"}
    assert "A-01-03" in text and "冷藏区" in text and "W1" in text
    resolved = client.get("/api/v1/scan/resolve", query_string={"code": "W1/A-01-03"}).json
    assert resolved["kind"] == "location" and resolved["location"]["id"] == records["shelf"]


def test_batch_labels_are_gs1_128_with_gtin_expiry_and_lot(login_as, records):
    client = login_as("warehouse")
    ids = [records["dated"], records["plain"]]
    (_, png, text), (_, plain_png, plain_text) = _pages(
        _pdf(_labels(client, "batches", ids), "batches")
    )
    codes = _codes(png)
    expected = {"gtin": "0" + EAN, "expiry": date(2027, 6, 30), "lot": "L2027A"}
    assert gs1.parse(codes["Code128"]) == expected
    assert gs1.parse(codes["QR"]) == expected
    assert "L2027A" in text and "2027-06-30" in text and NAME in text
    # FNC1 right after the start: a GS1-128 symbol, not Code 128 that happens to hold digits.
    found = zxingcpp.read_barcodes(
        Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.Code128
    )
    assert [r.symbology_identifier for r in found] == ["]C1"]
    resolved = client.get("/api/v1/scan/resolve", query_string={"code": codes["Code128"]}).json
    assert resolved["kind"] == "product" and resolved["gs1"]["lot"] == "L2027A"

    # Without a GTIN there is no GS1 label: the bars carry the SKU, the lot is printed.
    assert _codes(plain_png) == {"Code128": "BOLT-M8", "QR": "BOLT-M8"}
    assert "B-77" in plain_text and "六角螺栓 M8" in plain_text


@pytest.mark.parametrize("kind", ["products", "locations", "batches"])
def test_the_a4_layout_puts_27_labels_on_a_sheet(login_as, records, kind):
    one = {"products": records["coke"], "locations": records["shelf"], "batches": records["dated"]}
    client = login_as("manager")
    pages = _pages(_pdf(_labels(client, kind, [one[kind]], layout="a4", copies=28), kind))
    assert [size for size, _, _ in pages] == [(210, 297), (210, 297)]
    for _, png, _ in pages:
        codes = _codes(png)
        if kind == "products":
            assert codes == {"EAN-13": EAN}
        elif kind == "locations":
            assert codes == {"Code128": "W1/A-01-03", "QR": "W1/A-01-03"}
        else:
            assert set(codes) == {"Code128", "QR"}
            assert {gs1.parse(text)["lot"] for text in codes.values()} == {"L2027A"}


def test_bad_input_is_a_problem(login_as, records):
    client = login_as("manager")
    assert_problem(client.get("/api/v1/labels/products.pdf"), 422, "validation-error", "ids")
    for ids in ("", "1,x", "1,,2", "0", "2.5", ",".join(["1"] * 201)):
        assert_problem(_labels(client, "products", ids), 422, "validation-error", "ids")
    assert_problem(_labels(client, "products", [1], layout="a5"), 422, field="layout")
    for copies in (0, 101, "many"):
        assert_problem(_labels(client, "products", [1], copies=copies), 422, field="copies")

    body = assert_problem(_labels(client, "products", [records["coke"], 999999]), 404, "not-found")
    assert "999999" in body["detail"]
    body = assert_problem(_labels(client, "batches", [999998, 999999]), 404)
    assert "999998" in body["detail"] and "999999" in body["detail"]
    assert_problem(_labels(client, "locations", [999999]), 404)
    assert_problem(_labels(client, "pallets", [1]), 404)


def test_who_may_print_what(client, login_as, records, monkeypatch):
    assert_problem(_labels(client, "products", [records["coke"]]), 401)
    scoped = login_as("warehouse", warehouse_ids=[records["warehouses"][0]])
    assert _labels(scoped, "locations", [records["shelf"]]).status_code == 200
    body = assert_problem(_labels(scoped, "locations", [records["other"]]), 404)
    assert str(records["other"]) in body["detail"]
    assert_problem(_labels(scoped, "locations", [records["shelf"], records["other"]]), 404)

    monkeypatch.setitem(ROLE_PERMISSIONS, "sales", ROLE_PERMISSIONS["sales"] - {"inventory:read"})
    sales = login_as("sales")
    assert_problem(_labels(sales, "batches", [records["dated"]]), 403, "forbidden")
    assert _labels(sales, "products", [records["coke"]]).status_code == 200
