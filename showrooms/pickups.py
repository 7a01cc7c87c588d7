"""Pickups at a sales point (DOMAIN §8, §9): online orders collected here appear in the
point's queue, ready when every producer has sent its shipment to the point; the staff hand
them over after checking the order number and the customer's name (or the token of the
confirmation e-mail's link/QR). A `pay_at_pickup` order is paid at the counter first (a
ticket carrying the order reference)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.clock import now as clock_now
from app.errors import Conflict, InvalidInput, NotFound
from catalog.text import fold
from showrooms.models import Location, SalesPoint
from storefront.models import Order, Payment, Shipment


class NoLongerListable(Conflict):
    """The gate ran again at the hand-over and cancelled lines of a cash order: nothing is
    handed over. The cancellation itself stands (the caller commits it and tells the
    customer with `storefront.orders.send_lines_cancelled`)."""

    code = "no_longer_listable"

    def __init__(self, order: Order, cancelled: list):
        self.order, self.cancelled = order, cancelled
        reasons = "; ".join(f"{line.product_name}: {why}" for line, why in cancelled)
        super().__init__(_("Đơn %(number)s không giao được như hiện tại: %(reasons)s",
                           number=order.number, reasons=reasons))


@dataclass
class Pickup:
    order: Order

    @property
    def live_shipments(self) -> list[Shipment]:
        return [s for s in self.order.shipments if s.status != "cancelled"]

    @property
    def live_boxes(self) -> list:
        """Gift boxes of the order (promotion): assembled here from the point's own shelves."""
        return [b for b in self.order.gift_box_lines if b.status != "cancelled"]

    @property
    def ready(self) -> bool:
        """Every producer sent its part to the point (shipped), or it is already here."""
        live = self.live_shipments
        return (bool(live) or bool(self.live_boxes)) and all(
            s.status in ("shipped", "delivered") for s in live)

    @property
    def handed_over(self) -> bool:
        live = self.live_shipments
        return ((bool(live) or bool(self.live_boxes))
                and all(s.status == "delivered" for s in live)
                and all(b.handed_over_at for b in self.live_boxes))

    @property
    def needs_payment(self) -> bool:
        return self.order.payment_method == "pay_at_pickup" and not self.order.is_paid

    @property
    def needs_confirmation(self) -> bool:
        """A pay-at-pickup order waiting for its producers' (or this point's) confirmation."""
        return self.order.payment_method == "pay_at_pickup" and self.order.status == "pending"


def _orders_query(point_id: int):
    return (select(Order).where(Order.fulfilment == "pickup", Order.pickup_point_id == point_id)
            .options(selectinload(Order.shipments).selectinload(Shipment.producer),
                     selectinload(Order.lines)))


def pickup_queue(session: Session, point: SalesPoint, *, include_done: bool = False) -> list[Pickup]:
    """Orders to hand over here: confirmed, not yet handed over (ready ones first)."""
    orders = session.scalars(_orders_query(point.id).where(Order.status == "confirmed")
                             .order_by(Order.created_at)).all()
    pickups = [Pickup(o) for o in orders]
    if not include_done:
        pickups = [p for p in pickups if not p.handed_over]
    return sorted(pickups, key=lambda p: (not p.ready, p.order.created_at))


def pickups_to_confirm(session: Session, point: SalesPoint) -> list[Pickup]:
    """Pay-at-pickup orders collected here still waiting for a confirmation, oldest first:
    the point may give it (`confirm_pickup_order`) before they expire."""
    orders = session.scalars(_orders_query(point.id).where(
        Order.status == "pending", Order.payment_method == "pay_at_pickup")
        .order_by(Order.created_at)).all()
    return [Pickup(o) for o in orders]


def _point_order(session: Session, point_id: int, number: str, *, lock: bool) -> Order:
    query = _orders_query(point_id).where(Order.number == (number or "").strip().upper())
    if lock:
        query = query.with_for_update(of=Order).execution_options(populate_existing=True)
    order = session.scalar(query)
    if order is None:
        raise NotFound(_("Điểm này không có đơn nhận hàng %(number)s.", number=(number or "").strip()),
                       code="order_not_found")
    return order


def pay_pickup_order(session: Session, location: Location, number: str, *, key: str,
                     now: datetime | None = None) -> Order:
    """Record the payment of a `pay_at_pickup` order taken at this point's counter."""
    if location.sales_point_id is None:
        raise NotFound("Pickup orders are paid at a sales point.", code="order_not_found")
    order = _point_order(session, location.sales_point_id, number, lock=True)
    if order.payment_method != "pay_at_pickup":
        raise Conflict(f"Order {order.number} was paid online ({order.payment_method}).",
                       code="not_pay_at_pickup")
    if order.status == "cancelled":
        raise Conflict(f"Order {order.number} is cancelled.", code="order_cancelled")
    if order.is_paid:
        raise Conflict(f"Order {order.number} is already paid.", code="already_paid")
    amount = (sum(line.line_total_vnd for line in order.lines if line.status == "active")
              + sum(box.line_total_vnd for box in order.gift_box_lines if box.status == "active"))
    now = now or clock_now()
    session.add(Payment(order=order, kind="payment", method="pay_at_pickup", amount_vnd=amount,
                        external_id=f"counter:{location.code}:{key}", note="paid at the counter",
                        created_at=now))
    order.payment_status = "paid"
    order.paid_at = now
    session.flush()
    return order


