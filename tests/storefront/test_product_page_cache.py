"""The product page is served from the whole-page cache to anonymous visitors, and its
add-to-cart form stays protected against CSRF: the page is stored with a placeholder and
each visitor gets their own session-bound token in it (app.pagecache.csrf_field), so the
form works at once, without JavaScript, and a POST without a valid token is refused."""

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
    assert "Mắm tôm Hậu Lộc" in second.text
    # Each visitor gets their own token (and session), never the placeholder or another's.
    tokens = {_token(page.text) for page in (first, second, third)}
    assert len(tokens) == 3 and TOKEN_PLACEHOLDER not in second.text and all(tokens)
    assert "session=" in second.headers["Set-Cookie"]
    assert "no-store" in second.headers["Cache-Control"]


def test_add_to_cart_from_a_cached_page_works_and_csrf_is_enforced(app, item, csrf_on):
    url = f"/products/{item.slug}"
    _anonymous(app).get(url)
    browser = app.test_client()  # a first visit: no cookie yet, so the page comes from the cache
    page = browser.get(url)
    assert page.headers["X-Cache"] == "hit"
    form = {"product": item.slug, "quantity": "2"}

    assert browser.post("/cart/add", data=form).status_code == 400  # no token
    forged = browser.post("/cart/add", data={**form, "csrf_token": "not-a-token"})
    assert forged.status_code == 400
    with browser.session_transaction() as session:
        assert not session.get("cart")

    added = browser.post("/cart/add", data={**form, "csrf_token": _token(page.text)})
    assert added.status_code == 302 and added.headers["Location"].endswith("/cart")
    with browser.session_transaction() as session:
        assert session["cart"] == {item.slug: 2}


def test_another_visitors_token_is_refused(app, item, csrf_on):
    url = f"/products/{item.slug}"
    _anonymous(app).get(url)
    thief, victim = app.test_client(), app.test_client()
    stolen = _token(thief.get(url).text)
    victim.get(url)
    answer = victim.post("/cart/add", data={"product": item.slug, "quantity": "1",
                                            "csrf_token": stolen})
    assert answer.status_code == 400


def test_visitors_with_a_session_get_a_fresh_page(app, item, csrf_on):
    browser = app.test_client()
    browser.get(f"/products/{item.slug}")  # now carries a session cookie
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
