"""Product pictures: checked with Pillow, stored re-encoded as JPEG with a thumbnail."""

import hashlib
from pathlib import Path

from flask import current_app

from app.core.pictures import open_picture

SIZES = {"full": 1600, "thumb": 320}


def media_root() -> Path:
    return Path(current_app.config.get("MEDIA_ROOT") or Path(current_app.instance_path) / "media")


def image_path(product_id: int, key: str, size: str) -> Path:
    return media_root() / "products" / str(product_id) / f"{key}-{size}.jpg"


def store_image(product_id: int, data: bytes) -> str:
    """Check and store a picture; returns its key (a content hash)."""
    picture = open_picture(data).convert("RGB")
    key = hashlib.sha256(data).hexdigest()[:16]
    for size, edge in SIZES.items():
        copy = picture.copy()
        copy.thumbnail((edge, edge))
        path = image_path(product_id, key, size)
        path.parent.mkdir(parents=True, exist_ok=True)
        copy.save(path, "JPEG", quality=85, optimize=True)
    return key
