"""Fairs, exhibitions and OCOP weeks (DOMAIN §9): creating a fair and its booth map, and
booking booths. Services flush, never commit.

- Booths are rectangles in metres; no two overlap (touching edges is fine).
- A producer with at least one listable product (the gate, `catalog.gate`) books a free
  booth inside the booking window; at most one active booking per booth, enforced by the
  database (`uq_fair_bookings_active_booth`), so a race gives one booking and `booth_taken`.
- The organizer confirms or rejects (with a reason); either side may cancel.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.clock import now, today
from app.errors import Conflict, InvalidInput, NotFound
from catalog.gate import NotListable, listability, listable_products, reason_text
from catalog.models import Producer, Product
from catalog.regions import validate_location
from showrooms.fair_models import (
    BOOKING_STATUSES,
    FAIR_KINDS,
    FAIR_STATUSES,
    Booking,
    Booth,
    Fair,
    natural_key,
)
from showrooms.models import Location, StockLevel

MAX_BOOTHS = 2000
BOOTH_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
CSV_COLUMNS = ("code", "x", "y", "w", "h", "price_vnd", "zone")
PLAN_LIMIT_M = 2000  # a floor plan larger than 2 km is a typo


class BoothTaken(Conflict):
    code = "booth_taken"


class BookingClosed(Conflict):
    code = "booking_closed"


# --- Booths and the floor plan ------------------------------------------------------------

@dataclass(frozen=True)
class BoothSpec:
    code: str
    x: float
    y: float
    w: float
    h: float
    price_vnd: int
    zone: str | None = None


def boxes_overlap(a, b) -> bool:
    """Two rectangles share some area (sharing an edge is not overlapping)."""
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def booth_problems(spec: BoothSpec) -> list[str]:
    problems = []
    if not BOOTH_CODE.match(spec.code or ""):
        problems.append(f"code {spec.code!r}: 1–20 letters, digits, '.', '_' or '-'")
    if spec.x < 0 or spec.y < 0:
        problems.append("x and y must not be negative")
    if spec.w <= 0 or spec.h <= 0:
        problems.append("w and h must be positive")
    if max(spec.x + spec.w, spec.y + spec.h) > PLAN_LIMIT_M:
        problems.append(f"the booth lies beyond {PLAN_LIMIT_M} m")
    if spec.price_vnd < 0:
        problems.append("price_vnd must not be negative")
    if spec.zone is not None and len(spec.zone) > 100:
        problems.append("zone: at most 100 characters")
    return problems


def _number(raw: str, name: str, *, whole: bool = False) -> float | int:
    raw = (raw or "").strip()
    try:
        value = int(raw) if whole else float(raw.replace(",", "."))
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{name} {raw!r} is not {kind}") from None
    if value != value or value in (float("inf"), float("-inf")):  # NaN, infinities
        raise ValueError(f"{name} {raw!r} is not a number")
    return value


def parse_booths_csv(data: str | bytes) -> list[BoothSpec]:
    """Booths from a `code,x,y,w,h,price_vnd,zone` CSV (header first). The whole file is
    checked first; every bad line is reported as `line N: reason` (the header is line 1)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("The file is not UTF-8 text.", code="invalid_booths") from None
    try:
        rows = list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))
    except csv.Error as err:
        raise InvalidInput(f"The file is not a readable CSV ({err}).", code="invalid_booths") from None
    reader = iter(rows)
    header = [c.strip().lower() for c in next(reader, [])]
    if tuple(header[:6]) != CSV_COLUMNS[:6] or header[6:] not in ([], ["zone"]):
        raise InvalidInput("line 1: the header must be code,x,y,w,h,price_vnd,zone",
                           code="invalid_booths", details={"errors": ["line 1: bad header"]})
    specs, errors, lines = [], [], {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) not in (6, 7):
            errors.append(f"line {line}: expected 7 columns, got {len(row)}")
            continue
        try:
            spec = BoothSpec(
                code=row[0].strip().upper(), x=_number(row[1], "x"), y=_number(row[2], "y"),
                w=_number(row[3], "w"), h=_number(row[4], "h"),
                price_vnd=int(_number(row[5], "price_vnd", whole=True)),
                zone=(row[6].strip() or None) if len(row) == 7 else None)
        except ValueError as err:
            errors.append(f"line {line}: {err}")
            continue
        problems = booth_problems(spec)
        if spec.code in lines:
            problems.append(f"booth {spec.code} already on line {lines[spec.code]}")
        if problems:
            errors.append(f"line {line}: " + "; ".join(problems))
            continue
        lines[spec.code] = line
        specs.append(spec)
    if len(specs) > MAX_BOOTHS:
        errors.append(f"at most {MAX_BOOTHS} booths per file")
    if errors:
        raise InvalidInput("; ".join(errors), code="invalid_booths", details={"errors": errors})
    if not specs:
        raise InvalidInput("line 2: the file has no booth", code="invalid_booths",
                           details={"errors": ["line 2: no booth"]})
    return specs


