"""Catalog rules: producers, products and certificates. Services flush, never commit."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import today
from app.errors import Conflict, InvalidInput, NotFound
from catalog.gate import default_valid_until
from catalog.models import (
    GROUPS,
    LEVELS,
    PRODUCER_KINDS,
    STAR_SCORE_BANDS,
    Certificate,
    Producer,
    Product,
)
from catalog.regions import validate_location
from catalog.text import slugify

TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")


def validate_tax_code(tax_code: str) -> str:
    tax_code = (tax_code or "").strip()
    if not TAX_CODE.match(tax_code):
        raise InvalidInput(
            f"Invalid tax code {tax_code!r}: 10 digits, or 10 digits, a dash and 3 digits.",
            code="invalid_tax_code",
        )
    return tax_code


def validate_gtin(gtin: str) -> str:
    """A GTIN-8/12/13/14 with a valid GS1 check digit, returned as 14 digits."""
    gtin = (gtin or "").strip()
    if not gtin.isdigit() or len(gtin) not in (8, 12, 13, 14):
        raise InvalidInput("A GTIN has 8, 12, 13 or 14 digits.", code="invalid_gtin")
    padded = gtin.zfill(14)
    body, check = padded[:-1], int(padded[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(body))
    if (10 - total % 10) % 10 != check:
        raise InvalidInput(f"GTIN {gtin} has a wrong check digit.", code="invalid_gtin")
    return padded


def unique_slug(session: Session, model, text: str) -> str:
    base = slugify(text)
    taken = set(session.scalars(select(model.slug).where(model.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def get_producer(session: Session, slug: str) -> Producer:
    producer = session.scalar(select(Producer).where(Producer.slug == slug))
    if producer is None:
        raise NotFound(f"No producer {slug!r}.")
    return producer


def get_product(session: Session, slug: str, *, producer: Producer | None = None) -> Product:
    """A product by slug; with `producer`, only that producer's own (others answer 404)."""
    query = select(Product).where(Product.slug == slug)
    if producer is not None:
        query = query.where(Product.producer_id == producer.id)
    product = session.scalar(query)
    if product is None:
        raise NotFound(f"No product {slug!r}.")
    return product


def create_producer(
    session: Session,
    *,
    name: str,
    kind: str,
    tax_code: str,
    province_code: int,
    ward_code: int | None = None,
    address: str = "",
    **extra,
) -> Producer:
    if kind not in PRODUCER_KINDS:
        raise InvalidInput(f"Unknown producer kind {kind!r}; use one of {', '.join(PRODUCER_KINDS)}.",
                           code="invalid_kind")
    tax_code = validate_tax_code(tax_code)
    validate_location(province_code, ward_code)
    if session.scalar(select(Producer.id).where(Producer.tax_code == tax_code)):
        raise Conflict(f"A producer with tax code {tax_code} already exists.", code="tax_code_taken")
    producer = Producer(
        slug=unique_slug(session, Producer, name),
        name=name.strip(),
        kind=kind,
        tax_code=tax_code,
        province_code=province_code,
        ward_code=ward_code,
        address=address,
        **extra,
    )
    session.add(producer)
    session.flush()
    return producer


PRODUCT_FIELDS = {"name", "name_en", "description", "description_en", "unit", "unit_en",
                  "price_vnd", "published", "gtin", "group"}


def _check_product_values(values: dict) -> None:
    if "group" in values and values["group"] not in GROUPS:
        raise InvalidInput(f"Unknown group {values['group']!r}; use one of {', '.join(GROUPS)}.",
                           code="invalid_group")
    if values.get("price_vnd") is not None and values["price_vnd"] < 0:
        raise InvalidInput("price_vnd cannot be negative.", code="invalid_price")
    if values.get("gtin"):
        values["gtin"] = validate_gtin(values["gtin"])
    if "name" in values and not (values["name"] or "").strip():
        raise InvalidInput("A product needs a name.", code="invalid_name")


def _check_gtin_free(session: Session, gtin: str | None, product_id: int | None = None) -> None:
    if not gtin:
        return
    other = session.scalar(select(Product.id).where(Product.gtin == gtin))
    if other is not None and other != product_id:
        raise Conflict(f"GTIN {gtin} is already used by another product.", code="gtin_taken")


