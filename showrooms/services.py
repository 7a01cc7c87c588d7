"""Stock questions other packages ask (the ledger itself lives in `showrooms.stock`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.clock import now as clock_now
from showrooms.models import Location, Reservation, StockLevel


def online_availability(session: Session, product_ids: Iterable[int], *,
                        now: datetime | None = None) -> dict[int, int]:
    """Units of each product available for online orders: on hand in the producer's own
    warehouse minus unexpired reservations (DOMAIN §7). Missing ids mean 0. One query."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    held = (
        select(func.coalesce(func.sum(Reservation.quantity), 0))
        .where(Reservation.location_id == StockLevel.location_id,
               Reservation.product_id == StockLevel.product_id,
               Reservation.status == "active",
               Reservation.reserved_until > (now or clock_now()))
        .correlate(StockLevel)
        .scalar_subquery()
    )
    rows = session.execute(
        select(StockLevel.product_id, StockLevel.on_hand - held)
        .join(Location, and_(Location.id == StockLevel.location_id, Location.kind == "warehouse"))
        .where(StockLevel.product_id.in_(ids))
    )
    return {product_id: max(int(available), 0) for product_id, available in rows}