def add_booths(session: Session, fair: Fair, specs: list[BoothSpec]) -> list[Booth]:
    """Add booths to the plan, all or nothing: a bad booth, a code already used or two
    booths overlapping (422 naming both) refuses every one of them."""
    errors = [f"booth {s.code}: " + "; ".join(p) for s in specs if (p := booth_problems(s))]
    if errors:
        raise InvalidInput("; ".join(errors), code="invalid_booths", details={"errors": errors})
    existing = session.scalars(select(Booth).where(Booth.fair_id == fair.id)).all()
    taken = {b.code for b in existing}
    seen: set[str] = set()
    for spec in specs:
        if spec.code in taken or spec.code in seen:
            raise InvalidInput(f"Booth code {spec.code} is already on the plan.",
                               code="duplicate_booth", details={"booth": spec.code})
        seen.add(spec.code)
    placed: list = list(existing)
    for spec in specs:
        for other in placed:
            if boxes_overlap(spec, other):
                raise InvalidInput(
                    f"Booths {other.code} and {spec.code} overlap.", code="booths_overlap",
                    details={"booths": [other.code, spec.code]})
        placed.append(spec)
    if len(placed) > MAX_BOOTHS:
        raise InvalidInput(f"A fair has at most {MAX_BOOTHS} booths.", code="invalid_booths")
    booths = [Booth(fair_id=fair.id, code=s.code, x=s.x, y=s.y, w=s.w, h=s.h,
                    price_vnd=s.price_vnd, zone=s.zone) for s in specs]
    session.add_all(booths)
    session.flush()
    session.expire(fair, ["booths"])
    return booths


def remove_booth(session: Session, fair: Fair, code: str) -> Booth:
    """Take a booth off the plan; only one never booked (bookings are history)."""
    booth = get_booth(session, fair, code)
    if session.scalar(select(Booking.id).where(Booking.booth_id == booth.id).limit(1)) is not None:
        raise Conflict(f"Booth {booth.code} has bookings; it stays on the plan.",
                       code="booth_has_bookings")
    session.delete(booth)
    session.flush()
    session.expire(fair, ["booths"])
    return booth


def get_booth(session: Session, fair: Fair, code: str) -> Booth:
    booth = session.scalar(select(Booth).where(Booth.fair_id == fair.id,
                                               Booth.code == (code or "").strip().upper()))
    if booth is None:
        raise NotFound(f"No booth {code!r} at {fair.name}.", code="unknown_booth")
    return booth


# --- Fairs --------------------------------------------------------------------------------

EDITABLE = ("name", "name_en", "kind", "status", "starts_on", "ends_on", "opens_at",
            "closes_at", "venue", "address", "province_code", "ward_code", "latitude",
            "longitude", "description", "description_en", "booking_opens", "booking_closes",
            "bank_bin", "bank_account", "bank_account_name", "cancel_reason")
# What a fair always has (NOT NULL columns): a change may set them, never empty them.
REQUIRED = ("name", "kind", "status", "starts_on", "ends_on", "opens_at", "closes_at", "venue",
            "address", "province_code", "description", "booking_opens", "booking_closes")


