"""Stripe webhook events: the source of truth for card payments.

Each event id is recorded once (UNIQUE `stripe_events.event_id`) inside the same
transaction as its effects: a replay — or the same event delivered twice at the same
moment — finds the row and changes nothing; a failure rolls both back so Stripe retries.
An event that overtakes the commit of its own order (metadata names an order not visible
yet) is answered 409 `order_not_ready` without being recorded: Stripe delivers it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict, DomainError
from storefront.confirmation import Confirmation, confirm_payment, payment_failed
from storefront.models import Order, StripeEvent
from storefront.orders import lock_order

log = logging.getLogger(__name__)

class InvalidEvent(DomainError):
    """400: signed by Stripe's secret, yet not an event we can read; nothing is recorded."""

    code = "invalid_event"
    status = 400


class OrderNotReady(Conflict):
    """409: Stripe retries any non-2xx answer, with back-off, for up to three days."""

    code = "order_not_ready"


HANDLED = ("payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled")


@dataclass
class EventOutcome:
    status: str  # processed, duplicate, ignored
    order: Order | None = None
    confirmation: Confirmation | None = None


def _record(session: Session, event_id: str, event_type: str) -> StripeEvent | None:
    """Insert the event id; None when it was already there (or is being processed by a
    concurrent delivery, which the UNIQUE index makes us wait for)."""
    if session.scalar(select(StripeEvent.id).where(StripeEvent.event_id == event_id)):
        return None
    record = StripeEvent(event_id=event_id, type=event_type)
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()
    except IntegrityError:
        return None
    return record


def _order_for(session: Session, intent) -> Order | None:
    order = session.scalar(select(Order).where(Order.stripe_payment_intent_id == intent["id"]))
    if order is None:
        metadata = intent.get("metadata") or {}
        number = metadata.get("order_number")
        if number:
            order = session.scalar(select(Order).where(Order.number == number,
                                                       Order.payment_method == "card"))
    return order


def _check_shape(event) -> None:
    """An event has a string `id` and `type`; a handled one carries its PaymentIntent in
    `data.object` (a mapping with an `id`)."""
    if not isinstance(event, dict):
        raise InvalidEvent("A Stripe event is a JSON object.")
    for name in ("id", "type"):
        if not isinstance(event.get(name), str) or not event[name]:
            raise InvalidEvent(f"The Stripe event has no `{name}`.")
    if event["type"] in HANDLED:
        data = event.get("data")
        intent = data.get("object") if isinstance(data, dict) else None
        if not isinstance(intent, dict) or not isinstance(intent.get("id"), str):
            raise InvalidEvent(f"A {event['type']} event carries its PaymentIntent in data.object.")
        if not isinstance(intent.get("metadata") or {}, dict):
            raise InvalidEvent("The PaymentIntent's metadata is not an object.")
        amount = intent.get("amount_received") or intent.get("amount")
        if event["type"] == "payment_intent.succeeded" and (
                not isinstance(amount, int) or isinstance(amount, bool) or amount < 0):
            raise InvalidEvent("A succeeded PaymentIntent states its amount in đồng.")


def handle_event(session: Session, event) -> EventOutcome:
    """Apply one verified Stripe event (see module docstring)."""
    _check_shape(event)
    record = _record(session, event["id"], event["type"])
    if record is None:
        return EventOutcome("duplicate")
    if event["type"] not in HANDLED:
        return EventOutcome("ignored")
    intent = event["data"]["object"]
    order = _order_for(session, intent)
    if order is None:
        if (intent.get("metadata") or {}).get("order_number"):
            # Ours, but its order is not committed yet (the webhook overtook the checkout's
            # transaction): refuse, nothing recorded, so Stripe delivers it again later.
            log.warning("Stripe event %s for order %s not committed yet: retry asked",
                        event["id"], intent["metadata"]["order_number"])
            raise OrderNotReady("The order of this payment is not recorded yet; "
                                "deliver the event again later.")
        log.warning("Stripe event %s for unknown PaymentIntent %s", event["id"], intent.get("id"))
        return EventOutcome("ignored")
    # Lock the order before any row pointing at it is written: a foreign-key check takes a
    # share lock on the order, and two such share locks waiting to upgrade would deadlock.
    order = lock_order(session, order.id)
    record.order_id = order.id
    if event["type"] == "payment_intent.succeeded":
        amount = intent.get("amount_received") or intent.get("amount")
        confirmation = confirm_payment(session, order, method="card", amount_vnd=int(amount),
                                       external_id=intent["id"])
        return EventOutcome("processed", order, confirmation)
    error = intent.get("last_payment_error") or {}
    reason = ("Thanh toán thẻ không thành công" if event["type"].endswith("failed")
              else "Thanh toán thẻ đã bị huỷ")
    if error.get("message"):
        reason += f": {error['message']}"
    payment_failed(session, order, reason=reason)
    return EventOutcome("processed", order)
