"""Keep the Whoosh index fresh: a product, or a producer's products, changed in a
transaction are re-indexed right after it commits (never for a rolled-back one).

`after_flush` records only WHICH products changed; after the commit the writer takes the
index lock, then reads those products' current state from the database and writes it (a
deleted product leaves the index). A delayed writer therefore writes data at least as new
as any writer before it — never an older buffered version. Certificates are not
indexed (the gate is applied at query time), so they need nothing here. Indexing failures
are logged, never raised: the data is committed, and `flask search reindex` repairs.
"""

from __future__ import annotations

import logging
from itertools import chain

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from catalog.models import Producer, Product

log = logging.getLogger(__name__)
PENDING = "search_index_pending"


def _enabled() -> bool:
    return has_app_context() and current_app.config.get("SEARCH_BACKEND", "whoosh") == "whoosh"


def collect(session, _flush_context) -> None:
    """Remember which products this flush touched (a producer's change touches all of its
    products); only ids, so nothing read now can later be written over newer data."""
    if not _enabled():
        return
    ids = {obj.id for obj in chain(session.new, session.dirty, session.deleted)
           if isinstance(obj, Product)}
    producer_ids = {obj.id for obj in chain(session.new, session.dirty)
                    if isinstance(obj, Producer)}
    if producer_ids:
        ids.update(session.scalars(select(Product.id)
                                   .where(Product.producer_id.in_(producer_ids))))
    if ids:
        session.info.setdefault(PENDING, set()).update(ids)


def apply(session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending or not _enabled():
        return
    from catalog.search.whoosh_backend import apply_changes, current_documents

    # The committed session emits no more SQL: a new one on the primary (never a lagging
    # replica) reads each product's current state, once the index lock is held.
    bind = session.bind or db.engine

    def read(ids: set[int]) -> dict[int, dict | None]:
        with Session(bind=bind) as reader:
            return current_documents(reader, ids)

    try:
        apply_changes(current_app.config["SEARCH_INDEX_DIR"], pending, read)
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
