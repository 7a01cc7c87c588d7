"""The database goes away in the middle of a request: 503 with Retry-After (JSON for the
API, a page for browsers), never a 500; the next request works without a restart.

On SQLite the fault is an OperationalError raised by the driver; on PostgreSQL the
request's own server process is terminated (`pg_terminate_backend`) while it runs, and
then every connection of the app is killed between two requests."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from app.extensions import db
from tests.factories import make_product


class _Gone(Exception):
    pass


def _fail_next_products_query(engine):
    """The next statement reading `products` fails as a dropped connection does."""
    state = {"armed": True}

    def before(conn, cursor, statement, parameters, context, executemany):
        if state["armed"] and "FROM products" in statement:
            state["armed"] = False
            raise OperationalError(statement, parameters, _Gone("server closed the connection"))

    event.listen(engine, "before_cursor_execute", before)
    return lambda: event.remove(engine, "before_cursor_execute", before)


def test_api_answers_503_json_with_retry_after_then_recovers(client, db_session, caplog):
    make_product(name="Trà sen Tây Hồ")
    # committed (and re-indexed, which reads the product) before the fault is armed
    db_session.commit()
    remove = _fail_next_products_query(db.engine)
    try:
        with caplog.at_level(logging.ERROR, logger="app.faults"):
            answer = client.get("/api/v1/products")
    finally:
        remove()
    assert answer.status_code == 503
    assert answer.json["error"]["code"] == "service_unavailable"
    assert answer.headers["Retry-After"] == "5"
    assert "database unavailable" in caplog.text
    again = client.get("/api/v1/products")
    assert again.status_code == 200 and again.json["total"] == 1


def test_a_page_answers_a_503_page_then_recovers(client, db_session):
    make_product(name="Trà sen Tây Hồ", stars=5)
    # committed (and re-indexed, which reads the product) before the fault is armed
    db_session.commit()
    remove = _fail_next_products_query(db.engine)
    try:
        answer = client.get("/products")
    finally:
        remove()
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert "text/html" in answer.content_type
    assert "thử lại" in answer.get_data(as_text=True)
    assert client.get("/products").status_code == 200


def test_healthz_says_503_while_the_database_is_gone(client, db_session):
    def before(conn, cursor, statement, *args):
        raise OperationalError(statement, None, _Gone("could not connect to server"))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        answer = client.get("/healthz")
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert answer.status_code == 503 and answer.json["database"] == "unreachable"
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}


# --- PostgreSQL: the server really drops the request's connection -----------------------

def _terminate(admin_url: str, pid: int) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@pytest.mark.postgres
def test_postgres_connection_killed_mid_request_is_a_503_then_the_app_recovers(committed):
    from tests.conftest import TEST_DATABASE_URL

    app = committed
    with app.app_context():
        engine = db.engine  # requests below run in their own app contexts, as in production
    url = TEST_DATABASE_URL
    killed = {}

    def before(conn, cursor, statement, parameters, context, executemany):
        if not killed and statement.lstrip().upper().startswith("SELECT"):  # lists may be cached
            killed["pid"] = conn.connection.dbapi_connection.info.backend_pid
            _terminate(url, killed["pid"])  # the server ends this very session

    event.listen(engine, "before_cursor_execute", before)
    try:
        client = app.test_client()
        answer = client.get("/api/v1/products")
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert killed, "the fault was never injected"
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert answer.json["error"]["code"] == "service_unavailable"
    assert client.get("/api/v1/products").status_code == 200
    assert client.get("/healthz").json["database"] == "ok"

    # Every connection of the pool killed between two requests (a database restart):
    # the pool sees their sockets closed and replaces them (no pool_pre_ping round trip):
    # the first request already succeeds.
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        ended = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()"),
            {"name": engine.url.database}).scalar()
    admin.dispose()
    assert ended >= 1
    assert client.get("/api/v1/products").status_code == 200
    assert client.get("/products").status_code == 200
