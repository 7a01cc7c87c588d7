"""Product photos: uploads are re-encoded (never served as sent), resized and stored under
PHOTO_DIR, served at /media/…"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from app.errors import InvalidInput
from catalog.models import Product, ProductPhoto

MAX_SIDE = 960
MAX_PHOTOS = 8
MAX_PIXELS = 40_000_000  # a 40-megapixel camera's photo; beyond, a decompression bomb
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard, for every image it opens


def add_photo(session: Session, product: Product, stream: BinaryIO, photo_dir: str,
              alt: str = "") -> ProductPhoto:
    """Store an uploaded image as a WebP of at most 960 px a side; anything that is not a
    readable image, or has more than MAX_PIXELS pixels, is refused with a clear message —
    the size is read from the header, before a byte of the pixels is decoded."""
    if len(product.photos) >= MAX_PHOTOS:
        raise InvalidInput(f"A product has at most {MAX_PHOTOS} photos.", code="too_many_photos")
    try:
        with Image.open(stream) as original:
            width, height = original.size
            if width * height > MAX_PIXELS:
                raise InvalidInput(
                    f"The image is too large: {width} × {height} pixels (at most "
                    f"{MAX_PIXELS // 1_000_000} megapixels).", code="image_too_large")
            original.load()
            image = original.convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard (its warning is an error where warnings are, e.g. under pytest).
        raise InvalidInput(f"The image is too large (at most {MAX_PIXELS // 1_000_000} megapixels).",
                           code="image_too_large") from None
    except (UnidentifiedImageError, OSError):
        raise InvalidInput("The file is not a readable image (JPEG, PNG or WebP).",
                           code="invalid_image") from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    folder = Path(photo_dir)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{product.id}-{secrets.token_hex(8)}.webp"
    image.save(folder / name, "WEBP", quality=80, method=4)
    photo = ProductPhoto(product=product, path=f"/media/{name}", alt=alt or product.name,
                         width=image.width, height=image.height, position=len(product.photos))
    session.add(photo)
    session.flush()
    return photo
