"""Caches never outlive the gate: a revocation, a deactivation or the local date turning
takes a product out of every cached list and page on the very next request (app.pagecache,
catalog.listing's cached ids and counts, keyed by catalog.timeline's version)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.extensions import db
from catalog.services import revoke_certificate
from tests.factories import make_certificate, make_product, receive_stock

D = date(2026, 11, 23)
PAGES = ("/", "/products", "/products?stars=4", "/products?group=food",
         "/products?q=Mien+Dong+Gio", "/products?province=92", "/api/v1/products")


@pytest.fixture
def visitor(app, db_session):
    """An anonymous visitor: no cookie is ever sent, so pages come from the page cache."""
    class Visitor:
        def get(self, url):
            db.session.commit()  # what the test arranged, as if already committed
            return app.test_client(use_cookies=False).get(url)

    return Visitor()


def _shows(answer, product) -> bool:
    return product.slug in answer.get_data(as_text=True)


def test_a_revocation_leaves_every_cached_list_and_page_on_the_next_request(visitor, db_session, freeze):
    freeze(D)
    item = make_product(name="Miến dong Giò Lụa", certified=False)
    cert = make_certificate(item, stars=4, issued_on=D - timedelta(days=100))
    receive_stock(item, 5)
    for url in PAGES:
        assert _shows(visitor.get(url), item), url
    assert visitor.get("/products").headers["X-Cache"] == "hit"  # served from the cache now
    producer_page = f"/producers/{item.producer.slug}"
    assert _shows(visitor.get(producer_page), item)

    revoke_certificate(db_session, cert, reason="Vi phạm an toàn thực phẩm", revoked_on=D)
    for url in (*PAGES, producer_page):
        assert not _shows(visitor.get(url), item), url


def test_a_deactivated_producer_leaves_cached_pages_at_once(visitor, db_session, freeze):
    freeze(D)
    item = make_product(name="Miến dong Giò Lụa")
    for url in PAGES:
        assert _shows(visitor.get(url), item), url
    item.producer.active = False
    db_session.flush()
    for url in PAGES:
        assert not _shows(visitor.get(url), item), url


def test_the_local_date_turning_ends_a_certificate_in_every_cached_page(visitor, freeze):
    freeze(D)
    item = make_product(name="Miến dong Giò Lụa", certified=False)
    make_certificate(item, issued_on=D - timedelta(days=30), valid_until=D)
    for url in PAGES:
        assert _shows(visitor.get(url), item), url  # valid all day on valid_until
    freeze(D + timedelta(days=1))
    for url in PAGES:
        assert not _shows(visitor.get(url), item), url


def test_a_visitor_with_a_cookie_is_never_served_a_cached_page(app, client, freeze):
    freeze(D)
    make_product(name="Miến dong Giò Lụa")
    anonymous = app.test_client(use_cookies=False)
    db.session.commit()
    anonymous.get("/products")
    assert anonymous.get("/products").headers["X-Cache"] == "hit"
    client.get("/products?lang=en")  # a session cookie now
    answer = client.get("/products")
    assert "X-Cache" not in answer.headers
    assert "Cookie" in answer.headers["Vary"]


def _similar(answer) -> str:
    """The "same group" block of a product page."""
    html = answer.get_data(as_text=True)
    return html.split('id="similar-title"', 1)[1] if 'id="similar-title"' in html else ""


def test_a_revocation_leaves_the_similar_cards_of_every_product_page(client, visitor, db_session, freeze):
    """The cards of a group are rendered once (storefront.similar) for every product page of
    the group, cached or not: a revoked product leaves them on the next request."""
    freeze(D)
    item = make_product(name="Miến dong Giò Lụa", group="food", certified=False)
    cert = make_certificate(item, stars=5, issued_on=D - timedelta(days=100))
    neighbour = make_product(name="Bánh đa Kế", group="food", stars=4)
    page = f"/products/{neighbour.slug}"
    assert item.slug in _similar(visitor.get(page))
    assert item.slug in _similar(client.get(page))  # a session cookie: no page cache
    assert item.slug in _similar(client.get(page))

    revoke_certificate(db_session, cert, reason="Vi phạm an toàn thực phẩm", revoked_on=D)
    assert item.slug not in _similar(visitor.get(page))
    assert item.slug not in _similar(client.get(page))


def test_a_similar_card_says_sold_out_on_the_next_request(client, db_session, freeze):
    from showrooms.stock import record_movement, warehouse_of

    freeze(D)
    item = make_product(name="Miến dong Giò Lụa", group="food", stars=5)
    receive_stock(item, 1)
    neighbour = make_product(name="Bánh đa Kế", group="food", stars=4)
    page = f"/products/{neighbour.slug}"
    client.get("/?lang=en")
    assert "In stock" in _similar(client.get(page))
    record_movement(db_session, location=warehouse_of(db_session, item.producer), product=item,
                    kind="sale", quantity=-1, reason="sold at the counter")
    cards = _similar(client.get(page))
    assert item.slug in cards and "Out of stock" in cards and "In stock" not in cards
