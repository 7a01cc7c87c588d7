"""Rate-limit counters every gunicorn worker of the machine shares when there is no Redis.

Flask-Limiter keeps its counters in a `limits` storage chosen by `RATELIMIT_STORAGE_URI`:
Redis when `REDIS_URL` is set, else `sqlite:///…/instance/ratelimits.sqlite3` — this small
storage (fixed windows, the limiter's default strategy) over one SQLite file. Each counter
moves by one atomic upsert, so two workers (or threads) never lose a hit. Memory storage
(`memory://`) would count per process: a 10/minute login limit would allow 10 per worker.
When the file cannot be used, Flask-Limiter's in-memory fallback takes over, as for Redis
(app/faults.py): a storage error never becomes a 500.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from limits.storage import Storage

_SCHEMA = """CREATE TABLE IF NOT EXISTS rate_counters (
    key TEXT PRIMARY KEY, hits INTEGER NOT NULL, expires_at REAL NOT NULL)"""

_INCR = """INSERT INTO rate_counters (key, hits, expires_at) VALUES (:key, :amount, :expires)
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN expires_at <= :now THEN :amount ELSE hits + :amount END,
    expires_at = CASE WHEN expires_at <= :now THEN :expires ELSE expires_at END
RETURNING hits"""

# Expired rows are swept every this many increments of a process.
_SWEEP_EVERY = 200


def path_of(uri: str) -> Path:
    """As SQLAlchemy reads them: `sqlite:////abs/file` (absolute), `sqlite:///rel/file`."""
    return Path(urlsplit(uri).path[1:])


class SQLiteStorage(Storage):
    """A `limits` storage over one SQLite file (WAL, autocommit, one connection per thread
    and process: a connection is never shared across a fork)."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = path_of(uri or "sqlite:///ratelimits.sqlite3")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._increments = 0

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=5, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        conn = self._connection()
        (hits,) = conn.execute(_INCR, {"key": key, "amount": amount, "now": now,
                                       "expires": now + expiry}).fetchone()
        self._increments += 1
        if self._increments % _SWEEP_EVERY == 0:
            conn.execute("DELETE FROM rate_counters WHERE expires_at <= ?", (now,))
        return int(hits)

    def get(self, key: str) -> int:
        row = self._connection().execute(
            "SELECT hits FROM rate_counters WHERE key = ? AND expires_at > ?",
            (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute(
            "SELECT expires_at FROM rate_counters WHERE key = ? AND expires_at > ?",
            (key, time.time())).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM rate_counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM rate_counters WHERE key = ?", (key,))


def check_only_limited_routes(app: Flask, limiter) -> None:
    """Flask-Limiter checks every request in a `before_request` hook, for limits that apply to
    every route (default, application, blueprint, meta or in-memory fallback limits). This
    app has none: its limits decorate a few views (`@limiter.limit`), and a decorated view
    checks its own limits when it is called. So the app-wide hook goes, and the other
    routes pay nothing for it; should an app-wide limit ever be configured, it stays."""
    manager = limiter.limit_manager
    app_wide = (manager.default_limits or manager.application_limits
                or getattr(manager, "_blueprint_limits", None) or getattr(limiter, "_meta_limits", None)
                or getattr(limiter, "_in_memory_fallback", None))
    if app_wide:
        return
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [hook for hook in hooks if hook != limiter._check_request_limit]
