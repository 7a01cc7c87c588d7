"""Product pages for search engines and shared links: schema.org JSON-LD, canonical and
hreflang alternates, Open Graph; indicative foreign prices in English."""

from __future__ import annotations

import json
import re

from app.clock import today
from catalog.services import revoke_certificate
from storefront.promotion import currency
from tests.factories import make_product, receive_stock


def _jsonld(html: str) -> dict:
    [raw] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(raw)


def test_a_product_page_has_json_ld_product_with_an_offer_in_vnd(client, db_session):
    product = make_product(name="Rượu Kim Sơn", price_vnd=140_000, gtin="8936048220013")
    receive_stock(product, 4)
    data = _jsonld(client.get(f"/products/{product.slug}").text)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Product"
    assert data["name"] == "Rượu Kim Sơn" and data["brand"]["name"] == product.producer.name
    assert data["gtin13"] == "8936048220013"
    offer = data["offers"]
    assert offer["@type"] == "Offer" and offer["priceCurrency"] == "VND"
    assert offer["price"] == 140_000
    assert offer["availability"] == "https://schema.org/InStock"


def test_a_revoked_product_keeps_its_page_but_offers_nothing(client, db_session):
    product = make_product()
    revoke_certificate(db_session, product.certificates[-1], reason="x", revoked_on=today())
    data = _jsonld(client.get(f"/products/{product.slug}").text)
    assert data["@type"] == "Product" and "offers" not in data


def test_canonical_hreflang_and_open_graph(client, db_session):
    product = make_product(price_vnd=99_000)
    html = client.get(f"/products/{product.slug}?utm_source=zalo").text
    assert f'<link rel="canonical" href="http://ocop.test/products/{product.slug}">' in html
    assert f'hreflang="en" href="http://ocop.test/products/{product.slug}?lang=en"' in html
    assert f'hreflang="vi" href="http://ocop.test/products/{product.slug}"' in html
    assert '<meta property="og:type" content="product">' in html
    assert '<meta property="product:price:amount" content="99000">' in html
    assert 'property="og:image" content="http://ocop.test/' in html or not product.photos
    listing = client.get("/products?group=food&page=2&utm_campaign=x&lang=vi").text
    assert '<link rel="canonical" href="http://ocop.test/products?group=food&amp;page=2">' in listing
    english = client.get(f"/products/{product.slug}?lang=en").text
    assert f'<link rel="canonical" href="http://ocop.test/products/{product.slug}?lang=en">' in english


def test_english_pages_show_indicative_prices_with_their_date_vietnamese_do_not(client, db_session):
    product = make_product(price_vnd=263_500)
    currency.set_rate(db_session, "USD", 26_350)
    currency.set_rate(db_session, "AUD", 17_000)
    english = client.get(f"/products/{product.slug}?lang=en").text
    assert "≈ US$10.00" in english and "≈ A$15.50" in english
    assert "approximate; you pay in VND" in english and today().strftime("%d/%m/%Y") in english
    assert "US$" not in client.get(f"/products/{product.slug}?lang=vi").text


def test_the_office_sets_rates_through_the_api(client, db_session):
    from tests.factories import auth, make_token, make_user

    token = make_token(make_user("admin"))
    answer = client.post("/api/v1/admin/currency-rates", headers=auth(token),
                         json={"currency": "EUR", "vnd_per_unit": 30_400})
    assert answer.status_code == 201
    assert client.get("/api/v1/currency-rates").json["items"][0]["vnd_per_unit"] == 30_400
    bad = client.post("/api/v1/admin/currency-rates", headers=auth(token),
                      json={"currency": "BTC", "vnd_per_unit": 1})
    assert bad.status_code == 422
    customer = make_token(make_user("producer", producer=make_product().producer))
    assert client.post("/api/v1/admin/currency-rates", headers=auth(customer),
                       json={"currency": "EUR", "vnd_per_unit": 1}).status_code == 403


def test_a_gift_box_page_has_json_ld_with_an_offer_only_while_sellable(client, db_session, gift_box):
    data = _jsonld(client.get(f"/gifts/{gift_box.box.slug}").text)
    assert data["@type"] == "Product" and data["offers"]["priceCurrency"] == "VND"
    assert data["offers"]["price"] == 690_000
    revoke_certificate(db_session, gift_box.wine.certificates[-1], reason="x", revoked_on=today())
    assert "offers" not in _jsonld(client.get(f"/gifts/{gift_box.box.slug}").text)
