"""Feeds and search engines (DOMAIN §12): Google Merchant RSS, Meta CSV, partner JSON, the
sitemap and robots.txt — listable products only, evaluated on each request."""

from __future__ import annotations

import csv
import io
import json

from defusedxml import ElementTree as ET

from app.clock import today
from catalog.services import revoke_certificate
from storefront.promotion import feeds
from tests.factories import make_certificate, make_product, receive_stock

G = "{http://base.google.com/ns/1.0}"
REQUIRED_G = ("id", "image_link", "price", "availability", "brand", "condition")


def _google_items(client) -> list:
    answer = client.get("/feeds/google.xml")
    assert answer.status_code == 200
    assert answer.mimetype == "application/rss+xml"
    root = ET.fromstring(answer.get_data())
    assert root.tag == "rss" and root.get("version") == "2.0"
    return root.findall("./channel/item")


def _slugs_everywhere(client) -> dict[str, set[str]]:
    google = {item.findtext(f"{G}id") for item in _google_items(client)}
    meta = {row["id"] for row in csv.DictReader(io.StringIO(client.get("/feeds/meta.csv").text))}
    partner = {item["id"] for item in json.loads(client.get("/feeds/products.json").text)["items"]}
    sitemap = client.get("/sitemap.xml").text
    return {"google": google, "meta": meta, "json": partner, "sitemap": {
        s for s in google | meta | partner if f"/products/{s}</loc>" in sitemap}}


def test_the_merchant_feed_parses_and_every_item_has_the_required_fields(client, db_session):
    with_gtin = make_product(name="Nước mắm Phú Quốc", price_vnd=120_000, gtin="8936048220013")
    receive_stock(with_gtin, 5)
    make_product(name="Mật ong <rừng> & hoa", price_vnd=210_000, description="")  # no stock, no photo
    items = _google_items(client)
    assert len(items) == 2
    for item in items:
        for field in ("title", "description", "link"):
            assert (item.findtext(field) or "").strip(), field
        for field in REQUIRED_G:
            assert (item.findtext(f"{G}{field}") or "").strip(), field
        assert item.findtext("link").startswith("http://ocop.test/products/")
        assert item.findtext(f"{G}image_link").startswith("http://ocop.test/")
        amount, currency = item.findtext(f"{G}price").split()
        assert currency == "VND" and int(amount) > 0
        assert item.findtext(f"{G}availability") in ("in_stock", "out_of_stock")
        assert item.findtext(f"{G}condition") == "new"
        assert item.findtext(f"{G}gtin") or item.findtext(f"{G}identifier_exists") == "no"
    by_id = {item.findtext(f"{G}id"): item for item in items}
    fish = by_id[with_gtin.slug]
    assert fish.findtext(f"{G}gtin") == "8936048220013"
    assert fish.findtext(f"{G}availability") == "in_stock"
    assert fish.findtext(f"{G}brand") == with_gtin.producer.name
    assert fish.findtext(f"{G}price") == "120000 VND"
    assert any(item.findtext("title") == "Mật ong <rừng> & hoa" for item in items)


def test_tourism_services_stay_out_of_the_shopping_feeds_but_not_the_partner_feed(client, db_session):
    homestay = make_product(name="Homestay thử", group="tourism")
    assert homestay.slug not in _slugs_everywhere(client)["google"]
    partner = json.loads(client.get("/feeds/products.json").text)["items"]
    assert [i["kind"] for i in partner if i["id"] == homestay.slug] == ["service"]


def test_meta_csv_and_partner_json_have_their_fields(client, db_session):
    product = make_product(price_vnd=95_000)
    receive_stock(product, 3)
    rows = list(csv.DictReader(io.StringIO(client.get("/feeds/meta.csv").text)))
    assert rows[0]["id"] == product.slug and rows[0]["price"] == "95000 VND"
    assert rows[0]["availability"] == "in stock" and rows[0]["condition"] == "new"
    assert rows[0]["brand"] == product.producer.name
    body = json.loads(client.get("/feeds/products.json").text)
    assert body["currency"] == "VND"
    [item] = body["items"]
    assert item["price_vnd"] == 95_000 and item["certificate"]["stars"] == 4
    assert item["in_stock"] is True and item["url"] == f"http://ocop.test/products/{product.slug}"


