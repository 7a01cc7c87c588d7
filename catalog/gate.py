"""The certificate gate (DOMAIN §3) — the heart of OCOP Market.

One rule, one place: storefront lists, search, the API, cart, checkout, payment
confirmation, counter sales and fair booths all ask this module whether a product may be
sold, and why not. `listability()` answers for one product; `listable_products()` is the
same rule as a set-based query for lists, `refused_products()` for the reasons of many
products at once (tests/catalog/test_gate.py proves they all agree).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.clock import today
from app.errors import Conflict
from catalog.models import Certificate, ListingSegment, Producer, Product

TERM_MONTHS = 36

# Reasons, in the order DOMAIN §3 checks them.
PRODUCER_INACTIVE = "producer_inactive"
UNPUBLISHED = "unpublished"
CERTIFICATE_REVOKED = "certificate_revoked"
CERTIFICATE_EXPIRED = "certificate_expired"
NO_CERTIFICATE = "no_certificate"
REASONS = (PRODUCER_INACTIVE, UNPUBLISHED, CERTIFICATE_REVOKED, CERTIFICATE_EXPIRED, NO_CERTIFICATE)


class NotListable(Conflict):
    code = "not_listable"


def add_months(day: date, months: int) -> date:
    """Calendar months later, the day clamped to the month's end (Jan 31 + 1 → Feb 28/29)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_valid_until(issued_on: date) -> date:
    """`issued_on + 36 calendar months − 1 day`: 2024-03-15 → 2027-03-14,
    2024-01-31 → 2027-01-30, 2024-02-29 → 2027-02-27."""
    return add_months(issued_on, TERM_MONTHS) - timedelta(days=1)


def is_valid_on(cert: Certificate, on: date) -> bool:
    """Valid on D iff issued_on ≤ D ≤ valid_until and not revoked on or before D."""
    if cert.revoked_on is not None and cert.revoked_on <= on:
        return False
    return cert.issued_on <= on <= cert.valid_until


def certificate_status(cert: Certificate, on: date | None = None) -> str:
    """`valid`, `revoked` (from revoked_on inclusive), `expired`, or `not_yet_valid`."""
    on = on or today()
    if cert.revoked_on is not None and cert.revoked_on <= on:
        return "revoked"
    if on > cert.valid_until:
        return "expired"
    if on < cert.issued_on:
        return "not_yet_valid"
    return "valid"


def _recency(cert: Certificate) -> tuple:
    # Latest issued_on wins; ties go to more stars (then the newer row, for a total order).
    return (cert.issued_on, cert.stars, cert.id or 0)


def current_certificate(certificates: Iterable[Certificate], on: date | None = None) -> Certificate | None:
    """Among the certificates valid on D, the one with the latest issued_on (ties: more stars)."""
    on = on or today()
    valid = [c for c in certificates if is_valid_on(c, on)]
    return max(valid, key=_recency) if valid else None


def latest_certificate(certificates: Iterable[Certificate], on: date | None = None) -> Certificate | None:
    """The most recent certificate issued on or before D, whatever its state."""
    on = on or today()
    issued = [c for c in certificates if c.issued_on <= on]
    return max(issued, key=_recency) if issued else None


@dataclass(frozen=True)
class Listability:
    listable: bool
    reason: str | None
    # The current certificate when listable, else the latest one (for an honest status).
    certificate: Certificate | None

    def __bool__(self) -> bool:
        return self.listable


def listability(product: Product, on: date | None = None) -> Listability:
    """Listable on D iff published, producer active, and a current certificate exists;
    otherwise the first reason of: producer_inactive, unpublished, certificate_revoked,
    certificate_expired, no_certificate."""
    on = on or today()
    current = current_certificate(product.certificates, on)
    shown = current or latest_certificate(product.certificates, on)
    reason = _refusal(on, producer_active=product.producer.active, published=product.published,
                      has_current=current is not None, has_latest=shown is not None,
                      latest_revoked_on=shown.revoked_on if shown is not None else None)
    return Listability(reason is None, reason, shown)