def confirm_pickup_order(session: Session, point: SalesPoint, number: str) -> Order:
    """The staff of the pickup point confirm a `pay_at_pickup` order collected here (they
    called the customer, say), as its producers could: every shipment still waiting is
    confirmed, so the order no longer expires after COD_CONFIRM_HOURS. Another point's order
    is not found (404); confirming twice changes nothing."""
    from storefront.shipments import confirm_order

    order = _point_order(session, point.id, number, lock=True)
    if order.payment_method != "pay_at_pickup":
        raise Conflict(_("Đơn %(number)s không phải đơn trả tiền khi nhận tại điểm.",
                         number=order.number), code="not_pay_at_pickup")
    if order.status == "cancelled":
        raise Conflict(_("Đơn %(number)s đã bị huỷ.", number=order.number), code="order_cancelled")
    return confirm_order(session, order)


def handover(session: Session, point: SalesPoint, number: str, *, customer_name: str | None = None,
             token: str | None = None) -> Order:
    """Hand the order over: it must be ready, paid, and the customer checked — by name (as on
    the order, accents and case aside) or by the token of the confirmation e-mail's link.
    A cash order whose products are no longer listable is not handed over: the gate cancels
    those lines (`recheck_cash_shipment`) and `NoLongerListable` (409) says why."""
    from storefront.checkout import hash_token
    from storefront.shipments import recheck_cash_shipment

    order = _point_order(session, point.id, number, lock=True)
    pickup = Pickup(order)
    if order.status == "cancelled":
        raise Conflict(_("Đơn %(number)s đã bị huỷ.", number=order.number), code="order_cancelled")
    if pickup.handed_over:
        raise Conflict(_("Đơn %(number)s đã được giao cho khách trước đó.", number=order.number),
                       code="already_handed_over")
    if not pickup.ready:
        raise Conflict(_("Đơn %(number)s chưa về tới điểm: còn chủ thể chưa gửi hàng.",
                         number=order.number), code="not_ready")
    if pickup.needs_payment:
        raise Conflict(_("Đơn %(number)s trả tiền khi nhận: hãy thu tiền tại quầy trước.",
                         number=order.number), code="payment_required")
    if token:
        if not hmac.compare_digest(order.access_token_hash, hash_token(token.strip())):
            raise Conflict(_("Mã QR không phải của đơn này."), code="identity_mismatch")
    elif customer_name:
        if " ".join(fold(customer_name).split()) != " ".join(fold(order.customer_name).split()):
            raise Conflict(_("Tên không khớp với tên trên đơn."), code="identity_mismatch")
    else:
        raise InvalidInput(_("Hãy kiểm tra khách: nhập tên trên đơn hoặc quét mã QR trong email "
                             "xác nhận."), code="identity_required")
    # Cash orders (pay at pickup, COD) re-check the gate like shipping does (DOMAIN §3).
    cancelled = [c for shipment in pickup.live_shipments
                 for c in recheck_cash_shipment(session, shipment)]
    if cancelled:
        raise NoLongerListable(order, cancelled)
    moment = clock_now()
    for shipment in pickup.live_shipments:
        shipment.status = "delivered"
        shipment.delivered_at = moment
    for box in pickup.live_boxes:
        box.handed_over_at = moment
    session.flush()
    return order


def pickup_json(pickup: Pickup) -> dict:
    order = pickup.order
    return {"number": order.number, "customer": order.customer_name,
            "phone": order.customer_phone, "total_vnd": order.total_vnd,
            "payment": order.payment_method, "paid": order.is_paid,
            "ready": pickup.ready, "handed_over": pickup.handed_over,
            "awaiting_confirmation": pickup.needs_confirmation,
            "gift_wrap": order.gift_wrap,
            "shipments": [{"producer": s.producer.name, "status": s.status} for s in order.shipments],
            "lines": [{"product": line.product_name, "quantity": line.quantity}
                      for line in order.lines if line.status == "active"]}


def keep_gate_cancellation(session: Session, refused: NoLongerListable) -> None:
    """Commit the lines the gate cancelled at the hand-over and tell the customer."""
    from storefront import order_mail

    order_mail.send_after_commit(session, order_mail.lines_cancelled_mail(refused.order,
                                                                          refused.cancelled))
    session.commit()
