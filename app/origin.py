"""A form that a cached page carries without a CSRF token, protected by where the browser says
the request comes from.

Every form of the site carries Flask-WTF's session-bound token, except the two public forms
of a product page served from the whole-page cache (app.pagecache) to a visitor with no
cookie — the first visit, a shared link, a crawler: add to cart, and a tourism service's
booking request. Giving each such visitor a token means starting a session, signing a
cookie and a token on every hit: a third of the page's cost, for a form most visitors never
send — and a page that sets a cookie cannot be replayed by app.fastlane.

Such a form is protected the way Go's `net/http.CrossOriginProtection` protects a whole site
(no token): a browser says where an unsafe request comes from, in `Sec-Fetch-Site`
(Fetch Metadata; every current browser) or else in `Origin` (every browser since 2020 on a
cross-origin POST), and a page of another site cannot forge either. So a POST without a token
is accepted when the browser says it comes from this very site (`same-origin`, or `none`: typed
or bookmarked), or when it carries neither header (not a browser — no victim's cookies to ride
on). Anything else without a token — another site, a sibling subdomain (`same-site`), an
`Origin` that is not ours — is refused as before, with the same 400 as a missing token. A
POST that does carry a token is checked exactly as everywhere else.

What this leaves open, knowingly: a browser too old to send either header, forging a
cross-site POST. The session cookie is SameSite=Lax, so such a POST arrives without it:
the item goes into a fresh, empty cart, or a booking request is sent with the forger's own
words — what the forger could send directly — and nothing of the visitor's own is read or
changed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app, request

from app.extensions import csrf

TRUSTED_FETCH_SITES = frozenset({"same-origin", "none"})


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def from_this_site() -> bool:
    """Whether the browser says this request comes from this site (see the module's text)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site.lower() in TRUSTED_FETCH_SITES
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser, or one that sends no Origin on a same-origin POST
    ours = {_origin_of(request.host_url)}
    if current_app.config.get("BASE_URL"):
        ours.add(_origin_of(current_app.config["BASE_URL"]))
    return origin.lower() in ours


def token_or_same_origin(view: Callable) -> Callable:
    """A POST view whose form may come from a cached page without a token: a token, when
    sent, is checked; without one, the request must come from this site."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        config = current_app.config
        sent_token = request.form.get(config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
        if config.get("WTF_CSRF_ENABLED", True) and (sent_token or not from_this_site()):
            csrf.protect()  # Flask-WTF's own check: a bad or missing token is its CSRFError (400)
        return view(*args, **kwargs)

    return csrf.exempt(checked)