def _refusal(on: date, *, producer_active: bool, published: bool, has_current: bool,
             has_latest: bool, latest_revoked_on: date | None) -> str | None:
    """DOMAIN §3's order of reasons, shared by `listability()` and `refused_products()`:
    None when listable. `has_latest`: a certificate was issued on or before D; the latest
    one was revoked on `latest_revoked_on`."""
    if not producer_active:
        return PRODUCER_INACTIVE
    if not published:
        return UNPUBLISHED
    if has_current:
        return None
    if not has_latest:
        return NO_CERTIFICATE
    if latest_revoked_on is not None and latest_revoked_on <= on:
        return CERTIFICATE_REVOKED
    return CERTIFICATE_EXPIRED


# The one wording of the reasons, everywhere a refusal is shown (pages, mails, API
# messages, counter, fairs, gift boxes): lazy, so each reader gets their own language.
REASON_TEXT = {
    PRODUCER_INACTIVE: _l("chủ thể OCOP đã ngừng hoạt động"),
    UNPUBLISHED: _l("chủ thể OCOP đã ngừng bán sản phẩm"),
    CERTIFICATE_REVOKED: _l("giấy chứng nhận OCOP đã bị thu hồi"),
    CERTIFICATE_EXPIRED: _l("giấy chứng nhận OCOP đã hết hạn"),
    NO_CERTIFICATE: _l("sản phẩm chưa có giấy chứng nhận OCOP"),
}


def reason_text(reason: str | None) -> str:
    """The gate's reason code in the reader's language (an unknown code as it is)."""
    return str(REASON_TEXT[reason]) if reason in REASON_TEXT else (reason or "")


def reason_texts() -> dict[str, str]:
    """Every reason in the reader's language (for scripts that word refusals offline)."""
    return {reason: reason_text(reason) for reason in REASONS}


def refusal_message(name: str, reason: str) -> str:
    return _("%(name)s không được bán: %(reason)s.", name=name, reason=reason_text(reason))


def require_listable(product: Product, on: date | None = None) -> Certificate:
    """The gate as a guard: the current certificate, or NotListable (409 `not_listable`)."""
    verdict = listability(product, on)
    if not verdict.listable:
        raise NotListable(refusal_message(product.name, verdict.reason),
                          details={"product": product.slug, "reason": verdict.reason})
    return verdict.certificate


def require_all_listable(products: Iterable[Product], on: date | None = None) -> dict[int, Certificate]:
    """The gate on several products at once: product id → its current certificate, or ONE
    NotListable naming every refused product and its reason (details `items`: product,
    name, reason, message), so a customer or a cashier fixes everything in one go."""
    on = on or today()
    certificates: dict[int, Certificate] = {}
    refused = []
    for product in products:
        verdict = listability(product, on)
        if verdict.listable:
            certificates[product.id] = verdict.certificate
        else:
            refused.append({"product": product.slug, "name": product.name,
                            "reason": verdict.reason,
                            "message": refusal_message(product.name, verdict.reason)})
    if refused:
        raise NotListable(" ".join(item["message"] for item in refused),
                          details={"items": refused, "on": on.isoformat()})
    return certificates


# --- The same rule, set-based, for lists -------------------------------------------------

def listing_segments(published: bool, producer_active: bool,
                     certificates: Iterable[Certificate]) -> list[tuple[date, date, Certificate]]:
    """The date ranges (inclusive) over which a product is listable, each with its current
    certificate: `current_certificate()` evaluated once per range between the dates where
    any certificate starts, ends or is revoked (it cannot change in between), adjacent ranges
    with the same certificate merged. Empty when unpublished or the producer is inactive."""
    certificates = list(certificates)
    if not (published and producer_active) or not certificates:
        return []
    edges: set[date] = set()
    for cert in certificates:
        edges.add(cert.issued_on)
        if cert.valid_until < date.max:
            edges.add(cert.valid_until + timedelta(days=1))
        if cert.revoked_on is not None:
            edges.add(cert.revoked_on)
    starts = sorted(edges)
    segments: list[tuple[date, date, Certificate]] = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else date.max
        current = current_certificate(certificates, start)
        if current is None:
            continue
        if segments and segments[-1][2] is current and segments[-1][1] + timedelta(days=1) == start:
            segments[-1] = (segments[-1][0], end, current)
        else:
            segments.append((start, end, current))
    return segments


