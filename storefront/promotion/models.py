"""Gift boxes, craft villages and their booking requests, livestreams, and the office's
indicative exchange rates (DOMAIN §12)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

import showrooms.models  # noqa: F401 - SalesPoint, named by the relationships below
import storefront.models  # noqa: F401 - Order, which gift-box order lines belong to
from app.database import one_of
from app.extensions import db
from catalog.regions import Located

CURRENCIES = ("USD", "EUR", "AUD")
BOX_LINE_STATUSES = ("active", "cancelled")
BOOKING_STATUSES = ("pending", "accepted", "declined")
PLATFORMS = ("facebook", "tiktok", "youtube", "shopee", "zalo", "other")


def _now() -> datetime:
    from app.clock import now

    return now()


class CurrencyRate(db.Model):
    """An indicative rate set by the OCOP office: `vnd_per_unit` đồng for one unit of
    `currency`, as of `rate_date`. Prices abroad are shown from the latest one, labelled
    approximate; payment is always in VND."""

    __tablename__ = "currency_rates"
    __table_args__ = (
        CheckConstraint(one_of("currency", CURRENCIES), name="currency"),
        CheckConstraint("vnd_per_unit > 0", name="rate_positive"),
        UniqueConstraint("currency", "rate_date", name="uq_currency_rates_currency_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    vnd_per_unit: Mapped[int] = mapped_column(Integer)
    rate_date: Mapped[date] = mapped_column(Date)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


# --- Gift boxes ----------------------------------------------------------------------------

class GiftBox(db.Model):
    """A curated box of OCOP products (several producers allowed) with its own name, story,
    photo and price, assembled and handed over (or shipped) by one sales point."""

    __tablename__ = "gift_boxes"
    __table_args__ = (CheckConstraint("price_vnd >= 0", name="price_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    story: Mapped[str] = mapped_column(Text, default="")
    story_en: Mapped[str | None] = mapped_column(Text)
    photo_path: Mapped[str | None] = mapped_column(String(300))
    price_vnd: Mapped[int] = mapped_column(Integer)
    sales_point_id: Mapped[int] = mapped_column(ForeignKey("sales_points.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    sales_point = relationship("SalesPoint")
    items: Mapped[list[GiftBoxItem]] = relationship(
        back_populates="box", order_by="GiftBoxItem.id", cascade="all, delete-orphan")

    @property
    def photo_url(self) -> str | None:
        if not self.photo_path:
            return self.items[0].product.photo_url if self.items else None
        return self.photo_path if self.photo_path.startswith("/") else "/static/" + self.photo_path

    @property
    def province_code(self) -> int:
        return self.sales_point.province_code

    def __repr__(self) -> str:
        return f"<GiftBox {self.slug}>"


class GiftBoxItem(db.Model):
    __tablename__ = "gift_box_items"
    __table_args__ = (
        CheckConstraint("quantity BETWEEN 1 AND 99", name="quantity_range"),
        UniqueConstraint("gift_box_id", "product_id", name="uq_gift_box_items_box_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gift_box_id: Mapped[int] = mapped_column(ForeignKey("gift_boxes.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)

    box: Mapped[GiftBox] = relationship(back_populates="items")
    product = relationship("Product")


class GiftBoxOrderLine(db.Model):
    """A gift box in an online order, priced at checkout. Its units come from the
    assembling point's shelves (movements and reservations carry the order number); a
    delivered box pays its own shipping fee (the point ships it). Cancelled and refunded
    when an item stopped being listable before payment, as a product line is."""

    __tablename__ = "order_gift_boxes"
    __table_args__ = (
        CheckConstraint("quantity BETWEEN 1 AND 99", name="quantity_range"),
        CheckConstraint("unit_price_vnd >= 0 AND shipping_fee_vnd >= 0", name="amounts_not_negative"),
        CheckConstraint("line_total_vnd = unit_price_vnd * quantity", name="total_is_product"),
        CheckConstraint(one_of("status", BOX_LINE_STATUSES), name="status"),
        UniqueConstraint("order_id", "gift_box_id", name="uq_order_gift_boxes_order_box"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    gift_box_id: Mapped[int] = mapped_column(ForeignKey("gift_boxes.id"), index=True)
    sales_point_id: Mapped[int] = mapped_column(ForeignKey("sales_points.id"))
    name: Mapped[str] = mapped_column(String(200))
    unit_price_vnd: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    line_total_vnd: Mapped[int] = mapped_column(Integer)
    shipping_fee_vnd: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="active")
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    # When the point handed the box to the customer (pickup) or to the carrier (delivery).
    handed_over_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    order = relationship("Order", backref=backref(
        "gift_box_lines", order_by="GiftBoxOrderLine.id", cascade="all, delete-orphan"))
    box: Mapped[GiftBox] = relationship()
    sales_point = relationship("SalesPoint")

    @property
    def product_name(self) -> str:
        # Same name as an OrderLine's, so refund notes and e-mails treat both alike.
        return self.name


# --- Craft villages and community tourism ---------------------------------------------------

village_producers = Table(
    "village_producers",
    db.metadata,
    Column("village_id", ForeignKey("villages.id", ondelete="CASCADE"), primary_key=True),
    Column("producer_id", ForeignKey("producers.id", ondelete="CASCADE"), primary_key=True),
)


class Village(Located, db.Model):
    """A craft village (làng nghề) or community-tourism destination."""

    __tablename__ = "villages"
    __table_args__ = (
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    craft: Mapped[str] = mapped_column(String(200), default="")
    craft_en: Mapped[str | None] = mapped_column(String(200))
    story: Mapped[str] = mapped_column(Text, default="")
    story_en: Mapped[str | None] = mapped_column(Text)
    getting_there: Mapped[str] = mapped_column(Text, default="")
    getting_there_en: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(300), default="")
    province_code: Mapped[int] = mapped_column(Integer, index=True)
    ward_code: Mapped[int | None] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    photo_path: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    producers = relationship("Producer", secondary=village_producers, order_by="Producer.name")

    @property
    def photo_url(self) -> str | None:
        if not self.photo_path:
            return None
        return self.photo_path if self.photo_path.startswith("/") else "/static/" + self.photo_path


class BookingRequest(db.Model):
    """A traveller's request for a tourism service (date, party size, contact), answered by
    the service's producer (accept or decline); the traveller is told by e-mail."""

    __tablename__ = "booking_requests"
    __table_args__ = (
        CheckConstraint("party_size BETWEEN 1 AND 100", name="party_size_range"),
        CheckConstraint(one_of("status", BOOKING_STATUSES), name="status"),
        Index("ix_booking_requests_producer_status", "producer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    # The service's producer when asked (who answers; other producers get 404).
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"))
    requested_date: Mapped[date] = mapped_column(Date)
    party_size: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254))
    message: Mapped[str | None] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    reply: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    product = relationship("Product")
    producer = relationship("Producer")


# --- Livestreams ----------------------------------------------------------------------------

livestream_products = Table(
    "livestream_products",
    db.metadata,
    Column("livestream_id", ForeignKey("livestreams.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
)


class Livestream(db.Model):
    """A producer's announced livestream: platform, URL, start (and end), featured products."""

    __tablename__ = "livestreams"
    __table_args__ = (
        CheckConstraint(one_of("platform", PLATFORMS), name="platform"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_livestreams_ends_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    producer = relationship("Producer")
    products = relationship("Product", secondary=livestream_products, order_by="Product.name")
