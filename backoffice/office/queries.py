"""Read-only queries of the office's screens and API (one place for each list's filters)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, or_, select

from app.clock import today
from catalog.models import PRODUCER_KINDS, Certificate, Producer, Product


def producer_query(*, q: str = "", province: int | None = None, kind: str | None = None,
                   active: str | None = None, ending: bool = False, on: date | None = None):
    query = select(Producer)
    if q:
        pattern = f"%{q}%"
        query = query.where(or_(Producer.name.ilike(pattern), Producer.tax_code.ilike(pattern),
                                Producer.slug.ilike(pattern)))
    if province:
        query = query.where(Producer.province_code == province)
    if kind in PRODUCER_KINDS:
        query = query.where(Producer.kind == kind)
    if active in ("yes", "no"):
        query = query.where(Producer.active.is_(active == "yes"))
    if ending:
        on = on or today()
        query = query.where(exists(
            select(Certificate.id).join(Certificate.product)
            .where(Product.producer_id == Producer.id, Certificate.revoked_on.is_(None),
                   Certificate.valid_until.between(on, on + timedelta(days=90)))))
    return query
