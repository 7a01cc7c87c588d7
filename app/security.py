"""The web's defences, in one module: the secret key a production app refuses to start
without, the session cookie's flags, the size of what a request may send, and the security
headers on every response (pages, API JSON, static files, errors, redirects).

The Content-Security-Policy allows no inline script or style (`'unsafe-inline'` nowhere),
and no nonce either: anonymous pages are cached whole (app/pagecache.py), so a per-response
nonce would not match the cached HTML. Scripts and stylesheets are `'self'` static files;
`<script type="application/json">` / `application/ld+json` data blocks are not executed, so
the policy does not concern them. Outside origins are the few the pages really use, read
from the configuration: Stripe.js (`STRIPE_JS_URL`, its frames and API) on the card
payment page and the map tile server (`MAP_TILE_URL`) of the village maps.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Request, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

log = logging.getLogger(__name__)

MIN_SECRET_KEY_LENGTH = 32
# Keys that were ever written in this repository's code, examples or docs: public, so never secret.
PUBLIC_KEYS = frozenset({
    "dev-only-secret-change-me", "change-me-64-random-characters", "test-secret", "fault-test",
    "bench-secret", "secret", "changeme", "change-me",
})
DEVELOPMENT_KEY = "dev-only-secret-change-me"  # noqa: S105 - development only, refused elsewhere

MEGABYTE = 1024 * 1024
REQUEST_MAX_BYTES = 1 * MEGABYTE  # what any request may send (forms, JSON)
UPLOAD_MAX_BYTES = 10 * MEGABYTE  # routes marked @accepts_upload (photos, dossier files, CSV)

STRIPE_JS_DEFAULT = "https://js.stripe.com"
# What Stripe's own CSP guide lists for Stripe.js and the Payment Element.
STRIPE_FRAMES = ("https://*.js.stripe.com", "https://hooks.stripe.com")
STRIPE_CONNECT = ("https://api.stripe.com",)
STRIPE_IMAGES = ("https://*.stripe.com",)


class InsecureConfiguration(RuntimeError):
    """The app would run with a setting that gives its users away (e.g. a public SECRET_KEY)."""


# --- The secret key ---------------------------------------------------------------------------

def read_secret_key(env: dict, instance: Path) -> str | None:
    """`SECRET_KEY` from the environment, else the key file (`SECRET_KEY_FILE`, by default
    `instance/secret_key`, written by `make run` on its first start), else none."""
    if env.get("SECRET_KEY"):
        return env["SECRET_KEY"]
    path = Path(env.get("SECRET_KEY_FILE") or instance / "secret_key")
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def secret_key_weakness(key: str | None) -> str | None:
    """Why this key may not sign production sessions, or None when it may."""
    if not key:
        return "is not set"
    if key in PUBLIC_KEYS or "change-me" in key or "changeme" in key:
        return "is a public example value"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"is too short ({len(key)} characters; at least {MIN_SECRET_KEY_LENGTH})"
    if len(set(key)) < 10:
        return "is not random (too few different characters)"
    return None


def is_development(app: Flask) -> bool:
    return bool(app.testing or app.debug or app.config.get("OCOP_ENV") in ("development", "testing"))


def check_secret_key(app: Flask) -> None:
    """Outside development and testing, refuse to start without a strong SECRET_KEY: with the
    public default anyone could sign a session cookie as the OCOP office."""
    key = app.config.get("SECRET_KEY")
    if is_development(app):
        if not key:
            log.warning("SECRET_KEY is not set: using the public development key")
            app.config["SECRET_KEY"] = DEVELOPMENT_KEY
        return
    problem = secret_key_weakness(key)
    if problem:
        example = secrets.token_urlsafe(48)
        raise InsecureConfiguration(
            f"SECRET_KEY {problem}. Outside development the app does not start without a strong "
            f"key: set SECRET_KEY in the environment (or write one to instance/secret_key, "
            f"mode 0600, as `make run` does), e.g. SECRET_KEY={example} — or set "
            f"OCOP_ENV=development on a developer's machine.")


# --- Cookies ----------------------------------------------------------------------------------

def is_https(config) -> bool:
    return str(config.get("BASE_URL", "")).lower().startswith("https://")


def configure_cookies(app: Flask) -> None:
    """Session (and Flask-Login remember) cookies: SameSite=Lax, HttpOnly, and Secure when
    the site is served over https (BASE_URL)."""
    secure = is_https(app.config)
    for prefix in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        app.config[f"{prefix}_SAMESITE"] = "Lax"
        app.config[f"{prefix}_HTTPONLY"] = True
        app.config[f"{prefix}_SECURE"] = secure


# --- Request size -----------------------------------------------------------------------------

def accepts_upload(max_bytes: int | None = None) -> Callable:
    """Mark a view that receives files (photos, dossier evidence, CSV imports): it may be sent
    up to `max_bytes` (default UPLOAD_MAX_CONTENT_LENGTH) instead of MAX_CONTENT_LENGTH.
    Put it under the route decorator (`functools.wraps` carries the mark outwards)."""

    def decorate(view: Callable) -> Callable:
        view.max_content_length = max_bytes or "upload"  # type: ignore[attr-defined]
        return view

    return decorate


def request_limit(req: Request | None = None) -> int | None:
    """How many bytes a request may send: its view's allowance, else the global one."""
    config = current_app.config
    req = req if req is not None else request
    view = current_app.view_functions.get(req.endpoint or "")
    allowance = getattr(view, "max_content_length", None)
    if allowance == "upload":
        return config.get("UPLOAD_MAX_CONTENT_LENGTH", UPLOAD_MAX_BYTES)
    if allowance:
        return allowance
    return config.get("MAX_CONTENT_LENGTH")


