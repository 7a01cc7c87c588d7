"""The producers' side of an order: their shipments, shipping and delivering them, and the
gate again when a cash order leaves (DOMAIN §3, §8). Services flush; callers commit."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.clock import now as clock_now
from app.clock import today
from app.errors import Conflict, NotFound
from catalog.gate import reason_text, refused_products
from storefront.cash_orders import HANDED_OVER, cancel_cash_lines, settle
from storefront.models import CASH_METHODS, Order, OrderLine, Shipment
from storefront.orders import lock_order
from storefront.promotion.boxes import order_fully_handed_over


def seller_shipments(session: Session, producer, *, status: str | None = None) -> list[Shipment]:
    query = (
        select(Shipment).join(Shipment.order).where(Shipment.producer_id == producer.id)
        .options(selectinload(Shipment.lines), selectinload(Shipment.order)
                 .selectinload(Order.pickup_point))
        .order_by(Shipment.id.desc())
    )
    # Without a status filter, orders still waiting for their money are left out (cash
    # orders waiting for the producer's confirmation are not: they are the producer's move).
    condition = (Shipment.status == status if status else
                 or_(Shipment.status != "pending", Order.payment_method.in_(CASH_METHODS)))
    return list(session.scalars(query.where(condition)))


def shipments_to_ship_count(session: Session, producer) -> int:
    """Confirmed shipments waiting for the producer to hand them over (dashboard)."""
    return session.scalar(select(func.count()).select_from(Shipment).where(
        Shipment.producer_id == producer.id, Shipment.status == "confirmed")) or 0


def shipments_to_confirm_count(session: Session, producer) -> int:
    """Cash orders' shipments waiting for the producer's confirmation (dashboard)."""
    return session.scalar(select(func.count()).select_from(Shipment).join(Shipment.order).where(
        Shipment.producer_id == producer.id, Shipment.status == "pending",
        Order.payment_method.in_(CASH_METHODS))) or 0


def _own_shipment(session: Session, producer, shipment_id: int) -> Shipment:
    """The producer's shipment, its order locked first and then the shipment (always in
    this order, as the customer's cancel and the expiry lock the order: no deadlock)."""
    order_id = session.scalar(select(Shipment.order_id).where(
        Shipment.id == shipment_id, Shipment.producer_id == producer.id))
    if order_id is None:
        raise NotFound(f"No shipment {shipment_id} of yours.", code="shipment_not_found")
    lock_order(session, order_id)
    return session.scalars(
        select(Shipment).where(Shipment.id == shipment_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _confirm(shipment: Shipment) -> bool:
    """A cash order's pending shipment becomes confirmed (it will be sent); False when it
    already was. Anything else needs no confirmation (409)."""
    if shipment.status == "confirmed":
        return False
    if shipment.status != "pending" or shipment.order.payment_method not in CASH_METHODS:
        raise Conflict(_("Kiện hàng %(id)s đang ở trạng thái %(status)s, không cần xác nhận.",
                         id=shipment.id, status=shipment.status),
                       code="invalid_shipment_status")
    shipment.status = "confirmed"
    return True


def confirm_shipment(session: Session, producer, shipment_id: int) -> Shipment:
    """The producer confirms a cash order's shipment (it will send it); the order is
    confirmed when all its shipments are. Confirming twice changes nothing."""
    shipment = _own_shipment(session, producer, shipment_id)
    if _confirm(shipment):
        settle(shipment.order)
        session.flush()
    return shipment


def confirm_order(session: Session, order: Order) -> Order:
    """Every shipment of a cash order still waiting is confirmed at once, and so the order:
    the pickup point's staff do this for a pay-at-pickup order collected there
    (`showrooms.pickups.confirm_pickup_order`, which locks the order first). Cancelled
    shipments stay cancelled; confirming twice changes nothing."""
    for shipment in order.shipments:
        if shipment.status == "pending":
            _confirm(shipment)
    settle(order)
    session.flush()
    return order


def cancel_shipment(session: Session, producer, shipment_id: int, *, reason: str) -> Shipment:
    """The producer cancels its own part of a cash order (out of stock, cannot deliver…),
    saying why: its units come back, the customer pays nothing for it. Not once shipped."""
    shipment = _own_shipment(session, producer, shipment_id)
    order = shipment.order
    if shipment.status == "cancelled":
        raise Conflict(_("Kiện hàng %(id)s đã được huỷ trước đó.", id=shipment_id),
                       code="already_cancelled")
    if shipment.status in HANDED_OVER:
        raise Conflict(_("Kiện hàng %(id)s đã được gửi đi, không huỷ được nữa.", id=shipment_id),
                       code="already_shipped")
    if order.payment_method not in CASH_METHODS or order.is_paid:
        raise Conflict(_("Đơn hàng đã thanh toán: việc huỷ và hoàn tiền do văn phòng OCOP xử lý."),
                       code="not_cancellable")
    why = reason.strip()[:300]
    cancel_cash_lines(session, order, [(line, why) for line in shipment.lines],
                      order_reason=why)
    shipment.status, shipment.cancel_reason = "cancelled", why
    settle(order, reason=why)
    session.flush()
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
    active = [line for line in shipment.lines if line.status == "active" and line.product_id]
    refused = refused_products(session, [line.product_id for line in active], on or today())
    with force_locale(order.locale):
        cancelled: list[tuple[OrderLine, str]] = [
            (line, _("Không còn được bán: %(reason)s.", reason=reason_text(refused[line.product_id])))
            for line in active if line.product_id in refused]
    if cancelled:
        with force_locale(order.locale):
            reason = _("Không sản phẩm nào trong đơn còn bán được.")
        cancel_cash_lines(session, order, cancelled, order_reason=reason)
    return cancelled


def _confirm_by_handing_over(shipment: Shipment) -> None:
    # A cash order's shipment not confirmed yet: sending it is the producer's confirmation.
    if shipment.status == "pending" and shipment.order.payment_method in CASH_METHODS \
            and shipment.order.status == "pending":
        shipment.status = "confirmed"


def ship(session: Session, producer, shipment_id: int, *, carrier: str, tracking: str) -> Shipment:
    """A confirmed shipment handed to a carrier (or made ready at the pickup point). Cash
    orders re-check the gate first (`recheck_cash_shipment`); the lines it cancelled are in
    `shipment.gate_cancelled`, and a shipment left with nothing is cancelled, not shipped."""
    shipment = _own_shipment(session, producer, shipment_id)
    _confirm_by_handing_over(shipment)
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
    settle(shipment.order)
    session.flush()
    return shipment


def deliver(session: Session, producer, shipment_id: int) -> Shipment:
    """Delivered (or picked up). Cash on delivery / at pickup: when every shipment left is
    delivered, the money has been collected."""
    shipment = _own_shipment(session, producer, shipment_id)
    _confirm_by_handing_over(shipment)
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
    settle(order)
    if order.payment_method in CASH_METHODS and order_fully_handed_over(order):
        order.payment_status = "paid"
        order.paid_at = clock_now()
    session.flush()
    return shipment
