"""JSON API of fairs (CONTRACT §4 "Fairs"): public fairs and maps, organizers' fairs, booth
plans and booking queues, producers' bookings and booth stock."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal

from flask import Response, request, url_for
from pydantic import AfterValidator, Field

from app.api import PatchSchema, Schema, api_blueprint, api_route, current_api_user, parse_body
from app.errors import NotFound
from app.extensions import db
from app.security import accepts_upload
from catalog.regions import province_name
from showrooms import booth_stock, fair_map, fairs
from showrooms.fair_models import Booking, Fair

bp = api_blueprint("fairs_api", __name__)


# --- Shapes -------------------------------------------------------------------------------

def fair_summary(fair: Fair) -> dict:
    return {"slug": fair.slug, "name": fair.name, "name_en": fair.name_en, "kind": fair.kind,
            "status": fair.status, "starts_on": fair.starts_on.isoformat(),
            "ends_on": fair.ends_on.isoformat(), "opens_at": fair.opens_at.strftime("%H:%M"),
            "closes_at": fair.closes_at.strftime("%H:%M"), "venue": fair.venue,
            "address": fair.address, "province_code": fair.province_code,
            "province": province_name(fair.province_code), "ward_code": fair.ward_code,
            "latitude": fair.latitude, "longitude": fair.longitude,
            "booking_opens": fair.booking_opens.isoformat(),
            "booking_closes": fair.booking_closes.isoformat(),
            "url": url_for("fairs.fair_page", slug=fair.slug, _external=False)}


def booking_json(booking: Booking, *, with_payment: bool = False) -> dict:
    data = {"id": booking.id, "fair": booking.fair.slug, "booth": booking.booth.code,
            "producer": {"slug": booking.producer.slug, "name": booking.producer.name},
            "status": booking.status, "fee_vnd": booking.fee_vnd, "fee_paid": booking.fee_paid,
            "reason": booking.reason, "note": booking.note,
            "location": (f"booth:{booking.location.code}"
                         if booking.status == "confirmed" and booking.location else None),
            "created_at": booking.created_at.isoformat() if booking.created_at else None}
    if with_payment:
        data["payment"] = booth_stock.fee_payment(booking)
    return data


# --- Public -------------------------------------------------------------------------------

@api_route(bp, "/fairs", tags=["fairs"], summary="Fairs: ongoing, upcoming and past")
def list_fairs():
    province = request.args.get("province", type=int)
    grouped = fairs.public_fairs(db.session, province=province)
    return {"ongoing": [fair_summary(f) for f in grouped.ongoing],
            "upcoming": [fair_summary(f) for f in grouped.upcoming],
            "past": [fair_summary(f) for f in grouped.past]}


@api_route(bp, "/fairs/<slug>", tags=["fairs"],
           summary="A fair with its booths and who exhibits where (listable products only)",
           responses={404: "Unknown fair"})
def fair_detail(slug: str):
    fair = fairs.get_fair(db.session, slug)
    active = fairs.active_bookings(db.session, fair)
    shown = {e.booking.booth_id: e for e in fairs.exhibitors(db.session, fair)}
    booths = []
    for booth in fair.booths_in_order:
        booking = active.get(booth.id)
        item = {"code": booth.code, "x": booth.x, "y": booth.y, "w": booth.w, "h": booth.h,
                "price_vnd": booth.price_vnd, "zone": booth.zone,
                "status": "free" if booking is None else ("taken" if booking.status == "confirmed"
                                                          else "pending"),
                "exhibitor": None}
        exhibitor = shown.get(booth.id)
        if exhibitor is not None:
            item["exhibitor"] = {
                "slug": exhibitor.producer.slug, "name": exhibitor.producer.name,
                "province_code": exhibitor.producer.province_code,
                "products": [{"slug": p.slug, "name": p.name, "stars": c.stars, "group": p.group,
                              "price_vnd": p.price_vnd} for p, c in exhibitor.products]}
        booths.append(item)
    return {**fair_summary(fair), "description": fair.description,
            "description_en": fair.description_en,
            "booking_open": fairs.booking_window_open(fair), "booths": booths}


def _svg_response(fair: Fair) -> Response:
    svg = fair_map.render_svg(
        fair, fair.booths_in_order, fairs.active_bookings(db.session, fair), standalone=True,
        href=lambda b: url_for("fairs.fair_page", slug=fair.slug, _anchor=f"gian-{b.code}"))
    return Response(svg, mimetype="image/svg+xml")


@api_route(bp, "/fairs/<slug>/map.svg", tags=["fairs"], summary="The floor plan as SVG",
           responses={404: "Unknown fair"}, produces={"image/svg+xml": {"type": "string"}})
def fair_map_svg(slug: str):
    return _svg_response(fairs.get_fair(db.session, slug)), 200


# --- Organizers ---------------------------------------------------------------------------

class BoothIn(Schema):
    code: str = Field(min_length=1, max_length=20)
    x: float = Field(ge=0, le=fairs.PLAN_LIMIT_M)
    y: float = Field(ge=0, le=fairs.PLAN_LIMIT_M)
    w: float = Field(gt=0, le=fairs.PLAN_LIMIT_M)
    h: float = Field(gt=0, le=fairs.PLAN_LIMIT_M)
    price_vnd: int = Field(ge=0, le=1_000_000_000)
    zone: str | None = Field(default=None, max_length=100)

    def spec(self) -> fairs.BoothSpec:
        return fairs.BoothSpec(self.code.upper(), self.x, self.y, self.w, self.h,
                               self.price_vnd, self.zone or None)


def _time_of_day(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a local time of day (HH:MM), without a time zone")
    return value


# Opening hours are local to the venue: a zoned time could not be compared with them.
LocalTime = Annotated[time, AfterValidator(_time_of_day)]


class FairIn(Schema):
    name: str = Field(min_length=3, max_length=200)
    starts_on: date = Field(strict=False)
    ends_on: date = Field(strict=False)
    venue: str = Field(min_length=2, max_length=200)
    province_code: int
    booths: list[BoothIn] = Field(default_factory=list, max_length=fairs.MAX_BOOTHS)
    kind: Literal["fair", "exhibition", "ocop_week"] = "fair"
    booking_opens: date | None = Field(default=None, strict=False)
    booking_closes: date | None = Field(default=None, strict=False)
    status: Literal["draft", "published", "cancelled"] = "published"
    name_en: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    ward_code: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    opens_at: LocalTime | None = Field(default=None, strict=False)
    closes_at: LocalTime | None = Field(default=None, strict=False)
    description: str | None = Field(default=None, max_length=10_000)
    description_en: str | None = Field(default=None, max_length=10_000)
    bank_bin: str | None = Field(default=None, max_length=6)
    bank_account: str | None = Field(default=None, max_length=19)
    bank_account_name: str | None = Field(default=None, max_length=100)


class FairPatch(PatchSchema):
    """Only the fields sent change; those a fair always has cannot be null."""

    name: str = Field(default=None, min_length=3, max_length=200)  # type: ignore[assignment]
    name_en: str | None = Field(default=None, max_length=200)
    kind: Literal["fair", "exhibition", "ocop_week"] = None  # type: ignore[assignment]
    status: Literal["draft", "published", "cancelled"] = None  # type: ignore[assignment]
    starts_on: date = Field(default=None, strict=False)  # type: ignore[assignment]
    ends_on: date = Field(default=None, strict=False)  # type: ignore[assignment]
    opens_at: LocalTime = Field(default=None, strict=False)  # type: ignore[assignment]
    closes_at: LocalTime = Field(default=None, strict=False)  # type: ignore[assignment]
    venue: str = Field(default=None, min_length=2, max_length=200)  # type: ignore[assignment]
    address: str = Field(default=None, max_length=300)  # type: ignore[assignment]
    province_code: int = None  # type: ignore[assignment]
    ward_code: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    description: str = Field(default=None, max_length=10_000)  # type: ignore[assignment]
    description_en: str | None = Field(default=None, max_length=10_000)
    booking_opens: date = Field(default=None, strict=False)  # type: ignore[assignment]
    booking_closes: date = Field(default=None, strict=False)  # type: ignore[assignment]
    bank_bin: str | None = Field(default=None, max_length=6)
    bank_account: str | None = Field(default=None, max_length=19)
    bank_account_name: str | None = Field(default=None, max_length=100)
    cancel_reason: str | None = Field(default=None, max_length=300)


ORGANIZERS = ("organizer", "admin")


@api_route(bp, "/fairs", methods=["POST"], body=FairIn, auth=ORGANIZERS, status=201,
           tags=["fairs"], summary="Create a fair with its booth map",
           responses={422: "Invalid fair or booths (`booths_overlap` names both booths)"})
def create_fair(body: FairIn):
    """`status` defaults to `published`; the booking window to "from today until the day
    before the fair starts"."""
    values = body.model_dump(exclude={"booths"}, exclude_none=True)
    for key in ("description", "address"):
        values.setdefault(key, "")
    fair = fairs.create_fair(db.session, current_api_user(),
                             booths=[b.spec() for b in body.booths], **values)
    return {"slug": fair.slug, "booths": len(body.booths)}, 201


