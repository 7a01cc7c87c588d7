"""Browsing the catalogue: the gate's set-based query plus filters and pagination
(`catalog.queries`), with cached page ids and counts.

A query with words (`q`) goes through `catalog.search`, which narrows the same gated query
(`catalog.queries.filtered`) to the matching products, so search and browse can never
disagree on what is listable.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlalchemy.orm import Session

from app.cache import key as cache_key
from app.cache import remember
from app.clock import today
from catalog import search
from catalog.gate import CurrentCertificate, listable_products
from catalog.models import Certificate, Producer, Product
from catalog.queries import (  # noqa: F401 -- re-exported: callers know them as listing.*
    MAX_PER_PAGE,
    ORDERS,
    Page,
    clamp,
    filtered,
    ordering,
    paginate,
    with_cards,
)


def browse(
    session: Session,
    *,
    on: date | None = None,
    q: str | None = None,
    stars: int | None = None,
    group: str | None = None,
    province: int | None = None,
    producer_id: int | None = None,
    exclude_id: int | None = None,
    page: int = 1,
    per_page: int = 24,
    order: str | None = None,
) -> Page:
    """Listable products only, filtered; a bounded number of queries whatever the page size.

    With words in `q`, the products matching them (`catalog.search`), best match first
    unless another `order` is asked for.

    Which ids a page holds and the total are cached under the catalogue's version and the
    date (`_remember`); the rows themselves are loaded through the gated query every time,
    so even a wrong cache entry could not show a product the gate refuses now."""
    on = on or today()
    page, per_page = clamp(page, per_page)
    filters = dict(stars=stars, group=group, province=province, producer_id=producer_id,
                   exclude_id=exclude_id)

    def compute() -> tuple[list[int], int]:
        if q and q.strip() and search.query_words(q):
            return search.search_page_ids(session, q, on=on, page=page, per_page=per_page,
                                          order=order or "relevance", **filters)
        found = _browse(session, on=on, page=page, per_page=per_page, order=order, **filters)
        return [p.id for p, _c in found.items], found.total

    ids, total = _remember(session, on, "browse", compute, q=(q or "").strip(), page=page,
                           per_page=per_page, order=order, **filters)
    return Page(items=load_cards(session, on, ids), total=total, page=page, per_page=per_page)


def top_ids(session: Session, *, on: date | None = None, group: str | None = None,
            order: str = "stars", limit: int = 5) -> list[int]:
    """The first `limit` listable products of `browse`'s order, without counting the rest:
    a product page's "same group" block needs no total (at 50,000 products the count costs
    as much as the page). Cached like every list, under the catalogue's version and date."""
    on = on or today()

    def compute() -> list[int]:
        query = filtered(on, group=group).with_only_columns(Product.id)
        return list(session.scalars(query.order_by(*ordering(order)).limit(limit)))

    return _remember(session, on, "top", compute, group=group, order=order, limit=limit)


def load_cards(session: Session, on: date, ids: list[int]) -> list[tuple[Product, Certificate]]:
    """(product, current certificate) of these ids that are listable on `on`, in this order."""
    if not ids:
        return []
    rows = session.execute(with_cards(listable_products(on).where(Product.id.in_(ids)))).all()
    loaded = {p.id: (p, c) for p, c in rows}
    return [loaded[i] for i in ids if i in loaded]


def _browse(session: Session, *, on: date, page: int, per_page: int, order: str | None,
            **filters) -> Page:
    query = filtered(on, **filters)
    return paginate(session, query, ordering(order or "newest"), page, per_page)


def _remember(session: Session, on: date | None, name: str, compute, **params):
    from catalog.timeline import catalog_version

    on = on or today()
    parts = [name, catalog_version(session), on.isoformat()]
    parts += [f"{k}={v}" for k, v in sorted(params.items()) if v not in (None, "")]
    return remember(cache_key("catalog", *parts), compute)


def _counts(session: Session, on: date | None, column) -> dict:
    """Listable products on `on` counted by one column, cached like every list."""
    def compute():
        grouped = listable_products(on).with_only_columns(column, func.count(Product.id)).group_by(column)
        return {value: n for value, n in session.execute(grouped).all()}

    return _remember(session, on, "counts", compute, by=column.key)


def counts_by_province(session: Session, on: date | None = None) -> dict[int, int]:
    return _counts(session, on, Producer.province_code)


def counts_by_group(session: Session, on: date | None = None) -> dict[str, int]:
    return _counts(session, on, Product.group)


def counts_by_stars(session: Session, on: date | None = None) -> dict[int, int]:
    return _counts(session, on, CurrentCertificate.stars)
