"""JSON API of the promotion package (/api/v1, CONTRACT §4 "Promotion")."""

from __future__ import annotations

from flask import current_app
from flask_babel import get_locale

from app.api import api_blueprint, api_route, current_api_user
from app.clock import now as clock_now
from app.extensions import db, limiter
from showrooms.counter import point_for_user
from showrooms.points import get_sales_point
from storefront.promotion import boxes, currency, livestreams, villages
from storefront.promotion.schemas import (
    AdminGiftBoxIn,
    BookingIn,
    BookingListQuery,
    DecisionIn,
    GiftBoxIn,
    GiftBoxQuery,
    LivestreamIn,
    RateIn,
    VillageIn,
    VillageQuery,
)

bp = api_blueprint("promotion_api", __name__)


# --- Gift boxes ------------------------------------------------------------------------------

def box_json(box, verdict: boxes.BoxAvailability) -> dict:
    body = {
        "slug": box.slug, "name": box.name, "name_en": box.name_en, "story": box.story,
        "story_en": box.story_en, "price_vnd": box.price_vnd,
        "photo": box.photo_url,
        "sales_point": {"code": box.sales_point.code, "name": box.sales_point.name,
                        "province_code": box.sales_point.province_code},
        "items": [{"product": i.product.slug, "name": i.product.name, "quantity": i.quantity,
                   "producer": i.product.producer.slug} for i in box.items],
        "available": verdict.available if verdict.sellable else 0,
        "sellable": verdict.sellable,
    }
    if not verdict.sellable:
        body["reason"] = {"code": verdict.reason, "product": verdict.item.slug,
                          "name": verdict.item.name}
    return body


@api_route(bp, "/gift-boxes", query=GiftBoxQuery, tags=["promotion"],
           summary="Gift boxes, with how many each point can make now")
def list_gift_boxes(query: GiftBoxQuery):
    found = boxes.list_boxes(db.session, province=query.province, max_price=query.max_price,
                             min_price=query.min_price)
    verdicts = boxes.availability(db.session, found)
    return {"items": [box_json(b, verdicts[b.id]) for b in found], "total": len(found)}


@api_route(bp, "/gift-boxes/<slug>", tags=["promotion"], summary="One gift box",
           responses={404: "Unknown gift box"})
def get_gift_box(slug: str):
    """`available` = boxes the point can make now; when an item is not listable,
    `sellable` is false and `reason` names the item and the gate's reason."""
    box = boxes.get_box(db.session, slug)
    return box_json(box, boxes.availability(db.session, [box])[box.id])


def _create_box(body: GiftBoxIn, point) -> tuple[dict, int]:
    box = boxes.create_box(db.session, point=point, name=body.name, name_en=body.name_en,
                           story=body.story, story_en=body.story_en, photo_path=body.photo,
                           price_vnd=body.price_vnd,
                           items=[(i.product, i.quantity) for i in body.items])
    return {"slug": box.slug}, 201


@api_route(bp, "/admin/gift-boxes", methods=["POST"], body=AdminGiftBoxIn, auth="admin",
           status=201, tags=["admin"], summary="Create a gift box assembled by a sales point",
           responses={404: "Unknown sales point"})
def admin_create_gift_box(body: AdminGiftBoxIn):
    return _create_box(body, get_sales_point(db.session, body.sales_point))


@api_route(bp, "/sales-points/<code>/gift-boxes", methods=["POST"], body=GiftBoxIn,
           auth=("sales_point", "admin"), status=201, tags=["sales points"],
           summary="Create a gift box assembled by this point",
           responses={404: "Not your sales point"})
def point_create_gift_box(code: str, body: GiftBoxIn):
    return _create_box(body, point_for_user(db.session, current_api_user(), code))


# --- Villages and booking requests -------------------------------------------------------------

