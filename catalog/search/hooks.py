"""Keep the Whoosh index fresh: a product, or a producer's products, changed in a
transaction are re-indexed right after it commits (never for a rolled-back one).

`after_flush` builds the documents while the session can still read the database (the
objects and their producer are at hand); `after_commit` writes them. Certificates are not
indexed (the gate is applied at query time), so they need nothing here. Indexing failures
are logged, never raised: the data is committed, and `flask search reindex` repairs.
"""

from __future__ import annotations

import logging
from itertools import chain

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from catalog.models import Producer, Product

log = logging.getLogger(__name__)
PENDING = "search_index_pending"


def _enabled() -> bool:
    return has_app_context() and current_app.config.get("SEARCH_BACKEND", "whoosh") == "whoosh"


def collect(session, _flush_context) -> None:
    if not _enabled():
        return
    products: dict[int, Product] = {}
    producer_ids: set[int] = set()
    deleted: set[int] = set()
    for obj in chain(session.new, session.dirty):
        if isinstance(obj, Product):
            products[obj.id] = obj
        elif isinstance(obj, Producer):
            producer_ids.add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, Product):
            deleted.add(obj.id)
    if not (products or producer_ids or deleted):
        return
    if producer_ids:
        for product in session.scalars(select(Product).where(Product.producer_id.in_(producer_ids))):
            products.setdefault(product.id, product)
    from catalog.search.whoosh_backend import document

    pending = session.info.setdefault(PENDING, {})
    for product_id, product in products.items():
        if product_id not in deleted:
            pending[product_id] = document(product)
    pending.update(dict.fromkeys(deleted))


def apply(session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending or not _enabled():
        return
    from catalog.search.whoosh_backend import apply_changes

    try:
        apply_changes(current_app.config["SEARCH_INDEX_DIR"], pending)
    except Exception:  # the commit stands; a reindex repairs the index
        log.exception("search index: could not apply %d change(s)", len(pending))


def discard(session) -> None:
    session.info.pop(PENDING, None)


_installed = False


def install() -> None:
    """Listen on every SQLAlchemy session (the tests' sessions are not Flask-SQLAlchemy's
    class); `_enabled()` ignores those outside an app using Whoosh."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", collect)
    event.listen(Session, "after_commit", apply)
    event.listen(Session, "after_rollback", discard)
    _installed = True