class LimitedRequest(Request):
    """Flask's request, whose body limit is the one of the view it is routed to, so the form
    parser (and CSRF's check, which reads the form first) never reads past it."""

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        if self._max_content_length is not None or not current_app:
            return self._max_content_length
        return request_limit(self)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def refuse_large_body() -> None:
    """413 from the Content-Length header alone, before a byte of the body is read."""
    if not request.environ.get("CONTENT_LENGTH"):
        return  # no body announced (a GET): nothing to refuse, no view to look up
    limit = request_limit()
    length = request.content_length
    if limit is not None and length is not None and length > limit:
        raise RequestEntityTooLarge(_("Dữ liệu gửi lên quá lớn: tối đa %(mb)s MB cho trang này.",
                         mb=_megabytes(limit)))


def _megabytes(limit: int) -> str:
    value = limit / MEGABYTE
    return f"{value:g}" if value >= 1 else f"{value:.1f}"


# --- Headers ----------------------------------------------------------------------------------

def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def tile_source(url: str | None) -> str | None:
    """The CSP source of a Leaflet tile URL template: its origin, with a `{s}` subdomain
    as a wildcard (`https://{s}.tile.example.org/…` → `https://*.tile.example.org`)."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None  # none, or relative to this site ('self')
    host = parts.netloc
    if host.startswith("{s}."):
        host = "*." + host[4:]
    if "{" in host:
        return None  # a template the policy cannot express: no tiles rather than any host
    return f"{parts.scheme}://{host}"


@functools.lru_cache(maxsize=16)
def content_security_policy(stripe_js_url: str | None, stripe_api_base: str | None,
                            map_tile_url: str | None) -> str:
    stripe_js = _origin(stripe_js_url) or STRIPE_JS_DEFAULT
    stripe_api = _origin(stripe_api_base)
    scripts = ["'self'", stripe_js]
    frames = [stripe_js]
    connect = ["'self'", stripe_js]
    images = ["'self'", "data:"]
    if stripe_js == STRIPE_JS_DEFAULT:
        frames += STRIPE_FRAMES
        connect += STRIPE_CONNECT
        images += STRIPE_IMAGES
    if stripe_api:
        connect.append(stripe_api)
    tiles = tile_source(map_tile_url)
    if tiles:
        images.append(tiles)
    directives = {
        "default-src": ["'self'"],
        "script-src": scripts,
        "style-src": ["'self'"],
        "img-src": images,
        "font-src": ["'self'"],
        "connect-src": connect,
        "frame-src": frames,
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(dict.fromkeys(values))}" for name, values in directives.items())


@functools.lru_cache(maxsize=16)
def _security_headers(stripe_js_url: str | None, stripe_api_base: str | None,
                      map_tile_url: str | None, https: bool) -> tuple[tuple[str, str], ...]:
    """Built once per configuration, not once per response."""
    headers = [
        ("Content-Security-Policy", content_security_policy(stripe_js_url, stripe_api_base, map_tile_url)),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if https:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return tuple(headers)


def add_security_headers(response):
    """After every request: the security headers a view did not set itself."""
    config = current_app.config
    headers = _security_headers(config.get("STRIPE_JS_URL"), config.get("STRIPE_API_BASE"),
                                config.get("MAP_TILE_URL"), is_https(config))
    # One pass over the response's headers, not one scan per header (Headers.setdefault).
    present = {name.lower() for name, _value in response.headers}
    for name, value in headers:
        if name.lower() not in present:
            response.headers.add(name, value)
    return response


# --- Wiring -----------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    check_secret_key(app)
    configure_cookies(app)
    app.request_class = LimitedRequest

    # First of every before_request hook: nothing (CSRF's form check included) reads a body
    # the request was not allowed to send.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_large_body)

    app.after_request(add_security_headers)

