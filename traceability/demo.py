"""Demo lots and stamps, loaded by `flask --app wsgi seed-demo` after the catalog.

For a handful of listable products (and the revoked and expired ones, if the catalogue has
them): a lot with 20 stamps each; one recalled lot; one stamp made suspicious by scans
from more distinct clients than the threshold. Codes stay random; the demo logs a few of
them (genuine, suspicious, void) so that a developer can open their trace pages.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.clock import today
from catalog.gate import (
    CERTIFICATE_EXPIRED,
    CERTIFICATE_REVOKED,
    latest_certificate,
    listability,
)
from catalog.models import Product
from traceability import services
from traceability.models import Lot
from traceability.trace import trace

log = logging.getLogger(__name__)

LISTABLE_PRODUCTS = 6
STAMPS_PER_LOT = 20
SUSPICIOUS_CLIENTS = 12  # above the default threshold of 10


def _production_day(product: Product, on: date) -> date | None:
    """A day when the product's latest certificate was valid (for a lot made back then)."""
    cert = latest_certificate(product.certificates, on)
    if cert is None:
        return None
    end = min(cert.valid_until, (cert.revoked_on - timedelta(days=1)) if cert.revoked_on else on, on)
    day = end - timedelta(days=20)
    return max(day, cert.issued_on) if end >= cert.issued_on else None


def _lot(session: Session, product: Product, number: str, produced_on: date, count: int) -> Lot:
    lot = services.create_lot(session, product, lot_number=number, produced_on=produced_on,
                              best_before=produced_on + timedelta(days=365), quantity=count * 10)
    services.insert_stamps(session, lot, count)
    return lot


def seed(session: Session) -> None:
    """Idempotent: does nothing when lots exist already (or when there are no products)."""
    if session.scalar(select(Lot.id).limit(1)) is not None:
        return
    on = today()
    products = list(session.scalars(
        select(Product).options(selectinload(Product.certificates), selectinload(Product.producer))
        .order_by(Product.id)))
    verdicts = {p.id: listability(p, on) for p in products}
    listable = [p for p in products if verdicts[p.id].listable][:LISTABLE_PRODUCTS]
    revoked = [p for p in products if verdicts[p.id].reason == CERTIFICATE_REVOKED][:1]
    expired = [p for p in products if verdicts[p.id].reason == CERTIFICATE_EXPIRED][:1]
    year = on.strftime("%Y")
    lots: list[Lot] = []
    for product in listable:
        lots.append(_lot(session, product, f"L{year}-01", on - timedelta(days=20), STAMPS_PER_LOT))
    for product in revoked + expired:
        day = _production_day(product, on)
        if day is not None:
            lots.append(_lot(session, product, f"L{day:%Y}-01", day, STAMPS_PER_LOT))
    if not listable:
        return
    recalled = _lot(session, listable[0], f"L{year}-02", on - timedelta(days=10), 10)
    services.void_lot(session, recalled, reason="Thu hồi: bao bì bị lỗi niêm phong (demo)")
    first_stamps = services.lot_stamps(session, lots[0])
    suspicious = first_stamps[-1]
    for i in range(SUSPICIOUS_CLIENTS):
        client = hashlib.sha256(f"demo-client-{i}".encode()).hexdigest()[:32]
        trace(session, suspicious.code, client, threshold=10, on=on)
    log.info("demo stamps: genuine /t/%s, suspicious /t/%s, void /t/%s", first_stamps[0].code,
             suspicious.code, services.lot_stamps(session, recalled)[0].code)
    session.flush()
