"""Product feeds for other platforms and search engines (DOMAIN §12): Google Merchant
(RSS 2.0 + `g:`), a Meta catalogue CSV, a JSON feed for partner marketplaces, and the
sitemap. LISTABLE PRODUCTS ONLY, evaluated when the feed is requested: the rows come from
`catalog.listing.filtered` (the gate's set-based query), run once and streamed in chunks,
so a feed of any size is served with bounded memory."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session

from app import spreadsheet
from app.clock import today
from catalog.listing import filtered, with_cards
from catalog.models import Certificate, Product
from showrooms.services import online_availability

CHUNK = 500
G_NS = "http://base.google.com/ns/1.0"
PLACEHOLDER = "/static/promotion/no-photo.png"
META_COLUMNS = ("id", "title", "description", "availability", "condition", "price", "link",
                "image_link", "brand", "gtin", "google_product_category", "product_type")
# Google's product taxonomy ids, by OCOP group (tourism services are not in the shopping feeds).
GOOGLE_CATEGORY = {"food": "422", "beverage": "499676", "herbal": "5631", "craft": "696",
                   "textile": "166", "ornamental": "985"}


@dataclass(frozen=True)
class FeedItem:
    product: Product
    certificate: Certificate
    in_stock: bool
    base_url: str

    @property
    def link(self) -> str:
        return f"{self.base_url}/products/{self.product.slug}"

    @property
    def image_link(self) -> str:
        return self.base_url + (self.product.photo_url or PLACEHOLDER)

    @property
    def title(self) -> str:
        return self.product.name[:150]

    @property
    def description(self) -> str:
        text = (self.product.description or "").strip()
        return (text or f"{self.product.name} — OCOP {self.certificate.stars}★")[:5000]

    @property
    def brand(self) -> str:
        return self.product.producer.name

    @property
    def price(self) -> str:
        return f"{self.product.price_vnd} VND"


def listable_count(session: Session, on: date | None = None) -> int:
    from sqlalchemy import func, select

    return session.scalar(select(func.count()).select_from(filtered(on or today()).subquery())) or 0


def listable_rows(session: Session, *, base_url: str, on: date | None = None,
                  goods_only: bool = False, chunk: int = CHUNK, offset: int = 0,
                  limit: int | None = None) -> Iterator[FeedItem]:
    """Every listable product on `on`, in id order: ONE run of the gate's list query, its
    rows streamed `chunk` at a time (with their photos, producers and one stock query per
    chunk), so memory stays flat whatever the catalogue's size."""
    on = on or today()
    query = filtered(on)
    if goods_only:
        query = query.where(Product.group != "tourism")
    query = with_cards(query).order_by(Product.id)
    if offset or limit is not None:
        query = query.offset(offset).limit(limit)
    result = session.execute(query.execution_options(yield_per=chunk))
    for rows in result.partitions():
        stock = online_availability(session, [p.id for p, _ in rows if not p.is_service])
        for product, cert in rows:
            yield FeedItem(product, cert, product.is_service or stock.get(product.id, 0) > 0,
                           base_url)


def _tag(name: str, value) -> str:
    return f"<{name}>{escape(str(value))}</{name}>"


def google_feed(items: Iterator[FeedItem], *, base_url: str, title: str) -> Iterator[str]:
    """Google Merchant Center RSS 2.0: id, title, description, link, image_link, price in
    VND, availability, brand (the producer), gtin when known (else identifier_exists=no),
    condition."""
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n'
           f'<rss version="2.0" xmlns:g="{G_NS}">\n<channel>\n'
           f"{_tag('title', title)}\n{_tag('link', base_url + '/')}\n"
           f"{_tag('description', 'Certified OCOP products of Vietnam')}\n")
    for item in items:
        product = item.product
        parts = [
            _tag("g:id", product.slug), _tag("title", item.title),
            _tag("description", item.description), _tag("link", item.link),
            _tag("g:image_link", item.image_link), _tag("g:price", item.price),
            _tag("g:availability", "in_stock" if item.in_stock else "out_of_stock"),
            _tag("g:brand", item.brand), _tag("g:condition", "new"),
        ]
        if product.gtin:
            parts.append(_tag("g:gtin", product.gtin))
        else:
            parts.append(_tag("g:identifier_exists", "no"))
        if product.group in GOOGLE_CATEGORY:
            parts.append(_tag("g:google_product_category", GOOGLE_CATEGORY[product.group]))
        parts.append(_tag("g:product_type", f"OCOP {item.certificate.stars} sao > {product.group}"))
        yield "<item>" + "".join(parts) + "</item>\n"
    yield "</channel>\n</rss>\n"


def meta_feed(items: Iterator[FeedItem]) -> Iterator[str]:
    """Meta (Facebook/Instagram) catalogue CSV with its required columns."""
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer)
    writer.writerow(META_COLUMNS)
    for item in items:
        product = item.product
        writer.writerow([product.slug, item.title, item.description,
                         "in stock" if item.in_stock else "out of stock", "new", item.price,
                         item.link, item.image_link, item.brand, product.gtin or "",
                         GOOGLE_CATEGORY.get(product.group, ""), product.group])
        if buffer.tell() > 32_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def item_json(item: FeedItem) -> dict:
    product, cert = item.product, item.certificate
    return {
        "id": product.slug, "name": product.name, "name_en": product.name_en,
        "description": product.description, "description_en": product.description_en,
        "group": product.group, "kind": "service" if product.is_service else "good",
        "unit": product.unit, "price_vnd": product.price_vnd, "currency": "VND",
        "in_stock": item.in_stock, "gtin": product.gtin, "url": item.link,
        "image": item.image_link,
        "producer": {"slug": product.producer.slug, "name": product.producer.name,
                     "province_code": product.producer.province_code},
        "certificate": {"number": cert.decision_number, "stars": cert.stars,
                        "valid_until": cert.valid_until.isoformat()},
    }


def json_feed(items: Iterator[FeedItem], *, generated_at: str) -> Iterator[str]:
    """`{"generated_at", "currency": "VND", "items": [...]}`, streamed item by item."""
    yield f'{{"generated_at": {json.dumps(generated_at)}, "currency": "VND", "items": ['
    first = True
    for item in items:
        yield ("" if first else ",") + "\n" + json.dumps(item_json(item), ensure_ascii=False)
        first = False
    yield "\n]}\n"
