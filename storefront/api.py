"""Storefront JSON API: orders (CONTRACT §4), the seller's shipments, the office marking a
bank transfer paid, and the Stripe webhook (`/stripe/webhook`, no /api/v1 prefix)."""

from __future__ import annotations

from flask import request
from flask_babel import get_locale

from app.api import api_blueprint, api_route, current_api_user
from app.extensions import db
from storefront import (
    cash_orders,
    checkout,
    confirmation,
    order_mail,
    orders,
    payments,
    serializers,
    shipments,
)
from storefront.payments import card, webhook
from storefront.schemas import (
    CancelShipmentIn,
    MarkPaidIn,
    OrderIn,
    OrderTokenQuery,
    SellerOrdersQuery,
    ShipIn,
)

bp = api_blueprint("storefront_api", __name__)
webhook_bp = api_blueprint("stripe_webhook", __name__, url_prefix="")
blueprints = [bp, webhook_bp]


@api_route(bp, "/orders", methods=["POST"], body=OrderIn, status=201, tags=["orders"],
           summary="Place an order (no account needed)",
           responses={409: "`out_of_stock` or `not_listable` (every refused line is named)",
                      502: "The card payment service is unavailable"})
def create_order(body: OrderIn):
    """Stock is taken at once for `cod` / `pay_at_pickup` and reserved for `card` (30 min)
    and `bank_transfer` (24 h) until paid. The response carries the `access_token` (shown
    once) and what the customer needs to pay: `card` → `client_secret`, `publishable_key`;
    `bank_transfer` → the `vietqr` payload and the transfer `reference`."""
    placed = checkout.place_order(db.session, body, locale=str(get_locale() or "vi"))
    order = placed.order
    order_mail.send_after_commit(db.session, order_mail.order_placed_mail(placed))
    orders.commit_keeping_objects(db.session)
    return {
        "number": order.number,
        "status": order.status,
        "payment_status": order.payment_status,
        "total_vnd": order.total_vnd,
        "subtotal_vnd": order.subtotal_vnd,
        "shipping_vnd": order.shipping_vnd,
        "access_token": placed.access_token,
        "url": order_mail.order_url(order, placed.access_token),
        "shipments": [{"producer": s.producer.slug, "status": s.status,
                       "shipping_fee_vnd": s.shipping_fee_vnd} for s in order.shipments],
        "payment": placed.payment,
    }, 201


@api_route(bp, "/orders/<number>", query=OrderTokenQuery, tags=["orders"],
           summary="An order and its per-producer shipments (needs its token)",
           responses={404: "Unknown order or wrong token"})
def get_order(number: str, query: OrderTokenQuery):
    order = orders.get_order_with_token(db.session, number, query.token)
    return serializers.order_json(order, payment=payments.method(order.payment_method).describe(order))


@api_route(bp, "/orders/<number>/cancel", methods=["POST"], query=OrderTokenQuery,
           tags=["orders"], summary="The customer cancels a cash order (needs its token)",
           responses={404: "Unknown order or wrong token",
                      409: "`already_cancelled`, `already_shipped` or `not_cancellable` (paid)"})
def cancel_order(number: str, query: OrderTokenQuery):
    """Cash on delivery / pay at pickup, until something was shipped or handed over: every
    unit goes back to stock (once: a second cancel is 409); the producers are told."""
    order = cash_orders.cancel_by_customer(
        db.session, orders.get_order_with_token(db.session, number, query.token))
    answer = serializers.order_json(order)
    order_mail.send_after_commit(db.session, *order_mail.cancelled_by_customer_mails(order))
    db.session.commit()
    return answer


# --- Seller -------------------------------------------------------------------------------

@api_route(bp, "/seller/orders", query=SellerOrdersQuery, auth="producer", tags=["seller"],
           summary="The producer's shipments (their own lines only)")
def seller_orders(query: SellerOrdersQuery):
    """Newest first. Without `status`, shipments still waiting for the customer's payment
    (`pending` card / bank-transfer orders) are left out, while cash orders' shipments waiting
    for your confirmation (`pending`, `order.payment_method` cod / pay_at_pickup) are listed;
    `?status=pending` lists every pending one."""
    producer = current_api_user().producer
    found = shipments.seller_shipments(db.session, producer, status=query.status)
    return {"items": [serializers.seller_shipment_json(s) for s in found]}


@api_route(bp, "/seller/shipments/<int:shipment_id>/confirm", methods=["POST"],
           auth="producer", tags=["seller"],
           summary="Confirm a cash order's shipment (you will send it)",
           responses={404: "Not your shipment", 409: "Not a cash order waiting for you"})
