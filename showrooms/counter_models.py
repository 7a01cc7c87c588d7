"""Counter tickets, their refunds, receipt numbering, the needs-attention list, two-step
transfers, day closes and low-stock thresholds (DOMAIN §9).

A ticket belongs to a stock `Location` (a sales point today, a fair booth tomorrow), never
only to a SalesPoint, so a booth's counter reuses the same service. The invariants live in
the database: one ticket per (location, idempotency key), one receipt number per
(location, day, sequence), totals that add up, quantities that are positive.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
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

PAYMENT_METHODS = ("cash", "card_terminal", "vietqr")
REFUND_KINDS = ("void", "return")
ATTENTION_STATUSES = ("open", "resolved")
TRANSFER_STATUSES = ("in_transit", "received")


def _now() -> datetime:
    from app.clock import now

    return now()


class ReceiptSequence(db.Model):
    """The last receipt number given at one location on one business day. Its row is locked
    FOR UPDATE while a ticket is written, so numbers run without gaps: a transaction that
    fails rolls its increment back with it."""

    __tablename__ = "counter_receipt_sequences"
    __table_args__ = (CheckConstraint("last_seq >= 0", name="last_seq_not_negative"),)

    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"), primary_key=True)
    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class CounterSale(db.Model):
    """A counter ticket: lines at the price of the moment, total, payment, staff, time and a
    receipt number `<POINT>-<YYYYMMDD>-<NNNN>`. Never edited except to note its void."""

    __tablename__ = "counter_sales"
    __table_args__ = (
        UniqueConstraint("location_id", "idempotency_key", name="uq_counter_sales_location_key"),
        UniqueConstraint("location_id", "business_date", "seq", name="uq_counter_sales_location_day_seq"),
        CheckConstraint(one_of("payment_method", PAYMENT_METHODS), name="payment_method"),
        CheckConstraint("total_vnd >= 0", name="total_not_negative"),
        CheckConstraint("seq > 0", name="seq_positive"),
        CheckConstraint(
            "payment_method != 'cash' OR (cash_received_vnd >= total_vnd"
            " AND change_vnd = cash_received_vnd - total_vnd)", name="cash_adds_up"),
        Index("ix_counter_sales_location_day", "location_id", "business_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"))
    business_date: Mapped[date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    receipt_number: Mapped[str] = mapped_column(String(80), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    payment_method: Mapped[str] = mapped_column(String(20))
    total_vnd: Mapped[int] = mapped_column(Integer)
    cash_received_vnd: Mapped[int | None] = mapped_column(Integer)
    change_vnd: Mapped[int | None] = mapped_column(Integer)
    payment_reference: Mapped[str | None] = mapped_column(String(100))
    # A pickup order paid here (pay_at_pickup): its stock left the warehouse at checkout.
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sold_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    replayed: Mapped[bool] = mapped_column(default=False)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    void_reason: Mapped[str | None] = mapped_column(String(300))

    location = relationship("Location")
    staff = relationship("User")
    order = relationship("Order")
    lines: Mapped[list[CounterSaleLine]] = relationship(
        back_populates="sale", order_by="CounterSaleLine.id", cascade="all, delete-orphan")
    refunds: Mapped[list[CounterRefund]] = relationship(
        back_populates="sale", order_by="CounterRefund.id", cascade="all, delete-orphan")
    box_lines: Mapped[list[CounterBoxLine]] = relationship(
        back_populates="sale", order_by="CounterBoxLine.id", cascade="all, delete-orphan")

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


class CounterBoxLine(db.Model):
    """A gift box (DOMAIN §12) on a ticket, at the box's price of the moment. `components`
    (JSON) keeps what its items took off the shelf — `[{"product_id", "units"}]` for the
    line's quantity — so a void puts back exactly that, whatever becomes of the box."""

    __tablename__ = "counter_box_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_vnd >= 0", name="price_not_negative"),
        CheckConstraint("amount_vnd = unit_price_vnd * quantity", name="amount_is_product"),
        UniqueConstraint("sale_id", "gift_box_id", name="uq_counter_box_lines_sale_box"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("counter_sales.id", ondelete="CASCADE"))
    gift_box_id: Mapped[int] = mapped_column(ForeignKey("gift_boxes.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_vnd: Mapped[int] = mapped_column(Integer)
    amount_vnd: Mapped[int] = mapped_column(Integer)
    components: Mapped[str] = mapped_column(Text)

    sale: Mapped[CounterSale] = relationship(back_populates="box_lines")
    box = relationship("GiftBox")


class CounterSaleLine(db.Model):
    __tablename__ = "counter_sale_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_vnd >= 0", name="price_not_negative"),
        CheckConstraint("amount_vnd = unit_price_vnd * quantity", name="amount_is_product"),
        UniqueConstraint("sale_id", "product_id", name="uq_counter_sale_lines_sale_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("counter_sales.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    product_name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_vnd: Mapped[int] = mapped_column(Integer)
    amount_vnd: Mapped[int] = mapped_column(Integer)

    sale: Mapped[CounterSale] = relationship(back_populates="lines")
    product = relationship("Product")
    producer = relationship("Producer")


class CounterRefund(db.Model):
    """Units back from a ticket: a `void` (the whole ticket, same day) or a `return` (some
    lines, later). Each puts units back by `return` movements; money goes back by the
    ticket's payment method."""

    __tablename__ = "counter_refunds"
    __table_args__ = (
        CheckConstraint(one_of("kind", REFUND_KINDS), name="kind"),
        CheckConstraint("amount_vnd >= 0", name="amount_not_negative"),
        Index("ix_counter_refunds_location_day", "location_id", "business_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("counter_sales.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"))
    kind: Mapped[str] = mapped_column(String(10))
    business_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(300))
    amount_vnd: Mapped[int] = mapped_column(Integer)
    payment_method: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    sale: Mapped[CounterSale] = relationship(back_populates="refunds")
    lines: Mapped[list[CounterRefundLine]] = relationship(
        back_populates="refund", order_by="CounterRefundLine.id", cascade="all, delete-orphan")


class CounterRefundLine(db.Model):
    __tablename__ = "counter_refund_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("amount_vnd >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("counter_refunds.id", ondelete="CASCADE"), index=True)
    sale_line_id: Mapped[int] = mapped_column(ForeignKey("counter_sale_lines.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    amount_vnd: Mapped[int] = mapped_column(Integer)

    refund: Mapped[CounterRefund] = relationship(back_populates="lines")
    sale_line: Mapped[CounterSaleLine] = relationship()


class AttentionItem(db.Model):
    """A replayed offline sale that could not be applied (stock short, or a revocation the
    counter could not know). Kept with its reason, never dropped; its key is taken, so the
    same sale replayed again is never applied twice."""

    __tablename__ = "counter_attention"
    __table_args__ = (
        UniqueConstraint("location_id", "idempotency_key", name="uq_counter_attention_location_key"),
        CheckConstraint(one_of("status", ATTENTION_STATUSES), name="status"),
        Index("ix_counter_attention_location_status", "location_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)  # the sale as sent (JSON)
    total_vnd: Mapped[int] = mapped_column(Integer, default=0)
    sold_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(300))

    location = relationship("Location")


class Transfer(db.Model):
    """Stock sent from a producer's location to another: `transfer_out` at dispatch, units in
    transit, `transfer_in` of the counted quantity at receipt; a difference has a reason."""

    __tablename__ = "stock_transfers"
    __table_args__ = (
        CheckConstraint(one_of("status", TRANSFER_STATUSES), name="status"),
        CheckConstraint("from_location_id != to_location_id", name="two_places"),
        Index("ix_stock_transfers_to_status", "to_location_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    from_location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"))
    to_location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"))
    status: Mapped[str] = mapped_column(String(20), default="in_transit")
    dispatched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    dispatched_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(String(300))
    receive_note: Mapped[str | None] = mapped_column(String(300))

    producer = relationship("Producer")
    from_location = relationship("Location", foreign_keys=[from_location_id])
    to_location = relationship("Location", foreign_keys=[to_location_id])
    lines: Mapped[list[TransferLine]] = relationship(
        back_populates="transfer", order_by="TransferLine.id", cascade="all, delete-orphan")

    @property
    def has_difference(self) -> bool:
        return any(line.quantity_received is not None and line.quantity_received != line.quantity_sent
                   for line in self.lines)


class TransferLine(db.Model):
    __tablename__ = "stock_transfer_lines"
    __table_args__ = (
        CheckConstraint("quantity_sent > 0", name="sent_positive"),
        CheckConstraint("quantity_received IS NULL OR quantity_received >= 0", name="received_not_negative"),
        UniqueConstraint("transfer_id", "product_id", name="uq_stock_transfer_lines_transfer_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("stock_transfers.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity_sent: Mapped[int] = mapped_column(Integer)
    quantity_received: Mapped[int | None] = mapped_column(Integer)

    transfer: Mapped[Transfer] = relationship(back_populates="lines")
    product = relationship("Product")


class DayClose(db.Model):
    """The end of a business day at a location: cash expected (cash tickets − cash refunds)
    against cash counted by the staff; the difference is kept."""

    __tablename__ = "counter_day_closes"
    __table_args__ = (
        UniqueConstraint("location_id", "business_date", name="uq_counter_day_closes_location_day"),
        CheckConstraint("cash_counted_vnd >= 0", name="counted_not_negative"),
        CheckConstraint("difference_vnd = cash_counted_vnd - cash_expected_vnd", name="difference_adds_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"))
    business_date: Mapped[date] = mapped_column(Date)
    cash_expected_vnd: Mapped[int] = mapped_column(Integer)
    cash_counted_vnd: Mapped[int] = mapped_column(Integer)
    difference_vnd: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(300))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class LowStockThreshold(db.Model):
    """Below or at this level, the product is on the point's low-stock list."""

    __tablename__ = "stock_low_thresholds"
    __table_args__ = (
        UniqueConstraint("location_id", "product_id", name="uq_stock_low_thresholds_location_product"),
        CheckConstraint("threshold >= 0", name="threshold_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    threshold: Mapped[int] = mapped_column(Integer)

