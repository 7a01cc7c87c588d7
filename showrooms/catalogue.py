"""What a counter holds to keep selling offline (DOMAIN §9), and what a scanned stamp is.

The catalogue carries, per product on the point's shelf, the days (yesterday to a week
ahead) on which the gate lets it be sold — computed here by `catalog.gate.listability`, so
the page never re-derives certificate validity: offline, it refuses a product whose local
date is not in `sellable_days`, and the server judges the replay again on the sale's date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.clock import today
from catalog.gate import listability
from catalog.models import Product
from catalog.text import fold
from showrooms.models import Location, StockLevel

DAYS_BEHIND, DAYS_AHEAD = 1, 7

_STAMP_IN_URL = re.compile(r"/(?:t|21)/([^/?#\s]+)\s*(?:[?#].*)?$")


def catalogue(session: Session, location: Location, on: date | None = None) -> dict:
    on = on or today()
    days = [on + timedelta(days=n) for n in range(-DAYS_BEHIND, DAYS_AHEAD + 1)]
    rows = session.execute(
        select(Product, StockLevel.on_hand).join(StockLevel, StockLevel.product_id == Product.id)
        .where(StockLevel.location_id == location.id)
        .options(selectinload(Product.certificates), selectinload(Product.producer))
        .order_by(Product.name)).all()
    items = []
    for product, on_hand in rows:
        verdict = listability(product, on)
        items.append({
            "product": product.slug, "name": product.name, "name_en": product.name_en,
            "folded": fold(f"{product.name} {product.name_en or ''} {product.producer.name}"),
            "producer": product.producer.name, "unit": product.unit, "price_vnd": product.price_vnd,
            "on_hand": on_hand, "listable": verdict.listable, "reason": verdict.reason,
            "sellable_days": [d.isoformat() for d in days if listability(product, d).listable],
        })
    from showrooms.counter import gift_boxes

    provider = gift_boxes()
    boxes = provider.for_catalogue(session, location, days) if provider is not None else []
    return {"location": location.code, "generated_on": on.isoformat(),
            "days": [d.isoformat() for d in days], "items": items, "gift_boxes": boxes}


def stamp_code_from_scan(text: str) -> str:
    """A USB scanner types the stamp's URL (`…/t/<code>` or a GS1 Digital Link
    `…/01/<gtin>/10/<lot>/21/<code>`) and Enter; staff may also type the bare code."""
    text = (text or "").strip()
    match = _STAMP_IN_URL.search(text)
    return match.group(1) if match else text


def stamp_lookup(session: Session, scanned: str) -> dict:
    """The stamp's product and verdict, without counting a consumer scan. A void or
    suspicious stamp is reported so that the counter warns instead of selling silently."""
    from traceability.services import get_stamp
    from traceability.trace import verdict_for

    stamp = get_stamp(session, stamp_code_from_scan(scanned))
    lot = stamp.lot
    verdict = verdict_for(void=stamp.voided_at is not None or lot.voided_at is not None,
                          distinct_clients=stamp.distinct_clients,
                          threshold=current_app.config["SUSPICIOUS_SCAN_CLIENTS"])
    product = lot.product
    return {"code": stamp.code, "verdict": verdict,
            "void_reason": stamp.void_reason or lot.void_reason,
            "product": product.slug, "name": product.name, "lot": lot.lot_number,
            "listable": listability(product).listable}
