"""Test harness (Warehouse style): migrations run once per session; each test gets a
connection-level transaction and a session joined with `create_savepoint`, rolled back at
the end. Database tests run on SQLite by default, on PostgreSQL with TEST_DATABASE_URL.
Concurrency tests (marked `postgres`) commit for real through `committing_app`."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
import time_machine
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import event, text
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app, import_models
from app.clock import LOCAL_TZ
from app.extensions import db
from app.meta import forget_health

# Before any test module is imported: one that configures the mappers at import time (a query
# built at module level) must find every model, however few packages it imports itself.
import_models()

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
ON_POSTGRES = bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"))


def reset_postgres_schema(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def test_config(workdir: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{workdir / 'test.sqlite3'}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://ocop.test",
        "SERVER_NAME": None,
        "MAIL_OUTBOX_DIR": str(workdir / "outbox"),
        "SEARCH_INDEX_DIR": str(workdir / "search-index"),
        "PHOTO_DIR": str(workdir / "photos"),
        "LOG_LEVEL": "WARNING",
        # Tests place many cash orders from one customer without confirming them; the
        # limits themselves are tested with their defaults (tests/storefront/test_cash_orders.py).
        "COD_MAX_OPEN_PER_PHONE": 1000,
        "COD_MAX_OPEN_PER_ADDRESS": 1000,
    }


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="ocop-tests-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def reset_test_cache() -> None:
    """A fresh database starts with the catalogue version of every fresh database, so entries
    a previous run left in the test Redis would look current: empty it, as the schema is."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return
    import redis

    with suppress(redis.RedisError):  # Redis down: the app degrades to memory (tests/faults)
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()


@pytest.fixture(scope="session")
def app(workdir):
    if ON_POSTGRES:
        reset_postgres_schema(TEST_DATABASE_URL)
    reset_test_cache()
    application = create_app(test_config(workdir))
    with application.app_context():
        upgrade()
        db.engine.dispose()
    yield application
    with application.app_context():
        db.engine.dispose()


@contextmanager
def rolled_back_session(app):
    """`db.session` swapped for one whose work is rolled back at the end, even if the code
    commits (its commits only release savepoints)."""
    forget_health(app)  # a health check another test's database answered is not this one's
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        # A plain SQLAlchemy session bound to our connection: Flask-SQLAlchemy's own Session
        # picks the engine per table and would silently step outside the test transaction.
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def db_session(app):
    """A session whose work is rolled back after the test, even if the code commits."""
    with rolled_back_session(app) as session:
        yield session


class ArrangedClient(FlaskClient):
    """Commits what the test arranged before each request (to the test's savepoint-backed
    transaction, still rolled back at the end), as if it were already in the database: a
    request that rolls back or closes its session must not erase the test's setup."""

    def open(self, *args, **kwargs):
        db.session.commit()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db_session):
    app.test_client_class = ArrangedClient
    return app.test_client()


