"""Payment methods, one module each (DOMAIN §8): `card` (Stripe PaymentIntents), `cod`,
`bank_transfer` (VietQR), `pay_at_pickup`. Each module exposes:

- `TAKES_STOCK_AT_ONCE`: True → a `sale` movement at checkout; False → a reservation;
- `reservation_window(config)`: how long units are held while waiting for the money;
- `start(order) -> dict`: what the customer needs to pay (the `payment` of POST /orders);
- `describe(order) -> dict`: the same for the order page later;
- `refund(order, amount_vnd, key, reason) -> str`: give money back, returns its external id;
- `cancel(order) -> bool`: stop a payment still in progress (False: it already succeeded).
"""

from __future__ import annotations

from types import ModuleType

from storefront.payments import bank_transfer, card, cod, pickup

METHODS: dict[str, ModuleType] = {
    "card": card,
    "cod": cod,
    "bank_transfer": bank_transfer,
    "pay_at_pickup": pickup,
}


def method(name: str) -> ModuleType:
    return METHODS[name]