@api_route(bp, "/fairs/<slug>", methods=["PATCH"], body=FairPatch, auth=ORGANIZERS,
           tags=["fairs"], summary="Edit your fair (cancelling it tells every exhibitor)",
           responses={404: "Not your fair"})
def patch_fair(slug: str, body: FairPatch):
    fair = fairs.fair_for_organizer(db.session, current_api_user(), slug)
    fairs.update_fair(db.session, fair, **body.model_dump(exclude_unset=True))
    return fair_summary(fair)


class BoothsIn(Schema):
    booths: list[BoothIn] = Field(min_length=1, max_length=fairs.MAX_BOOTHS)


@api_route(bp, "/fairs/<slug>/booths", methods=["POST"], auth=ORGANIZERS, status=201,
           tags=["fairs"],
           summary="Add booths: a `text/csv` body `code,x,y,w,h,price_vnd,zone` (or JSON "
                   "`{booths: [...]}`), all or nothing",
           responses={404: "Not your fair",
                      422: "`invalid_booths` (`line N: reason`) or `booths_overlap` naming both"},
           consumes={"text/csv": {"type": "string"},
                     "application/json": BoothsIn})
@accepts_upload()
def add_booths(slug: str):
    fair = fairs.fair_for_organizer(db.session, current_api_user(), slug)
    if request.mimetype == "application/json":
        specs = [b.spec() for b in parse_body(BoothsIn).booths]
    else:
        specs = fairs.parse_booths_csv(request.get_data())
    booths = fairs.add_booths(db.session, fair, specs)
    return {"booths": len(booths), "codes": [b.code for b in booths]}, 201


