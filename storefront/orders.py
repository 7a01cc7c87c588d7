"""Orders after checkout: finding one by number + token, THE payment confirmation (card
webhook, bank transfer marked paid or matched in a statement), failure and expiry, the
seller's shipments, and the customer e-mails. Services flush; callers commit, then mail.
"""

from __future__ import annotations

import hmac
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.clock import now as clock_now
from app.clock import today
from app.errors import Conflict, NotFound
from app.mail import send_mail
from catalog.gate import listability
from catalog.models import Product
from showrooms.stock import (
    StockLine,
    aware,
    consume_reservations,
    release_reservations,
    take_stock,
    warehouses_by_producer,
)
from storefront import payments
from storefront.checkout import PlacedOrder, hash_token
from storefront.models import Order, OrderLine, Payment, Shipment

log = logging.getLogger(__name__)


# --- Finding orders ----------------------------------------------------------------------

def _order_query():
    return select(Order).options(
        selectinload(Order.shipments).selectinload(Shipment.lines),
        selectinload(Order.shipments).selectinload(Shipment.producer),
        selectinload(Order.lines),
        selectinload(Order.pickup_point),
    )


def get_order_with_token(session: Session, number: str, token: str | None) -> Order:
    """The order if the token matches (constant-time); otherwise 404, whichever is wrong."""
    order = session.scalar(_order_query().where(Order.number == (number or "").strip().upper()))
    if order is None or not token or not hmac.compare_digest(order.access_token_hash,
                                                              hash_token(token)):
        raise NotFound("No such order, or the link is incomplete.", code="order_not_found")
    return order


def get_order(session: Session, number: str) -> Order:
    order = session.scalar(_order_query().where(Order.number == (number or "").strip().upper()))
    if order is None:
        raise NotFound(f"No order {number!r}.", code="order_not_found")
    return order


