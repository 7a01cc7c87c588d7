"""A confirmed booth as a stock location of its producer (DOMAIN §7, §9): one-step moves
between the producer's warehouse and the booth through the one ledger (`showrooms.stock`:
`transfer_out` at the source, `transfer_in` at the destination, same reference), and the
booth fee's VietQR."""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from catalog.gate import require_listable
from catalog.models import Producer, Product
from showrooms.fair_models import Booking, Booth, Fair
from showrooms.models import Location, StockLevel, StockMovement
from showrooms.stock import StockLine, lock_levels, take_stock, warehouse_of
from showrooms.transfers import own_products


def booth_of_producer(session: Session, producer: Producer, fair_slug: str, booth_code: str, *,
                      returning: bool = False) -> Booking:
    """The producer's CONFIRMED booking of that booth; anything else → 404. With
    `returning`, also a booking that ended while units were still at the booth (they can
    always be brought back)."""
    statuses = ("confirmed", "cancelled") if returning else ("confirmed",)
    booking = session.scalar(
        select(Booking).join(Fair, Fair.id == Booking.fair_id).join(Booth, Booth.id == Booking.booth_id)
        .join(Location, Location.id == Booking.location_id)
        .where(Fair.slug == (fair_slug or "")[:120], Booth.code == (booth_code or "").upper()[:20],
               Booking.producer_id == producer.id, Booking.status.in_(statuses),
               Location.producer_id == producer.id)
        .order_by(Booking.id.desc()).limit(1))
    if booking is None:
        raise NotFound(f"No confirmed booth {booth_code!r} of yours at {fair_slug!r}.",
                       code="unknown_booth")
    return booking


def transfer(session: Session, booking: Booking, direction: str, items: list[tuple[str, int]], *,
             actor_id: int | None = None) -> str:
    """Move units warehouse → booth (`to_booth`) or booth → warehouse (`to_warehouse`) in one
    step, all or nothing (one `out_of_stock` naming every shortfall). Units sent to the
    booth must be listable (the gate); bringing units back is always allowed."""
    if direction not in ("to_booth", "to_warehouse"):
        raise InvalidInput("direction: to_booth or to_warehouse.", code="invalid_direction")
    lines = own_products(session, booking.producer, items)
    products = {slug: product for slug, (product, _n) in lines.items()}
    wanted = {slug: quantity for slug, (_p, quantity) in lines.items()}
    if direction == "to_booth" and booking.status != "confirmed":
        raise NotFound(f"Booth {booking.booth.code} is no longer yours ({booking.status}).",
                       code="unknown_booth")
    if direction == "to_booth":
        for product in products.values():
            require_listable(product)
    warehouse = warehouse_of(session, booking.producer)
    source, target = ((warehouse.id, booking.location_id) if direction == "to_booth"
                      else (booking.location_id, warehouse.id))
    reference = f"booth:{booking.id}:{secrets.token_hex(4)}"
    reason = f"gian {booking.booth.code} – {booking.fair.name}"[:300]
    take_stock(session, [StockLine(source, products[s].id, q) for s, q in sorted(wanted.items())],
               kind="transfer_out", reference=reference, actor_id=actor_id, reason=reason)
    levels = lock_levels(session, [(target, products[s].id) for s in wanted], create=True)
    for slug, quantity in sorted(wanted.items()):
        levels[(target, products[slug].id)].on_hand += quantity
        session.add(StockMovement(location_id=target, product_id=products[slug].id,
                                  kind="transfer_in", quantity=quantity, actor_id=actor_id,
                                  reason=reason, reference=reference))
    session.flush()
    return reference


def booth_levels(session: Session, booking: Booking) -> list[tuple[Product, int]]:
    rows = session.execute(
        select(Product, StockLevel.on_hand).join(StockLevel, StockLevel.product_id == Product.id)
        .where(StockLevel.location_id == booking.location_id).order_by(Product.name)).all()
    return [(p, n) for p, n in rows]


def fee_payment(booking: Booking) -> dict | None:
    """How to pay the booth fee: the organizer's account as a VietQR with the amount and the
    booking's reference (`None` when there is nothing to pay or no account given)."""
    from storefront.payments import vietqr

    fair = booking.fair
    if booking.fee_vnd <= 0 or not (fair.bank_bin and fair.bank_account):
        return None
    reference = booking.payment_reference
    try:
        payload = vietqr.payload(bank_bin=fair.bank_bin, account=fair.bank_account,
                                 amount_vnd=booking.fee_vnd, reference=reference)
    except ValueError as err:  # an account the organizer typed badly: say so, do not 500
        current_app.logger.warning("fair %s: no VietQR (%s)", fair.slug, err)
        return None
    return {"method": "bank_transfer", "amount_vnd": booking.fee_vnd, "reference": reference,
            "bank_bin": fair.bank_bin, "account": fair.bank_account,
            "account_name": fair.bank_account_name, "vietqr": payload, "paid": booking.fee_paid}

