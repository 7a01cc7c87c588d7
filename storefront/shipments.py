"""The producers' side of an order: their shipments, shipping and delivering them, and the
gate again when a cash order leaves (DOMAIN §3, §8). Services flush; callers commit."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.clock import now as clock_now
from app.clock import today
from app.errors import Conflict, NotFound
from catalog.gate import listability, reason_text
from showrooms.stock import record_movement, warehouses_by_producer
from storefront.confirmation import cancel_lines
from storefront.models import Order, OrderLine, Shipment
from storefront.orders import CASH_METHODS
from storefront.promotion.boxes import order_fully_handed_over


def seller_shipments(session: Session, producer, *, status: str | None = None) -> list[Shipment]:
    query = (
        select(Shipment).where(Shipment.producer_id == producer.id)
        .options(selectinload(Shipment.lines), selectinload(Shipment.order)
                 .selectinload(Order.pickup_point))
        .order_by(Shipment.id.desc())
    )
    # Without a status filter, orders still waiting for their money are left out.
    condition = Shipment.status == status if status else Shipment.status != "pending"
    return list(session.scalars(query.where(condition)))


def shipments_to_ship_count(session: Session, producer) -> int:
    """Confirmed shipments waiting for the producer to hand them over (dashboard)."""
    return session.scalar(select(func.count()).select_from(Shipment).where(
        Shipment.producer_id == producer.id, Shipment.status == "confirmed")) or 0


def _own_shipment(session: Session, producer, shipment_id: int) -> Shipment:
    shipment = session.scalars(
        select(Shipment).where(Shipment.id == shipment_id, Shipment.producer_id == producer.id)
        .with_for_update()
    ).first()
    if shipment is None:
        raise NotFound(f"No shipment {shipment_id} of yours.", code="shipment_not_found")
    return shipment


def recheck_cash_shipment(session: Session, shipment: Shipment,
                          on=None) -> list[tuple[OrderLine, str]]:
    """Cash on delivery and pay at pickup: nothing was paid at checkout, so the gate runs
    again when the producer ships or hands over (DOMAIN §3). A line whose product is no
    longer listable is cancelled, its units go back to the warehouse (`return`), and the
    amount to collect drops by its total (and the shipment's fee if nothing is left of it):
    nothing is charged for it. Returns the cancelled lines (the caller tells the customer
    with `send_lines_cancelled` after the commit)."""
    order = shipment.order
    if order.payment_method not in CASH_METHODS:
        return []
    on = on or today()
    cancelled: list[tuple[OrderLine, str]] = []
    for line in shipment.lines:
        if line.status != "active" or line.product is None:
            continue
        verdict = listability(line.product, on)
        if not verdict.listable:
            with force_locale(order.locale):
                cancelled.append((line, _("Không còn được bán: %(reason)s.",
                                          reason=reason_text(verdict.reason))))
    if not cancelled:
        return []
    with force_locale(order.locale):
        dropped = cancel_lines(order, cancelled)
    lines_total = sum(line.line_total_vnd for line, _why in cancelled)
    order.subtotal_vnd -= lines_total
    order.shipping_vnd -= dropped - lines_total
    order.total_vnd = order.subtotal_vnd + order.shipping_vnd
    warehouse = warehouses_by_producer(session, [shipment.producer_id]).get(shipment.producer_id)
    for line, why in cancelled:
        if warehouse is not None and not line.product.is_service:
            record_movement(session, location=warehouse, product=line.product, kind="return",
                            quantity=line.quantity, reference=order.number,
                            reason=f"order {order.number}: {why}"[:300])
    if all(s.status == "cancelled" for s in order.shipments):
        order.status = "cancelled"
        order.cancelled_at = clock_now()
        with force_locale(order.locale):
            order.cancel_reason = _("Không sản phẩm nào trong đơn còn bán được.")
    session.flush()
    return cancelled


def ship(session: Session, producer, shipment_id: int, *, carrier: str, tracking: str) -> Shipment:
    """A confirmed shipment handed to a carrier (or made ready at the pickup point). Cash
    orders re-check the gate first (`recheck_cash_shipment`); the lines it cancelled are in
    `shipment.gate_cancelled`, and a shipment left with nothing is cancelled, not shipped."""
    shipment = _own_shipment(session, producer, shipment_id)
    if shipment.status != "confirmed":
        raise Conflict(f"Shipment {shipment_id} is {shipment.status}; only a confirmed one "
                       "can be shipped.", code="invalid_shipment_status")
    shipment.gate_cancelled = recheck_cash_shipment(session, shipment)
    if shipment.status == "cancelled":
        return shipment
    shipment.status = "shipped"
    shipment.carrier = carrier
    shipment.tracking_number = tracking
    shipment.shipped_at = clock_now()
    session.flush()
    return shipment


def deliver(session: Session, producer, shipment_id: int) -> Shipment:
    """Delivered (or picked up). Cash on delivery / at pickup: when every shipment left is
    delivered, the money has been collected."""
    shipment = _own_shipment(session, producer, shipment_id)
    if shipment.status not in ("confirmed", "shipped"):
        raise Conflict(f"Shipment {shipment_id} is {shipment.status}.",
                       code="invalid_shipment_status")
    # Picked up at a sales point: the hand-over is when pay-at-pickup is charged.
    shipment.gate_cancelled = (recheck_cash_shipment(session, shipment)
                               if shipment.order.fulfilment == "pickup" else [])
    if shipment.status == "cancelled":
        return shipment
    shipment.status = "delivered"
    shipment.delivered_at = clock_now()
    order = shipment.order
    if order.payment_method in CASH_METHODS and order_fully_handed_over(order):
        order.payment_status = "paid"
        order.paid_at = clock_now()
    session.flush()
    return shipment
