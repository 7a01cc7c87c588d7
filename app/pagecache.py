"""Whole-page cache for anonymous visitors (the first visit, crawlers, shared links).

A page is served from the cache only to a request that carries no cookie (nothing in it
can depend on a session, a cart or a login) and stored only when rendering it set no
cookie. The key holds the path and query, the language, the local date and the version
of whatever the page reads (the catalogue's, for storefront lists): a change that the gate
reads makes a new key at once, so a cached page never shows what the gate refuses now.
Entries also expire after `PAGE_CACHE_SECONDS` (stock levels shown on cards may lag that
long; carts and checkout re-check stock).

Forms stay protected against CSRF: a page rendered for the cache cannot carry the visitor's
session-bound token, so its forms use `csrf_field()`, which renders an empty token field
there; `static/js/csrf.js` fetches the visitor's own token from `/csrf-token` (app.meta,
never cached, it starts the session) when the form is submitted. Flask-WTF checks the token
exactly as before: a POST without a valid one is refused (400), and that refusal starts a
session, so a visitor without JavaScript who reloads gets a page with the token inline.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Response, current_app, g, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.cache import cache, key, remember
from app.clock import today

DEFAULT_SECONDS = 60


def _cacheable_request() -> bool:
    return (request.method == "GET" and not request.cookies and "lang" not in request.args
            and current_app.config.get("PAGE_CACHE_SECONDS", DEFAULT_SECONDS) > 0)


def csrf_field() -> Markup:
    """The CSRF token field of a form: the token inline, or — in a page rendered for the
    cache — an empty field that static/js/csrf.js fills at submit time."""
    if g.get("deferred_csrf"):
        return Markup('<input type="hidden" name="csrf_token" value="" data-csrf-deferred>')
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(generate_csrf())


def cached_page(version: Callable[[], object]) -> Callable:
    """Cache a view's page for anonymous visitors; `version()` names the data it shows."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not _cacheable_request():
                return view(*args, **kwargs)
            g.deferred_csrf = True  # nothing session-bound in a page every visitor may get
            query = "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))
            name = key("page", request.path, query, str(get_locale()), today().isoformat(), version())
            stored = None
            try:
                stored = cache.get(name)
            except Exception:  # a broken cache is a miss (app.cache.remember logs it)
                stored = None
            if stored is not None:
                body, mimetype = stored
                response = Response(body, mimetype=mimetype)
                response.headers["X-Cache"] = "hit"
                response.vary.update(("Cookie", "Accept-Language"))
                return response
            response = current_app.make_response(view(*args, **kwargs))
            response.vary.update(("Cookie", "Accept-Language"))
            if response.status_code == 200 and not session.modified and not response.direct_passthrough:
                seconds = current_app.config.get("PAGE_CACHE_SECONDS", DEFAULT_SECONDS)
                remember(name, lambda: (response.get_data(), response.mimetype), timeout=seconds)
                response.headers["X-Cache"] = "miss"
            return response

        return wrapper

    return decorate
