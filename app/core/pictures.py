"""Pictures sent by clients (product photos, camera frames): one set of checks."""

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from app.core.errors import Problem

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
# The body types an endpoint taking a picture accepts (besides multipart).
PICTURE_TYPES = ("image/jpeg", "image/png", "image/webp")
_FORMATS = {"JPEG", "PNG", "WEBP"}


def open_picture(data: bytes) -> Image.Image:
    """The decoded picture, upright; 413 when too big, 415 for other formats, 422 unreadable."""
    if len(data) > MAX_BYTES:
        raise Problem(f"The picture is larger than {MAX_BYTES // (1024 * 1024)} MB.", status=413)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in _FORMATS:
                raise Problem(
                    "Send a JPEG, PNG or WebP picture.", status=415, type="unsupported-media-type"
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise Problem("The picture has more than 40 megapixels.", status=413)
            probe.verify()
        # verify() leaves the image unusable: open again to decode it.
        picture = Image.open(io.BytesIO(data))
        return ImageOps.exif_transpose(picture)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Problem(
            "This is not a picture we can read.",
            status=422,
            type="invalid-image",
            errors={"image": ["unreadable"]},
        ) from None
