"""Pay at pickup: the customer pays at the OCOP sales point when collecting; stock is
taken at checkout and the order waits for the producer's
confirmation (limits and expiry: `storefront.cash_orders`)."""

from __future__ import annotations

from datetime import timedelta

TAKES_STOCK_AT_ONCE = True


def reservation_window(config) -> timedelta:
    """Nothing is paid up front: the producer confirms within this window, or the order
    expires and its units come back (`storefront.cash_orders`)."""
    return timedelta(hours=config["COD_CONFIRM_HOURS"])


def start(order) -> dict:
    point = order.pickup_point
    return {"method": "pay_at_pickup", "amount_vnd": order.total_vnd,
            "pickup_point": point.code if point else None,
            "instructions": "Pay at the OCOP sales point when you collect the order."}


def describe(order) -> dict:
    return start(order)


def refund(order, amount_vnd: int, key: str, reason: str) -> str:
    return f"pickup-not-collected:{key}"


def cancel(order) -> bool:
    return True