def seller_confirm(shipment_id: int):
    """A cash-on-delivery / pay-at-pickup order waits for each producer's confirmation for
    COD_CONFIRM_HOURS, then its unconfirmed shipments expire and their units come back.
    Shipping a shipment confirms it too. Confirming twice changes nothing."""
    shipment = shipments.confirm_shipment(db.session, current_api_user().producer, shipment_id)
    answer = serializers.seller_shipment_json(shipment)
    db.session.commit()
    return answer


@api_route(bp, "/seller/shipments/<int:shipment_id>/cancel", methods=["POST"],
           body=CancelShipmentIn, auth="producer", tags=["seller"],
           summary="Cancel your shipment of a cash order, with a reason (units back to stock)",
           responses={404: "Not your shipment",
                      409: "`already_cancelled`, `already_shipped` or `not_cancellable` (paid)"})
def seller_cancel(shipment_id: int, body: CancelShipmentIn):
    shipment = shipments.cancel_shipment(db.session, current_api_user().producer, shipment_id,
                                         reason=body.reason)
    answer = serializers.seller_shipment_json(shipment)
    order_mail.send_after_commit(db.session, order_mail.lines_cancelled_mail(
        shipment.order, [(line, line.cancel_reason) for line in shipment.lines
                         if line.cancel_reason == shipment.cancel_reason],
        headline=order_mail.BY_SELLER))
    db.session.commit()
    return answer


@api_route(bp, "/seller/shipments/<int:shipment_id>/ship", methods=["POST"], body=ShipIn,
           auth="producer", tags=["seller"], summary="Hand a confirmed shipment to a carrier",
           responses={404: "Not your shipment", 409: "Not confirmed"})
def seller_ship(shipment_id: int, body: ShipIn):
    shipment = shipments.ship(db.session, current_api_user().producer, shipment_id,
                           carrier=body.carrier, tracking=body.tracking)
    answer = serializers.seller_shipment_json(shipment)
    order_mail.send_after_commit(
        db.session, order_mail.lines_cancelled_mail(shipment.order, shipment.gate_cancelled))
    db.session.commit()
    return answer


@api_route(bp, "/seller/shipments/<int:shipment_id>/deliver", methods=["POST"],
           auth="producer", tags=["seller"], summary="Mark a shipment delivered or picked up",
           responses={404: "Not your shipment", 409: "Not confirmed or shipped"})
def seller_deliver(shipment_id: int):
    shipment = shipments.deliver(db.session, current_api_user().producer, shipment_id)
    answer = serializers.seller_shipment_json(shipment)
    order_mail.send_after_commit(
        db.session, order_mail.lines_cancelled_mail(shipment.order, shipment.gate_cancelled))
    db.session.commit()
    return answer


# --- Admin: the OCOP office ----------------------------------------------------------------

@api_route(bp, "/admin/orders/<number>/mark-paid", methods=["POST"], body=MarkPaidIn,
           auth="admin", tags=["admin"], summary="Record a bank transfer as received",
           responses={404: "Unknown order", 409: "Not a bank transfer, or wrong amount"})
def admin_mark_paid(number: str, body: MarkPaidIn):
    """Same confirmation as the card webhook: the gate again on every line, reservations
    turned into sales; a second call changes nothing (`already_paid: true`)."""
    paid = confirmation.mark_paid(db.session, number, amount_vnd=body.amount_vnd,
                                  note=body.note)
    order_mail.send_after_commit(db.session, order_mail.confirmation_mail(paid))
    db.session.commit()
    return {"number": paid.order.number, "status": paid.order.status,
            "payment_status": paid.order.payment_status,
            "already_paid": paid.already,
            "refunded_vnd": paid.refunded_vnd,
            "cancelled": [line.product_name for line, _ in paid.cancelled]}


# --- Stripe --------------------------------------------------------------------------------

@api_route(webhook_bp, "/stripe/webhook", methods=["POST"], tags=["payments"],
           summary="Stripe events (signature verified; each event id applied once)",
           responses={400: "`bad_signature`, or `invalid_event` (signed but unreadable)",
                      409: "The order of this payment is not committed yet: Stripe retries"},
           consumes={"application/json": {"type": "object", "description": "A Stripe event"}},
           headers={"Stripe-Signature": "t=<unix>,v1=<HMAC-SHA256 of '<t>.<body>'>"})
def stripe_webhook():
    event = card.verify_event(request.get_data(cache=True), request.headers.get("Stripe-Signature"))
    outcome = webhook.handle_event(db.session, event.to_dict())
    if outcome.confirmation is not None:
        order_mail.send_after_commit(db.session, order_mail.confirmation_mail(outcome.confirmation))
    db.session.commit()
    return {"received": True, "status": outcome.status}
