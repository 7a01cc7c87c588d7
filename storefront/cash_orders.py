"""Orders paid in cash — cash on delivery and pay at pickup — after checkout (issue 12).

Their units leave the shelf at checkout (a `sale` movement, DOMAIN §7) but nothing is paid,
so such an order waits (`pending`, and so do its shipments) for each producer to confirm its
shipment (`storefront.shipments.confirm_shipment`; shipping it confirms it too) until
`order.reserved_until` = checkout + COD_CONFIRM_HOURS. Then:
- `expire_unconfirmed` (`flask orders expire`, the systemd timer) cancels the shipments still
  unconfirmed and gives their units back;
- the customer may cancel the whole order until something was shipped or handed over;
- a seller may cancel its own shipment, with a reason.
Units come back once, as `return` movements in the one stock ledger, where they were taken
(the producer's warehouse; a gift box's sales point): a line is restocked only while
`active`, under the order's row lock, and then marked `cancelled`.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.clock import now as clock_now
from app.errors import Conflict
from catalog.models import Product
from showrooms.models import Location
from showrooms.stock import aware, record_movement, warehouses_by_producer
from storefront.confirmation import cancel_lines
from storefront.models import CASH_METHODS, Order, OrderLine, Shipment
from storefront.orders import lock_order
from storefront.promotion.boxes import box_stock_lines
from storefront.promotion.models import GiftBoxOrderLine

HANDED_OVER = ("shipped", "delivered")


def customer_can_cancel(order: Order) -> bool:
    """Cash orders, not paid yet, nothing shipped or handed over yet."""
    return (order.payment_method in CASH_METHODS and order.status != "cancelled"
            and not order.is_paid
            and not any(s.status in HANDED_OVER for s in order.shipments)
            and not any(b.handed_over_at for b in order.gift_box_lines))


def reload_locked(session: Session, order: Order) -> Order:
    """The order FOR UPDATE with its shipments and lines re-read: what another transaction
    committed while we waited for the lock is what we decide on."""
    order = lock_order(session, order.id)
    session.scalars(select(Shipment).where(Shipment.order_id == order.id)
                    .options(selectinload(Shipment.lines).selectinload(OrderLine.product))
                    .execution_options(populate_existing=True)).all()
    session.scalars(select(GiftBoxOrderLine).where(GiftBoxOrderLine.order_id == order.id)
                    .execution_options(populate_existing=True)).all()
    return order


def _restock(session: Session, order: Order, cancelled: list[tuple[object, str]]) -> None:
    """Put the units of these lines back where they were taken: the producer's warehouse, or
    a gift box's sales point. Levels are locked in (location, product) order, as checkout
    takes them, so two restocks (or a restock and a checkout) never wait in a circle."""
    warehouses = warehouses_by_producer(session, {
        line.shipment.producer_id for line, _why in cancelled if isinstance(line, OrderLine)})
    movements: list[tuple[int, int, int, str]] = []
    for line, why in cancelled:
        if isinstance(line, OrderLine):
            warehouse = warehouses.get(line.shipment.producer_id)
            if warehouse is not None and line.product is not None and not line.product.is_service:
                movements.append((warehouse.id, line.product_id, line.quantity, why))
        else:  # a gift box: its items go back on its sales point's shelves
            movements += [(stock.location_id, stock.product_id, stock.quantity, why)
                          for stock in box_stock_lines(session, line.box, line.quantity)]
    for location_id, product_id, quantity, why in sorted(movements):
        record_movement(session, location=session.get(Location, location_id),
                        product=session.get(Product, product_id), kind="return",
                        quantity=quantity, reference=order.number,
                        reason=f"order {order.number}: {why}"[:300])


def settle(order: Order, *, now: datetime | None = None, reason: str | None = None) -> None:
    """The order's status from its parts: cancelled when nothing is left; confirmed once
    every shipment left is confirmed (or further along)."""
    live = [s for s in order.shipments if s.status != "cancelled"]
    boxes = [b for b in order.gift_box_lines if b.status != "cancelled"]
    if not live and not boxes:
        if order.status != "cancelled":
            order.status = "cancelled"
            order.cancelled_at = now or clock_now()
            with force_locale(order.locale):
                order.cancel_reason = (reason or _("Mọi sản phẩm của đơn hàng đã bị huỷ."))[:300]
        order.reserved_until = None
    elif order.status == "pending" and all(s.status != "pending" for s in live):
        order.status = "confirmed"
        order.reserved_until = None


def cancel_cash_lines(session: Session, order: Order, cancelled: list[tuple[object, str]], *,
                      now: datetime | None = None, order_reason: str | None = None) -> int:
    """Cancel these lines of a cash order: their units come back, the amount to collect
    drops by their total (and the fee of a shipment left empty), the order settles.
    Returns the amount dropped."""
    cancelled = [(line, why) for line, why in cancelled if line.status == "active"]
    if not cancelled:
        return 0
    _restock(session, order, cancelled)
    with force_locale(order.locale):
        dropped = cancel_lines(order, cancelled)
    lines_total = sum(line.line_total_vnd for line, _why in cancelled)
    order.subtotal_vnd -= lines_total
    order.shipping_vnd -= dropped - lines_total
    order.total_vnd = order.subtotal_vnd + order.shipping_vnd
    settle(order, now=now, reason=order_reason)
    session.flush()
    return dropped


def cancel_by_customer(session: Session, order: Order, *, now: datetime | None = None) -> Order:
    """The customer cancels a cash order from its page: allowed until something was shipped
    or handed over; every unit comes back. A second cancel is refused (409)."""
    order = reload_locked(session, order)
    if order.status == "cancelled":
        raise Conflict(_("Đơn hàng %(number)s đã được huỷ trước đó.", number=order.number),
                       code="already_cancelled")
    if order.payment_method not in CASH_METHODS or order.is_paid:
        raise Conflict(_("Đơn hàng đã thanh toán không huỷ được ở đây: hãy liên hệ OCOP Market "
                         "để được hoàn tiền."), code="not_cancellable")
    if not customer_can_cancel(order):
        raise Conflict(_("Đơn hàng đã được gửi đi hoặc đã giao, không huỷ được nữa."),
                       code="already_shipped")
    with force_locale(order.locale):
        why = _("Khách hàng đã huỷ đơn.")
    lines = ([(line, why) for line in order.lines]
             + [(line, why) for line in order.gift_box_lines])
    cancel_cash_lines(session, order, lines, now=now, order_reason=why)
    for shipment in order.shipments:
        shipment.cancel_reason = why
    return order


def expire_unconfirmed(session: Session, *, now: datetime | None = None
                       ) -> list[tuple[Order, list[tuple[object, str]]]]:
    """Cash orders past `reserved_until` with shipments still unconfirmed: those shipments
    are cancelled and their units come back (the rest of the order goes on). Returns each
    order with the lines cancelled (the caller tells the customer after the commit)."""
    now = now or clock_now()
    ids = session.scalars(
        select(Order.id).where(Order.status == "pending", Order.payment_method.in_(CASH_METHODS),
                               Order.reserved_until.is_not(None), Order.reserved_until <= now)
        .order_by(Order.id)).all()
    expired = []
    for order_id in ids:
        order = reload_locked(session, session.get(Order, order_id))
        if not order.awaiting_confirmation or order.reserved_until is None \
                or aware(order.reserved_until) > now:
            continue
        with force_locale(order.locale):
            why = _("Người bán chưa xác nhận kịp thời hạn; đơn đã được huỷ.")
        unconfirmed = [s for s in order.shipments if s.status == "pending"]
        lines = [(line, why) for s in unconfirmed for line in s.lines]
        if len(unconfirmed) == len([s for s in order.shipments if s.status != "cancelled"]):
            lines += [(line, why) for line in order.gift_box_lines]
        cancel_cash_lines(session, order, lines, now=now, order_reason=why)
        for shipment in unconfirmed:
            shipment.status, shipment.cancel_reason = "cancelled", why
        settle(order, now=now, reason=why)
        expired.append((order, lines))
    session.flush()
    return expired
