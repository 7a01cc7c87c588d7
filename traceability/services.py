"""Traceability rules: lots, stamp issuance, voiding (recalls) and reports (DOMAIN §6).
Services flush, never commit."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import now, today
from app.errors import Conflict, InvalidInput, NotFound
from catalog.gate import current_certificate
from catalog.models import Producer, Product
from traceability import codes
from traceability.models import Lot, Report, Stamp

MAX_STAMPS_PER_CALL = 10_000
# GS1 AI (10) allows 20 characters; we keep to those that need no escaping in a URL path,
# so that /01/<gtin>/10/<lot>/21/<code> stays readable.
LOT_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$")


class StampsNotAllowed(Conflict):
    code = "not_certified"


def validate_lot_number(lot_number: str) -> str:
    lot_number = (lot_number or "").strip()
    if not LOT_NUMBER.match(lot_number):
        raise InvalidInput(
            f"Invalid lot number {lot_number[:40]!r}: 1 to 20 letters, digits, '.', '_' or '-',"
            " starting with a letter or digit.",
            code="invalid_lot_number",
        )
    return lot_number


def get_lot(session: Session, lot_id: int, *, producer: Producer | None = None) -> Lot:
    """A lot by id; with `producer`, only that producer's own (another's answers 404)."""
    query = select(Lot).where(Lot.id == lot_id)
    if producer is not None:
        query = query.join(Lot.product).where(Product.producer_id == producer.id)
    lot = session.scalar(query)
    if lot is None:
        raise NotFound(f"No lot {lot_id}.", code="unknown_lot")
    return lot


def find_lot(session: Session, product: Product, lot_number: str) -> Lot | None:
    return session.scalar(
        select(Lot).where(Lot.product_id == product.id, Lot.lot_number == lot_number)
    )


def create_lot(session: Session, product: Product, *, lot_number: str, produced_on: date,
               quantity: int, best_before: date | None = None) -> Lot:
    """A new lot of `product`. The lot number is unique per product; a lot cannot be produced
    in the future, nor be best before it was made."""
    lot_number = validate_lot_number(lot_number)
    if produced_on > today():
        raise InvalidInput("A lot cannot be produced in the future.", code="invalid_produced_on")
    if best_before is not None and best_before < produced_on:
        raise InvalidInput("best_before cannot precede produced_on.", code="invalid_best_before")
    if quantity < 1:
        raise InvalidInput("A lot holds at least one unit.", code="invalid_quantity")
    if find_lot(session, product, lot_number) is not None:
        raise Conflict(f"Lot {lot_number} of {product.name} already exists.", code="lot_exists")
    lot = Lot(product=product, lot_number=lot_number, produced_on=produced_on,
              best_before=best_before, quantity=quantity)
    session.add(lot)
    session.flush()
    return lot


def stamp_stars(product: Product, on: date | None = None) -> int:
    """The stars a stamp sheet prints: the current certificate's. Without one, printing
    OCOP stamps would be a false claim (409 `not_certified`)."""
    cert = current_certificate(product.certificates, on)
    if cert is None:
        raise StampsNotAllowed(
            f"{product.name} has no valid OCOP certificate today: no OCOP stamps can be issued."
        )
    return cert.stars


def issue_stamps(session: Session, lot: Lot, count: int) -> list[Stamp]:
    """Issue `count` (1..10,000) new stamps for a lot that is not void, for a product that is
    certified today. Returns them in printing order."""
    if not 1 <= count <= MAX_STAMPS_PER_CALL:
        raise InvalidInput(f"count must be between 1 and {MAX_STAMPS_PER_CALL}.",
                           code="invalid_count")
    if lot.voided_at is not None:
        raise Conflict(f"Lot {lot.lot_number} is void: issue no stamps for it.", code="lot_void")
    stamp_stars(lot.product)
    return insert_stamps(session, lot, count)


def _insert_ignore(session: Session, model):
    """INSERT … ON CONFLICT DO NOTHING, for SQLite and PostgreSQL alike."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).on_conflict_do_nothing()


