import io

import pytest
from PIL import Image

from tests.support import assert_problem


def _picture(fmt="PNG", size=(2400, 1200), colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def product_id(login_as):
    manager = login_as("manager")
    made = manager.post("/api/v1/products", json={"sku": "PIC-1", "name": "带图商品"})
    return made.json["id"]


def _upload(client, product_id, data, content_type="image/png"):
    return client.put(f"/api/v1/products/{product_id}/image", data=data, content_type=content_type)


def test_a_picture_is_stored_with_a_thumbnail(login_as, product_id):
    manager = login_as("manager")
    uploaded = manager.put(
        f"/api/v1/products/{product_id}/image",
        data={"image": (io.BytesIO(_picture()), "photo.png")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 200, uploaded.json
    url = uploaded.json["image_url"]
    assert url.startswith(f"/api/v1/products/{product_id}/image?v=")

    floor = login_as("warehouse")  # anyone who reads the catalogue sees the picture
    for size, edge in (("full", 1600), ("thumb", 320)):
        with floor.get(f"{url}&size={size}") as response:
            assert response.status_code == 200 and response.mimetype == "image/jpeg"
            assert "immutable" in response.headers["Cache-Control"]
            picture = Image.open(io.BytesIO(response.data))
            assert picture.format == "JPEG" and max(picture.size) == edge

    # A new picture gets a new URL; the old content is no longer what the product shows.
    replaced = _upload(manager, product_id, _picture(colour=(0, 0, 255)))
    assert replaced.json["image_url"] != url


def test_raw_bodies_work_and_bad_pictures_are_refused(login_as, product_id):
    manager = login_as("manager")
    assert (
        _upload(manager, product_id, _picture("WEBP", (100, 100)), "image/webp").status_code == 200
    )
    assert_problem(_upload(manager, product_id, b"not a picture at all"), 422, "invalid-image")
    gif = _picture("GIF", (10, 10))
    assert_problem(_upload(manager, product_id, gif, "image/png"), 415)
    assert_problem(_upload(manager, product_id, gif, "image/gif"), 415)  # not a type we take
    huge = _picture("PNG", (7000, 6000), (255, 255, 255))  # 42 Mpx, a small file
    assert_problem(_upload(manager, product_id, huge), 413)
    missing = manager.put(
        f"/api/v1/products/{product_id}/image", data={}, content_type="multipart/form-data"
    )
    assert_problem(missing, 422, field="image")


def test_removing_the_picture_and_who_may_change_it(login_as, product_id):
    manager = login_as("manager")
    _upload(manager, product_id, _picture())
    assert_problem(_upload(login_as("warehouse"), product_id, _picture()), 403)
    assert manager.delete(f"/api/v1/products/{product_id}/image").status_code == 204
    assert manager.get(f"/api/v1/products/{product_id}").json["image_url"] is None
    assert_problem(manager.get(f"/api/v1/products/{product_id}/image"), 404)
