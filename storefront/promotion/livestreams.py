"""Livestreams announced by producers (DOMAIN §12): platform, URL, start, featured products.
Product pages show the next one; `/live` lists what is live now and upcoming, each with an
`.ics` calendar file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.clock import now as clock_now
from app.errors import InvalidInput, NotFound
from catalog.models import Producer, Product
from showrooms.stock import aware
from storefront.promotion.models import PLATFORMS, Livestream, livestream_products

DEFAULT_LENGTH = timedelta(hours=1)
MAX_LENGTH = timedelta(hours=12)
MAX_PRODUCTS = 30


def schedule(session: Session, producer: Producer, *, platform: str, url: str,
             starts_at: datetime, products: list[str], title: str | None = None,
             ends_at: datetime | None = None) -> Livestream:
    """A producer announces a livestream of its OWN products (another's slug → 422), on a
    known platform, with an http(s) URL, starting in the future, lasting at most 12 hours."""
    if platform not in PLATFORMS:
        raise InvalidInput(f"platform: one of {', '.join(PLATFORMS)}.", code="invalid_platform")
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput("url: an http(s) address of the stream.", code="invalid_url")
    if starts_at.tzinfo is None:
        raise InvalidInput("starts_at: give a time zone, e.g. 2026-12-01T19:00:00+07:00.",
                           code="invalid_time")
    if starts_at < clock_now() - timedelta(minutes=5):
        raise InvalidInput("starts_at: must be in the future.", code="invalid_time")
    ends_at = ends_at or starts_at + DEFAULT_LENGTH
    if ends_at.tzinfo is None or not starts_at < ends_at <= starts_at + MAX_LENGTH:
        raise InvalidInput("ends_at: after the start, at most 12 hours later.", code="invalid_time")
    slugs = list(dict.fromkeys(products or []))
    if not 1 <= len(slugs) <= MAX_PRODUCTS:
        raise InvalidInput(f"products: 1–{MAX_PRODUCTS} of your products.", code="invalid_products")
    own = {p.slug: p for p in session.scalars(select(Product).where(
        Product.slug.in_(slugs), Product.producer_id == producer.id))}
    missing = [s for s in slugs if s not in own]
    if missing:
        raise InvalidInput(f"products: not yours or unknown: {', '.join(missing)}.",
                           code="unknown_product")
    stream = Livestream(producer=producer, platform=platform, url=url,
                        title=(title or "").strip() or f"Livestream {producer.name}",
                        starts_at=starts_at.astimezone(UTC), ends_at=ends_at.astimezone(UTC),
                        products=[own[s] for s in slugs])
    session.add(stream)
    session.flush()
    return stream


def _query():
    return select(Livestream).options(
        joinedload(Livestream.producer),
        selectinload(Livestream.products).selectinload(Product.certificates),
        selectinload(Livestream.products).joinedload(Product.producer))


def featured(stream: Livestream, on=None) -> list[Product]:
    """The stream's products that may be sold today (the gate): the only ones shown."""
    from catalog.gate import listability

    return [p for p in stream.products if listability(p, on).listable]


def current_and_upcoming(session: Session, *, now: datetime | None = None,
                         limit: int = 100) -> tuple[list[Livestream], list[Livestream]]:
    """(live now, upcoming), each by start time."""
    now = now or clock_now()
    rows = session.scalars(_query().where(Livestream.ends_at > now)
                           .order_by(Livestream.starts_at, Livestream.id).limit(limit)).all()
    live = [s for s in rows if aware(s.starts_at) <= now]
    return live, [s for s in rows if aware(s.starts_at) > now]


def next_for_product(session: Session, product: Product, *, now: datetime | None = None) -> Livestream | None:
    """The livestream featuring `product` that is on now or starts next. Its own columns
    only (the product page shows its title and time): its producer and products load if
    asked for."""
    now = now or clock_now()
    featuring = select(livestream_products.c.livestream_id).where(
        livestream_products.c.product_id == product.id)
    return session.scalar(select(Livestream).where(Livestream.ends_at > now, Livestream.id.in_(featuring))
                          .order_by(Livestream.starts_at).limit(1))


def get_stream(session: Session, stream_id: int) -> Livestream:
    stream = session.scalar(_query().where(Livestream.id == stream_id))
    if stream is None:
        raise NotFound(f"No livestream {stream_id}.", code="unknown_livestream")
    return stream


def _ics_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def _fold(line: str) -> str:
    """RFC 5545 §3.1: lines of at most 75 octets, continued with a leading space."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > 75:
            out.append(current.decode())
            current = b" "
        current += encoded
    out.append(current.decode())
    return "\r\n".join(out)


def ics(stream: Livestream, *, base_url: str, stamp: datetime | None = None) -> str:
    """An iCalendar (RFC 5545) file with the stream as one event."""
    fmt = "%Y%m%dT%H%M%SZ"
    products = ", ".join(p.name for p in stream.products)
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//OCOP Market//Livestreams//VI",
        "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "BEGIN:VEVENT",
        f"UID:livestream-{stream.id}@{urlsplit(base_url).hostname or 'ocop.local'}",
        f"DTSTAMP:{(stamp or clock_now()).astimezone(UTC).strftime(fmt)}",
        f"DTSTART:{aware(stream.starts_at).astimezone(UTC).strftime(fmt)}",
        f"DTEND:{aware(stream.ends_at).astimezone(UTC).strftime(fmt)}",
        f"SUMMARY:{_ics_text(stream.title)}",
        f"DESCRIPTION:{_ics_text(f'{stream.producer.name} — {products}. {stream.url}')}",
        f"URL:{stream.url}",
        f"LOCATION:{_ics_text(stream.platform)}",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def stream_json(stream: Livestream, *, now: datetime | None = None) -> dict:
    now = now or clock_now()
    return {"id": stream.id, "title": stream.title, "platform": stream.platform, "url": stream.url,
            "starts_at": aware(stream.starts_at).isoformat(),
            "ends_at": aware(stream.ends_at).isoformat(),
            "live": aware(stream.starts_at) <= now < aware(stream.ends_at),
            "producer": {"slug": stream.producer.slug, "name": stream.producer.name},
            "products": [p.slug for p in stream.products]}