def insert_stamps(session: Session, lot: Lot, count: int) -> list[Stamp]:
    """Bulk-insert `count` stamps with fresh random codes. A code that already exists (about
    one chance in 2**65 / stamps issued) is skipped by the database and drawn again."""
    # Lock the lot so that two concurrent issues number their stamps one after the other.
    session.execute(select(Lot.id).where(Lot.id == lot.id).with_for_update())
    last = session.scalar(select(func.coalesce(func.max(Stamp.ordinal), 0))
                          .where(Stamp.lot_id == lot.id))
    created_at = now()
    first_ordinal = last + 1
    issued = 0
    while issued < count:
        batch = codes.new_codes(count - issued)
        rows = [{"lot_id": lot.id, "code": code, "ordinal": last + i + 1,
                 "created_at": created_at} for i, code in enumerate(batch)]
        # Core on the session's connection: a plain multi-row INSERT … RETURNING.
        result = session.connection().execute(
            _insert_ignore(session, Stamp.__table__).returning(Stamp.__table__.c.code), rows)
        issued += len(result.all())
        last += len(batch)
    from app import audit

    # Core statements bypass the audit listener: one row for the whole issue.
    audit.record(session, action="insert", object_type="stamps", object_id=f"lot:{lot.id}",
                 after={"lot_id": lot.id, "count": count, "ordinals": [first_ordinal, last]})
    # The lot is locked: the stamps numbered from first_ordinal on are exactly these.
    return list(session.scalars(select(Stamp).where(Stamp.lot_id == lot.id,
                                                    Stamp.ordinal >= first_ordinal)
                                .order_by(Stamp.ordinal)))


def get_stamp(session: Session, code: str, *, producer: Producer | None = None) -> Stamp:
    """A stamp by its code (as typed: normalised first); with `producer`, only its own."""
    normal = codes.normalize(code)
    query = select(Stamp).where(Stamp.code == normal)
    if producer is not None:
        query = (query.join(Stamp.lot).join(Lot.product)
                 .where(Product.producer_id == producer.id))
    stamp = session.scalar(query) if normal else None
    if stamp is None:
        raise NotFound("This is not an OCOP Market stamp code.", code="unknown_code")
    return stamp


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why (the trace page shows the reason).", code="reason_required")
    return reason


def void_stamp(session: Session, stamp: Stamp, *, reason: str) -> Stamp:
    """Void one stamp (misprint, theft…): its trace page says void, with the reason."""
    reason = _reason(reason)
    if stamp.voided_at is not None:
        raise Conflict(f"Stamp {stamp.code} is already void.", code="already_void")
    stamp.voided_at = now()
    stamp.void_reason = reason
    session.flush()
    return stamp


def void_lot(session: Session, lot: Lot, *, reason: str) -> Lot:
    """Recall a whole lot: every stamp of it reads void, with the lot's reason (a stamp voided
    on its own before keeps its own reason)."""
    reason = _reason(reason)
    if lot.voided_at is not None:
        raise Conflict(f"Lot {lot.lot_number} is already void.", code="already_void")
    lot.voided_at = now()
    lot.void_reason = reason
    session.flush()
    return lot


def lot_stamps(session: Session, lot: Lot) -> list[Stamp]:
    """The lot's stamps in printing order."""
    return list(session.scalars(select(Stamp).where(Stamp.lot_id == lot.id)
                                .order_by(Stamp.ordinal)))


def lot_stamp_counts(session: Session, lot_ids: list[int]) -> dict[int, tuple[int, int]]:
    """lot id → (stamps, stamps voided one by one)."""
    if not lot_ids:
        return {}
    rows = session.execute(select(Stamp.lot_id, func.count(), func.count(Stamp.voided_at))
                           .where(Stamp.lot_id.in_(lot_ids)).group_by(Stamp.lot_id))
    return {lot_id: (total, voids) for lot_id, total, voids in rows}


MAX_REPORT_MESSAGE = 2000


def file_report(session: Session, *, code: str, message: str, contact: str | None,
                client_hash: str) -> Report:
    """Store a consumer's report of a suspected fake (the code may be unknown: that is often
    the point). The office reads them in the back-office."""
    message = (message or "").strip()
    if not message:
        raise InvalidInput("Tell us what looks wrong.", code="message_required")
    if len(message) > MAX_REPORT_MESSAGE:
        raise InvalidInput(f"At most {MAX_REPORT_MESSAGE} characters, please.",
                           code="message_too_long")
    normal = codes.normalize(code)
    stamp_id = (session.scalar(select(Stamp.id).where(Stamp.code == normal))
                if normal else None)
    report = Report(code=(normal or (code or "").strip())[:64], stamp_id=stamp_id,
                    message=message, contact=((contact or "").strip()[:200] or None),
                    client_hash=client_hash)
    session.add(report)
    session.flush()
    return report



def lot_sheet_pdf(session: Session, lot: Lot, base_url: str, *, start: int = 1,
                  count: int | None = None) -> tuple[bytes, str]:
    """The printable A4 PDF of a lot's stamps (from the `start`-th, `count` of them) and its
    file name. Refused (409 `not_certified`) when the product is not certified today."""
    from traceability import printing

    stamps = lot_stamps(session, lot)
    stamps = stamps[start - 1:start - 1 + count] if count else stamps[start - 1:]
    pdf = printing.sheet_pdf(printing.labels(base_url, [s.code for s in stamps]),
                             stars=stamp_stars(lot.product),
                             title=f"{lot.product.slug} lot {lot.lot_number}")
    return pdf, f"stamps-{lot.product.slug}-{lot.lot_number}.pdf"
