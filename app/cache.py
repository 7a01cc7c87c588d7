"""The shared cache (Flask-Caching): Redis when REDIS_URL is set, so every worker and server
shares one; otherwise each process's memory. Callers key what they store by what it
depends on (the catalogue's version and the local date for anything the gate decides), so
an entry is never invalidated by hand — it simply stops being asked for.

A cache that fails (Redis down) is a miss, logged as a warning, never a 500.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from flask import Flask
from flask_caching import Cache

log = logging.getLogger(__name__)
cache = Cache()
T = TypeVar("T")
DEFAULT_TIMEOUT = 6 * 3600


def init_cache(app: Flask) -> None:
    if app.config.get("CACHE_TYPE"):
        settings = {"CACHE_TYPE": app.config["CACHE_TYPE"]}
    elif app.config.get("REDIS_URL"):
        settings = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"],
                    "CACHE_KEY_PREFIX": "ocop:", "CACHE_OPTIONS": {"socket_timeout": 0.5,
                                                                 "socket_connect_timeout": 0.5}}
    else:
        settings = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 20_000}
    cache.init_app(app, config={"CACHE_DEFAULT_TIMEOUT": DEFAULT_TIMEOUT, **settings})


def key(*parts) -> str:
    """A short key from any printable parts (a long SQL text becomes a digest)."""
    text = "|".join(str(p) for p in parts)
    return text if len(text) <= 200 else hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def remember(name: str, compute: Callable[[], T], timeout: int = DEFAULT_TIMEOUT) -> T:
    """The cached value under `name`, or `compute()` stored there."""
    try:
        value = cache.get(name)
    except Exception:  # the cache is an accelerator: a broken one is a miss
        log.warning("cache unavailable: get %s", name, exc_info=True)
        value = None
    if value is not None:
        return value
    value = compute()
    try:
        cache.set(name, value, timeout=timeout)
    except Exception:
        log.warning("cache unavailable: set %s", name, exc_info=True)
    return value
