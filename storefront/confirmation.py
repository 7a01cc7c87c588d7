"""THE payment confirmation (card webhook, bank transfer marked paid or matched in a
statement), a failed payment and the expiry of unpaid reservations (DOMAIN §7, §8).
Services flush; callers commit, then the mails queued with `order_mail` go out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.clock import now as clock_now
from app.clock import today
from app.errors import Conflict
from catalog.gate import reason_text, refused_products
from showrooms.stock import (
    StockLine,
    consume_reservations,
    release_reservations,
    take_stock,
    warehouses_by_producer,
)
from storefront import payments
from storefront.models import CASH_METHODS, Order, OrderLine, Payment
from storefront.orders import get_order, lock_order
from storefront.payments.bank_transfer import payment_external_id
from storefront.promotion.boxes import confirm_order_boxes


@dataclass
class Confirmation:
    order: Order
    already: bool = False
    cancelled: list[tuple[OrderLine, str]] = field(default_factory=list)
    refunded_vnd: int = 0


def _line_stock(session: Session, lines: list[OrderLine]) -> dict[int, StockLine]:
    producers = {line.shipment.producer_id for line in lines}
    warehouses = warehouses_by_producer(session, producers)
    result = {}
    for line in lines:
        warehouse = warehouses.get(line.shipment.producer_id)
        if warehouse is not None:
            result[line.id] = StockLine(warehouse.id, line.product_id, line.quantity)
    return result


def confirm_payment(session: Session, order: Order, *, method: str, amount_vnd: int,
                    external_id: str, note: str | None = None,
                    now: datetime | None = None) -> Confirmation:
    """Money arrived for `order`. The gate runs again on every line (DOMAIN §3): a line
    whose certificate stopped being valid since checkout is cancelled and refunded, never
    shipped. Reservations become `sale` movements; a payment after its reservation expired
    takes stock again if there is any, else that line is refunded. Shipments with a line
    left are confirmed. Idempotent: a second report of the same payment changes nothing."""
    now = now or clock_now()
    order = lock_order(session, order.id)
    duplicate = session.scalar(select(Payment.id).where(Payment.kind == "payment",
                                                        Payment.external_id == external_id))
    if order.is_paid or duplicate is not None:
        return Confirmation(order, already=True)
    if amount_vnd != order.total_vnd:
        raise Conflict(f"Payment of {amount_vnd} ₫ does not match order {order.number} "
                       f"total {order.total_vnd} ₫.", code="amount_mismatch")
    session.add(Payment(order=order, kind="payment", method=method, amount_vnd=amount_vnd,
                        external_id=external_id, note=note, created_at=now))
    order.payment_status = "paid"
    order.paid_at = now
    if order.status == "cancelled":
        # Paid after the tidy-up cancelled it: a late payment, served from stock if any.
        order.cancelled_at = order.cancel_reason = None
        for shipment in order.shipments:
            if any(line.status == "active" for line in shipment.lines):
                shipment.status, shipment.cancel_reason = "pending", None

    lines = session.scalars(
        select(OrderLine).where(OrderLine.order_id == order.id, OrderLine.status == "active")
        .options(selectinload(OrderLine.shipment))
        .order_by(OrderLine.id)
    ).all()
    on = today()
    refused = refused_products(session, [line.product_id for line in lines], on)
    with force_locale(order.locale):
        cancelled: list[tuple[OrderLine, str]] = [
            (line, _("Không còn được bán: %(reason)s.", reason=reason_text(refused[line.product_id])))
            for line in lines if line.product_id in refused]
    sellable = [line for line in lines if line.product_id not in refused]

    stock = _line_stock(session, sellable)
    result = take_stock(session, list(stock.values()), kind="sale", reference=order.number,
                        reason=f"order {order.number} paid ({method})", now=now,
                        exclude_reference=order.number, partial=True)
    short = result.short_product_ids
    sold = []
    for line in sellable:
        if line.id not in stock or line.product_id in short:
            with force_locale(order.locale):
                cancelled.append((line, _("Hết hàng khi thanh toán được xác nhận.")))
        else:
            sold.append(line)
    box_sold, box_cancelled = confirm_order_boxes(
        session, order, on=on, now=now, method=method,
        cancel_text=lambda reason, name: _box_cancel_text(order, reason, name))
    cancelled += box_cancelled
    consume_reservations(session, order.number, [line.product_id for line in sold]
                         + [item.product_id for line in box_sold for item in line.box.items])
    release_reservations(session, order.number)

    with force_locale(order.locale):
        refund = cancel_lines(order, cancelled)
    if refund:
        key = f"refund-{order.number}-{len(order.payments)}"
        reason = "; ".join(f"{line.product_name}: {why}" for line, why in cancelled)
        external = payments.method(method).refund(order, refund, key, reason)
        session.add(Payment(order=order, kind="refund", method=method, amount_vnd=refund,
                            external_id=external, note=reason[:1000], created_at=now))
        order.refunded_vnd += refund
    if sold or box_sold:
        order.status = "confirmed"
        order.payment_status = "partially_refunded" if refund else "paid"
        for shipment in order.shipments:
            if shipment.status == "pending":
                shipment.status = "confirmed"
    else:
        order.status = "cancelled"
        order.payment_status = "refunded"
        order.cancelled_at = now
        with force_locale(order.locale):
            order.cancel_reason = _("Không sản phẩm nào trong đơn còn bán được; đã hoàn tiền.")
    order.reserved_until = None
    session.flush()
    return Confirmation(order, cancelled=cancelled, refunded_vnd=refund)


def _box_cancel_text(order: Order, reason: str | None, name: str) -> str:
    with force_locale(order.locale):
        if reason is None:
            return _("Hết hàng khi thanh toán được xác nhận.")
        return _("Không còn được bán: %(item)s — %(reason)s.", item=name,
                 reason=reason_text(reason))


def cancel_lines(order: Order, cancelled: list[tuple[OrderLine, str]]) -> int:
    """Cancel these lines (and any shipment left empty); the amount to give back."""
    refund = 0
    for line, why in cancelled:
        line.status = "cancelled"
        line.cancel_reason = why[:300]
        # A gift box line is its own parcel: its delivery fee comes back with it.
        refund += line.line_total_vnd + getattr(line, "shipping_fee_vnd", 0)
    for shipment in order.shipments:
        if shipment.status != "cancelled" and all(line.status == "cancelled"
                                                  for line in shipment.lines):
            shipment.status = "cancelled"
            shipment.cancel_reason = _("Mọi sản phẩm của kiện hàng này đã bị huỷ.")
            refund += shipment.shipping_fee_vnd
    return refund


def payment_failed(session: Session, order: Order, *, reason: str,
                   now: datetime | None = None) -> bool:
    """The payment failed or was cancelled: release the held units, cancel the order.
    Nothing happens to an order already paid or cancelled."""
    order = lock_order(session, order.id)
    if order.is_paid or order.status == "cancelled":
        return False
    _cancel_order(session, order, reason=reason, now=now or clock_now())
    order.payment_status = "failed"
    session.flush()
    return True


def _cancel_order(session: Session, order: Order, *, reason: str, now: datetime) -> None:
    release_reservations(session, order.number)
    order.status = "cancelled"
    order.cancelled_at = now
    order.cancel_reason = reason[:300]
    order.reserved_until = None
    for shipment in order.shipments:
        if shipment.status != "cancelled":
            shipment.status = "cancelled"
            shipment.cancel_reason = reason[:300]


def expire_unpaid(session: Session, *, now: datetime | None = None) -> list[str]:
    """Tidy-up (correctness never waits for it: an expired reservation already frees its
    units): cancel unpaid card / bank-transfer orders whose reservation has ended (cash
    orders waiting for a confirmation: `cash_orders.expire_unconfirmed`). A card
    payment that already succeeded at Stripe is left for its webhook."""
    now = now or clock_now()
    candidates = session.scalars(
        select(Order).where(Order.status == "pending", Order.payment_status == "unpaid",
                            Order.payment_method.not_in(CASH_METHODS),
                            Order.reserved_until.is_not(None), Order.reserved_until <= now)
        .order_by(Order.id)
    ).all()
    expired = []
    for order in candidates:
        if not payments.method(order.payment_method).cancel(order):
            continue
        order = lock_order(session, order.id)
        if order.status != "pending" or order.is_paid:
            continue
        _cancel_order(session, order, reason="Hết thời gian giữ hàng, chưa nhận được thanh toán.",
                      now=now)
        expired.append(order.number)
    session.flush()
    return expired


def mark_paid(session: Session, number: str, *, amount_vnd: int | None = None,
              note: str | None = None) -> Confirmation:
    """The OCOP office saw the bank transfer: confirm through the common path."""
    order = get_order(session, number)
    if order.payment_method != "bank_transfer":
        raise Conflict(f"Order {order.number} is paid by {order.payment_method}, not by bank "
                       "transfer.", code="not_bank_transfer")
    return confirm_payment(session, order, method="bank_transfer",
                           amount_vnd=amount_vnd if amount_vnd is not None else order.total_vnd,
                           external_id=payment_external_id(order), note=note or "marked paid")
