"""Browsing the catalogue: the gate's set-based query plus filters and pagination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from catalog.gate import CurrentCertificate, listable_products
from catalog.models import Certificate, Producer, Product


@dataclass
class Page:
    items: list[tuple[Product, Certificate]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def browse(
    session: Session,
    *,
    on: date | None = None,
    q: str | None = None,
    stars: int | None = None,
    group: str | None = None,
    province: int | None = None,
    producer_id: int | None = None,
    page: int = 1,
    per_page: int = 24,
    order: str = "newest",
) -> Page:
    """Listable products only, filtered; a bounded number of queries whatever the page size."""
    query = listable_products(on)
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(or_(Product.name.ilike(pattern), Product.name_en.ilike(pattern)))
    if stars is not None:
        query = query.where(CurrentCertificate.stars == stars)
    if group is not None:
        query = query.where(Product.group == group)
    if province is not None:
        query = query.where(Producer.province_code == province)
    if producer_id is not None:
        query = query.where(Product.producer_id == producer_id)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    ordering = {
        "newest": (Product.created_at.desc(), Product.id.desc()),
        "price_asc": (Product.price_vnd.asc(), Product.id),
        "price_desc": (Product.price_vnd.desc(), Product.id),
        "stars": (CurrentCertificate.stars.desc(), Product.id.desc()),
        "name": (Product.name.asc(), Product.id),
    }[order]
    rows = session.execute(
        query.options(selectinload(Product.photos), selectinload(Product.producer))
        .order_by(*ordering)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=[(p, c) for p, c in rows], total=total or 0, page=page, per_page=per_page)
