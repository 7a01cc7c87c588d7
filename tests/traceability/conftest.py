from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest

from tests.factories import make_lot, make_producer, make_product, make_stamps, make_token, make_user


@pytest.fixture
def stamp(db_session):
    """One fresh stamp of a 4★ product certified today."""
    product = make_product(stars=4, name="Nước mắm Phú Quốc", name_en="Phu Quoc fish sauce")
    return make_stamps(make_lot(product, lot_number="L2026-11"), 1)[0]


@pytest.fixture
def seller(db_session):
    """(producer, token) of a producer user."""
    producer = make_producer()
    return producer, make_token(make_user("producer", producer=producer))


@pytest.fixture
def admin_token(db_session):
    return make_token(make_user("admin"))


def scan(client, code: str, *, ua: str = "Mozilla/5.0 (Linux; Android 10)", addr: str = "203.0.113.7",
         api: bool = False, lang: str | None = None):
    """One scan from one client (address + user agent)."""
    path = f"/api/v1/trace/{code}" if api else f"/t/{code}"
    if lang:
        path += f"?lang={lang}"
    return client.get(path, headers={"User-Agent": ua}, environ_base={"REMOTE_ADDR": addr})


@contextmanager
def driver_statements(dbapi_connection=None):
    """What the driver itself is sent (the scan bypasses SQLAlchemy's event hooks): a list of
    (statement, in autocommit). SQLite: pysqlite's trace callback on `dbapi_connection`.
    PostgreSQL: every psycopg cursor's `execute` in this process, noted while the block
    runs (SQLAlchemy's own statements included)."""
    seen: list[tuple[str, bool]] = []
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.set_trace_callback(
            lambda statement: seen.append((statement, not dbapi_connection.in_transaction)))
        try:
            yield seen
        finally:
            dbapi_connection.set_trace_callback(None)
        return
    import psycopg

    execute = psycopg.Cursor.execute

    def noting(cursor, query, params=None, **kwargs):
        seen.append((str(query), cursor.connection.autocommit))
        return execute(cursor, query, params, **kwargs)

    psycopg.Cursor.execute = noting
    try:
        yield seen
    finally:
        psycopg.Cursor.execute = execute
