"""The product page is served from the whole-page cache to anonymous visitors, and its
add-to-cart form stays protected against CSRF: the cached page carries no token (it is
bound to a session), the visitor's own token is fetched from /csrf-token at submit time
(app.pagecache.csrf_field + static/js/csrf.js), and a POST without a valid token is refused."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from app.extensions import db
from catalog.services import revoke_certificate
from tests.factories import make_certificate, make_product, receive_stock

D = date(2026, 11, 23)


@pytest.fixture
def csrf_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def item(db_session, freeze):
    freeze(D)
    product = make_product(name="Mắm tôm Hậu Lộc", price_vnd=45_000, certified=False)
    make_certificate(product, stars=4, issued_on=D - timedelta(days=100))
    receive_stock(product, 10)
    db.session.commit()
    return product


def _anonymous(app):
    return app.test_client(use_cookies=False)


def _token(html: str) -> str | None:
    found = re.search(r'name="csrf_token" value="([^"]*)"', html)
    return found.group(1) if found else None


def test_anonymous_product_pages_come_from_the_page_cache(app, item, csrf_on):
    url = f"/products/{item.slug}"
    first = _anonymous(app).get(url)
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    assert "Set-Cookie" not in first.headers
    second = _anonymous(app).get(url)
    assert second.headers["X-Cache"] == "hit" and "Mắm tôm Hậu Lộc" in second.text
    # Nothing session-bound in a page every visitor may get: an empty, deferred token field,
    # filled at submit time by the static script (no inline script).
    assert _token(second.text) == "" and "data-csrf-deferred" in second.text
    assert "/static/js/csrf.js" in second.text and "<script>" not in second.text


def test_visitors_with_a_session_get_the_token_inline(app, item, csrf_on):
    browser = app.test_client()
    browser.get("/csrf-token")  # now carries a session cookie: never served from the cache
    page = browser.get(f"/products/{item.slug}")
    assert "X-Cache" not in page.headers
    assert _token(page.text) and "data-csrf-deferred" not in page.text


def test_add_to_cart_from_a_cached_page_needs_the_fetched_token(app, item, csrf_on):
    url = f"/products/{item.slug}"
    _anonymous(app).get(url)
    cached = _anonymous(app).get(url)
    assert cached.headers["X-Cache"] == "hit"
    form = {"product": item.slug, "quantity": "2", "csrf_token": _token(cached.text)}

    browser = app.test_client()  # the visitor's browser, cookies kept from here on
    refused = browser.post("/cart/add", data=form)
    assert refused.status_code == 400  # CSRF enforced: no valid token, no cart change
    forged = browser.post("/cart/add", data={**form, "csrf_token": "not-a-token"})
    assert forged.status_code == 400
    with browser.session_transaction() as session:
        assert not session.get("cart")

    token = browser.get("/csrf-token")  # what static/js/csrf.js does on submit
    assert token.headers["Cache-Control"] == "no-store"
    added = browser.post("/cart/add", data={**form, "csrf_token": token.json["csrf_token"]})
    assert added.status_code == 302 and added.headers["Location"].endswith("/cart")
    with browser.session_transaction() as session:
        assert session["cart"] == {item.slug: 2}


def test_another_visitors_token_is_refused(app, item, csrf_on):
    thief = app.test_client()
    stolen = thief.get("/csrf-token").json["csrf_token"]
    victim = app.test_client()
    victim.get("/csrf-token")
    answer = victim.post("/cart/add", data={"product": item.slug, "quantity": "1",
                                            "csrf_token": stolen})
    assert answer.status_code == 400


def test_a_refusal_starts_a_session_so_a_reload_carries_the_token(app, item, csrf_on):
    """A visitor without JavaScript: the 400 starts a session, the reloaded page is not the
    cached one and holds the token inline, and the form then works."""
    browser = app.test_client()
    assert browser.post("/cart/add", data={"product": item.slug, "quantity": "1"}).status_code == 400
    page = browser.get(f"/products/{item.slug}")
    token = _token(page.text)
    assert token
    added = browser.post("/cart/add", data={"product": item.slug, "quantity": "1",
                                            "csrf_token": token})
    assert added.status_code == 302


def test_a_revoked_product_leaves_its_cached_page_on_the_next_request(app, item, db_session):
    url = f"/products/{item.slug}"
    _anonymous(app).get(url)
    assert 'action="/cart/add"' in _anonymous(app).get(url).text
    revoke_certificate(db_session, item.certificates[0], reason="Vi phạm an toàn thực phẩm",
                       revoked_on=D)
    db.session.commit()
    after = _anonymous(app).get(url)
    assert after.headers["X-Cache"] == "miss"
    assert 'action="/cart/add"' not in after.text
    assert "không được bán" in after.text
