"""Card payments through Stripe PaymentIntents and the Payment Element (never Checkout
Sessions). VND is zero-decimal: `amount=150000` is 150.000 ₫. `STRIPE_API_BASE` points the
client at a local `localstripe` in development and tests. The webhook is the source of
truth: the page only starts the payment, `payment_intent.succeeded` confirms the order."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import lru_cache

import stripe
from flask import current_app

from app.errors import DomainError

log = logging.getLogger(__name__)

TAKES_STOCK_AT_ONCE = False


class PaymentProviderError(DomainError):
    code = "payment_provider_unavailable"
    status = 502


class BadSignature(DomainError):
    code = "bad_signature"
    status = 400


def reservation_window(config) -> timedelta:
    return timedelta(minutes=config["CARD_RESERVATION_MINUTES"])


@lru_cache(maxsize=8)
def _client(secret_key: str, api_base: str) -> stripe.StripeClient:
    options = {"base_addresses": {"api": api_base}} if api_base else {}
    return stripe.StripeClient(secret_key, max_network_retries=2, **options)


def client() -> stripe.StripeClient:
    config = current_app.config
    return _client(config["STRIPE_SECRET_KEY"], config.get("STRIPE_API_BASE") or "")


def _payment_json(order, intent) -> dict:
    config = current_app.config
    return {
        "method": "card",
        "provider": "stripe",
        "amount_vnd": order.total_vnd,
        "currency": "vnd",
        "payment_intent": intent.id,
        "client_secret": intent.client_secret,
        "publishable_key": config["STRIPE_PUBLISHABLE_KEY"],
        "js_url": config["STRIPE_JS_URL"],
        "status": intent.status,
    }


def start(order) -> dict:
    """Create the PaymentIntent (idempotency key `order-<number>`) and link it to the order
    (UNIQUE column): the browser confirms it with Stripe.js, the webhook reports back."""
    try:
        intent = client().v1.payment_intents.create(
            params={
                "amount": order.total_vnd,
                "currency": "vnd",
                "payment_method_types": ["card"],
                "metadata": {"order_number": order.number},
            },
            options={"idempotency_key": f"order-{order.number}"},
        )
    except stripe.StripeError as err:
        log.warning("Stripe refused a PaymentIntent for %s: %s", order.number, err)
        raise PaymentProviderError(
            "The card payment service is unavailable; please try again or choose another "
            "payment method.") from None
    order.stripe_payment_intent_id = intent.id
    return _payment_json(order, intent)


def describe(order) -> dict:
    """For the order page: the client secret while the payment is still to be made."""
    base = {"method": "card", "amount_vnd": order.total_vnd,
            "payment_intent": order.stripe_payment_intent_id}
    if not order.awaiting_payment or not order.stripe_payment_intent_id:
        return base
    try:
        intent = client().v1.payment_intents.retrieve(order.stripe_payment_intent_id)
    except stripe.StripeError as err:
        log.warning("cannot retrieve %s: %s", order.stripe_payment_intent_id, err)
        return base
    return _payment_json(order, intent)


def refund(order, amount_vnd: int, key: str, reason: str) -> str:
    """Give `amount_vnd` back on the order's PaymentIntent; returns the refund id."""
    try:
        result = client().v1.refunds.create(
            params={"payment_intent": order.stripe_payment_intent_id, "amount": amount_vnd,
                    "metadata": {"order_number": order.number, "reason": reason[:450]}},
            options={"idempotency_key": key},
        )
    except stripe.StripeError as err:
        log.error("refund of %s ₫ on %s failed: %s", amount_vnd, order.number, err)
        raise PaymentProviderError("The refund could not be made; it will be retried.") from None
    return result.id


def cancel(order) -> bool:
    """Cancel the PaymentIntent of an expired order; False when it already succeeded (the
    webhook will confirm the order instead)."""
    if not order.stripe_payment_intent_id:
        return True
    try:
        intent = client().v1.payment_intents.retrieve(order.stripe_payment_intent_id)
        if intent.status == "succeeded":
            return False
        if intent.status != "canceled":
            client().v1.payment_intents.cancel(order.stripe_payment_intent_id)
    except stripe.StripeError as err:
        log.warning("cannot cancel %s: %s", order.stripe_payment_intent_id, err)
        return False
    return True


def verify_event(payload: bytes, signature: str | None) -> stripe.Event:
    """The event, if Stripe signed it with our endpoint secret; else 400 `bad_signature`."""
    try:
        return stripe.Webhook.construct_event(payload, signature or "",
                                              current_app.config["STRIPE_WEBHOOK_SECRET"])
    except stripe.SignatureVerificationError:
        raise BadSignature("The Stripe-Signature header does not match this payload.") from None
    except (ValueError, RecursionError):  # not JSON, or nested beyond the parser's depth
        raise BadSignature("The webhook payload is not a Stripe event.") from None
