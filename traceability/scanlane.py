"""A stamp's scan answered before Flask: the trace page of a genuine stamp, for a visitor
without a cookie, straight from the WSGI call.

Every consumer's scan is a request to `/t/<code>` that records the scan (a write) and shows
the stamp's lot; for a genuine stamp and a visitor without a cookie the view already builds
the page from its lot's shell (traceability.views: rendered once per lot, language, date and
catalogue version, each scan filling in its code and counts). What remains per scan is
Flask's own machinery — request context, routing, a dozen request hooks, the session — and
SQLAlchemy's transaction objects, which cost more than the scan itself. So the worker
answers such a scan at the WSGI level, with the very same parts:

- the scan is `traceability.trace.trace` on a connection of the app's engine, in the same
  transaction the view opens (`app.database.engine_transaction`, write intent set, so on
  SQLite it queues with every other writer);
- the page is the view's shell for the record's lot, version, date and language, filled in
  the same way (traceability.shells);
- the headers are those Flask sent the last time it answered such a page to a request with
  the same host, scheme, `Accept-Language` and `Accept-Encoding` (the security headers,
  `Cache-Control: private, no-store`, `Vary`), and the body is compressed as Flask-Compress
  did then (its own function).

Anything else goes through Flask as before: another method, a cookie, a query string, a
body, an `Authorization`; an unknown code (nothing is recorded); an error (the transaction
is rolled back and the view scans again, with its retry and 503 — on PostgreSQL the scan
statement commits by itself, so a failure after it, reading the lot's record, may count
that scan twice). So does a scan whose page has no shell yet, whose verdict is not genuine
or whose address is not the code's canonical one (`shells.shown_from_a_shell`): then the
view gets the record already made (`SCANNED_KEY`) and renders it, so the scan is counted
once. The lane is off where the page cache is (`PAGE_CACHE_SECONDS=0`) and where app-wide
rate limits are checked before every request (they would be skipped); the trace page has
no limit of its own (a scan is never refused), and one added to it would have to turn the
lane off too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, has_app_context
from flask_compress.flask_compress import _compress_data  # Flask-Compress's own encoder

from app.clock import today
from app.database import engine_transaction, write_intent
from app.fastlane import answered_without_cookie, call_noting_answer
from app.pagecache import DEFAULT_SECONDS
from traceability import shells
from traceability.trace import UnknownCode, network_hash, trace

log = logging.getLogger(__name__)

SCANNED_KEY = "ocop.scan.record"  # (record, date): a scan the lane made, for the view to show
SHELL_KEY = "ocop.scan.shell"  # (locale, engine): the view answered from a lot's shell
KEPT_OUT = frozenset({"content-length", "date", "set-cookie"})
TEMPLATES = 64  # distinct (host, scheme, languages, encodings) remembered


@dataclass(frozen=True)
class Template:
    """How Flask answered a shell page to requests of one kind."""

    locale: str
    engine: object
    headers: list[tuple[str, str]]
    encoding: str | None  # Content-Encoding Flask-Compress chose, if any


def request_kind(environ: dict) -> tuple | None:
    """What a lane answer may depend on besides the code, or None for a request it never
    answers (it then goes through Flask)."""
    if (environ.get("REQUEST_METHOD") != "GET" or "HTTP_COOKIE" in environ
            or "HTTP_AUTHORIZATION" in environ or environ.get("QUERY_STRING")
            or environ.get("CONTENT_LENGTH") not in (None, "", "0")
            or environ.get("SCRIPT_NAME")
            or not environ.get("PATH_INFO", "").startswith(shells.PREFIX)):
        return None
    return (environ.get("HTTP_HOST", ""), environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_ACCEPT_LANGUAGE", ""), environ.get("HTTP_ACCEPT_ENCODING", ""))


class ScanLane:
    """WSGI middleware in front of `app.wsgi_app` (inside ProxyFix: REMOTE_ADDR, the host
    and the scheme are those Flask sees)."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.templates: dict[tuple, Template] = {}
        self.lock = threading.Lock()
        self.answered = 0  # scans answered here (tests, diagnostics)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        kind = request_kind(environ) if self.enabled() else None
        if kind is None:
            return self.wsgi_app(environ, start_response)
        template = self.templates.get(kind)
        # Inside an app context (a test's), the view's session decides which database it is.
        if template is not None and not has_app_context():
            body = self._scan(environ, template)
            if body is not None:
                with self.lock:
                    self.answered += 1
                start_response("200 OK", [*template.headers, ("Content-Length", str(len(body)))])
                return [body]
        return self._through_flask(kind, environ, start_response)

    def _scan(self, environ: dict, template: Template) -> bytes | None:
        path = environ["PATH_INFO"]
        config, on = self.app.config, today()
        token = write_intent.set(True)
        try:
            with engine_transaction(template.engine, one_statement=True) as connection:
                record = trace(connection, path[len(shells.PREFIX):],
                               network_hash(config["SCAN_HASH_SALT"], environ.get("REMOTE_ADDR")),
                               threshold=config["SUSPICIOUS_SCAN_CLIENTS"], on=on)
        except UnknownCode:
            return None  # nothing recorded: the view answers it
        except Exception:  # noqa: BLE001 -- rolled back; the view scans again and answers it
            log.debug("scan lane: leaving %s to Flask", path, exc_info=True)
            return None
        finally:
            write_intent.reset(token)
        shell = shells.page_shells.get(shells.shell_key(template.engine, record, on,
                                                        template.locale))
        if shell is None or not shells.shown_from_a_shell(record, path):
            environ[SCANNED_KEY] = (record, on)  # counted: the view shows it
            return None
        html = shells.fill_shell(shell, record).encode()
        if template.encoding is None:
            return html
        return _compress_data(self.app, html, template.encoding)

    def _through_flask(self, kind: tuple, environ: dict, start_response: Callable):
        body, status, headers = call_noting_answer(self.wsgi_app, environ, start_response)
        shell = environ.get(SHELL_KEY)
        if shell is not None and answered_without_cookie(status, headers):
            locale, engine = shell
            encoding = next((value for name, value in headers
                             if name.lower() == "content-encoding"), None)
            kept = [(name, value) for name, value in headers if name.lower() not in KEPT_OUT]
            with self.lock:
                if kind not in self.templates and len(self.templates) >= TEMPLATES:
                    self.templates.pop(next(iter(self.templates)))
                self.templates[kind] = Template(locale, engine, kept, encoding)
        return body

    def enabled(self) -> bool:
        """Where the page cache is on and no app-wide rate limit is checked per request."""
        fastlane = self.app.extensions.get("fastlane")
        return (self.app.config.get("PAGE_CACHE_SECONDS", DEFAULT_SECONDS) > 0
                and fastlane is not None and fastlane.checks_no_app_wide_limits())

    def clear(self) -> None:
        with self.lock:
            self.templates.clear()


def install(app: Flask) -> ScanLane:
    lane = ScanLane(app, app.wsgi_app)
    app.wsgi_app = lane
    app.extensions["scanlane"] = lane
    return lane