def _check_name_free(session: Session, producer: Producer, name: str,
                     product_id: int | None = None) -> None:
    query = select(Product.id).where(Product.producer_id == producer.id,
                                     func.lower(Product.name) == name.lower())
    if product_id is not None:
        query = query.where(Product.id != product_id)
    if session.scalar(query.limit(1)):
        raise Conflict(f"{producer.name} already has a product named {name!r}.", code="name_taken")


def create_product(session: Session, producer: Producer, **values) -> Product:
    """A new product of `producer`; unpublished unless asked, and never published unpriced."""
    unknown = set(values) - PRODUCT_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown product fields: {', '.join(sorted(unknown))}.")
    _check_product_values(values)
    name = values["name"].strip()
    _check_name_free(session, producer, name)
    if values.get("published") and values.get("price_vnd") is None:
        raise InvalidInput("Set price_vnd before publishing.", code="price_required")
    _check_gtin_free(session, values.get("gtin"))
    product = Product(producer=producer, slug=unique_slug(session, Product, name),
                      **{**values, "name": name})
    session.add(product)
    session.flush()
    return product


# Fields a product always has (NOT NULL): a change may set them, never empty them.
PRODUCT_REQUIRED_FIELDS = ("name", "group", "description", "unit", "published")


def update_product(session: Session, product: Product, **changes) -> Product:
    """Change a product's fields; its name stays unique among its producer's products
    (case aside, as at creation)."""
    unknown = set(changes) - PRODUCT_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown product fields: {', '.join(sorted(unknown))}.")
    emptied = [name for name in PRODUCT_REQUIRED_FIELDS if name in changes and changes[name] is None]
    if emptied:
        raise InvalidInput(f"{', '.join(emptied)}: cannot be null.", code="invalid_input")
    _check_product_values(changes)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        _check_name_free(session, product.producer, changes["name"], product.id)
    price = changes.get("price_vnd", product.price_vnd)
    if changes.get("published", product.published) and price is None:
        raise InvalidInput("Set price_vnd before publishing.", code="price_required")
    _check_gtin_free(session, changes.get("gtin"), product.id)
    for key, value in changes.items():
        setattr(product, key, value)
    session.flush()
    return product


TWO_TIER_FROM = date(2025, 7, 1)


def check_decision_level(*, stars: int, level: str, issued_on: date) -> None:
    """A decision's level must fit its date and stars (DOMAIN §2, 1489/QĐ-TTg of 06/7/2025):
    `district` only for 3★ before 2025-07-01; `province` for 3★ or 4★; `central` for 5★ and
    only 5★; `commune` issues no certificate."""
    if level == "commune":
        raise InvalidInput("A commune/ward People's Committee issues no OCOP certificate: it only "
                           "pre-checks dossiers; 3★ and 4★ come from the province, 5★ from the "
                           "central level.", code="invalid_level")
    if level == "district" and (stars != 3 or issued_on >= TWO_TIER_FROM):
        raise InvalidInput("A district decided only 3★, and only before 2025-07-01 (districts no "
                           "longer exist); use province.", code="invalid_level")
    if level == "province" and stars not in (3, 4):
        raise InvalidInput("A province recognises 3★ and 4★; 5★ comes only from the central level.",
                           code="invalid_level")
    if level == "central" and stars != 5:
        raise InvalidInput("The central level recognises only 5★; 3★ and 4★ come from the province.",
                           code="invalid_level")


