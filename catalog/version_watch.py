"""The catalogue's version remembered per worker, and read again only when it may have changed.

Every page served from the cache names the catalogue's version in its key
(catalog.timeline). Reading it costs one statement per hit: about 130 µs of CPU on SQLite,
and on PostgreSQL three round trips (the pool's liveness ping, the query, the rollback) —
more than the rest of a cached page. A watch answers "may it have changed since I last
read it?" for a few microseconds, and the version is read again only when the answer is yes:

- **SQLite**: `PRAGMA data_version` on a read-only connection of the same file, one per
  thread (SQLite's own counter of commits made by other connections; a pragma that starts a
  read transaction, so it sees every commit that returned before it). Exact: a change
  committed by any process before the check is seen by it. Any commit counts, not only the
  version's (a scan, an order), so under writes the version is simply read more often.
- **PostgreSQL**: `bump_version` sends `NOTIFY ocop_catalog_version` in its own transaction
  (delivered at commit, never for a rollback); each worker keeps one `LISTEN` connection and
  drains it without blocking. A notification reaches the other workers some tens of
  microseconds after the commit returns (measured: 34 µs on one host), so a page requested
  in that window may still be served under the old version. As a safety net for a listener
  that stops hearing without failing (a half-open TCP connection), the version is also
  read again when it is older than `MAX_AGE` seconds. A listener that cannot connect (a
  hot-standby replica refuses LISTEN) or breaks means reading every time until it is back.

A watch belongs to one process: after a fork (gunicorn workers) it starts afresh.
Anything else — an in-memory database, another dialect — is read every time.
"""

from __future__ import annotations

import atexit
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from urllib.parse import quote

from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

CHANNEL = "ocop_catalog_version"
MAX_AGE = 1.0  # seconds a PostgreSQL worker trusts its version without hearing anything
RETRY_LISTEN_AFTER = 5.0  # seconds before a failed listener is tried again


class _SqliteWatch:
    """Per thread: a sqlite3 connection may be used by the thread that made it only."""

    def __init__(self, path: str) -> None:
        self.uri = f"file:{quote(path)}?mode=ro"
        self.local = threading.local()

    def version(self, read: Callable[[], int]) -> int:
        local = self.local
        try:
            if getattr(local, "connection", None) is None:
                local.connection = sqlite3.connect(self.uri, uri=True, isolation_level=None)
            seen = local.connection.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:  # no file yet, unreadable: read the usual way (its errors are SQLAlchemy's)
            local.connection = None
            return read()
        if seen == getattr(local, "seen", None):
            return local.value
        value = read()  # checked before reading: a commit after the check shows next time
        local.seen, local.value = seen, value
        return value


class _PostgresWatch:
    """Per process: one listening connection, shared by the worker's threads under a lock."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.lock = threading.Lock()
        self.listener = None
        self.failed_at = -RETRY_LISTEN_AFTER
        self.value: int | None = None
        self.read_at = 0.0

    def _listen(self) -> bool:
        if self.listener is not None:
            return True
        if time.monotonic() - self.failed_at < RETRY_LISTEN_AFTER:
            return False
        import psycopg

        try:
            self.listener = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=2)
            self.listener.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as err:
            log.warning("catalogue version: cannot listen (%s); reading it on every page", err)
            self._drop()
            return False
        return True

    def _drop(self) -> None:
        if self.listener is not None:
            try:
                self.listener.close()
            except Exception:  # noqa: BLE001 -- already broken: nothing left to close cleanly
                log.debug("closing a broken listener", exc_info=True)
        self.listener = None
        self.failed_at = time.monotonic()
        self.value = None

    def _heard(self) -> bool:
        """True when a notification arrived (or the listener broke) since the last call."""
        pgconn = self.listener.pgconn
        try:
            pgconn.consume_input()
            heard = False
            while pgconn.notifies() is not None:
                heard = True
        except Exception:  # noqa: BLE001 -- psycopg.OperationalError and friends: a lost connection
            log.warning("catalogue version: the listener was lost; listening again", exc_info=True)
            self._drop()
            return True
        return heard

    def version(self, read: Callable[[], int]) -> int:
        with self.lock:
            if not self._listen():
                return read()
            now = time.monotonic()
            if not self._heard() and self.value is not None and now - self.read_at < MAX_AGE:
                return self.value
            self.value = None
            value = read()  # after draining: a commit from here on is heard next time
            if self.listener is not None:
                self.value, self.read_at = value, now
            return value


_watches: dict[tuple[int, str], object] = {}
_watches_lock = threading.Lock()


def _watch_for(engine: Engine):
    name = engine.url
    key = (os.getpid(), str(name))
    watch = _watches.get(key)
    if watch is None:
        with _watches_lock:
            watch = _watches.get(key)
            if watch is None:
                watch = _make(engine)
                _watches[key] = watch
    return watch


def _make(engine: Engine):
    url = engine.url
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            return False
        return _SqliteWatch(os.path.abspath(database))
    if url.get_backend_name() == "postgresql" and url.get_driver_name() == "psycopg":
        return _PostgresWatch(url.set(drivername="postgresql").render_as_string(hide_password=False))
    return False


def remembered(engine: Engine, read: Callable[[], int]) -> int:
    """`read()`'s value, remembered for as long as the engine's watch says nothing changed."""
    watch = _watch_for(engine)
    if not watch:
        return read()
    return watch.version(read)


def notify(connection) -> None:
    """Tell the other workers, at this transaction's commit, that the version changed
    (PostgreSQL; SQLite's watch sees every commit by itself)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"NOTIFY {CHANNEL}")


@atexit.register
def _close_listeners() -> None:
    for watch in list(_watches.values()):
        if isinstance(watch, _PostgresWatch) and watch.listener is not None:
            watch.listener.close()


def forget() -> None:
    """Drop every remembered version (tests: a rolled-back test leaves the version as it was)."""
    with _watches_lock:
        for watch in _watches.values():
            if isinstance(watch, _SqliteWatch):
                watch.local = threading.local()
            elif isinstance(watch, _PostgresWatch):
                with watch.lock:
                    watch.value = None