def valid_on_clause(on: date, cert=Certificate):
    return and_(
        cert.issued_on <= on,
        cert.valid_until >= on,
        or_(cert.revoked_on.is_(None), cert.revoked_on > on),
    )


def _recency_rank():
    """`_recency` in SQL: 1 for each product's most recent certificate of the rows ranked
    (latest issue, then most stars, then the last recorded)."""
    return func.row_number().over(
        partition_by=Certificate.product_id,
        order_by=(Certificate.issued_on.desc(), Certificate.stars.desc(), Certificate.id.desc()),
    )


def current_certificates(on: date | None = None):
    """Subquery (product_id, certificate_id) of each product's current certificate on D."""
    on = on or today()
    rank = _recency_rank()
    ranked = (
        select(Certificate.product_id, Certificate.id.label("certificate_id"), rank.label("rank"))
        .where(valid_on_clause(on))
        .subquery("ranked_certificates")
    )
    return (
        select(ranked.c.product_id, ranked.c.certificate_id)
        .where(ranked.c.rank == 1)
        .subquery("current_certificates")
    )


def refused_products(session: Session, product_ids: Iterable[int],
                     on: date | None = None) -> dict[int, str]:
    """The gate on many products in one query: product id → reason, for each product NOT
    listable on D (listable ones, and unknown ids, are left out). The same verdicts as
    `listability()` (tests/catalog/test_gate.py proves they agree), read from the
    certificates themselves rather than the precomputed timeline: this guards payments."""
    on = on or today()
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    rank = _recency_rank()
    latest = (
        select(Certificate.product_id, Certificate.revoked_on, rank.label("rank"))
        .where(Certificate.product_id.in_(ids), Certificate.issued_on <= on)
        .subquery("latest_certificates")
    )
    current = (select(Certificate.id).where(Certificate.product_id == Product.id,
                                            valid_on_clause(on)).exists())
    rows = session.execute(
        select(Product.id, Producer.active, Product.published, current.label("has_current"),
               latest.c.product_id.label("latest"), latest.c.revoked_on)
        .join(Product.producer)
        .outerjoin(latest, and_(latest.c.product_id == Product.id, latest.c.rank == 1))
        .where(Product.id.in_(ids))
    ).all()
    refused = {}
    for product_id, active, published, has_current, latest_id, revoked_on in rows:
        reason = _refusal(on, producer_active=active, published=published,
                          has_current=bool(has_current), has_latest=latest_id is not None,
                          latest_revoked_on=revoked_on)
        if reason is not None:
            refused[product_id] = reason
    return refused


_alias: dict[str, object] = {}


def __getattr__(name: str):
    # `CurrentCertificate` (the certificate joined by `listable_products`) is built on first
    # use: aliasing configures all mappers, which must wait until every model is imported.
    if name == "CurrentCertificate":
        if name not in _alias:
            _alias[name] = aliased(Certificate, name="current_certificate")
        return _alias[name]
    raise AttributeError(name)


def listable_products(on: date | None = None) -> Select:
    """`select(Product, CurrentCertificate)` of every product listable on D.

    An index range lookup in the precomputed timeline (`ListingSegment`, kept by
    `catalog.timeline` from `listing_segments()` above), not a ranking of every certificate.
    Add filters (e.g. `CurrentCertificate.stars == 5`, `Producer.province_code == 92`) and
    ordering on the returned select; Producer is already joined.
    """
    on = on or today()
    CurrentCertificate = __getattr__("CurrentCertificate")  # noqa: N806
    return (
        select(Product, CurrentCertificate)
        .join(Product.producer)
        .join(ListingSegment, and_(ListingSegment.product_id == Product.id,
                                   ListingSegment.starts_on <= on, ListingSegment.ends_on >= on))
        .join(CurrentCertificate, CurrentCertificate.id == ListingSegment.certificate_id)
        .where(Product.published.is_(True), Producer.active.is_(True))
    )
