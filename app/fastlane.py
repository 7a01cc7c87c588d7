"""A cached page answered before Flask: each worker keeps the complete responses it served
from the page cache, and replays one while what it shows is unchanged.

A page from the whole-page cache (app.pagecache) still costs a full Flask dispatch: the
request context, routing, the request hooks, the session, the response hooks (security
headers, compression). For the same request from a visitor without a cookie, all of that
comes out the same every time, so the worker answers it at the WSGI level — like a
reverse proxy's micro-cache in front of the app, but exact: an entry is replayed only while

- the request is the same: GET, no cookie, no `Authorization`, no body, no `lang` in the
  query, and the same path, query, host, scheme, `Accept-Language` and `Accept-Encoding`;
- the page's version (the function `cached_page` keys it by, the catalogue's for the
  storefront) and the local date are those it was rendered for;
- the page cache's own entry has not expired (`PAGE_CACHE_SECONDS`).

Only responses Flask served from the page cache, or stored in it, are kept, and only when
they set no cookie: what is replayed is exactly what Flask answered, security headers
included. An app with app-wide rate limits keeps no entries (they would be skipped).
Entries live in the worker's memory, least recently used first out, within `FAST_LANE_BYTES`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context

from app.clock import today

ENVIRON_KEY = "ocop.page"  # what app.pagecache says of the page it answered
VERSION_KEY = "ocop.page.version"  # (version function, value) the fast lane read for this request
DROPPED_HEADERS = frozenset({"date", "set-cookie", "x-cache"})


@dataclass(frozen=True)
class Offer:
    """A page the page cache answered: its version function and value, and when its entry
    expires (time.time())."""

    version: Callable[[], object]
    value: object
    expires: float


@dataclass(frozen=True)
class Entry:
    offer: Offer
    day: object
    headers: list[tuple[str, str]]
    body: bytes


def request_key(environ: dict) -> tuple | None:
    """What a replayed response may depend on, or None when this request never gets one."""
    if environ.get("REQUEST_METHOD") != "GET" or "HTTP_COOKIE" in environ:
        return None
    query = environ.get("QUERY_STRING", "")
    if ("lang" in query or "HTTP_AUTHORIZATION" in environ
            or environ.get("CONTENT_LENGTH") not in (None, "", "0")):
        return None
    return (environ.get("PATH_INFO", ""), query, environ.get("SCRIPT_NAME", ""),
            environ.get("HTTP_HOST", ""), environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_ACCEPT_LANGUAGE", ""), environ.get("HTTP_ACCEPT_ENCODING", ""))


def call_noting_answer(wsgi_app: Callable, environ: dict,
                       start_response: Callable) -> tuple[Iterable[bytes], str, list]:
    """Call `wsgi_app`, passing its answer on: (body, status, headers) as it answered."""
    answered: dict = {}

    def noting(status, headers, exc_info=None):
        answered["status"], answered["headers"] = status, headers
        return start_response(status, headers, exc_info)

    body = wsgi_app(environ, noting)
    return body, answered.get("status", ""), answered.get("headers") or []


def answered_without_cookie(status: str, headers: list) -> bool:
    """A 200 that sets no cookie: an answer another visitor may be given too."""
    return status.startswith("200 ") and not any(name.lower() == "set-cookie"
                                                 for name, _ in headers)


class FastLane:
    """WSGI middleware in front of `app.wsgi_app` (inside ProxyFix, so the host and scheme
    it keys by are the ones Flask sees)."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.entries: OrderedDict[tuple, Entry] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()
        self.limit = int(app.config["FAST_LANE_BYTES"])  # app/config.py
        self._enabled: bool | None = None

    # --- replay ---------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        key = request_key(environ) if self.enabled() else None
        if key is None:
            return self.wsgi_app(environ, start_response)
        entry = self._get(key)
        if entry is not None:
            if self._current(entry, environ):
                start_response("200 OK", [*entry.headers, ("X-Cache", "hit")])
                return [entry.body]
            self._drop(key)
        return self._served_by_flask(key, environ, start_response)

    def _current(self, entry: Entry, environ: dict) -> bool:
        offer = entry.offer
        if time.time() >= offer.expires or today() != entry.day:
            return False
        try:
            if has_app_context() and current_app._get_current_object() is self.app:
                value = offer.version()  # a test's own context: its session decides
            else:
                with self.app.app_context():
                    value = offer.version()
        except Exception:  # noqa: BLE001 -- Flask answers it, with its own error handling (a 503)
            return False
        environ[VERSION_KEY] = (offer.version, value)  # read once per request: the page cache takes it
        return value == offer.value

    # --- capture --------------------------------------------------------------------------

    def _served_by_flask(self, key: tuple, environ: dict, start_response: Callable):
        body, status, headers = call_noting_answer(self.wsgi_app, environ, start_response)
        offer = environ.get(ENVIRON_KEY)
        if offer is None or not answered_without_cookie(status, headers):
            return body
        chunks = list(body)  # pages are buffered already: this only joins them
        close = getattr(body, "close", None)
        if close is not None:
            close()
        content = b"".join(chunks)
        kept = [(name, value) for name, value in headers if name.lower() not in DROPPED_HEADERS]
        self._put(key, Entry(offer=offer, day=today(), headers=kept, body=content))
        return [content]

    def enabled(self) -> bool:
        """Off when an app-wide rate limit is checked before every request (app.ratelimit)."""
        if self._enabled is None:
            self._enabled = self.limit > 0 and self.checks_no_app_wide_limits()
        return self._enabled

    def checks_no_app_wide_limits(self) -> bool:
        """True unless a rate limit is checked before every request (app.ratelimit): an
        answer given before Flask would skip it."""
        from app.extensions import limiter

        return limiter._check_request_limit not in self.app.before_request_funcs.get(None, [])

    # --- the entries ----------------------------------------------------------------------

    def _get(self, key: tuple) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def _put(self, key: tuple, entry: Entry) -> None:
        size = len(entry.body)
        if size > self.limit // 4:  # one page never takes the room of many
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self.entries[key] = entry
            self.size += size
            while self.size > self.limit:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped.body)

    def _drop(self, key: tuple) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old.body)

    def clear(self) -> None:
        """Forget every entry (tests: a rolled-back test leaves the version where it was)."""
        with self.lock:
            self.entries.clear()
            self.size = 0


def install(app: Flask) -> FastLane:
    lane = FastLane(app, app.wsgi_app)
    app.wsgi_app = lane
    app.extensions["fastlane"] = lane
    return lane