def village_json(village, offer=None) -> dict:
    body = {
        "slug": village.slug, "name": village.name, "name_en": village.name_en,
        "craft": village.craft, "craft_en": village.craft_en,
        "province_code": village.province_code, "province": village.province_name,
        "ward_code": village.ward_code, "address": village.address,
        "position": ({"lat": village.latitude, "lng": village.longitude}
                     if village.latitude is not None else None),
        "producers": [{"slug": p.slug, "name": p.name} for p in village.producers],
        "url": f"{current_app.config['BASE_URL']}/villages/{village.slug}",
    }
    if offer is not None:
        body.update({
            "story": village.story, "story_en": village.story_en,
            "getting_there": village.getting_there, "getting_there_en": village.getting_there_en,
            "products": [{"slug": p.slug, "name": p.name, "stars": c.stars, "price_vnd": p.price_vnd}
                         for p, c in offer.goods],
            "services": [{"slug": p.slug, "name": p.name, "stars": c.stars, "price_vnd": p.price_vnd,
                          "unit": p.unit} for p, c in offer.services],
        })
    return body


@api_route(bp, "/villages", query=VillageQuery, tags=["promotion"],
           summary="Craft villages and community-tourism destinations")
def list_villages(query: VillageQuery):
    found = villages.list_villages(db.session, province=query.province)
    return {"items": [village_json(v) for v in found], "total": len(found)}


@api_route(bp, "/villages/<slug>", tags=["promotion"], summary="One village with its listable "
           "products and tourism services", responses={404: "Unknown village"})
def get_village(slug: str):
    village = villages.get_village(db.session, slug)
    return village_json(village, villages.village_offer(db.session, village))


@api_route(bp, "/admin/villages", methods=["POST"], body=VillageIn, auth="admin", status=201,
           tags=["admin"], summary="Add a craft village or community-tourism destination",
           responses={422: "Unknown province, ward or producer"})
def create_village(body: VillageIn):
    from sqlalchemy import select

    from catalog.models import Producer

    wanted = list(dict.fromkeys(body.producers))
    makers = {p.slug: p for p in db.session.scalars(select(Producer).where(Producer.slug.in_(wanted)))}
    unknown = [slug for slug in wanted if slug not in makers]
    if unknown:
        from app.errors import InvalidInput

        raise InvalidInput(f"producers: no producer {', '.join(unknown)}.", code="unknown_producer")
    values = body.model_dump(exclude={"producers", "photo", "name", "province_code", "ward_code"})
    village = villages.create_village(db.session, name=body.name, province_code=body.province_code,
                                      ward_code=body.ward_code, photo_path=body.photo,
                                      producers=[makers[s] for s in wanted], **values)
    return {"slug": village.slug}, 201


@api_route(bp, "/services/<slug>/booking-requests", methods=["POST"], body=BookingIn, status=201,
           tags=["promotion"], summary="Ask a producer for a tourism service (public)",
           responses={404: "Not a tourism service", 409: "`not_listable`: the service cannot be "
                      "booked now", 429: "Too many requests from this address"})
@limiter.limit("20/hour")  # public: a traveller sends a few, a robot many
def create_booking_request(slug: str, body: BookingIn):
    """The producer sees it in the back-office and gets an e-mail; the traveller gets an
    acknowledgement, then the producer's answer."""
    service = villages.get_service(db.session, slug)
    booking = villages.request_booking(
        db.session, service, requested_date=body.date, party_size=body.party_size,
        name=body.name, phone=body.phone, email=body.email, message=body.message,
        locale=str(get_locale() or "vi"))
    mails = villages.booking_mails(booking)
    answer = {"id": booking.id, "status": booking.status}
    db.session.commit()
    for mail in mails:
        mail.send()
    return answer, 201


@api_route(bp, "/seller/booking-requests", query=BookingListQuery, auth="producer",
           tags=["seller"], summary="Booking requests for the producer's tourism services")
def seller_booking_requests(query: BookingListQuery):
    found = villages.producer_bookings(db.session, current_api_user().producer, status=query.status)
    return {"items": [villages.booking_json(b) for b in found]}


