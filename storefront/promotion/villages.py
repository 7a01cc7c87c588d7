"""Craft villages and community tourism (DOMAIN §4, §12): villages with their producers,
listable products and tourism services; booking requests for a service, answered by its
producer. Tourism services are never in a cart: they take booking requests instead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.clock import now as clock_now
from app.clock import today
from app.errors import Conflict, InvalidInput, NotFound
from app.mail import send_mail
from catalog.gate import require_listable
from catalog.listing import filtered, with_cards
from catalog.models import Certificate, Producer, Product
from catalog.regions import validate_location
from catalog.services import unique_slug
from storefront.promotion.models import BookingRequest, Village

MAX_PARTY = 100
BOOKING_HORIZON_DAYS = 730


def get_village(session: Session, slug: str) -> Village:
    village = session.scalar(select(Village).where(Village.slug == slug)
                             .options(selectinload(Village.producers)))
    if village is None:
        raise NotFound(f"No village {slug!r}.", code="unknown_village")
    return village


def list_villages(session: Session, *, province: int | None = None) -> list[Village]:
    query = select(Village).options(selectinload(Village.producers)).order_by(Village.name)
    if province is not None:
        query = query.where(Village.province_code == province)
    return list(session.scalars(query))


def create_village(session: Session, *, name: str, province_code: int, producers=(),
                   ward_code: int | None = None, **values) -> Village:
    validate_location(province_code, ward_code)
    if not (name or "").strip():
        raise InvalidInput("name: required.", code="invalid_input")
    village = Village(slug=unique_slug(session, Village, name), name=name.strip(),
                      province_code=province_code, ward_code=ward_code, **values)
    village.producers = list(producers)
    session.add(village)
    session.flush()
    return village


@dataclass
class VillageOffer:
    """What a village page shows: listable goods and listable tourism services of its
    producers (the gate's list query, so a revoked one is simply absent)."""

    goods: list[tuple[Product, Certificate]]
    services: list[tuple[Product, Certificate]]


def village_offer(session: Session, village: Village, on: date | None = None) -> VillageOffer:
    ids = [p.id for p in village.producers]
    if not ids:
        return VillageOffer([], [])
    rows = session.execute(with_cards(filtered(on).where(Product.producer_id.in_(ids)))
                           .order_by(Product.name)).all()
    goods = [(p, c) for p, c in rows if not p.is_service]
    services = [(p, c) for p, c in rows if p.is_service]
    return VillageOffer(goods, services)


def villages_of_producer(session: Session, producer_id: int) -> list[Village]:
    return list(session.scalars(select(Village).where(Village.producers.any(Producer.id == producer_id))))


# --- Booking requests -------------------------------------------------------------------------

def get_service(session: Session, slug: str) -> Product:
    product = session.scalar(select(Product).where(Product.slug == slug).options(
        joinedload(Product.producer), selectinload(Product.certificates)))
    if product is None or not product.is_service:
        raise NotFound(f"No tourism service {slug!r}.", code="unknown_service")
    return product


def request_booking(session: Session, service: Product, *, requested_date: date, party_size: int,
                    name: str, phone: str, email: str, message: str | None = None,
                    locale: str = "vi") -> BookingRequest:
    """A traveller asks for a tourism service: it must be listable today (the gate) and the
    date between today and two years ahead. `phone` and `email` arrive normalised."""
    require_listable(service)
    on = today()
    if requested_date < on:
        raise InvalidInput("date: the day asked for has already passed.", code="invalid_date")
    if (requested_date - on).days > BOOKING_HORIZON_DAYS:
        raise InvalidInput("date: at most two years ahead.", code="invalid_date")
    if not 1 <= party_size <= MAX_PARTY:
        raise InvalidInput(f"party_size: 1–{MAX_PARTY} people.", code="invalid_party_size")
    booking = BookingRequest(product=service, producer_id=service.producer_id,
                             requested_date=requested_date, party_size=party_size,
                             name=name.strip(), phone=phone, email=email,
                             message=(message or "").strip() or None,
                             locale=locale if locale in ("vi", "en") else "vi", status="pending")
    session.add(booking)
    session.flush()
    return booking


def producer_bookings(session: Session, producer: Producer, *,
                      status: str | None = None) -> list[BookingRequest]:
    query = (select(BookingRequest).where(BookingRequest.producer_id == producer.id)
             .options(joinedload(BookingRequest.product))
             .order_by(BookingRequest.status != "pending", BookingRequest.requested_date,
                       BookingRequest.id))
    if status:
        query = query.where(BookingRequest.status == status)
    return list(session.scalars(query))


def pending_bookings_count(session: Session, producer: Producer) -> int:
    return session.scalar(select(func.count()).select_from(BookingRequest).where(
        BookingRequest.producer_id == producer.id, BookingRequest.status == "pending")) or 0


def own_booking(session: Session, producer: Producer, booking_id: int) -> BookingRequest:
    """The producer's own request, locked; another producer's (or an unknown id) → 404."""
    booking = session.scalars(
        select(BookingRequest).where(BookingRequest.id == booking_id,
                                     BookingRequest.producer_id == producer.id)
        .options(joinedload(BookingRequest.product)).with_for_update(of=BookingRequest)).first()
    if booking is None:
        raise NotFound(f"No booking request {booking_id} of yours.", code="booking_not_found")
    return booking


def decide(session: Session, producer: Producer, booking_id: int, *, accept: bool,
           reply: str | None = None, actor_id: int | None = None) -> BookingRequest:
    """Accept or decline a pending request (once: a decided one answers 409)."""
    booking = own_booking(session, producer, booking_id)
    if booking.status != "pending":
        raise Conflict(f"Booking request {booking_id} was already {booking.status}.",
                       code="already_decided")
    booking.status = "accepted" if accept else "declined"
    booking.reply = (reply or "").strip() or None
    booking.decided_at = clock_now()
    booking.decided_by_id = actor_id
    session.flush()
    return booking


# --- E-mails (sent after the commit) ------------------------------------------------------------

@dataclass
class Mail:
    to: str
    subject: str
    text: str

    def send(self) -> None:
        send_mail(self.to, self.subject, self.text)


def producer_addresses(producer: Producer) -> list[str]:
    """Where a producer reads its mail: its own address, else its staff accounts'."""
    if producer.email:
        return [producer.email]
    from app.accounts.models import User
    from app.extensions import db

    return sorted(db.session.scalars(select(User.email).where(User.producer_id == producer.id)))


def booking_mails(booking: BookingRequest) -> list[Mail]:
    """New request: to the producer (in Vietnamese, with a link to the back-office) and an
    acknowledgement to the traveller (in their language)."""
    base = current_app.config["BASE_URL"]
    mails = []
    producer = booking.product.producer
    for address in producer_addresses(producer):
        with force_locale("vi"):
            mails.append(Mail(address,
                              _("Yêu cầu đặt dịch vụ mới: %(name)s", name=booking.product.name),
                              render_template("promotion/email/booking_to_producer.txt",
                                              booking=booking, url=f"{base}/seller/booking-requests")))
    with force_locale(booking.locale):
        mails.append(Mail(booking.email,
                          _("Đã gửi yêu cầu đặt %(name)s", name=booking.product.name),
                          render_template("promotion/email/booking_received.txt", booking=booking)))
    return mails


def decision_mail(booking: BookingRequest) -> Mail:
    with force_locale(booking.locale):
        subject = (_("Yêu cầu đặt %(name)s đã được nhận", name=booking.product.name)
                   if booking.status == "accepted" else
                   _("Yêu cầu đặt %(name)s chưa được nhận", name=booking.product.name))
        return Mail(booking.email, subject,
                    render_template("promotion/email/booking_decided.txt", booking=booking))


def booking_json(booking: BookingRequest) -> dict:
    return {"id": booking.id, "service": booking.product.slug, "name_of_service": booking.product.name,
            "date": booking.requested_date.isoformat(), "party_size": booking.party_size,
            "name": booking.name, "phone": booking.phone, "email": booking.email,
            "message": booking.message, "status": booking.status, "reply": booking.reply,
            "created_at": _iso(booking.created_at), "decided_at": _iso(booking.decided_at)}


def _iso(moment: datetime | None) -> str | None:
    from showrooms.stock import aware

    return aware(moment).isoformat() if moment else None
