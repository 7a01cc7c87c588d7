"""Storefront JSON API: orders (CONTRACT §4), the seller's shipments, the office marking a
bank transfer paid, and the Stripe webhook (`/stripe/webhook`, no /api/v1 prefix)."""

from __future__ import annotations

from flask import request
from flask_babel import get_locale

from app.api import api_blueprint, api_route, current_api_user
from app.extensions import db
from storefront import checkout, orders, payments
from storefront.payments import card, webhook
from storefront.schemas import MarkPaidIn, OrderIn, OrderTokenQuery, SellerOrdersQuery, ShipIn

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
    with orders.commit_keeping_objects(db.session):
        mail = orders.order_placed_mail(placed)
    mail.send()
    return {
        "number": order.number,
        "status": order.status,
        "payment_status": order.payment_status,
        "total_vnd": order.total_vnd,
        "subtotal_vnd": order.subtotal_vnd,
        "shipping_vnd": order.shipping_vnd,
        "access_token": placed.access_token,
        "url": orders.order_url(order, placed.access_token),
        "shipments": [{"producer": s.producer.slug, "status": s.status,
                       "shipping_fee_vnd": s.shipping_fee_vnd} for s in order.shipments],
        "payment": placed.payment,
    }, 201


@api_route(bp, "/orders/<number>", query=OrderTokenQuery, tags=["orders"],
           summary="An order and its per-producer shipments (needs its token)",
           responses={404: "Unknown order or wrong token"})
def get_order(number: str, query: OrderTokenQuery):
    order = orders.get_order_with_token(db.session, number, query.token)
    return orders.order_json(order, payment=payments.method(order.payment_method).describe(order))


# --- Seller -------------------------------------------------------------------------------

@api_route(bp, "/seller/orders", query=SellerOrdersQuery, auth="producer", tags=["seller"],
           summary="The producer's shipments (their own lines only)")
def seller_orders(query: SellerOrdersQuery):
    """Newest first. Without `status`, shipments still waiting for the customer's payment
    (`pending`) are left out; `?status=pending` lists them."""
    producer = current_api_user().producer
    shipments = orders.seller_shipments(db.session, producer, status=query.status)
    return {"items": [orders.seller_shipment_json(s) for s in shipments]}


@api_route(bp, "/seller/shipments/<int:shipment_id>/ship", methods=["POST"], body=ShipIn,
           auth="producer", tags=["seller"], summary="Hand a confirmed shipment to a carrier",
           responses={404: "Not your shipment", 409: "Not confirmed"})
def seller_ship(shipment_id: int, body: ShipIn):
    shipment = orders.ship(db.session, current_api_user().producer, shipment_id,
                           carrier=body.carrier, tracking=body.tracking)
    answer = orders.seller_shipment_json(shipment)
    db.session.commit()
    orders.send_lines_cancelled(shipment.order, shipment.gate_cancelled)
    return answer


@api_route(bp, "/seller/shipments/<int:shipment_id>/deliver", methods=["POST"],
           auth="producer", tags=["seller"], summary="Mark a shipment delivered or picked up",
           responses={404: "Not your shipment", 409: "Not confirmed or shipped"})
def seller_deliver(shipment_id: int):
    shipment = orders.deliver(db.session, current_api_user().producer, shipment_id)
    answer = orders.seller_shipment_json(shipment)
    db.session.commit()
    orders.send_lines_cancelled(shipment.order, shipment.gate_cancelled)
    return answer


# --- Admin: the OCOP office ----------------------------------------------------------------

@api_route(bp, "/admin/orders/<number>/mark-paid", methods=["POST"], body=MarkPaidIn,
           auth="admin", tags=["admin"], summary="Record a bank transfer as received",
           responses={404: "Unknown order", 409: "Not a bank transfer, or wrong amount"})
def admin_mark_paid(number: str, body: MarkPaidIn):
    """Same confirmation as the card webhook: the gate again on every line, reservations
    turned into sales; a second call changes nothing (`already_paid: true`)."""
    confirmation = orders.mark_paid(db.session, number, amount_vnd=body.amount_vnd,
                                    note=body.note)
    db.session.commit()
    orders.send_confirmation(confirmation)
    return {"number": confirmation.order.number, "status": confirmation.order.status,
            "payment_status": confirmation.order.payment_status,
            "already_paid": confirmation.already,
            "refunded_vnd": confirmation.refunded_vnd,
            "cancelled": [line.product_name for line, _ in confirmation.cancelled]}


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
    db.session.commit()
    if outcome.confirmation is not None:
        orders.send_confirmation(outcome.confirmation)
    return {"received": True, "status": outcome.status}