def validate_certificate_values(*, stars: int, score: int, level: str, issued_on: date,
                                valid_until: date | None, decision_number: str,
                                issuer: str) -> date:
    """Check a certificate's fields against DOMAIN §2–§3; returns its valid_until."""
    if stars not in STAR_SCORE_BANDS:
        raise InvalidInput("Only 3★, 4★ and 5★ certificates exist (OCOP products).",
                           code="invalid_stars")
    low, high = STAR_SCORE_BANDS[stars]
    if not low <= score <= high:
        raise InvalidInput(f"A {stars}★ certificate needs a score of {low}–{high}, not {score}.",
                           code="score_mismatch")
    if level not in LEVELS:
        raise InvalidInput(f"Unknown level {level!r}; use one of {', '.join(LEVELS)}.",
                           code="invalid_level")
    check_decision_level(stars=stars, level=level, issued_on=issued_on)
    if not decision_number.strip():
        raise InvalidInput("A certificate needs its decision number.", code="invalid_decision")
    if not issuer.strip():
        raise InvalidInput("A certificate needs its issuer, as written on the decision.",
                           code="invalid_issuer")
    if valid_until is None:
        try:
            valid_until = default_valid_until(issued_on)
        except (ValueError, OverflowError):  # the calendar (and the database's dates) end in 9999
            raise InvalidInput("This certificate's default end (issued_on + 36 months) falls after "
                               "year 9999; check issued_on.", code="invalid_dates") from None
    if valid_until < issued_on:
        raise InvalidInput("valid_until cannot precede issued_on.", code="invalid_dates")
    return valid_until


def create_certificate(session: Session, product: Product, *, stars: int, score: int, level: str,
                       decision_number: str, issuer: str, issued_on: date,
                       valid_until: date | None = None) -> Certificate:
    valid_until = validate_certificate_values(
        stars=stars, score=score, level=level, issued_on=issued_on, valid_until=valid_until,
        decision_number=decision_number, issuer=issuer)
    exists = session.scalar(select(Certificate.id).where(
        Certificate.product_id == product.id, Certificate.decision_number == decision_number))
    if exists:
        raise Conflict(f"Decision {decision_number} is already recorded for {product.name}.",
                       code="duplicate_decision")
    cert = Certificate(product=product, stars=stars, score=score, level=level,
                       decision_number=decision_number.strip(), issuer=issuer.strip(),
                       issued_on=issued_on, valid_until=valid_until)
    session.add(cert)
    session.flush()
    return cert


def revoke_certificate(session: Session, cert: Certificate, *, reason: str,
                       revoked_on: date | None = None) -> Certificate:
    """Revoked from `revoked_on` inclusive (default: today); never before issued_on."""
    if not (reason or "").strip():
        raise InvalidInput("Give the reason for the revocation.", code="reason_required")
    revoked_on = revoked_on or today()
    if revoked_on < cert.issued_on:
        raise InvalidInput("revoked_on cannot precede the certificate's issued_on.",
                           code="invalid_dates")
    if cert.revoked_on is not None:
        raise Conflict(f"Certificate {cert.decision_number} was already revoked on "
                       f"{cert.revoked_on.isoformat()}.", code="already_revoked")
    cert.revoked_on = revoked_on
    cert.revoke_reason = reason.strip()
    session.flush()
    return cert


# --- The office: producers (issue 12) ---------------------------------------------------------

# Fields a producer always has (NOT NULL); `name` is checked on its own (not blank either).
PRODUCER_REQUIRED_FIELDS = ("kind", "tax_code", "province_code", "address")
PRODUCER_EDITABLE = {"name", "name_en", "kind", "province_code", "ward_code", "address",
                     "historical_origin", "craft_village", "phone", "email", "description",
                     "description_en", "tax_code"}


def update_producer(session: Session, producer: Producer, **changes) -> Producer:
    """Edit a producer's record (name, kind, location, contact…); the same checks as
    registration. Activity is changed only by `set_producer_active`, with a reason."""
    unknown = set(changes) - PRODUCER_EDITABLE
    if unknown:
        raise InvalidInput(f"Unknown producer fields: {', '.join(sorted(unknown))}.")
    if "kind" in changes and changes["kind"] not in PRODUCER_KINDS:
        raise InvalidInput(f"Unknown producer kind {changes['kind']!r}; use one of "
                           f"{', '.join(PRODUCER_KINDS)}.", code="invalid_kind")
    emptied = [name for name in PRODUCER_REQUIRED_FIELDS if name in changes and changes[name] is None]
    if emptied:
        raise InvalidInput(f"{', '.join(emptied)}: cannot be null.", code="invalid_input")
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise InvalidInput("A producer needs a name.", code="invalid_name")
    if "tax_code" in changes:
        changes["tax_code"] = validate_tax_code(changes["tax_code"])
        other = session.scalar(select(Producer.id).where(Producer.tax_code == changes["tax_code"]))
        if other is not None and other != producer.id:
            raise Conflict(f"A producer with tax code {changes['tax_code']} already exists.",
                           code="tax_code_taken")
    if "province_code" in changes or "ward_code" in changes:
        validate_location(changes.get("province_code", producer.province_code),
                          changes.get("ward_code", producer.ward_code))
    for key, value in changes.items():
        setattr(producer, key, value)
    session.flush()
    return producer


