"""Product search behind one small interface.

    search_products(session, q, on=, stars=, group=, province=, page=, per_page=, order=) → Page
    search_page_ids(session, q, …the same…) → (ids, total)   the page without its cards
    index_products(session, product_ids)     re-index some products now (Whoosh)
    reindex(session, progress=None) → int    rebuild the whole index (Whoosh)
    highlight(text, q, snippet=None) → Markup

`SEARCH_BACKEND` picks the engine: `whoosh` (default, an embedded index at
`SEARCH_INDEX_DIR`, kept fresh after each commit by `catalog.search.hooks`) or `postgres`
(the stored, GIN-indexed `products.search_vector` with unaccent; nothing to maintain).

Either way the engine only says which products match and how well. The certificate gate is
applied at query time: the matches are kept, filtered, counted and ordered through the
day's listable table (`catalog.search.listable`, the rows of `catalog.gate.listable_products`
per catalogue version and date), and only the page's best are ranked to the end (a bounded
heap); the page's rows are then loaded through the gated query (`catalog.queries.filtered`).
So a certificate that ends tonight disappears tomorrow without a reindex, and the total
counts only listable matches.

An index that cannot be read (missing files, corrupt segments) never stops the shop: the
error is logged and the same gated query is searched in the database instead
(`database_search`); `flask search reindex` rebuilds the index, even over a corrupt one.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable, Iterable
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.clock import today
from catalog import queries
from catalog.gate import CurrentCertificate
from catalog.models import Producer, Product
from catalog.search import hooks, listable, whoosh_backend
from catalog.search.analysis import highlight, name_key, query_words
from catalog.text import fold

__all__ = ["backend_name", "highlight", "index_products", "query_words", "reindex",
           "search_page_ids", "search_products"]

BACKENDS = ("whoosh", "postgres")
log = logging.getLogger(__name__)


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
) -> queries.Page:
    """Listable products matching `q` (with or without diacritics), filtered, one page.

    `order`: `relevance` (best match first) or any of `catalog.queries.ORDERS`."""
    filters = dict(stars=stars, group=group, province=province, producer_id=producer_id,
                   exclude_id=exclude_id)
    found = _search(session, q, on=on, page=page, per_page=per_page, order=order, **filters)
    if isinstance(found, queries.Page):
        return found
    page_ids, matched, total, query, page, per_page = found
    loaded = {}
    if page_ids:
        # Only the page's rows, through the gated query.
        rows = session.execute(queries.with_cards(query.where(Product.id.in_(page_ids)))).all()
        loaded = {p.id: (p, c) for p, c in rows if matched is None or _fresh(matched, p.id, p.name)}
    return queries.Page(items=[loaded[i] for i in page_ids if i in loaded], total=total,
                        page=page, per_page=per_page)


def search_page_ids(session: Session, q: str, **options) -> tuple[list[int], int]:
    """`search_products`' page as (product ids, total), without loading the product cards:
    what `catalog.listing.browse` caches (it loads the cards itself, through the gate)."""
    found = _search(session, q, **options)
    if isinstance(found, queries.Page):
        return [p.id for p, _c in found.items], found.total
    page_ids, matched, total, _query, _page, _per_page = found
    if page_ids and matched is not None:
        names = session.execute(select(Product.id, Product.name)
                                .where(Product.id.in_(page_ids))).all()
        kept = {i for i, name in names if _fresh(matched, i, name)}
        page_ids = [i for i in page_ids if i in kept]
    return page_ids, total


def _fresh(matched: dict[int, int], product_id: int, name: str) -> bool:
    """A candidate whose indexed name is not its name in the database any more is a stale
    entry (a row id reused after a delete, a write behind the ORM's back): dropped."""
    return matched.get(product_id) == whoosh_backend.name_hash(name_key(name))


def _search(session: Session, q: str, *, on: date | None = None, stars: int | None = None,
            group: str | None = None, province: int | None = None,
            producer_id: int | None = None, exclude_id: int | None = None, page: int = 1,
            per_page: int = 24, order: str = "relevance"):
    """A finished Page (no words, the fallback), or `(page ids, {id: indexed name hash} for
    Whoosh or None for PostgreSQL, total, gated query, page, per_page)`."""
    page, per_page = queries.clamp(page, per_page)
    query = queries.filtered(on, stars=stars, group=group, province=province,
                             producer_id=producer_id, exclude_id=exclude_id)
    if not query_words(q):
        return queries.paginate(session, query, queries.ordering(order), page, per_page)

    on = on or today()
    filters = dict(stars=stars, group=group, province=province, producer_id=producer_id,
                   exclude_id=exclude_id)
    if backend_name() == "postgres":
        page_ids, total = _postgres_page(session, q, on, filters, order, page, per_page)
        return page_ids, None, total, query, page, per_page
    try:
        with whoosh_backend.searching(session, index_dir()) as searcher:
            docnums, fuzzy = whoosh_backend.matches(searcher, q)
            if not docnums:
                return queries.Page(items=[], total=0, page=page, per_page=per_page)
            # The gate, today, over every candidate: the day's listable table, cached per
            # catalogue version (catalog.search.listable), filtered here in memory.
            ids = whoosh_backend.product_ids(searcher)
            by_id = {ids[d]: d for d in docnums}
            fresh = {row.id: row for row in listable.table(session, on).select(by_id, **filters)}
            needed = page * per_page
            if order == "relevance":
                # Only the listable matches are scored, and only the page's worth is kept.
                ranked = whoosh_backend.ranking(searcher, q, fuzzy=fuzzy, limit=needed,
                                                within={by_id[i] for i in fresh})
            else:
                ranked = heapq.nsmallest(needed, fresh, key=lambda i: _sort_key(fresh[i], order))
            page_ids = ranked[(page - 1) * per_page : needed]
            matched = {i: whoosh_backend.indexed_name_hash(searcher, by_id[i]) for i in page_ids}
    except SQLAlchemyError:
        raise  # the database itself failed: that is a 503, not a search problem
    except Exception:  # a missing, corrupt or unreadable index: keep selling
        log.exception("search index in %s is unusable: searching the database instead "
                      "(`flask search reindex` repairs the index)", index_dir())
        whoosh_backend.forget(index_dir())  # the next search opens the index afresh
        return database_search(session, query, q, order=order, page=page, per_page=per_page)
    return page_ids, matched, len(fresh), query, page, per_page


def _postgres_page(session: Session, q: str, on: date, filters: dict, order: str, page: int,
                   per_page: int) -> tuple[list[int], int]:
    """The PostgreSQL backend: (page ids, total). PostgreSQL says which products match and
    how well (one GIN lookup, `postgres_backend.scores`); the gate, the filters, the count
    and the page come from the day's listable table, as for Whoosh."""
    from catalog.search import postgres_backend

    table = listable.table(session, on)
    fresh: dict[int, listable.Row] = {}
    scores: dict[int, float] = {}
    for fuzzy in (False, True):  # typo tolerance only when nothing matches as typed
        scores = postgres_backend.scores(session, q, fuzzy=fuzzy)
        fresh = {row.id: row for row in table.select(scores, **filters)}
        if fresh or not any(word.fuzzy for word in query_words(q)):
            break
    if order == "relevance":
        def key(i):
            return (-scores[i], *_sort_key(fresh[i], "newest"))
    else:
        def key(i):
            return _sort_key(fresh[i], order)
    ranked = heapq.nsmallest(page * per_page, fresh, key=key)
    return ranked[(page - 1) * per_page :], len(fresh)


def _postgres_search(session: Session, query, q: str, order: str, page: int,
                     per_page: int) -> queries.Page:
    from catalog.search import postgres_backend

    found = None
    for fuzzy in (False, True):  # typo tolerance only when nothing matches as typed
        matching, score = postgres_backend.restrict(session, query, q, fuzzy=fuzzy)
        order_by = ((score.desc(), Product.created_at.desc(), Product.id.desc())
                    if order == "relevance" else queries.ordering(order))
        found = queries.paginate(session, matching, order_by, page, per_page)
        if found.total or not any(word.fuzzy for word in query_words(q)):
            break
    return found


def database_search(session: Session, query, q: str, *, order: str = "relevance", page: int = 1,
                    per_page: int = 24) -> queries.Page:
    """The fallback when the Whoosh index cannot be used: on PostgreSQL the `postgres`
    backend; elsewhere every word (folded) must appear in the name, English name,
    description or producer name — slower and without typo tolerance, but the shop sells."""
    if session.get_bind().dialect.name == "postgresql":
        return _postgres_search(session, query, q, order, page, per_page)
    words = [w.folded for w in query_words(q)]
    columns = (Product.id, Product.name, Product.name_en, Product.description,
               Producer.name.label("producer_name"), Product.created_at,
               Product.price_vnd, CurrentCertificate.stars)
    rows = {}
    for row in session.execute(query.with_only_columns(*columns)):
        name = fold(row[1] or "")
        text = " ".join((name, fold(row[2] or ""), fold(row[3] or ""), fold(row[4] or "")))
        if all(word in text for word in words):
            rows[row.id] = (all(word in name for word in words), row)
    if order == "relevance":
        ranked = sorted(rows, key=lambda i: (not rows[i][0], _sort_key(rows[i][1], "newest")))
    else:
        ranked = sorted(rows, key=lambda i: _sort_key(rows[i][1], order))
    page_ids = ranked[(page - 1) * per_page : page * per_page]
    loaded = {}
    if page_ids:
        loaded = {p.id: (p, c) for p, c in
                  session.execute(queries.with_cards(query.where(Product.id.in_(page_ids)))).all()}
    return queries.Page(items=[loaded[i] for i in page_ids if i in loaded], total=len(rows),
                        page=page, per_page=per_page)


def _sort_key(row, order: str) -> tuple:
    """The orders of `catalog.queries.ordering`, in Python, for candidates already gated."""
    if isinstance(row, listable.Row):
        created = -row.created
    else:  # a Core row of `database_search`
        created = -row.created_at.timestamp() if row.created_at else 0
    if order == "price_asc":
        return (row.price_vnd or 0, row.id)
    if order == "price_desc":
        return (-(row.price_vnd or 0), row.id)
    if order == "stars":
        return (-row.stars, created, -row.id)
    if order == "name":
        return (row.name, row.id)
    return (created, -row.id)  # newest


def index_products(session: Session, product_ids: Iterable[int]) -> None:
    """Re-index these products now (deleted ones leave the index). Whoosh only."""
    if backend_name() != "whoosh":
        return
    whoosh_backend.apply_changes(
        index_dir(), product_ids, lambda ids: whoosh_backend.current_documents(session, ids))


def reindex(session: Session, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the Whoosh index from the database; returns the number of products indexed.
    With the PostgreSQL backend there is nothing to rebuild (returns 0)."""
    if backend_name() != "whoosh":
        return 0
    return whoosh_backend.rebuild(session, index_dir(), progress=progress)


hooks.install()
