"""The gated, filtered catalogue query and its pages — shared by browsing
(`catalog.listing`) and search (`catalog.search`), which both build on it, so neither imports
the other's module to reach it (search and browse can never disagree on what is listable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from catalog.gate import CurrentCertificate, listable_products
from catalog.models import GROUP_INCLUDES, Certificate, Producer, Product

MAX_PER_PAGE = 100
ORDERS = ("newest", "price_asc", "price_desc", "stars", "name")


@dataclass
class Page:
    items: list[tuple[Product, Certificate]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def ordering(order: str) -> tuple:
    """ORDER BY of a named sort (unknown names sort newest first)."""
    orders = {
        "newest": (Product.created_at.desc(), Product.id.desc()),
        "price_asc": (Product.price_vnd.asc(), Product.id),
        "price_desc": (Product.price_vnd.desc(), Product.id),
        "stars": (CurrentCertificate.stars.desc(), Product.created_at.desc(), Product.id.desc()),
        "name": (Product.name.asc(), Product.id),
    }
    return orders.get(order, orders["newest"])


def filtered(
    on: date | None = None,
    *,
    stars: int | None = None,
    group: str | None = None,
    province: int | None = None,
    producer_id: int | None = None,
    exclude_id: int | None = None,
) -> Select:
    """`select(Product, CurrentCertificate)` of the products listable on `on`, filtered."""
    query = listable_products(on)
    if stars is not None:
        query = query.where(CurrentCertificate.stars == stars)
    if group is not None:
        query = query.where(Product.group.in_(GROUP_INCLUDES.get(group, (group,))))
    if province is not None:
        query = query.where(Producer.province_code == province)
    if producer_id is not None:
        query = query.where(Product.producer_id == producer_id)
    if exclude_id is not None:
        query = query.where(Product.id != exclude_id)
    return query


def with_cards(query: Select) -> Select:
    """Eager-load what a product card shows (photos, producer): no N+1 on list pages."""
    return query.options(selectinload(Product.photos), selectinload(Product.producer))


def clamp(page: int, per_page: int) -> tuple[int, int]:
    return max(1, page), max(1, min(per_page, MAX_PER_PAGE))


def paginate(session: Session, query: Select, order_by: tuple, page: int, per_page: int) -> Page:
    """One COUNT, one page of rows, and the eager loads: the same few queries for any size."""
    page, per_page = clamp(page, per_page)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(
        with_cards(query).order_by(*order_by).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(items=[(p, c) for p, c in rows], total=total or 0, page=page, per_page=per_page)
