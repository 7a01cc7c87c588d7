"""JSON shapes of catalog objects (CONTRACT §4), shared by every API that shows them."""

from __future__ import annotations

from datetime import date

from flask import current_app

from catalog.gate import Listability, certificate_status
from catalog.models import Certificate, Producer, Product


def producer_brief(producer: Producer) -> dict:
    return {"slug": producer.slug, "name": producer.name}


def producer_json(producer: Producer) -> dict:
    return {
        "slug": producer.slug,
        "name": producer.name,
        "name_en": producer.name_en,
        "kind": producer.kind,
        "province_code": producer.province_code,
        "province": producer.province_name,
        "ward_code": producer.ward_code,
        "ward": producer.ward_name,
        "address": producer.address,
        "historical_origin": producer.historical_origin,
        "craft_village": producer.craft_village,
        "active": producer.active,
    }


def certificate_brief(cert: Certificate | None) -> dict | None:
    if cert is None:
        return None
    return {"number": cert.decision_number, "stars": cert.stars,
            "valid_until": cert.valid_until.isoformat()}


def certificate_json(cert: Certificate | None, on: date | None = None) -> dict | None:
    if cert is None:
        return None
    return {
        "id": cert.id,
        "number": cert.decision_number,
        "stars": cert.stars,
        "score": cert.score,
        "level": cert.level,
        "issuer": cert.issuer,
        "issued_on": cert.issued_on.isoformat(),
        "valid_until": cert.valid_until.isoformat(),
        "status": certificate_status(cert, on),
        "revoked_on": cert.revoked_on.isoformat() if cert.revoked_on else None,
        "revoke_reason": cert.revoke_reason,
    }


def _photo_urls(product: Product) -> list[str]:
    base = current_app.config["BASE_URL"]
    return [base + photo.url for photo in product.photos]


def product_summary(product: Product, certificate: Certificate, in_stock: bool) -> dict:
    """A list item: only ever built for listable products."""
    return {
        "slug": product.slug,
        "name": product.name,
        "name_en": product.name_en,
        "stars": certificate.stars,
        "group": product.group,
        "province": product.producer.province_code,
        "province_name": product.producer.province_name,
        "price_vnd": product.price_vnd,
        "unit": product.unit,
        "in_stock": in_stock,
        "photo": _photo_urls(product)[0] if product.photos else None,
        "producer": producer_brief(product.producer),
        "certificate": certificate_brief(certificate),
    }


def product_detail(product: Product, verdict: Listability, in_stock: bool,
                   on: date | None = None) -> dict:
    cert = verdict.certificate
    body = {
        "slug": product.slug,
        "name": product.name,
        "name_en": product.name_en,
        "description": product.description,
        "description_en": product.description_en,
        "group": product.group,
        "unit": product.unit,
        "unit_en": product.unit_en,
        "price_vnd": product.price_vnd,
        "published": product.published,
        "gtin": product.gtin,
        "stars": cert.stars if cert is not None and verdict.listable else None,
        "province": product.producer.province_code,
        "in_stock": in_stock,
        "photos": _photo_urls(product),
        "producer": producer_json(product.producer),
        "certificate": certificate_json(cert, on),
        "listable": verdict.listable,
    }
    if not verdict.listable:
        body["reason"] = verdict.reason
    return body
