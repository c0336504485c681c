"""Product pictures: checked with Pillow, stored re-encoded as JPEG with a thumbnail."""

import hashlib
import io
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from app.core.errors import Problem

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
SIZES = {"full": 1600, "thumb": 320}
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


def media_root() -> Path:
    return Path(current_app.config.get("MEDIA_ROOT") or Path(current_app.instance_path) / "media")


def image_path(product_id: int, key: str, size: str) -> Path:
    return media_root() / "products" / str(product_id) / f"{key}-{size}.jpg"


def store_image(product_id: int, data: bytes) -> str:
    """Check and store a picture; returns its key (a content hash)."""
    if len(data) > MAX_BYTES:
        raise Problem(f"The picture is larger than {MAX_BYTES // (1024 * 1024)} MB.", status=413)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise Problem(
                    "Send a JPEG, PNG or WebP picture.", status=415, type="unsupported-media-type"
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise Problem("The picture has more than 40 megapixels.", status=413)
            probe.verify()
        # verify() leaves the image unusable: open again to decode it.
        with Image.open(io.BytesIO(data)) as picture:
            picture = ImageOps.exif_transpose(picture).convert("RGB")
            key = hashlib.sha256(data).hexdigest()[:16]
            for size, edge in SIZES.items():
                copy = picture.copy()
                copy.thumbnail((edge, edge))
                path = image_path(product_id, key, size)
                path.parent.mkdir(parents=True, exist_ok=True)
                copy.save(path, "JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise Problem(
            "This is not a picture we can read.",
            status=422,
            type="invalid-image",
            errors={"image": [str(exc) or "unreadable"]},
        ) from None
    return key
