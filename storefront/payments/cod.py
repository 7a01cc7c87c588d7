"""Cash on delivery: stock is taken at checkout and the order waits for the producer's
confirmation (limits, expiry, cancellation: `storefront.cash_orders`); the carrier
collects the money."""

from __future__ import annotations

from datetime import timedelta

TAKES_STOCK_AT_ONCE = True


def reservation_window(config) -> timedelta:
    """Nothing is paid up front: the producer confirms within this window, or the order
    expires and its units come back (`storefront.cash_orders`)."""
    return timedelta(hours=config["COD_CONFIRM_HOURS"])


def start(order) -> dict:
    return {"method": "cod", "amount_vnd": order.total_vnd,
            "instructions": "Pay the carrier in cash on delivery."}


def describe(order) -> dict:
    return start(order)


def refund(order, amount_vnd: int, key: str, reason: str) -> str:
    # Nothing was paid yet: a cancelled line is simply not collected.
    return f"cod-not-collected:{key}"


def cancel(order) -> bool:
    return True
