"""Server-side decoding of generated codes: clean, turned, and as a poor JPEG."""

import io

import pytest
import zxingcpp
from PIL import Image

from tests.support import assert_problem

F = zxingcpp.BarcodeFormat


def _code_picture(text, fmt, *, scale=4, canvas=(900, 600)) -> Image.Image:
    """The code drawn by zxing-cpp, pasted on a larger white page like a photo of a label."""
    raw = memoryview(
        zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(text, fmt), scale=scale)
    )
    code = Image.frombuffer("L", (raw.shape[1], raw.shape[0]), bytes(raw), "raw", "L", 0, 1)
    page = Image.new("L", canvas, 255)
    page.paste(code, ((canvas[0] - code.width) // 2, (canvas[1] - code.height) // 2))
    return page


def _bytes(picture: Image.Image, fmt="PNG", **options) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **options)
    return buffer.getvalue()


def _decode(client, data, content_type="image/png"):
    return client.post("/api/v1/scan/decode", data=data, content_type=content_type)


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("6901234567892", F.EAN13, {"format": "EAN-13", "text": "6901234567892"}),
        ("036000291452", F.UPCA, {"format": "EAN-13", "text": "0036000291452"}),
        ("96385074", F.EAN8, {"format": "EAN-8", "text": "96385074"}),
        ("JXC-0001/A-01-03", F.Code128, {"format": "Code128", "text": "JXC-0001/A-01-03"}),
        (
            "可口可乐 500ml 批次 B2026",
            F.QRCode,
            {"format": "QR", "text": "可口可乐 500ml 批次 B2026"},
        ),
    ],
)
def test_generated_codes_are_read_in_one_gtin_form(login_as, text, fmt, expected):
    client = login_as("warehouse")
    picture = _code_picture(text, fmt)
    for data, content_type in (
        (_bytes(picture), "image/png"),
        (_bytes(picture.rotate(90, expand=True)), "image/png"),
        (_bytes(picture.convert("RGB"), "JPEG", quality=40), "image/jpeg"),
    ):
        response = _decode(client, data, content_type)
        assert response.status_code == 200, response.json
        assert response.json["codes"] == [expected]


def test_a_1d_code_at_45_degrees_is_read(login_as):
    picture = _code_picture("6901234567892", F.EAN13).rotate(45, expand=True, fillcolor=255)
    response = _decode(login_as("sales"), _bytes(picture))
    assert response.json["codes"] == [{"format": "EAN-13", "text": "6901234567892"}]


def test_multipart_and_a_picture_without_a_code(login_as):
    client = login_as("clerk")
    blank = _bytes(Image.new("L", (640, 480), 255))
    response = client.post(
        "/api/v1/scan/decode",
        data={"image": (io.BytesIO(blank), "frame.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and response.json == {"codes": []}


def test_bad_pictures_are_refused_clearly(login_as):
    client = login_as("warehouse")
    assert_problem(_decode(client, b"not an image"), 422, "invalid-image")
    gif = _bytes(Image.new("L", (10, 10)), "GIF")
    assert_problem(_decode(client, gif), 415)
    assert_problem(_decode(client, gif, "image/gif"), 415)
    huge = _bytes(Image.new("L", (7000, 6000), 255))
    assert_problem(_decode(client, huge), 413)
    missing = client.post("/api/v1/scan/decode", data={}, content_type="multipart/form-data")
    assert_problem(missing, 422, field="image")


def test_camera_frames_leave_no_idempotency_records(app, login_as):
    from sqlalchemy import func, select

    from app.core.idempotency import IdempotencyKey
    from app.extensions import db

    client = login_as("warehouse")
    picture = _bytes(_code_picture("6901234567892", F.EAN13))
    for key in ("frame-1", "frame-1", "frame-2"):  # a retried frame is decoded again
        response = client.post(
            "/api/v1/scan/decode",
            data=picture,
            content_type="image/png",
            headers={"Idempotency-Key": key},
        )
        assert response.status_code == 200 and "Idempotent-Replayed" not in response.headers
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
