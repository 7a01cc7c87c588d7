"""The gate's timeline kept current: `listing_segments` rows (catalog.models.ListingSegment)
are rewritten in the same flush — hence the same transaction — as every change of a
product, its producer or its certificates, and the catalogue's `version` changes with them.

A rolled-back change rolls its segments back with it; nothing runs at night. Bulk Core
UPDATEs of those tables bypass the ORM and must call `rebuild()` themselves.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from itertools import chain

from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, scoped_session

from catalog import version_watch
from catalog.gate import listing_segments
from catalog.models import CatalogState, Certificate, ListingSegment, Producer, Product, ProductPhoto


def rebuild(connection: Connection, product_ids: Iterable[int] | None = None) -> int:
    """Recompute the segments of these products (all when None); returns how many rows."""
    ids = None if product_ids is None else sorted(set(product_ids))
    if ids == []:
        return 0
    certificates = select(Certificate.id, Certificate.product_id, Certificate.issued_on,
                          Certificate.valid_until, Certificate.revoked_on, Certificate.stars)
    flags = select(Product.id, Product.published, Producer.active).join(
        Producer, Producer.id == Product.producer_id)
    wipe = delete(ListingSegment)
    if ids is not None:
        certificates = certificates.where(Certificate.product_id.in_(ids))
        flags = flags.where(Product.id.in_(ids))
        wipe = wipe.where(ListingSegment.product_id.in_(ids))
    by_product = defaultdict(list)
    for cert in connection.execute(certificates):
        by_product[cert.product_id].append(cert)
    rows = [
        {"product_id": product_id, "certificate_id": cert.id, "stars": cert.stars,
         "starts_on": start, "ends_on": end}
        for product_id, published, active in connection.execute(flags)
        for start, end, cert in listing_segments(published, active, by_product.get(product_id, ()))
    ]
    connection.execute(wipe)
    if rows:
        connection.execute(insert(ListingSegment), rows)
    return len(rows)


def bump_version(connection: Connection) -> None:
    """A new random version, not version + 1: a transaction that rolls back can never have
    lent its number to a cache entry that another, committed change then reuses."""
    connection.execute(update(CatalogState).where(CatalogState.id == 1)
                       .values(version=secrets.randbelow(2**31 - 1) + 1))
    version_watch.notify(connection)


_VERSION_SQL = "SELECT version FROM catalog_state WHERE id = 1"  # CatalogState, as plain SQL


def catalog_version(session: Session) -> int:
    """The catalogue's version: part of every cache key that depends on what is listed.

    Asked by every cached page, so it is cheap: in the session's transaction when it has
    one (a change made earlier in it counts), else one statement on a pooled connection of
    the engine the session would read from (primary or replica), with no session
    bookkeeping."""
    if isinstance(session, scoped_session):
        session = session()
    bind = session.get_bind()
    if isinstance(bind, Engine) and not session.in_transaction():
        return read_version(bind)
    return session.connection().exec_driver_sql(_VERSION_SQL).scalar() or 0


def read_version(engine: Engine) -> int:
    """The committed version, remembered by this worker until its watch says the database may
    have changed (catalog.version_watch); then read on a pooled Core connection: no ORM
    session, but the engine's events (query counts, injected faults) and error handling (a
    database that is gone is a 503, app/faults.py; a broken connection is invalidated) apply
    as to any statement."""
    return version_watch.remembered(engine, lambda: _read_committed(engine))


def _read_committed(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql(_VERSION_SQL).scalar() or 0


def _after_flush(session: Session, _flush_context) -> None:
    product_ids: set[int] = set()
    producer_ids: set[int] = set()
    changed = False
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Certificate):
            product_ids.add(obj.product_id)
        elif isinstance(obj, Product):
            if obj not in session.deleted:
                product_ids.add(obj.id)
        elif isinstance(obj, Producer):
            if obj not in session.deleted:
                producer_ids.add(obj.id)
        elif isinstance(obj, ProductPhoto):
            changed = True
        else:
            continue
        changed = True
    if not changed:
        return
    connection = session.connection()
    if producer_ids:
        product_ids.update(connection.scalars(
            select(Product.id).where(Product.producer_id.in_(producer_ids))))
    product_ids.discard(None)
    rebuild(connection, product_ids)
    bump_version(connection)


_installed = False


def install() -> None:
    """Listen on every SQLAlchemy session (the tests' sessions are plain ones)."""
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        _installed = True


install()
