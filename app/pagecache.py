"""Whole-page cache for anonymous visitors (the first visit, crawlers, shared links).

A page is served from the cache only to a request that carries no cookie (nothing in it
can depend on a session, a cart or a login) and stored only when rendering it set no
cookie. The key holds the path and query, the language, the local date and the version
of whatever the page reads (the catalogue's, for storefront lists): a change that the gate
reads makes a new key at once, so a cached page never shows what the gate refuses now.
Entries also expire after `PAGE_CACHE_SECONDS` (stock levels shown on cards may lag that
long; carts and checkout re-check stock).

Forms stay protected against CSRF (Flask-WTF's session-bound token): a page is stored with a
placeholder where `csrf_field()` puts the token, and each visitor it is served to gets their
own token in its place (which starts their session), so the forms of a cached page work at
once, without JavaScript, and a POST without a valid token is refused. The exceptions are
the product page's two public forms (add to cart, a service's booking request), protected by
where the browser says the POST comes from instead (app.origin), so that serving the page
starts no session (and app.fastlane can replay it).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from flask import Response, current_app, g, request, session
from flask_babel import get_locale
from markupsafe import Markup

from app import fastlane
from app.cache import cache, key, remember
from app.clock import today
from app.signing import generate_csrf

DEFAULT_SECONDS = 60


def cacheable_request() -> bool:
    return (request.method == "GET" and not request.cookies and "lang" not in request.args
            and current_app.config.get("PAGE_CACHE_SECONDS", DEFAULT_SECONDS) > 0)


TOKEN_PLACEHOLDER = "__ocop_csrf_token__"  # noqa: S105 -- a marker replaced per visitor, not a secret


def csrf_field(origin_checked: bool = False) -> Markup:
    """The CSRF token field of a form: the visitor's token, or — in a page rendered for the
    cache — a placeholder that `cached_page` replaces with each visitor's own token.

    `origin_checked`: the form posts to a view that accepts a POST without a token from this
    site (app.origin.token_or_same_origin), so a page rendered for the cache leaves the
    field out, and serving it starts no session."""
    if g.get("deferred_csrf"):
        if origin_checked:
            return Markup("")
        token = TOKEN_PLACEHOLDER
    else:
        token = generate_csrf()
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(token)


def with_token(response: Response) -> Response:
    """Put this visitor's CSRF token where the stored page has the placeholder."""
    body = response.get_data()
    placeholder = TOKEN_PLACEHOLDER.encode()
    if placeholder in body:
        # A token signed earlier in this app context (tests run requests inside one) would be
        # another session's: sign this visitor's own.
        g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
        response.set_data(body.replace(placeholder, generate_csrf().encode()))
        response.headers["Cache-Control"] = "private, no-store"  # it holds a session's token
    return response


def cached_page(version: Callable[[], object]) -> Callable:
    """Cache a view's page for anonymous visitors; `version()` names the data it shows."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not cacheable_request():
                g.deferred_csrf = False  # tests run several requests in one app context
                return view(*args, **kwargs)
            g.deferred_csrf = True  # nothing session-bound in what every visitor may get
            query = "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))
            known = request.environ.get(fastlane.VERSION_KEY)
            value = known[1] if known is not None and known[0] is version else version()
            seconds = current_app.config.get("PAGE_CACHE_SECONDS", DEFAULT_SECONDS)
            name = key("page", request.path, query, str(get_locale()), today().isoformat(), value)
            stored = None
            try:
                stored = cache.get(name)
            except Exception:  # a broken cache is a miss (app.cache.remember logs it)
                stored = None
            if stored is not None:
                body, mimetype, *rest = stored  # (body, mimetype, expires); older entries lack it
                expires = rest[0] if rest else time.time() + seconds
                request.environ[fastlane.ENVIRON_KEY] = fastlane.Offer(version, value, expires)
                response = Response(body, mimetype=mimetype)
                response.headers["X-Cache"] = "hit"
                response.vary.update(("Cookie", "Accept-Language"))
                return with_token(response)
            response = current_app.make_response(view(*args, **kwargs))
            response.vary.update(("Cookie", "Accept-Language"))
            if response.status_code == 200 and not session.modified and not response.direct_passthrough:
                expires = time.time() + seconds
                remember(name, lambda: (response.get_data(), response.mimetype, expires), timeout=seconds)
                request.environ[fastlane.ENVIRON_KEY] = fastlane.Offer(version, value, expires)
                response.headers["X-Cache"] = "miss"
            if not response.direct_passthrough:
                response = with_token(response)
            return response

        return wrapper

    return decorate
