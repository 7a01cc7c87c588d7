"""Pay at pickup: the customer pays at the OCOP sales point when collecting; stock is
taken at checkout and the order confirmed at once."""

from __future__ import annotations

TAKES_STOCK_AT_ONCE = True


def reservation_window(config):
    return None


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