def lock_order(session: Session, order_id: int) -> Order:
    """Re-read the order FOR UPDATE: two confirmations of one order run one after the other."""
    return session.scalars(
        select(Order).where(Order.id == order_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()


# --- Confirmation: the one path for every way money arrives ------------------------------

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
        .options(selectinload(OrderLine.product).selectinload(Product.certificates),
                 selectinload(OrderLine.product).selectinload(Product.producer),
                 selectinload(OrderLine.shipment))
        .order_by(OrderLine.id)
    ).all()
    on = today()
    cancelled: list[tuple[OrderLine, str]] = []
    sellable = []
    for line in lines:
        verdict = listability(line.product, on)
        if verdict.listable:
            sellable.append(line)
        else:
            with force_locale(order.locale):
                cancelled.append((line, _("Không còn được bán: %(reason)s.",
                                          reason=gate_reason_text(verdict.reason))))

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
    consume_reservations(session, order.number, [line.product_id for line in sold])
    release_reservations(session, order.number)

    with force_locale(order.locale):
        refund = _cancel_lines(order, cancelled)
    if refund:
        key = f"refund-{order.number}-{len(order.payments)}"
        reason = "; ".join(f"{line.product_name}: {why}" for line, why in cancelled)
        external = payments.method(method).refund(order, refund, key, reason)
        session.add(Payment(order=order, kind="refund", method=method, amount_vnd=refund,
                            external_id=external, note=reason[:1000], created_at=now))
        order.refunded_vnd += refund
    if sold:
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


def gate_reason_text(reason: str) -> str:
    """The gate's reason code (catalog.gate.REASONS) in the customer's words."""
    return {
        "producer_inactive": _("nhà sản xuất không còn hoạt động"),
        "unpublished": _("nhà sản xuất đã ngừng bán sản phẩm"),
        "certificate_revoked": _("giấy chứng nhận OCOP đã bị thu hồi"),
        "certificate_expired": _("giấy chứng nhận OCOP đã hết hạn"),
        "no_certificate": _("sản phẩm không có giấy chứng nhận OCOP"),
    }.get(reason, reason)


def _cancel_lines(order: Order, cancelled: list[tuple[OrderLine, str]]) -> int:
    """Cancel these lines (and any shipment left empty); the amount to give back."""
    refund = 0
    for line, why in cancelled:
        line.status = "cancelled"
        line.cancel_reason = why[:300]
        refund += line.line_total_vnd
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
    units): cancel unpaid card / bank-transfer orders whose reservation has ended. A card
    payment that already succeeded at Stripe is left for its webhook."""
    now = now or clock_now()
    candidates = session.scalars(
        select(Order).where(Order.status == "pending", Order.payment_status == "unpaid",
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
    from storefront.payments.bank_transfer import payment_external_id

    order = get_order(session, number)
    if order.payment_method != "bank_transfer":
        raise Conflict(f"Order {order.number} is paid by {order.payment_method}, not by bank "
                       "transfer.", code="not_bank_transfer")
    return confirm_payment(session, order, method="bank_transfer",
                           amount_vnd=amount_vnd if amount_vnd is not None else order.total_vnd,
                           external_id=payment_external_id(order), note=note or "marked paid")


# --- Sellers: their shipments -------------------------------------------------------------

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


CASH_METHODS = ("cod", "pay_at_pickup")


def recheck_cash_shipment(session: Session, shipment: Shipment,
                          on=None) -> list[tuple[OrderLine, str]]:
    """Cash on delivery and pay at pickup: nothing was paid at checkout, so the gate runs
    again when the producer ships or hands over (DOMAIN §3). A line whose product is no
    longer listable is cancelled, its units go back to the warehouse (`return`), and the
    amount to collect drops by its total (and the shipment's fee if nothing is left of it):
    nothing is charged for it. Returns the cancelled lines (the caller tells the customer
    with `send_lines_cancelled` after the commit)."""
    from showrooms.stock import record_movement

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
                                          reason=gate_reason_text(verdict.reason))))
    if not cancelled:
        return []
    with force_locale(order.locale):
        dropped = _cancel_lines(order, cancelled)
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


def send_lines_cancelled(order: Order, cancelled: list[tuple[OrderLine, str]]) -> None:
    """Tell the customer which lines were cancelled, why, and the new amount to pay."""
    if not cancelled:
        return
    with force_locale(order.locale):
        subject = _("Đơn hàng %(number)s: một số sản phẩm đã bị huỷ", number=order.number)
        lines = "\n".join(f"- {line.product_name} × {line.quantity}: {why}"
                          for line, why in cancelled)
        text = _("Các sản phẩm sau không còn được bán nên đã bị huỷ khỏi đơn hàng, "
                 "bạn không phải trả tiền cho chúng:") + "\n" + lines + "\n\n" + _(
            "Số tiền cần thanh toán khi nhận hàng: %(total)s đồng.",
            total=f"{order.total_vnd:,}".replace(",", "."))
    send_mail(order.customer_email, subject, text)


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
    if order.payment_method in ("cod", "pay_at_pickup") and all(
            s.status in ("delivered", "cancelled") for s in order.shipments):
        order.payment_status = "paid"
        order.paid_at = clock_now()
    session.flush()
    return shipment


# --- JSON ---------------------------------------------------------------------------------

def _iso(moment: datetime | None) -> str | None:
    return aware(moment).isoformat() if moment else None


def line_json(line: OrderLine) -> dict:
    return {"product": line.product.slug if line.product else None, "name": line.product_name,
            "quantity": line.quantity, "unit_price_vnd": line.unit_price_vnd,
            "line_total_vnd": line.line_total_vnd, "status": line.status,
            "cancel_reason": line.cancel_reason}


def shipment_json(shipment: Shipment) -> dict:
    return {
        "id": shipment.id,
        "producer": {"slug": shipment.producer.slug, "name": shipment.producer.name},
        "status": shipment.status,
        "shipping_fee_vnd": shipment.shipping_fee_vnd,
        "subtotal_vnd": shipment.subtotal_vnd,
        "carrier": shipment.carrier,
        "tracking": shipment.tracking_number,
        "shipped_at": _iso(shipment.shipped_at),
        "delivered_at": _iso(shipment.delivered_at),
        "cancel_reason": shipment.cancel_reason,
        "lines": [line_json(line) for line in shipment.lines],
    }


def order_json(order: Order, *, payment: dict | None = None) -> dict:
    point = order.pickup_point
    body = {
        "number": order.number,
        "status": order.status,
        "payment_method": order.payment_method,
        "payment_status": order.payment_status,
        "created_at": _iso(order.created_at),
        "paid_at": _iso(order.paid_at),
        "reserved_until": _iso(order.reserved_until),
        "customer": {"name": order.customer_name, "phone": order.customer_phone,
                     "email": order.customer_email},
        "fulfilment": order.fulfilment,
        "shipping": ({"address": order.shipping_address,
                      "province": order.shipping_province_code}
                     if order.fulfilment == "delivery" else None),
        "pickup_point": ({"code": point.code, "name": point.name, "address": point.address,
                          "opening_hours": point.opening_hours} if point else None),
        "gift": {"wrap": order.gift_wrap, "message": order.gift_message,
                 "recipient": order.gift_recipient},
        "subtotal_vnd": order.subtotal_vnd,
        "shipping_vnd": order.shipping_vnd,
        "total_vnd": order.total_vnd,
        "refunded_vnd": order.refunded_vnd,
        "cancel_reason": order.cancel_reason,
        "shipments": [shipment_json(s) for s in order.shipments],
    }
    if payment is not None:
        body["payment"] = payment
    return body


def seller_shipment_json(shipment: Shipment) -> dict:
    order = shipment.order
    body = shipment_json(shipment)
    body["order"] = {
        "number": order.number, "created_at": _iso(order.created_at),
        "payment_method": order.payment_method, "payment_status": order.payment_status,
        "fulfilment": order.fulfilment, "customer_name": order.customer_name,
        "customer_phone": order.customer_phone,
        "shipping_address": order.shipping_address,
        "shipping_province": order.shipping_province_code,
        "pickup_point": order.pickup_point.code if order.pickup_point else None,
        "gift": {"wrap": order.gift_wrap, "message": order.gift_message,
                 "recipient": order.gift_recipient},
    }
    return body


# --- E-mail (sent after the commit) -----------------------------------------------------

def order_url(order: Order, token: str) -> str:
    return f"{current_app.config['BASE_URL']}/orders/{order.number}?token={token}"


@dataclass
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None

    def send(self) -> None:
        send_mail(self.to, self.subject, self.text, self.html)


def order_placed_mail(placed: PlacedOrder) -> Mail:
    """The confirmation with the order link. Rendered while the order is still loaded
    (before the commit expires it), sent after the commit."""
    order = placed.order
    with force_locale(order.locale):
        subject = _("Đơn hàng %(number)s — OCOP Market", number=order.number)
        context = {"order": order, "url": order_url(order, placed.access_token),
                   "payment": placed.payment}
        text = render_template("storefront/email/order_placed.txt", **context)
        html = render_template("storefront/email/order_placed.html", **context)
    return Mail(order.customer_email, subject, text, html)


@contextmanager
def commit_keeping_objects(session):
    """Commit without expiring what was loaded: the stock locks are released as soon as
    possible, and the answer and the e-mail are built afterwards without re-reading."""
    real = session() if callable(session) else session
    real.expire_on_commit = False
    try:
        session.commit()
        yield
    finally:
        real.expire_on_commit = True


def send_order_placed(placed: PlacedOrder) -> None:
    order_placed_mail(placed).send()


def send_confirmation(confirmation: Confirmation) -> None:
    """Paid: say so, and say plainly which lines were cancelled, why, and what comes back."""
    if confirmation.already:
        return
    order = confirmation.order
    with force_locale(order.locale):
        if confirmation.cancelled:
            subject = _("Đơn hàng %(number)s: một phần đã bị huỷ và hoàn tiền",
                        number=order.number)
        else:
            subject = _("Đơn hàng %(number)s đã được thanh toán", number=order.number)
        text = render_template("storefront/email/order_paid.txt", order=order,
                               cancelled=confirmation.cancelled,
                               refunded=confirmation.refunded_vnd)
    send_mail(order.customer_email, subject, text)