def _check_fair(values: dict) -> None:
    problems = []
    if not (values.get("name") or "").strip():
        problems.append("name: required")
    if not (values.get("venue") or "").strip():
        problems.append("venue: required")
    if values.get("kind") not in FAIR_KINDS:
        problems.append(f"kind: one of {', '.join(FAIR_KINDS)}")
    if values.get("status") not in FAIR_STATUSES:
        problems.append(f"status: one of {', '.join(FAIR_STATUSES)}")
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts and ends and ends < starts:
        problems.append("ends_on: may not precede starts_on")
    if starts and ends and (ends - starts).days > 90:
        problems.append("a fair lasts at most 90 days")
    opens, closes = values.get("booking_opens"), values.get("booking_closes")
    if opens and closes and closes < opens:
        problems.append("booking_closes: may not precede booking_opens")
    if closes and ends and closes > ends:
        problems.append("booking_closes: may not be after the fair ends")
    if values.get("opens_at") and values.get("closes_at") and \
            values["closes_at"] <= values["opens_at"]:
        problems.append("closes_at: must be after opens_at")
    lat, lon = values.get("latitude"), values.get("longitude")
    if (lat is None) != (lon is None):
        problems.append("latitude and longitude go together")
    elif lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        problems.append("latitude/longitude out of range")
    if values.get("bank_bin") and not re.fullmatch(r"\d{6}", values["bank_bin"]):
        problems.append("bank_bin: 6 digits (the bank's NAPAS BIN)")
    if values.get("bank_account") and not re.fullmatch(r"[0-9A-Za-z]{1,19}", values["bank_account"]):
        problems.append("bank_account: 1–19 letters or digits")
    if problems:
        raise InvalidInput("; ".join(problems), code="invalid_fair", details={"errors": problems})
    validate_location(values["province_code"], values.get("ward_code"))


