"""Small builders for every model (Warehouse style): sensible defaults, override anything."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from app.accounts.models import User
from app.accounts.services import create_token, create_user
from app.extensions import db
from catalog.gate import default_valid_until
from catalog.models import Certificate, Producer, Product
from showrooms.models import SalesPoint

_seq = itertools.count(1)
STAR_SCORE = {3: 60, 4: 80, 5: 95}


def make_producer(**overrides) -> Producer:
    n = next(_seq)
    values = {
        "slug": f"producer-{n}",
        "name": f"HTX Thử Nghiệm {n}",
        "kind": "cooperative",
        "tax_code": f"{1800000000 + n:010d}",
        "province_code": 92,
        "ward_code": 31135,
        "address": "Ninh Kiều, Cần Thơ",
        "active": True,
    }
    values.update(overrides)
    producer = Producer(**values)
    db.session.add(producer)
    db.session.flush()
    return producer


def make_product(producer: Producer | None = None, *, certified: bool = True, stars: int = 4,
                 **overrides) -> Product:
    """A published, priced product; with `certified`, a certificate valid for years around today."""
    from app.clock import today

    n = next(_seq)
    values = {
        "slug": f"product-{n}",
        "name": f"Sản phẩm thử {n}",
        "name_en": f"Test product {n}",
        "description": "Mô tả",
        "group": "food",
        "unit": "chai 500ml",
        "price_vnd": 120000,
        "published": True,
    }
    values.update(overrides)
    product = Product(producer=producer or make_producer(), **values)
    db.session.add(product)
    db.session.flush()
    if certified:
        make_certificate(product, stars=stars, issued_on=today() - timedelta(days=365))
    return product


def make_certificate(product: Product, *, stars: int = 4, issued_on: date | None = None,
                     valid_until: date | None = None, revoked_on: date | None = None,
                     **overrides) -> Certificate:
    issued_on = issued_on or date(2025, 1, 15)
    values = {
        "decision_number": f"{next(_seq)}/QĐ-UBND",
        "issuer": "UBND thành phố Cần Thơ",
        "level": "province",
        "stars": stars,
        "score": STAR_SCORE[stars],
        "issued_on": issued_on,
        "valid_until": valid_until or default_valid_until(issued_on),
        "revoked_on": revoked_on,
        "revoke_reason": "Vi phạm an toàn thực phẩm" if revoked_on else None,
    }
    values.update(overrides)
    cert = Certificate(product=product, **values)
    db.session.add(cert)
    db.session.flush()
    db.session.refresh(product, ["certificates"])
    return cert


def make_sales_point(**overrides) -> SalesPoint:
    n = next(_seq)
    values = {
        "code": f"SP{n:03d}",
        "name": f"Điểm bán OCOP {n}",
        "address": "Phú Quốc, An Giang",
        "province_code": 91,
        "ward_code": 31078,
        "opening_hours": "08:00–21:00",
    }
    values.update(overrides)
    point = SalesPoint(**values)
    db.session.add(point)
    db.session.flush()
    return point


def make_user(role: str = "customer", *, producer: Producer | None = None,
              sales_point: SalesPoint | None = None, password: str = "correct horse") -> User:
    n = next(_seq)
    return create_user(
        db.session,
        email=f"user{n}@example.com",
        password=password,
        role=role,
        producer_tax_code=producer.tax_code if producer else None,
        sales_point_code=sales_point.code if sales_point else None,
    )


def make_token(user: User) -> str:
    return create_token(db.session, user.email)


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}

# --- traceability (issue 6) ---------------------------------------------------------------

def make_lot(product: Product | None = None, **overrides):
    """A lot of a (certified) product, produced 30 days ago."""
    from app.clock import today
    from traceability.models import Lot

    n = next(_seq)
    values = {
        "lot_number": f"L{n:05d}",
        "produced_on": today() - timedelta(days=30),
        "best_before": today() + timedelta(days=335),
        "quantity": 100,
    }
    values.update(overrides)
    lot = Lot(product=product or make_product(), **values)
    db.session.add(lot)
    db.session.flush()
    return lot


def make_stamps(lot=None, count: int = 1) -> list:
    """`count` stamps with fresh random codes for `lot` (a new lot when None)."""
    from traceability.services import insert_stamps

    return insert_stamps(db.session, lot or make_lot(), count)


# --- Stock and orders (issue 5) ------------------------------------------------------------

def receive_stock(product: Product, quantity: int = 20, *, location=None):
    """`quantity` units received into the product's producer warehouse (a `receive` movement)."""
    from showrooms.stock import record_movement, warehouse_of

    location = location or warehouse_of(db.session, product.producer)
    return record_movement(db.session, location=location, product=product, kind="receive",
                           quantity=quantity, reason="test stock")


def order_payload(*products_and_quantities, payment: str = "cod", fulfilment: str = "delivery",
                  pickup_point: str | None = None, **overrides) -> dict:
    """A valid `POST /api/v1/orders` body for (product, quantity) pairs."""
    body = {
        "items": [{"product": p.slug, "quantity": q} for p, q in products_and_quantities],
        "customer": {"name": "Emily Carter", "phone": "0912 345 678",
                     "email": "emily@example.com"},
        "fulfilment": fulfilment,
        "payment": payment,
    }
    if fulfilment == "delivery":
        body["shipping"] = {"address": "12 Đường 30/4, Ninh Kiều", "province": 92}
    else:
        body["pickup_point"] = pickup_point
    body.update(overrides)
    return body
