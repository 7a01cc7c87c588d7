"""Engine tuning per dialect, and the embedded SQLite default's write discipline.

SQLite has one writer at a time. A transaction that starts as a reader and later writes
cannot wait for the lock (SQLITE_BUSY at once, "database is locked"), so a transaction
that will write takes the lock when it begins (`BEGIN IMMEDIATE`) and waits for it up to
the busy timeout: concurrent writers queue instead of failing (in front of SQLite, in
`app.sqlite_writers`, so the next writer starts as soon as the last one commits). Requests
that write say so (`POST`/`PUT`/`PATCH`/`DELETE`, or a view marked `@writes`); reading
requests keep a plain `BEGIN` and run in parallel under WAL. A lock error that still escapes
is retried once by the application (`app.OcopFlask.dispatch_request`), then answered 503
with Retry-After.
"""

from __future__ import annotations

import select
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

from app.sqlite_writers import QueuedConnection, queue_for

BUSY_TIMEOUT_MS = 15_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# True while the current request (or command) will write: its transactions begin IMMEDIATE.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


def writes(view: Callable) -> Callable:
    """Mark a view that writes although its method is safe (the trace page records a scan)."""
    view.writes_database = True  # type: ignore[attr-defined]
    return view


def intend_to_write(value: bool = True):
    """Set the write intent of the current context; returns the token to reset it."""
    return write_intent.set(value)


@contextmanager
def short_transaction(session, engine: Engine, *,
                      one_statement: bool = False) -> Iterator[Connection]:
    """One short Core transaction on a pooled connection of the session's database, without
    the ORM session (no identity map, unit of work or session events): for a hot path that
    runs a few statements and commits (a scan). It begins like any transaction (BEGIN
    IMMEDIATE on SQLite when the request writes), commits on success, rolls back on error —
    a lock error then reaches the application's retry / 503 like any other. A session bound
    to a connection already in a transaction (the tests' rolled-back session) gets a
    savepoint on that connection instead. `session` is a scoped session; when this scope has
    none yet (a scan's request), none is made: `engine` is its database.

    `one_statement=True` says the block writes with a single statement on PostgreSQL (what
    it reads afterwards may see later commits): there it runs in autocommit, so the
    statement is its own transaction and no COMMIT round trip follows."""
    bind = session.get_bind() if session.registry.has() else engine
    if isinstance(bind, Engine):
        with engine_transaction(bind, one_statement=one_statement) as connection:
            yield connection
    else:
        with bind.begin_nested():
            yield bind


@contextmanager
def engine_transaction(engine: Engine, *, one_statement: bool = False) -> Iterator[Connection]:
    """`short_transaction` on a pooled connection of `engine` (no session involved)."""
    if one_statement and engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            yield connection.execution_options(isolation_level="AUTOCOMMIT")
    else:
        with engine.begin() as connection:
            yield connection


@contextmanager
def driver_cursor(connection: Connection) -> Iterator:
    """A cursor of the driver itself (pysqlite, psycopg) on `connection`, in its transaction:
    for a hot path whose few statements cost less in the database than in SQLAlchemy's
    statement and result machinery (the scan). The driver's errors are raised as SQLAlchemy
    raises them, so a lock error still reaches the retry and 503, a lost connection the 503;
    no event hook sees these statements."""
    cursor = connection.connection.dbapi_connection.cursor()
    dbapi_error = connection.dialect.loaded_dbapi.Error
    try:
        yield cursor
    except dbapi_error as err:
        raise DBAPIError.instance("(driver cursor)", None, err, dbapi_error) from err
    finally:
        cursor.close()


def is_lock_error(err: BaseException) -> bool:
    """SQLite's 'database is locked' / 'database table is locked' / busy, as SQLAlchemy raises it."""
    if not isinstance(err, OperationalError):
        return False
    text = str(getattr(err, "orig", err)).lower()
    return "locked" in text or "busy" in text


def _database_file(engine: Engine) -> str | None:
    """The file of a SQLite engine, or None for an in-memory database."""
    database = engine.url.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        return None
    return database.removeprefix("file:").split("?", 1)[0]


def configure_engine_events(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        _drop_connections_the_server_closed(engine)
    if engine.dialect.name != "sqlite":
        return
    path = _database_file(engine)
    writer_queue = queue_for(path) if path is not None else None

    if writer_queue is not None:
        @event.listens_for(engine, "do_connect")
        def queued_connection_class(_dialect, _record, _cargs, cparams):
            cparams.setdefault("factory", QueuedConnection)

    @event.listens_for(engine, "connect")
    def sqlite_connect(dbapi_connection, _record):
        if isinstance(dbapi_connection, QueuedConnection):
            dbapi_connection.writer_queue = writer_queue
        # Let SQLAlchemy, not pysqlite, emit BEGIN: needed for SAVEPOINTs (tests) and
        # for honest transactions (SQLAlchemy docs, "Serializable isolation / Savepoints").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def sqlite_begin(conn):
        # Sent to pysqlite directly: SQLAlchemy's statement machinery cost more than BEGIN.
        dbapi_connection = conn.connection.dbapi_connection
        if not write_intent.get():
            _begin(dbapi_connection, "BEGIN")
            return
        if isinstance(dbapi_connection, QueuedConnection):
            dbapi_connection.take_queue(BUSY_TIMEOUT_MS / 1000)  # app.sqlite_writers
        try:
            _begin(dbapi_connection, "BEGIN IMMEDIATE")
        except BaseException:
            if isinstance(dbapi_connection, QueuedConnection):
                dbapi_connection.give_back_queue()
            raise


def _begin(dbapi_connection, statement: str) -> None:
    try:
        dbapi_connection.execute(statement)
    except sqlite3.Error as err:  # raised as SQLAlchemy would (a lock error → retry, 503)
        raise DBAPIError.instance(statement, None, err, sqlite3.Error) from err


def _drop_connections_the_server_closed(engine: Engine) -> None:
    """Replace a pooled PostgreSQL connection the server has closed, without a round trip.

    An idle connection in the pool has nothing to read, unless the server wrote to it since:
    the FATAL message and end of a terminated session, a restart's or a fail-over's goodbye.
    So checking out polls its socket (a few µs) instead of `pool_pre_ping`'s `SELECT 1` (a
    round trip before every request's first statement); a readable or closed connection is
    refused with DisconnectionError and SQLAlchemy takes another one (its documented
    pessimistic-disconnect hook). A connection lost without a word (a cable cut) fails on
    its first statement instead: SQLAlchemy invalidates the pool and the request is a 503
    (app.faults). `pool_pre_ping` in SQLALCHEMY_ENGINE_OPTIONS still adds the round trip
    for those who want it."""

    @event.listens_for(engine, "checkout")
    def closed_by_server(dbapi_connection, _record, _proxy):
        if dbapi_connection.closed or _has_something_to_read(dbapi_connection.fileno()):
            raise DisconnectionError("the server closed this pooled connection")


def _has_something_to_read(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def one_of(column: str, values: tuple[str, ...]) -> str:
    """The SQL of a CHECK that `column` holds one of `values` (the same text on every dialect)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"