def test_a_product_revoked_now_leaves_every_feed_the_sitemap_at_once(client, db_session):
    kept = make_product(name="Còn bán")
    revoked = make_product(name="Bị thu hồi")
    unpublished = make_product(name="Chưa đăng", published=False)
    expired = make_product(name="Hết hạn", certified=False)
    make_certificate(expired, issued_on=today().replace(year=today().year - 4))
    before = _slugs_everywhere(client)
    for name, slugs in before.items():
        assert kept.slug in slugs and revoked.slug in slugs, name
        assert unpublished.slug not in slugs and expired.slug not in slugs, name
    revoke_certificate(db_session, revoked.certificates[-1], reason="Vi phạm", revoked_on=today())
    after = _slugs_everywhere(client)
    for name, slugs in after.items():
        assert kept.slug in slugs, name
        assert revoked.slug not in slugs, name
    assert f"/products/{revoked.slug}<" not in client.get("/sitemap.xml").text


def test_the_sitemap_lists_pages_products_boxes_villages_with_language_alternates(client, db_session,
                                                                                 gift_box):
    root = ET.fromstring(client.get("/sitemap.xml").get_data())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    assert "http://ocop.test/" in locs and "http://ocop.test/gifts" in locs
    assert f"http://ocop.test/gifts/{gift_box.box.slug}" in locs
    assert f"http://ocop.test/products/{gift_box.wine.slug}" in locs
    first = root.find("s:url", ns)
    assert {link.get("hreflang") for link in first.findall("x:link", ns)} == {"vi", "en"}


def test_robots_points_at_the_sitemap_and_keeps_private_pages_out(client):
    text = client.get("/robots.txt").text
    assert "Sitemap: http://ocop.test/sitemap.xml" in text
    for path in ("/seller/", "/admin/", "/checkout", "/orders/"):
        assert f"Disallow: {path}" in text


def test_feeds_read_in_chunks_so_any_catalogue_size_streams(db_session):
    products = [make_product() for _ in range(7)]
    rows = list(feeds.listable_rows(db_session, base_url="http://x", chunk=3))
    assert [r.product.id for r in rows] == sorted(p.id for p in products)


def test_a_big_catalogue_gets_a_sitemap_index_of_parts(client, db_session, monkeypatch):
    from storefront.promotion import views

    products = [make_product() for _ in range(5)]
    monkeypatch.setattr(views, "SITEMAP_URLS", 2)
    index = ET.fromstring(client.get("/sitemap.xml").get_data())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    parts = [s.findtext("s:loc", namespaces=ns) for s in index.findall("s:sitemap", ns)]
    assert parts == ["http://ocop.test/sitemap-pages.xml"] + [
        f"http://ocop.test/sitemap-products-{n}.xml" for n in (1, 2, 3)]
    seen = []
    for n in (1, 2, 3):
        part = ET.fromstring(client.get(f"/sitemap-products-{n}.xml").get_data())
        seen += [u.findtext("s:loc", namespaces=ns) for u in part.findall("s:url", ns)]
    assert seen == [f"http://ocop.test/products/{p.slug}" for p in products]
    assert client.get("/sitemap-products-4.xml").status_code == 404
    assert "http://ocop.test/gifts" in client.get("/sitemap-pages.xml").text


def test_revoked_now_leaves_the_feeds_the_sitemap_and_its_box_on_the_next_request(client, db_session,
                                                                                  gift_box):
    before = _slugs_everywhere(client)
    assert all(gift_box.wine.slug in slugs for slugs in before.values())
    assert client.get(f"/api/v1/gift-boxes/{gift_box.box.slug}").json["available"] == 4
    revoke_certificate(db_session, gift_box.wine.certificates[-1], reason="Vi phạm",
                       revoked_on=today())
    after = _slugs_everywhere(client)
    assert all(gift_box.wine.slug not in slugs for slugs in after.values()), after
    box = client.get(f"/api/v1/gift-boxes/{gift_box.box.slug}").json
    assert box["available"] == 0 and box["reason"]["product"] == gift_box.wine.slug
    assert client.get("/feeds/google.xml").headers["Cache-Control"] == "no-cache"
