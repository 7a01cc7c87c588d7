"""What a request may send: MAX_CONTENT_LENGTH (1 MB) everywhere, refused from the
Content-Length header before the body is read (413: JSON on the API, a page elsewhere); the
upload routes (photos, dossier files, CSV imports) take up to 10 MB. Images are refused by
their pixel count, read from the header, before they are decoded. Nothing is stored."""

from __future__ import annotations

import io
import os
import secrets
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from app.extensions import db
from catalog.models import ProductPhoto
from catalog.photos import MAX_PIXELS, add_photo
from tests.factories import make_producer, make_product, make_user

MB = 1024 * 1024


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body built in memory (werkzeug's test client would spool a big
    one to a temporary file it never closes)."""
    boundary = "ocop-" + secrets.token_hex(8)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, data) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def png_of_size(width: int, height: int) -> bytes:
    """A real black-and-white PNG of that many pixels (small on disk: it compresses well)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    pixels = zlib.compress(row * height, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def noisy_png(width: int, height: int) -> bytes:
    """A photo-sized PNG that does not compress (random pixels)."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG")
    return out.getvalue()


class ExplodingStream(io.BytesIO):
    """A request body of `size` bytes that fails the test if anyone reads it."""

    def __init__(self, size: int):
        super().__init__(b"\0" * size)

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = readinto = read1 = read


def sign_in(client, user):
    assert client.post("/login", data={"email": user.email, "password": "correct horse"}).status_code == 302


@pytest.fixture
def seller(client, db_session):
    user = make_user("producer", producer=make_producer())
    sign_in(client, user)
    return user


def stored_photos(app) -> set[str]:
    folder = Path(app.config["PHOTO_DIR"])
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_a_large_form_is_refused_before_it_is_read(client):
    response = client.post("/login", input_stream=ExplodingStream(2 * MB),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "Dữ liệu gửi lên quá lớn: tối đa 1 MB" in response.get_data(as_text=True)


def test_a_large_api_body_is_refused_with_a_json_error(client):
    response = client.post("/api/v1/orders", input_stream=ExplodingStream(2 * MB),
                           content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"
    assert "1 MB" in response.json["error"]["message"]


def test_a_body_just_under_the_limit_is_read(client):
    response = client.post("/login", data={"email": "a@example.vn", "password": "x" * (MB // 2)})
    assert response.status_code == 200  # the form again (wrong password), not 413


def test_a_30_mb_photo_is_refused_and_nothing_is_stored(app, client, seller):
    product = make_product(seller.producer)
    before = stored_photos(app)
    body, content_type = multipart({"alt": "Hộp chè"}, {"photo": ("huge.jpg", b"\xff\xd8" + b"\0" * 30 * MB)})
    response = client.post(f"/seller/products/{product.slug}/photos", data=body, content_type=content_type)
    assert response.status_code == 413
    assert "tối đa 10 MB" in response.get_data(as_text=True)
    assert db.session.query(ProductPhoto).filter_by(product_id=product.id).count() == 0
    assert stored_photos(app) == before


def test_an_8900_by_8900_png_is_refused_by_its_pixels_and_nothing_is_stored(app, client, seller):
    product = make_product(seller.producer)
    before = stored_photos(app)
    bomb = png_of_size(8900, 8900)
    assert len(bomb) < 1 * MB  # small on disk: only the pixel count gives it away
    body, content_type = multipart({}, {"photo": ("bomb.png", bomb)})
    response = client.post(f"/seller/products/{product.slug}/photos", data=body, content_type=content_type)
    assert response.status_code == 422
    assert "The image is too large" in response.get_data(as_text=True)
    assert "at most 40 megapixels" in response.get_data(as_text=True)
    assert db.session.query(ProductPhoto).filter_by(product_id=product.id).count() == 0
    assert stored_photos(app) == before


# In production Pillow only warns between 40 and 80 megapixels: our own check must refuse.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_the_pixel_limit_is_checked_before_decoding(db_session, tmp_path, monkeypatch):
    from app.errors import InvalidInput

    def no_decoding(self, *args, **kwargs):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    from PIL import PngImagePlugin
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", no_decoding)
    side = int(MAX_PIXELS ** 0.5) + 1
    with pytest.raises(InvalidInput) as refused:
        add_photo(db_session, make_product(), io.BytesIO(png_of_size(side, side)), str(tmp_path))
    assert refused.value.code == "image_too_large"
    assert f"{side} × {side} pixels" in refused.value.message
    assert list(tmp_path.iterdir()) == []


def test_an_upload_route_takes_more_than_the_global_megabyte(app, client, seller):
    product = make_product(seller.producer)
    photo = noisy_png(1000, 700)
    assert 1 * MB < len(photo) < 10 * MB
    body, content_type = multipart({"alt": "Ảnh lớn"}, {"photo": ("big.png", photo)})
    response = client.post(f"/seller/products/{product.slug}/photos", data=body, content_type=content_type)
    assert response.status_code == 302
    assert db.session.query(ProductPhoto).filter_by(product_id=product.id).count() == 1


def test_a_30_mb_certificate_list_is_refused_on_the_import_page(client, db_session):
    sign_in(client, make_user("admin"))
    body, content_type = multipart({}, {"file": ("list.csv", b"decision_number\n" + b"x" * 30 * MB)})
    response = client.post("/admin/import", data=body, content_type=content_type)
    assert response.status_code == 413