def _decide(booking_id: int, body: DecisionIn, accept: bool) -> dict:
    user = current_api_user()
    booking = villages.decide(db.session, user.producer, booking_id, accept=accept,
                              reply=body.reply, actor_id=user.id)
    mail = villages.decision_mail(booking)
    answer = villages.booking_json(booking)
    db.session.commit()
    mail.send()
    return answer


@api_route(bp, "/seller/booking-requests/<int:booking_id>/accept", methods=["POST"],
           body=DecisionIn, auth="producer", tags=["seller"], summary="Accept a booking request",
           responses={404: "Not yours", 409: "`already_decided`"})
def accept_booking(booking_id: int, body: DecisionIn):
    return _decide(booking_id, body, True)


@api_route(bp, "/seller/booking-requests/<int:booking_id>/decline", methods=["POST"],
           body=DecisionIn, auth="producer", tags=["seller"], summary="Decline a booking request",
           responses={404: "Not yours", 409: "`already_decided`"})
def decline_booking(booking_id: int, body: DecisionIn):
    return _decide(booking_id, body, False)


# --- Livestreams -----------------------------------------------------------------------------------

@api_route(bp, "/seller/livestreams", methods=["POST"], body=LivestreamIn, auth="producer",
           status=201, tags=["seller"], summary="Announce a livestream of your products")
def schedule_livestream(body: LivestreamIn):
    stream = livestreams.schedule(db.session, current_api_user().producer, **body.service_values())
    return {"id": stream.id, "ics": f"{current_app.config['BASE_URL']}/live/{stream.id}.ics"}, 201


@api_route(bp, "/livestreams", tags=["promotion"], summary="Livestreams live now and upcoming")
def list_livestreams():
    now = clock_now()
    on_air, upcoming = livestreams.current_and_upcoming(db.session, now=now)
    return {"items": [livestreams.stream_json(s, now=now) for s in on_air + upcoming]}


# --- Indicative exchange rates -------------------------------------------------------------------

@api_route(bp, "/admin/currency-rates", methods=["POST"], body=RateIn, auth="admin", status=201,
           tags=["admin"], summary="Set an indicative rate (đồng per unit) with its date")
def set_currency_rate(body: RateIn):
    rate = currency.set_rate(db.session, body.currency, body.vnd_per_unit,
                             rate_date=body.rate_date, actor_id=current_api_user().id)
    return {"currency": rate.currency, "vnd_per_unit": rate.vnd_per_unit,
            "rate_date": rate.rate_date.isoformat()}, 201


@api_route(bp, "/currency-rates", tags=["promotion"],
           summary="The latest indicative rates (approximate; payment is in VND)")
def get_currency_rates():
    return {"items": [{"currency": r.currency, "vnd_per_unit": r.vnd_per_unit,
                       "rate_date": r.rate_date.isoformat()}
                      for r in currency.latest_rates(db.session).values()]}




@api_route(bp, "/sales-points/<code>/gift-box-orders/<int:line_id>/handover", methods=["POST"],
           auth=("sales_point", "admin"), tags=["sales points"],
           summary="A box of an online order handed to the customer (or the carrier)",
           responses={404: "Not this point's", 409: "`invalid_gift_box_status`"})
def point_hand_over_box(code: str, line_id: int):
    point = point_for_user(db.session, current_api_user(), code)
    line = boxes.hand_over(db.session, point, line_id)
    return {**boxes.box_line_json(line), "order": line.order.number,
            "payment_status": line.order.payment_status}


@api_route(bp, "/sales-points/<code>/gift-box-orders", auth=("sales_point", "admin"),
           tags=["sales points"], summary="Online orders of this point's gift boxes to assemble",
           responses={404: "Not your sales point"})
def point_gift_box_orders(code: str):
    point = point_for_user(db.session, current_api_user(), code)
    return {"items": [{**boxes.box_line_json(line), "order": line.order.number,
                       "fulfilment": line.order.fulfilment,
                       "customer": {"name": line.order.customer_name,
                                    "phone": line.order.customer_phone},
                       "gift_message": line.order.gift_message}
                      for line in boxes.point_box_orders(db.session, point)]}
