"""JSON shape of a trace record (CONTRACT §4 `GET /trace/<code>`)."""

from __future__ import annotations

from datetime import date

from catalog.serializers import certificate_json
from traceability.trace import TraceRecord


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def trace_url(base_url: str, code: str) -> str:
    return f"{base_url}/t/{code}"


def digital_link(base_url: str, gtin: str, lot_number: str, code: str) -> str:
    """GS1 Digital Link URI: /01/<gtin14>/10/<lot>/21/<serial>, the serial being the code."""
    return f"{base_url}/01/{gtin}/10/{lot_number}/21/{code}"


def trace_json(record: TraceRecord, base_url: str, on: date | None = None) -> dict:
    product, producer = record.product, record.producer
    certificate = certificate_json(record.certificate, on)
    if certificate is not None:
        certificate["covers_lot"] = record.certificate_covers_lot
    body = {
        "code": record.code,
        "verdict": record.verdict,
        "void_reason": record.void_reason,
        "voided_at": _iso(record.voided_at),
        "product": {
            "slug": product.slug,
            "name": product.name,
            "name_en": product.name_en,
            "group": product.group,
            "unit": product.unit,
            "stars": record.stars_now,
            "certified": record.certified_now,
            "gtin": product.gtin,
            "photo": base_url + record.photo.url if record.photo else None,
            "url": f"{base_url}/products/{product.slug}",
        },
        "producer": {
            "slug": producer.slug,
            "name": producer.name,
            "name_en": producer.name_en,
            "kind": producer.kind,
            "province_code": producer.province_code,
            "province": producer.province_name,
            "ward_code": producer.ward_code,
            "ward": producer.ward_name,
            "craft_village": producer.craft_village,
            "address": producer.address,
            "phone": producer.phone,
        },
        "lot": {
            "number": record.lot_number,
            "produced_on": _iso(record.produced_on),
            "best_before": _iso(record.best_before),
            "quantity": record.lot_quantity,
            "void": record.lot_void,
            "produced_while_certified": record.lot_produced_while_certified,
        },
        "certificate": certificate,
        "scans": {"count": record.scan_count, "first_at": _iso(record.first_scan_at)},
        "url": trace_url(base_url, record.code),
    }
    if product.gtin:
        body["digital_link"] = digital_link(base_url, product.gtin, record.lot_number,
                                            record.code)
    return body