def set_producer_active(session: Session, producer: Producer, *, active: bool,
                        reason: str) -> bool:
    """Deactivate (or reactivate) a producer, with a reason. Deactivation takes every product
    of the producer out of sale at once through the gate (`producer_inactive`): storefront,
    search, carts at checkout, counters and booths all ask `catalog.gate`. Returns False
    when nothing changed. The sessions of the producer's users end on deactivation."""
    from app.clock import now

    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give the reason (the producer is told by e-mail).",
                           code="reason_required")
    if producer.active == active:
        return False
    producer.active = active
    producer.deactivated_at = None if active else now()
    producer.deactivation_reason = None if active else reason[:2000]
    if not active:
        from app.accounts.services import end_producer_sessions

        end_producer_sessions(session, producer.id)  # its staff are signed out everywhere
    session.flush()
    return True


def producer_activity_mail(producer: Producer, *, active: bool, reason: str) -> None:
    """Tell the producer (sent after the commit; no address, no mail)."""
    from flask import render_template
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from app.mail import send_mail

    if not producer.email:
        return
    with force_locale("vi"):
        subject = (_("Chủ thể %(name)s đã được kích hoạt lại trên OCOP Market", name=producer.name)
                   if active else
                   _("Chủ thể %(name)s đã bị tạm ngừng trên OCOP Market", name=producer.name))
        text = render_template("office/email/producer_activity.txt", producer=producer,
                               active=active, reason=reason)
    send_mail(producer.email, subject, text)


# --- The office: certificates corrected, never silently edited (issue 12) ---------------------

CORRECTABLE = ("decision_number", "issuer", "level", "stars", "score", "issued_on", "valid_until")


def correct_certificate(session: Session, cert: Certificate, *, reason: str, corrected_by=None,
                        **changes):
    """Correct a mistyped certificate: the new values pass the same validation as a new one,
    and the old → new values are kept in a CertificateCorrection."""
    from catalog.models import CertificateCorrection

    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say what was mistyped (the correction is recorded).",
                           code="reason_required")
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise InvalidInput(f"These fields cannot be corrected: {', '.join(sorted(unknown))}.")
    changes = {k: v for k, v in changes.items() if v is not None and v != getattr(cert, k)}
    if not changes:
        raise InvalidInput("Nothing to correct: the values are the same.", code="no_change")
    merged = {k: changes.get(k, getattr(cert, k)) for k in CORRECTABLE}
    if "decision_number" in changes:
        merged["decision_number"] = merged["decision_number"].strip()
    if "issued_on" in changes and "valid_until" not in changes:
        merged["valid_until"] = None  # back to the default term from the corrected date
    merged["valid_until"] = validate_certificate_values(**merged)
    if cert.revoked_on is not None and cert.revoked_on < merged["issued_on"]:
        raise InvalidInput("The certificate was revoked before that issued_on.",
                           code="invalid_dates")
    if merged["decision_number"] != cert.decision_number and session.scalar(
            select(Certificate.id).where(Certificate.product_id == cert.product_id,
                                         Certificate.decision_number == merged["decision_number"],
                                         Certificate.id != cert.id)):
        raise Conflict(f"Decision {merged['decision_number']} is already recorded for this "
                       "product.", code="duplicate_decision")
    before = {k: _jsonable(getattr(cert, k)) for k in CORRECTABLE
              if merged[k] != getattr(cert, k)}
    after = {k: _jsonable(merged[k]) for k in before}
    for key in before:
        setattr(cert, key, merged[key])
    correction = CertificateCorrection(certificate=cert, reason=reason[:2000], before=before,
                                       after=after,
                                       corrected_by_id=corrected_by.id if corrected_by else None)
    session.add(correction)
    session.flush()
    return correction


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value
