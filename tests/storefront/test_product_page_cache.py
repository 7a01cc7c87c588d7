"""The product page is served from the whole-page cache to anonymous visitors, and its
add-to-cart form stays protected against CSRF: on a cached page it carries no token, and a
POST without one is accepted only when the browser says it comes from this site
(app.origin); a token, when sent, is checked as on every form. Visitors with a session get
a fresh page with their own token."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.pagecache import TOKEN_PLACEHOLDER
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
    second = _anonymous(app).get(url)
    third = _anonymous(app).get(url)
    assert second.headers["X-Cache"] == third.headers["X-Cache"] == "hit"
    assert "Mắm tôm Hậu Lộc" in second.text and 'action="/cart/add"' in second.text
    # The add-to-cart form of a cached page carries no token (app.origin): serving it starts
    # no session and sets no cookie.
    assert not any(_token(page.text) for page in (first, second, third))
    assert TOKEN_PLACEHOLDER not in second.text
    assert "Set-Cookie" not in second.headers and "Set-Cookie" not in first.headers


FORM = {"quantity": "2"}


def _first_visit(app, item):
    url = f"/products/{item.slug}"
    _anonymous(app).get(url)
    browser = app.test_client()  # a first visit: no cookie yet, so the page comes from the cache
    assert browser.get(url).headers["X-Cache"] == "hit"
    return browser, {**FORM, "product": item.slug}


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "none"},  # typed or bookmarked
    {"Origin": "http://localhost"},  # a browser without Fetch Metadata, from this site
    {},  # not a browser: no victim's cookies to ride on
])
def test_add_to_cart_from_a_cached_page_works_from_this_site(app, item, csrf_on, headers):
    browser, form = _first_visit(app, item)
    added = browser.post("/cart/add", data=form, headers=headers)
    assert added.status_code == 302 and added.headers["Location"].endswith("/cart")
    with browser.session_transaction() as session:
        assert session["cart"] == {item.slug: 2}


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another site's page
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},  # Fetch Metadata decides
    {"Origin": "https://attacker.example"},
    {"Origin": "null"},  # a sandboxed frame
])
def test_add_to_cart_without_a_token_from_another_site_is_refused(app, item, csrf_on, headers):
    browser, form = _first_visit(app, item)
    refused = browser.post("/cart/add", data=form, headers=headers)
    assert refused.status_code == 400
    with browser.session_transaction() as session:
        assert not session.get("cart")


def test_a_token_when_sent_is_checked_as_on_every_form(app, item, csrf_on):
    browser, form = _first_visit(app, item)
    forged = browser.post("/cart/add", data={**form, "csrf_token": "not-a-token"},
                          headers={"Sec-Fetch-Site": "same-origin"})
    assert forged.status_code == 400
    with browser.session_transaction() as session:
        assert not session.get("cart")
    # A visitor with a session gets a fresh page whose form carries their own token.
    page = browser.get(f"/products/{item.slug}")
    assert "X-Cache" not in page.headers
    added = browser.post("/cart/add", data={**form, "csrf_token": _token(page.text)},
                         headers={"Sec-Fetch-Site": "cross-site"})
    assert added.status_code == 302


def test_another_visitors_token_is_refused(app, item, csrf_on):
    url = f"/products/{item.slug}"
    thief, victim = app.test_client(), app.test_client()
    for browser in (thief, victim):  # each has a session (a cart): their pages carry tokens
        browser.post("/cart/add", data={"product": item.slug, "quantity": "1"})
    stolen = _token(thief.get(url).text)
    assert stolen
    answer = victim.post("/cart/add", data={"product": item.slug, "quantity": "1",
                                            "csrf_token": stolen})
    assert answer.status_code == 400


def test_visitors_with_a_session_get_a_fresh_page(app, item, csrf_on):
    browser = app.test_client()
    browser.post("/cart/add", data={"product": item.slug, "quantity": "1"})  # now has a session
    page = browser.get(f"/products/{item.slug}")
    assert "X-Cache" not in page.headers and _token(page.text)


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