@api_route(bp, "/fairs/<slug>/booths/<code>", methods=["DELETE"], auth=ORGANIZERS,
           tags=["fairs"], summary="Take a never-booked booth off the plan",
           responses={404: "Not your fair, or no such booth", 409: "`booth_has_bookings`"})
def remove_booth(slug: str, code: str):
    fair = fairs.fair_for_organizer(db.session, current_api_user(), slug)
    booth = fairs.remove_booth(db.session, fair, code)
    return {"removed": booth.code}


@api_route(bp, "/fairs/<slug>/bookings", auth=ORGANIZERS, tags=["fairs"],
           summary="Your fair's bookings (`?status=pending` for the queue) and occupancy",
           responses={404: "Not your fair"})
def fair_bookings(slug: str):
    fair = fairs.fair_for_organizer(db.session, current_api_user(), slug)
    occ = fairs.occupancy(db.session, fair)
    return {"items": [booking_json(b) for b in
                      fairs.fair_bookings(db.session, fair, status=request.args.get("status"))],
            "occupancy": {"booths": occ.booths, "confirmed": occ.confirmed, "pending": occ.pending,
                          "free": occ.free, "fees_due_vnd": occ.fees_due_vnd,
                          "fees_paid_vnd": occ.fees_paid_vnd}}


@api_route(bp, "/fairs/<slug>/bookings/<int:booking_id>/confirm", methods=["POST"],
           auth=ORGANIZERS, tags=["fairs"], summary="Confirm a pending booking",
           responses={404: "Not your fair or booking",
                      409: "`invalid_status`, or `not_listable` (the gate, asked again)"})
def confirm_booking(slug: str, booking_id: int):
    fair = fairs.fair_for_organizer(db.session, current_api_user(), slug)
    return booking_json(fairs.confirm_booking(db.session, fair, booking_id))


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


@api_route(bp, "/fairs/<slug>/bookings/<int:booking_id>/reject", methods=["POST"], body=ReasonIn,
           auth=ORGANIZERS, tags=["fairs"], summary="Reject a pending booking, with a reason",
           responses={404: "Not your fair or booking", 409: "`invalid_status`"})
def reject_booking(slug: str, booking_id: int, body: ReasonIn):
    fair = fairs.fair_for_organizer(db.session, current_api_user(), slug)
    return booking_json(fairs.reject_booking(db.session, fair, booking_id, reason=body.reason))