@pytest.fixture
def outbox(app, workdir) -> Path:
    path = Path(app.config["MAIL_OUTBOX_DIR"])
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def freeze():
    """`freeze(date(2026, 11, 23))` or `freeze(datetime(..., tzinfo=UTC))`: stop the clock.

    A bare date freezes at local noon in Vietnam."""
    travellers = []

    def _freeze(moment):
        if isinstance(moment, date) and not isinstance(moment, datetime):
            moment = datetime.combine(moment, time(12, 0), tzinfo=LOCAL_TZ)
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)
        return moment

    yield _freeze
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counter: …; counter.count` — pins N+1 regressions."""
    @contextmanager
    def _count():
        class Counter:
            count = 0
            statements: list[str] = []

        counter = Counter()
        counter.statements = []

        def before(conn, cursor, statement, *args):
            if statement.strip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                return
            counter.count += 1
            counter.statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return _count


def pytest_collection_modifyitems(config, items):
    chromium = shutil.which("chromium")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="needs TEST_DATABASE_URL on PostgreSQL"))
        if "browser" in item.keywords and not chromium:
            item.add_marker(pytest.mark.skip(reason="Debian's chromium is not installed"))


UTC_ = UTC  # re-exported for tests that build aware datetimes


# --- Real commits on PostgreSQL (concurrency tests) ----------------------------------------

def app_on_its_own_sqlite_file(workdir: Path, filename: str, **overrides):
    """An app whose requests commit for real, on its own migrated SQLite file, as in
    production (the caller disposes of its engine)."""
    application = create_app({**test_config(workdir),
                              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / filename}",
                              **overrides})
    with application.app_context():
        upgrade()
    return application


@contextmanager
def requests_flask_handled(application) -> Iterator[list]:
    """How many requests Flask itself handled (one answered before Flask never reaches it)."""
    from flask import request_started

    seen: list = []

    def count(sender, **_extra):
        seen.append(1)

    request_started.connect(count, application)
    try:
        yield seen
    finally:
        request_started.disconnect(count, application)


@pytest.fixture(scope="session")
def committing_app(workdir):
    """An app on a scratch PostgreSQL database next to TEST_DATABASE_URL's (`<name>_committing`),
    migrated to head, whose requests commit for real — for concurrency tests, which run many
    clients at once. Dropped at the end of the session; `committed` empties it after each test."""
    if not ON_POSTGRES:
        pytest.skip("needs TEST_DATABASE_URL on PostgreSQL")
    from sqlalchemy import create_engine

    base, _, name = TEST_DATABASE_URL.partition("?")[0].rpartition("/")
    scratch = f"{name}_committing"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    application = create_app({
        **test_config(workdir),
        "SQLALCHEMY_DATABASE_URI": f"{base}/{scratch}",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 60, "max_overflow": 20},
        "MAIL_OUTBOX_DIR": str(workdir / "outbox-committing"),
    })
    with application.app_context():
        upgrade()
        db.engine.dispose()
    try:
        yield application
    finally:
        with application.app_context():
            db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def committed(committing_app):
    """Use the committing app; every table is emptied afterwards (the clean-up), except the
    catalogue's version row, which gets a new version instead: a version that went back to
    an earlier value (0 forever, as truncating it did) would make caches keyed by it serve
    an earlier test's entries."""
    yield committing_app
    empty_committed_database(committing_app)


def empty_committed_database(application) -> None:
    """Empty every table but Alembic's; the catalogue's version row stays and gets a new
    version, never one a cache entry of an earlier test may be keyed by."""
    from sqlalchemy import inspect

    from catalog.timeline import bump_version

    kept = {"alembic_version", "catalog_state"}
    with application.app_context():
        with db.engine.begin() as conn:
            tables = [t for t in inspect(conn).get_table_names() if t not in kept]
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                              + " RESTART IDENTITY CASCADE"))
            conn.execute(text("INSERT INTO catalog_state (id, version) SELECT 1, 0"
                              " WHERE NOT EXISTS (SELECT 1 FROM catalog_state WHERE id = 1)"))
            bump_version(conn)
        db.session.remove()


@pytest.fixture(autouse=True)
def fresh_memory_caches(request):
    """Each test starts with empty in-process caches (the shared cache's memory backend of
    the apps it uses, their fast lane's replays, the listable rows, the lot records): a
    rolled-back test leaves the catalogue version where it was, so an entry keyed by it
    would outlive the test's data."""
    from cachelib import SimpleCache

    from catalog import version_watch
    from catalog.search import listable
    from traceability.trace import lot_records

    listable.forget()
    version_watch.forget()
    lot_records.clear()

    for name in ("app", "committing_app"):
        if name in request.fixturenames:
            application = request.getfixturevalue(name)
            for backend in application.extensions.get("cache", {}).values():
                if isinstance(backend, SimpleCache):
                    backend.clear()
            for lane in ("fastlane", "scanlane"):  # a bare Flask app has neither
                if lane in application.extensions:
                    application.extensions[lane].clear()  # keyed like the pages they answer
