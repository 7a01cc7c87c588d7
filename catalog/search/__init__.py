"""Product search behind one small interface.

    search_products(session, q, on=, stars=, group=, province=, page=, per_page=, order=) → Page
    index_products(session, product_ids)     re-index some products now (Whoosh)
    reindex(session, progress=None) → int    rebuild the whole index (Whoosh)
    highlight(text, q, snippet=None) → Markup

`SEARCH_BACKEND` picks the engine: `whoosh` (default, an embedded index at
`SEARCH_INDEX_DIR`, kept fresh after each commit by `catalog.search.hooks`) or `postgres`
(full text over the live tables with unaccent/pg_trgm/fuzzystrmatch; nothing to maintain).

Either way the engine only says which products match and how well. The certificate gate is
applied at query time (`catalog.listing.filtered` → `catalog.gate.listable_products`), so a
certificate that ends tonight disappears tomorrow without a reindex, and the total counts
only listable matches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from catalog import listing
from catalog.models import Product
from catalog.search import hooks, whoosh_backend
from catalog.search.analysis import highlight, name_key, query_words

__all__ = ["backend_name", "highlight", "index_products", "query_words", "reindex",
           "search_products"]

BACKENDS = ("whoosh", "postgres")


def backend_name() -> str:
    name = current_app.config.get("SEARCH_BACKEND", "whoosh")
    if name not in BACKENDS:
        raise RuntimeError(f"SEARCH_BACKEND must be one of {BACKENDS}, not {name!r}")
    return name


def index_dir() -> str:
    return current_app.config["SEARCH_INDEX_DIR"]


def search_products(
    session: Session,
    q: str,
    *,
    on: date | None = None,
    stars: int | None = None,
    group: str | None = None,
    province: int | None = None,
    producer_id: int | None = None,
    exclude_id: int | None = None,
    page: int = 1,
    per_page: int = 24,
    order: str = "relevance",
) -> listing.Page:
    """Listable products matching `q` (with or without diacritics), filtered, one page.

    `order`: `relevance` (best match first) or any of `catalog.listing.ORDERS`."""
    page, per_page = listing.clamp(page, per_page)
    query = listing.filtered(on, stars=stars, group=group, province=province,
                             producer_id=producer_id, exclude_id=exclude_id)
    if not query_words(q):
        return listing.paginate(session, query, listing.ordering(order), page, per_page)

    if backend_name() == "postgres":
        from catalog.search import postgres_backend

        matching, score = postgres_backend.restrict(query, q)
        order_by = ((score.desc(), Product.created_at.desc(), Product.id.desc())
                    if order == "relevance" else listing.ordering(order))
        return listing.paginate(session, matching, order_by, page, per_page)

    hits = whoosh_backend.candidates(session, index_dir(), q)
    if not hits:
        return listing.Page(items=[], total=0, page=page, per_page=per_page)
    # The gate, today: which candidates may be shown. A candidate whose indexed name is not
    # its name in the database any more is a stale entry (e.g. a row id reused after a
    # delete) and is dropped; the hooks rewrite it at the product's next commit.
    keys = dict(hits)
    rows = session.execute(query.where(Product.id.in_(keys)).with_only_columns(
        Product.id, Product.name)).all()
    fresh = {product_id for product_id, name in rows if keys[product_id] == name_key(name)}
    if order != "relevance":
        matching = query.where(Product.id.in_(fresh))
        return listing.paginate(session, matching, listing.ordering(order), page, per_page)
    # Relevance: keep the index's order, counting and slicing only what the gate lets through.
    listable = [product_id for product_id, _ in hits if product_id in fresh]
    page_ids = listable[(page - 1) * per_page : page * per_page]
    loaded = {}
    if page_ids:
        loaded = {p.id: (p, c) for p, c in
                  session.execute(listing.with_cards(query.where(Product.id.in_(page_ids)))).all()}
    return listing.Page(items=[loaded[i] for i in page_ids if i in loaded], total=len(listable),
                        page=page, per_page=per_page)


def index_products(session: Session, product_ids: Iterable[int]) -> None:
    """Re-index these products now (deleted ones leave the index). Whoosh only."""
    if backend_name() != "whoosh":
        return
    ids = set(product_ids)
    products = session.scalars(
        select(Product).options(joinedload(Product.producer)).where(Product.id.in_(ids))
    ).all()
    changes: dict[int, dict | None] = dict.fromkeys(ids)
    changes.update({p.id: whoosh_backend.document(p) for p in products})
    whoosh_backend.apply_changes(index_dir(), changes)


def reindex(session: Session, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the Whoosh index from the database; returns the number of products indexed.
    With the PostgreSQL backend there is nothing to rebuild (returns 0)."""
    if backend_name() != "whoosh":
        return 0
    return whoosh_backend.rebuild(session, index_dir(), progress=progress)


hooks.install()
