"""Storefront reads from a read replica (DATABASE_REPLICA_URL), everything else from the
primary (DATABASE_URL).

Only the read-only public pages and API listed in `REPLICA_ENDPOINTS`, on GET/HEAD, read
from the replica: browsing, search, product and producer pages, sales points and fairs.
Anything that writes or must see its own write at once — checkout, the order page after
placing it, the trace page (it records the scan), the back-office, logins, webhooks —
uses the primary. A session that has something to write goes to the primary as well.
A replica that lags a second behind shows a price or a stock figure a second old; the
order is decided on the primary, under its row locks, so nothing is sold that is not there.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_sqlalchemy.session import Session
from sqlalchemy.engine import Engine

REPLICA = "replica"
REPLICA_ENDPOINTS = frozenset({
    "storefront.home", "storefront.products", "storefront.product", "storefront.producer",
    "showrooms.sales_points", "showrooms.sales_point", "showrooms.fairs", "showrooms.fair",
    "catalog_api.list_products", "catalog_api.get_product",
})


def binds(replica_url: str | None) -> dict:
    """SQLALCHEMY_BINDS for a configured replica (none without one)."""
    return {REPLICA: replica_url} if replica_url else {}


def _request_reads_from_replica() -> bool:
    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return False
    return request.endpoint in current_app.config.get("REPLICA_ENDPOINTS", REPLICA_ENDPOINTS)


def _reads_from_replica(session: Session) -> bool:
    return _request_reads_from_replica() and not (session.new or session.dirty or session.deleted)


def read_engine(db) -> Engine:
    """The engine a new session of `db` would read from in this request (replica or primary):
    for a read that needs no session, e.g. the catalogue's version on a cached page."""
    if REPLICA in db.engines and _request_reads_from_replica():
        return db.engines[REPLICA]
    return db.engine


class RoutingSession(Session):
    """Flask-SQLAlchemy's session, sending the reads of the storefront to the replica."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and REPLICA in self._db.engines and _reads_from_replica(self):
            return self._db.engines[REPLICA]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