def _fair_slug(session: Session, name: str, year: int) -> str:
    """`tuan-le-ocop-ninh-binh-2026`: at most 38 characters, so that a booth's stock location
    code `<fair slug>/<booth code>` (CONTRACT: `booth:<fair slug>/<booth code>`) fits 60."""
    from catalog.text import slugify

    base = f"{slugify(name, 30)}-{year}"
    taken = set(session.scalars(select(Fair.slug).where(Fair.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def create_fair(session: Session, organizer, *, name: str, starts_on: date, ends_on: date,
                venue: str, province_code: int, booths: list[BoothSpec] = (),
                kind: str = "fair", status: str = "published", booking_opens: date | None = None,
                booking_closes: date | None = None, **extra) -> Fair:
    """A new fair (and its booths, all or nothing). The booking window defaults to "from
    today until the day before the fair starts"."""
    unknown = set(extra) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"Unknown fields: {', '.join(sorted(unknown))}.", code="invalid_fair")
    opens = booking_opens or min(today(), starts_on)
    closes = booking_closes or max(starts_on - timedelta(days=1), opens)
    values = {"name": (name or "").strip(), "starts_on": starts_on, "ends_on": ends_on,
              "venue": (venue or "").strip(), "province_code": province_code, "kind": kind,
              "status": status, "booking_opens": opens, "booking_closes": closes,
              "opens_at": time(8, 0), "closes_at": time(21, 0), **extra}
    _check_fair(values)
    fair = Fair(slug=_fair_slug(session, values["name"], starts_on.year),
                organizer_id=organizer.id, **values)
    session.add(fair)
    session.flush()
    if booths:
        add_booths(session, fair, list(booths))
    return fair


def update_fair(session: Session, fair: Fair, **changes) -> Fair:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"Unknown fields: {', '.join(sorted(unknown))}.", code="invalid_fair")
    emptied = [key for key in REQUIRED if key in changes and changes[key] is None]
    if emptied:
        raise InvalidInput(f"{', '.join(emptied)}: cannot be null.", code="invalid_fair")
    values = {key: getattr(fair, key) for key in EDITABLE} | changes
    _check_fair(values)
    was = fair.status
    for key, value in changes.items():
        setattr(fair, key, value)
    session.flush()
    if was != "cancelled" and fair.status == "cancelled":
        from showrooms import fair_mail

        # Cancelling the fair cancels its active bookings (the booths are freed) and tells
        # each exhibitor; units already at a booth stay there until brought back.
        for booking in fair_bookings(session, fair):
            if booking.active:
                booking.status = "cancelled"
                booking.reason = (fair.cancel_reason or "Hội chợ bị huỷ")[:300]
                booking.decided_at = now()
                _release_location(session, booking)  # units still there can be brought back
                fair_mail.fair_cancelled(booking)
        session.flush()
    return fair


def get_fair(session: Session, slug: str, *, user=None) -> Fair:
    """A fair as the public sees it: published or cancelled ones; drafts only for their
    organizer (and the office)."""
    fair = session.scalar(select(Fair).where(Fair.slug == (slug or "")[:120]))
    if fair is None or (fair.status == "draft" and not _organizes(user, fair)):
        raise NotFound(f"No fair {slug!r}.")
    return fair


def _organizes(user, fair: Fair) -> bool:
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    return user.role == "admin" or (user.role == "organizer" and fair.organizer_id == user.id)


def fair_for_organizer(session: Session, user, slug: str) -> Fair:
    """The fair `slug` if this user organizes it (or is the office); another's → 404."""
    fair = session.scalar(select(Fair).where(Fair.slug == (slug or "")[:120]))
    if fair is None or not _organizes(user, fair):
        raise NotFound(f"No fair {slug!r} of yours.")
    return fair


def fairs_of_organizer(session: Session, user) -> list[Fair]:
    query = select(Fair).order_by(Fair.starts_on.desc(), Fair.id.desc())
    if user.role != "admin":
        query = query.where(Fair.organizer_id == user.id)
    return session.scalars(query).all()


@dataclass
class FairsByTime:
    ongoing: list[Fair] = field(default_factory=list)
    upcoming: list[Fair] = field(default_factory=list)
    past: list[Fair] = field(default_factory=list)


def public_fairs(session: Session, *, on: date | None = None,
                 province: int | None = None) -> FairsByTime:
    """Published (and cancelled, marked so) fairs: ongoing, upcoming (soonest first), past
    (latest first, the last 50)."""
    on = on or today()
    query = select(Fair).where(Fair.status != "draft")
    if province is not None:
        query = query.where(Fair.province_code == province)
    result = FairsByTime()
    for fair in session.scalars(query.where(Fair.ends_on >= on).order_by(Fair.starts_on, Fair.id)):
        (result.ongoing if fair.starts_on <= on else result.upcoming).append(fair)
    result.past = session.scalars(query.where(Fair.ends_on < on)
                                  .order_by(Fair.ends_on.desc(), Fair.id.desc()).limit(50)).all()
    return result


def next_fairs(session: Session, *, on: date | None = None, limit: int = 3) -> list[Fair]:
    """Published fairs not yet over, soonest first (one query, for the home page)."""
    on = on or today()
    return session.scalars(select(Fair).where(Fair.status == "published", Fair.ends_on >= on)
                           .order_by(Fair.starts_on, Fair.id).limit(limit)).all()


# --- Eligibility: the gate at booking time -------------------------------------------------

@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: list[dict]

    def message(self, producer: Producer) -> str:
        if not self.reasons:
            return _("%(producer)s chưa có sản phẩm nào trên sàn.", producer=producer.name)
        parts = "; ".join(f"{r['name']}: {reason_text(r['reason'])}" for r in self.reasons)
        return _("%(producer)s không có sản phẩm OCOP nào được bán (%(reasons)s).",
                 producer=producer.name, reasons=parts)


def eligibility(session: Session, producer: Producer, on: date | None = None) -> Eligibility:
    """A producer may book a booth iff at least one of its products is listable on D (the
    gate); otherwise each product's reason."""
    on = on or today()
    if session.execute(listable_products(on).where(Product.producer_id == producer.id)
                       .limit(1)).first() is not None:
        return Eligibility(True, [])
    products = session.scalars(select(Product).where(Product.producer_id == producer.id)
                               .options(selectinload(Product.certificates))
                               .order_by(Product.name)).all()
    return Eligibility(False, [{"product": p.slug, "name": p.name,
                                "reason": listability(p, on).reason} for p in products][:20])


def require_eligible(session: Session, producer: Producer, on: date | None = None) -> None:
    verdict = eligibility(session, producer, on)
    if not verdict.eligible:
        raise NotListable(verdict.message(producer),
                          details={"producer": producer.slug, "products": verdict.reasons,
                                   "reason": verdict.reasons[0]["reason"] if verdict.reasons
                                   else "no_product"})


# --- Bookings -----------------------------------------------------------------------------

def booking_window_open(fair: Fair, on: date | None = None) -> bool:
    on = on or today()
    return fair.status == "published" and fair.booking_opens <= on <= fair.booking_closes


def active_booking_of_booth(session: Session, booth: Booth) -> Booking | None:
    return session.scalar(select(Booking).where(Booking.booth_id == booth.id,
                                                Booking.status.in_(("pending", "confirmed"))))


def book_booth(session: Session, fair: Fair, booth_code: str, producer: Producer, *,
               user=None, note: str | None = None, on: date | None = None) -> Booking:
    """Book a free booth (pending). 409 `booking_closed` outside the window or when the
    fair is not open; 409 `not_listable` (with each product's reason) for a producer with no
    listable product; 409 `booth_taken` when another active booking holds it — decided by
    the partial unique index, so concurrent requests cannot both win."""
    from showrooms import fair_mail

    on = on or today()
    if fair.status != "published":
        raise BookingClosed(f"{fair.name} is not open for booking ({fair.status}).")
    if not fair.booking_opens <= on <= fair.booking_closes:
        raise BookingClosed(
            f"Booking for {fair.name} is open from {fair.booking_opens:%d/%m/%Y} "
            f"to {fair.booking_closes:%d/%m/%Y}.",
            details={"booking_opens": fair.booking_opens.isoformat(),
                     "booking_closes": fair.booking_closes.isoformat()})
    booth = get_booth(session, fair, booth_code)
    require_eligible(session, producer, on)
    holder = active_booking_of_booth(session, booth)
    if holder is not None:
        raise _taken(booth, holder, producer)
    booking = Booking(fair_id=fair.id, booth_id=booth.id, producer_id=producer.id,
                      status="pending", fee_vnd=booth.price_vnd, note=(note or None),
                      booked_by_id=getattr(user, "id", None))
    try:
        with session.begin_nested():
            session.add(booking)
            session.flush()
    except IntegrityError:
        raise BoothTaken(f"Booth {booth.code} has just been booked by another producer.",
                         details={"booth": booth.code}) from None
    fair_mail.booking_requested(booking)
    return booking


def _taken(booth: Booth, holder: Booking, producer: Producer) -> BoothTaken:
    if holder.producer_id == producer.id:
        return BoothTaken(f"You already hold booth {booth.code} ({holder.status}).",
                          details={"booth": booth.code, "booking": holder.id})
    return BoothTaken(f"Booth {booth.code} is already booked.", details={"booth": booth.code})


def get_booking(session: Session, fair: Fair, booking_id: int) -> Booking:
    booking = session.scalar(select(Booking).where(Booking.id == booking_id,
                                                   Booking.fair_id == fair.id))
    if booking is None:
        raise NotFound(f"No booking {booking_id} at {fair.name}.")
    return booking


def confirm_booking(session: Session, fair: Fair, booking_id: int, *, on: date | None = None) -> Booking:
    """Pending → confirmed. The gate is asked again (a producer whose products lost their
    certificates since booking is refused, 409 `not_listable`). The booth becomes a stock
    location of the producer."""
    from showrooms import fair_mail

    booking = get_booking(session, fair, booking_id)
    if booking.status != "pending":
        raise Conflict(f"Booking {booking.id} is {booking.status}; only a pending booking can "
                       "be confirmed.", code="invalid_status")
    require_eligible(session, booking.producer, on)
    booking.status = "confirmed"
    booking.decided_at = now()
    booking.location_id = booth_location(session, booking).id
    session.flush()
    fair_mail.booking_confirmed(booking)
    return booking


def reject_booking(session: Session, fair: Fair, booking_id: int, *, reason: str) -> Booking:
    from showrooms import fair_mail

    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason: say why the booking is rejected.", code="reason_required")
    booking = get_booking(session, fair, booking_id)
    if booking.status != "pending":
        raise Conflict(f"Booking {booking.id} is {booking.status}; only a pending booking can "
                       "be rejected (cancel a confirmed one).", code="invalid_status")
    booking.status = "rejected"
    booking.reason = reason[:300]
    booking.decided_at = now()
    session.flush()
    fair_mail.booking_rejected(booking)
    return booking


def cancel_booking(session: Session, fair: Fair, booking_id: int, user, *,
                   reason: str | None = None) -> Booking:
    """Either side cancels an active booking: the booking producer's staff, or the
    organizer. Anyone else → 404. A booth still holding stock must be emptied first."""
    from showrooms import fair_mail

    booking = get_booking(session, fair, booking_id)
    by_producer = user.role == "producer" and user.producer_id == booking.producer_id
    if not (by_producer or _organizes(user, fair)):
        raise NotFound(f"No booking {booking_id} of yours.")
    if not booking.active:
        raise Conflict(f"Booking {booking.id} is already {booking.status}.", code="invalid_status")
    if booking.location_id is not None:
        held = _units_at(session, booking.location_id)
        if held:
            raise Conflict(f"Booth {booking.booth.code} still holds {held} units: bring them "
                           "back to the warehouse first.", code="booth_has_stock")
    booking.status = "cancelled"
    booking.reason = (reason or "").strip()[:300] or None
    booking.decided_at = now()
    _release_location(session, booking)
    session.flush()
    fair_mail.booking_cancelled(booking, by_producer=by_producer)
    return booking


def mark_fee_paid(session: Session, fair: Fair, booking_id: int, *, paid: bool = True) -> Booking:
    from showrooms import fair_mail

    booking = get_booking(session, fair, booking_id)
    if booking.status not in ("pending", "confirmed"):
        raise Conflict(f"Booking {booking.id} is {booking.status}.", code="invalid_status")
    if booking.fee_paid != paid:
        booking.fee_paid = paid
        booking.fee_paid_at = now() if paid else None
        session.flush()
        if paid:
            fair_mail.fee_received(booking)
    return booking


def booth_location_code(fair: Fair, booth: Booth) -> str:
    return f"{fair.slug}/{booth.code}"


def booth_location(session: Session, booking: Booking) -> Location:
    """The booth as a stock location of the booking producer: one location per booth, coded
    `<fair slug>/<booth code>` (what `booth:<fair slug>/<booth code>` names in transfers).
    It belongs to the producer while the booking is confirmed; a later exhibitor of the same
    booth takes it over only once it is empty."""
    code = booth_location_code(booking.fair, booking.booth)
    location = session.scalar(select(Location).where(Location.code == code))
    if location is None:
        location = Location(code=code, kind="booth", producer_id=booking.producer_id,
                            name=f"Gian {booking.booth.code} – {booking.fair.name}"[:200])
        session.add(location)
    elif location.producer_id not in (None, booking.producer_id):
        if _units_at(session, location.id):
            raise Conflict(f"Booth {booking.booth.code} still holds the previous exhibitor's "
                           "units.", code="booth_has_stock")
        location.producer_id = booking.producer_id
    else:
        location.producer_id = booking.producer_id
    session.flush()
    return location


def _units_at(session: Session, location_id: int) -> int:
    return session.scalar(select(func.coalesce(func.sum(StockLevel.on_hand), 0))
                          .where(StockLevel.location_id == location_id)) or 0


def _release_location(session: Session, booking: Booking) -> None:
    """An empty booth stops being the producer's stock location when its booking ends."""
    if booking.location_id is not None and not _units_at(session, booking.location_id):
        booking.location.producer_id = None


def fair_bookings(session: Session, fair: Fair, *, status: str | None = None) -> list[Booking]:
    query = (select(Booking).where(Booking.fair_id == fair.id)
             .options(selectinload(Booking.booth), selectinload(Booking.producer))
             .order_by(Booking.created_at, Booking.id))
    if status in BOOKING_STATUSES:
        query = query.where(Booking.status == status)
    return session.scalars(query).all()


def bookings_of_producer(session: Session, producer: Producer) -> list[Booking]:
    return session.scalars(
        select(Booking).join(Fair, Fair.id == Booking.fair_id)
        .where(Booking.producer_id == producer.id)
        .options(selectinload(Booking.booth), selectinload(Booking.fair))
        .order_by(Fair.starts_on.desc(), Booking.id.desc())
    ).all()


def active_bookings(session: Session, fair: Fair) -> dict[int, Booking]:
    """Booth id → its active booking (pending or confirmed)."""
    rows = session.scalars(select(Booking).where(Booking.fair_id == fair.id,
                                                 Booking.status.in_(("pending", "confirmed")))
                           .options(selectinload(Booking.producer)))
    return {b.booth_id: b for b in rows}


@dataclass(frozen=True)
class Occupancy:
    booths: int
    confirmed: int
    pending: int
    fees_due_vnd: int
    fees_paid_vnd: int

    @property
    def free(self) -> int:
        return self.booths - self.confirmed - self.pending

    @property
    def percent(self) -> int:
        return round(100 * self.confirmed / self.booths) if self.booths else 0


def occupancy(session: Session, fair: Fair) -> Occupancy:
    booths = session.scalar(select(func.count(Booth.id)).where(Booth.fair_id == fair.id)) or 0
    active = active_bookings(session, fair).values()
    return Occupancy(
        booths=booths,
        confirmed=sum(1 for b in active if b.status == "confirmed"),
        pending=sum(1 for b in active if b.status == "pending"),
        fees_due_vnd=sum(b.fee_vnd for b in active if not b.fee_paid),
        fees_paid_vnd=sum(b.fee_vnd for b in active if b.fee_paid),
    )


# --- Who exhibits what (the gate at render time) --------------------------------------------

@dataclass
class Exhibitor:
    booking: Booking
    products: list  # [(Product, current Certificate)] listable on the day asked

    @property
    def booth(self) -> Booth:
        return self.booking.booth

    @property
    def producer(self) -> Producer:
        return self.booking.producer


def exhibitors(session: Session, fair: Fair, *, on: date | None = None,
               province: int | None = None, group: str | None = None) -> list[Exhibitor]:
    """Confirmed exhibitors by booth code, each with its products LISTABLE on D (the gate's
    own query: a product revoked during the fair leaves the booth listing at once). With a
    group, only exhibitors showing products of that group. Three queries, whatever the size."""
    confirmed = session.scalars(
        select(Booking).join(Booth, Booth.id == Booking.booth_id)
        .where(Booking.fair_id == fair.id, Booking.status == "confirmed")
        .options(selectinload(Booking.booth), selectinload(Booking.producer))
        .order_by(Booth.code)
    ).all()
    if province is not None:
        confirmed = [b for b in confirmed if b.producer.province_code == province]
    ids = {b.producer_id for b in confirmed}
    by_producer: dict[int, list] = {}
    if ids:
        query = listable_products(on or today()).where(Product.producer_id.in_(ids))
        if group is not None:
            query = query.where(Product.group == group)
        for product, cert in session.execute(query.order_by(Product.name)):
            by_producer.setdefault(product.producer_id, []).append((product, cert))
    confirmed = sorted(confirmed, key=lambda b: natural_key(b.booth.code))
    result = [Exhibitor(b, by_producer.get(b.producer_id, [])) for b in confirmed]
    if group is not None:
        result = [e for e in result if e.products]
    return result