class FeeIn(Schema):
    paid: bool = True


@api_route(bp, "/fairs/<slug>/bookings/<int:booking_id>/fee", methods=["POST"], body=FeeIn,
           auth=ORGANIZERS, tags=["fairs"], summary="Mark a booth fee paid (or not)",
           responses={404: "Not your fair or booking"})
def booking_fee(slug: str, booking_id: int, body: FeeIn):
    fair = fairs.fair_for_organizer(db.session, current_api_user(), slug)
    return booking_json(fairs.mark_fee_paid(db.session, fair, booking_id, paid=body.paid))


class CancelIn(Schema):
    reason: str | None = Field(default=None, max_length=300)


@api_route(bp, "/fairs/<slug>/bookings/<int:booking_id>", methods=["DELETE"],
           auth=("producer", "organizer", "admin"), tags=["fairs"],
           summary="Cancel a booking (the booking producer or the organizer)",
           responses={404: "Not your booking", 409: "`invalid_status` or `booth_has_stock`"})
def cancel_booking(slug: str, booking_id: int):
    body = parse_body(CancelIn) if request.get_data() else CancelIn()
    user = current_api_user()
    fair = db.session.query(Fair).filter_by(slug=slug[:120]).one_or_none()
    if fair is None:
        raise NotFound(f"No fair {slug!r}.")
    return booking_json(fairs.cancel_booking(db.session, fair, booking_id, user, reason=body.reason))


# --- Producers ----------------------------------------------------------------------------

class BookingIn(Schema):
    booth: str = Field(min_length=1, max_length=20, description="Booth code, e.g. B12")
    note: str | None = Field(default=None, max_length=300)


@api_route(bp, "/fairs/<slug>/bookings", methods=["POST"], body=BookingIn, auth="producer",
           status=201, tags=["fairs"], summary="Book a booth (pending until the organizer confirms)",
           responses={404: "Unknown fair or booth",
                      409: "`booth_taken`, `booking_closed`, or `not_listable` with the reason"})
def book_booth(slug: str, body: BookingIn):
    """Needs at least one listable product (the certificate gate) and an open booking
    window. The answer carries the fee and a VietQR of the organizer's account."""
    user = current_api_user()
    fair = fairs.get_fair(db.session, slug)
    booking = fairs.book_booth(db.session, fair, body.booth, user.producer, user=user,
                               note=body.note)
    return booking_json(booking, with_payment=True), 201


@api_route(bp, "/seller/bookings", auth="producer", tags=["seller"],
           summary="The producer's fair bookings")
def seller_bookings():
    rows = fairs.bookings_of_producer(db.session, current_api_user().producer)
    return {"items": [booking_json(b, with_payment=b.active) for b in rows]}


class TransferItem(Schema):
    product: str = Field(min_length=1, max_length=160)
    quantity: int = Field(ge=1, le=100_000)


class BoothTransferIn(Schema):
    direction: Literal["to_booth", "to_warehouse"]
    items: list[TransferItem] = Field(min_length=1, max_length=100)


@api_route(bp, "/seller/booths/<slug>/<code>/transfers", methods=["POST"], body=BoothTransferIn,
           auth="producer", status=201, tags=["seller"],
           summary="Move stock between your warehouse and your confirmed booth (one step)",
           responses={404: "Not your confirmed booth, or not your product",
                      409: "`out_of_stock` (nothing moves) or `not_listable`"})
def booth_transfer(slug: str, code: str, body: BoothTransferIn):
    user = current_api_user()
    booking = booth_stock.booth_of_producer(db.session, user.producer, slug, code,
                                            returning=body.direction == "to_warehouse")
    reference = booth_stock.transfer(db.session, booking, body.direction,
                                     [(i.product, i.quantity) for i in body.items], actor_id=user.id)
    return {"reference": reference,
            "levels": [{"product": p.slug, "level": n}
                       for p, n in booth_stock.booth_levels(db.session, booking)]}, 201


@api_route(bp, "/seller/booths/<slug>/<code>/stock", auth="producer", tags=["seller"],
           summary="Stock at your confirmed booth", responses={404: "Not your confirmed booth"})
def booth_levels(slug: str, code: str):
    booking = booth_stock.booth_of_producer(db.session, current_api_user().producer, slug, code,
                                            returning=True)
    return {"location": booking.location.code,
            "items": [{"product": p.slug, "level": n}
                      for p, n in booth_stock.booth_levels(db.session, booking)]}

