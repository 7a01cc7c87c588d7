"""Orders, their per-producer shipments and lines, payments, refunds and the Stripe events
already processed (DOMAIN §8). Money is int đồng; the CHECKs keep the sums honest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import one_of
from app.extensions import db

PAYMENT_METHODS = ("card", "cod", "bank_transfer", "pay_at_pickup")
# Paid in cash when the goods are handed over: nothing paid up front, so limits at checkout
# and a producer's confirmation (storefront.cash_limits, storefront.cash_orders).
CASH_METHODS = ("cod", "pay_at_pickup")
FULFILMENTS = ("delivery", "pickup")
ORDER_STATUSES = ("pending", "confirmed", "cancelled")
PAYMENT_STATUSES = ("unpaid", "paid", "partially_refunded", "refunded", "failed")
SHIPMENT_STATUSES = ("pending", "confirmed", "shipped", "delivered", "cancelled")
LINE_STATUSES = ("active", "cancelled")
PAYMENT_KINDS = ("payment", "refund")



def _now() -> datetime:
    from app.clock import now

    return now()


class Order(db.Model):
    """A customer's order: no account needed, reached by `number` + an unguessable token
    (only its SHA-256 is stored)."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(one_of("status", ORDER_STATUSES), name="status"),
        CheckConstraint(one_of("payment_status", PAYMENT_STATUSES), name="payment_status"),
        CheckConstraint(one_of("payment_method", PAYMENT_METHODS), name="payment_method"),
        CheckConstraint(one_of("fulfilment", FULFILMENTS), name="fulfilment"),
        CheckConstraint("fulfilment != 'delivery' OR (shipping_address IS NOT NULL"
                        " AND shipping_province_code IS NOT NULL)", name="delivery_has_address"),
        CheckConstraint("fulfilment != 'pickup' OR pickup_point_id IS NOT NULL",
                        name="pickup_has_point"),
        CheckConstraint("payment_method != 'pay_at_pickup' OR fulfilment = 'pickup'",
                        name="pay_at_pickup_is_pickup"),
        CheckConstraint("subtotal_vnd >= 0 AND shipping_vnd >= 0", name="amounts_not_negative"),
        CheckConstraint("total_vnd = subtotal_vnd + shipping_vnd", name="total_is_sum"),
        CheckConstraint("refunded_vnd >= 0 AND refunded_vnd <= total_vnd", name="refund_within_total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    access_token_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    payment_method: Mapped[str] = mapped_column(String(20))
    payment_status: Mapped[str] = mapped_column(String(20), default="unpaid")
    fulfilment: Mapped[str] = mapped_column(String(20))
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_phone: Mapped[str] = mapped_column(String(20))
    customer_email: Mapped[str] = mapped_column(String(254))
    shipping_address: Mapped[str | None] = mapped_column(String(300))
    shipping_province_code: Mapped[int | None] = mapped_column(Integer)
    pickup_point_id: Mapped[int | None] = mapped_column(ForeignKey("sales_points.id"))
    gift_wrap: Mapped[bool] = mapped_column(default=False)
    gift_message: Mapped[str | None] = mapped_column(String(300))
    gift_recipient: Mapped[str | None] = mapped_column(String(200))
    subtotal_vnd: Mapped[int] = mapped_column(Integer)
    shipping_vnd: Mapped[int] = mapped_column(Integer)
    total_vnd: Mapped[int] = mapped_column(Integer)
    refunded_vnd: Mapped[int] = mapped_column(Integer, default=0)
    # The bank-transfer reference and the Stripe PaymentIntent: one order ↔ one of each.
    payment_reference: Mapped[str] = mapped_column(String(40), unique=True)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    reserved_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(String(300))

    shipments: Mapped[list[Shipment]] = relationship(
        back_populates="order", order_by="Shipment.id", cascade="all, delete-orphan")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.id", cascade="all, delete-orphan")
    payments: Mapped[list[Payment]] = relationship(
        back_populates="order", order_by="Payment.id", cascade="all, delete-orphan")
    pickup_point = relationship("SalesPoint")

    @property
    def is_paid(self) -> bool:
        return self.payment_status in ("paid", "partially_refunded", "refunded")

    @property
    def awaiting_payment(self) -> bool:
        return (self.status == "pending" and self.payment_status == "unpaid"
                and self.payment_method in ("card", "bank_transfer"))

    @property
    def awaiting_confirmation(self) -> bool:
        """A cash order waiting for its producers' confirmation (storefront.cash_orders)."""
        return self.status == "pending" and self.payment_method in CASH_METHODS

    def __repr__(self) -> str:
        return f"<Order {self.number} {self.status}/{self.payment_status}>"


class Shipment(db.Model):
    """The part of an order one producer fulfils: its own status and shipping fee."""

    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint(one_of("status", SHIPMENT_STATUSES), name="status"),
        CheckConstraint("shipping_fee_vnd >= 0", name="fee_not_negative"),
        UniqueConstraint("order_id", "producer_id", name="uq_shipments_order_producer"),
        Index("ix_shipments_producer_status", "producer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    shipping_fee_vnd: Mapped[int] = mapped_column(Integer)
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(String(300))

    order: Mapped[Order] = relationship(back_populates="shipments")
    producer = relationship("Producer")
    lines: Mapped[list[OrderLine]] = relationship(back_populates="shipment", order_by="OrderLine.id")

    @property
    def subtotal_vnd(self) -> int:
        return sum(line.line_total_vnd for line in self.lines if line.status == "active")


class OrderLine(db.Model):
    """One product of an order, priced at checkout; cancelled (and refunded) when its
    certificate stopped being valid before payment, never shipped."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity BETWEEN 1 AND 99", name="quantity_range"),
        CheckConstraint("unit_price_vnd >= 0", name="price_not_negative"),
        CheckConstraint("line_total_vnd = unit_price_vnd * quantity", name="total_is_product"),
        CheckConstraint(one_of("status", LINE_STATUSES), name="status"),
        UniqueConstraint("order_id", "product_id", name="uq_order_lines_order_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    product_name: Mapped[str] = mapped_column(String(200))
    unit_price_vnd: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    line_total_vnd: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="active")
    cancel_reason: Mapped[str | None] = mapped_column(String(300))

    order: Mapped[Order] = relationship(back_populates="lines")
    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    product = relationship("Product")


class Payment(db.Model):
    """Money in (`payment`) or out (`refund`). `external_id` is the PaymentIntent, the
    Stripe refund, or the bank-statement line: UNIQUE per kind, so one payment is recorded
    once however often it is reported."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(one_of("kind", PAYMENT_KINDS), name="kind"),
        CheckConstraint("amount_vnd > 0", name="amount_positive"),
        UniqueConstraint("kind", "external_id", name="uq_payments_kind_external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(20))
    amount_vnd: Mapped[int] = mapped_column(Integer)
    external_id: Mapped[str] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    order: Mapped[Order] = relationship(back_populates="payments")


class StripeEvent(db.Model):
    """Each Stripe webhook event id, recorded once (UNIQUE): a replay changes nothing, also
    when two deliveries race."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
