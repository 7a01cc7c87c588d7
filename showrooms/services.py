"""Stock questions other packages ask (the ledger itself lives beside this module)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session


def online_availability(session: Session, product_ids: Iterable[int]) -> dict[int, int]:
    """Units of each product available for online orders: on hand in the producer's own
    warehouse minus unexpired reservations (DOMAIN §7). Missing ids mean 0."""
    return {}
