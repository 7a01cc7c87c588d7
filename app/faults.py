"""Faults the application survives instead of answering 500.

- The database goes away (restart, fail-over, a connection killed, SQLite locked too long):
  the request answers **503** with `Retry-After` — JSON `{"error": {"code":
  "service_unavailable"}}` for the API, a short page for browsers — and the next request
  works again without restarting anything: the broken connection is invalidated by
  SQLAlchemy, and a pooled connection the server closed is replaced when it is checked out
  (app.database).
- Redis for rate limits is down while `REDIS_URL` is set: Flask-Limiter falls back to
  in-memory limits (`RATELIMIT_IN_MEMORY_FALLBACK_ENABLED`) and a warning is logged.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5

# A page that needs nothing from the database (base.html asks for the signed-in user).
_BARE_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>503 · OCOP Market</title>
</head><body><main id="main"><h1>{title}</h1><p>{message}</p><p><a href="/">OCOP Market</a></p>
</main></body></html>"""


def _discard_session() -> None:
    from app.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection is gone: the session is thrown away below anyway
        log.debug("rollback after a database fault failed", exc_info=True)
    try:
        db.session.remove()
    except Exception:
        log.debug("session removal after a database fault failed", exc_info=True)


def database_unavailable(err: Exception):
    """503 + Retry-After for a database that cannot answer now (never a 500)."""
    from app.errors import json_error, wants_json

    log.error("database unavailable on %s %s: %s", request.method, request.path,
              str(err).splitlines()[0] if str(err) else type(err).__name__)
    _discard_session()
    message = _("Hệ thống đang tạm gián đoạn, xin thử lại sau ít giây.")
    if wants_json():
        response, status = json_error(503, "service_unavailable", message)
    else:
        try:
            body = render_template("errors/error.html", status=503, message=message)
        except Exception:  # rendering base.html may need the database itself
            _discard_session()
            body = _BARE_PAGE.format(title=escape(_("Có lỗi từ phía chúng tôi")),
                                     message=escape(message))
        response, status = body, 503
    from flask import make_response

    response = make_response(response, status)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    for error in (OperationalError, InterfaceError):
        app.register_error_handler(error, database_unavailable)
    if app.config.get("REDIS_URL"):
        _check_redis(app)


def _check_redis(app: Flask) -> None:
    """Say once, at start, when the configured Redis cannot be reached: the limits still
    apply, per process, from memory."""
    try:
        import redis

        redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=0.5,
                             socket_timeout=0.5).ping()
    except Exception as err:  # any failure means: running on the in-memory fallback
        log.warning("REDIS_URL is set but Redis does not answer (%s): rate limits fall back "
                    "to per-process memory until it is back", err)
