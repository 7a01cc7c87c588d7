"""Cash on delivery: stock is taken at checkout and the order confirmed at once; the
carrier collects the money."""

from __future__ import annotations

TAKES_STOCK_AT_ONCE = True


def reservation_window(config):
    return None


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
