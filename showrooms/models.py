"""Sales points (điểm giới thiệu và bán sản phẩm OCOP). The stock ledger, fairs and booths
live here too."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import one_of
from app.extensions import db
from catalog.regions import Located


class SalesPoint(Located, db.Model):
    __tablename__ = "sales_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    province_code: Mapped[int] = mapped_column(Integer, index=True)
    ward_code: Mapped[int | None] = mapped_column(Integer)
    opening_hours: Mapped[str | None] = mapped_column(String(200))
    operator: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The 950/QĐ-BCT standard the point meets, and the account its counter's VietQR pays.
    standard: Mapped[str | None] = mapped_column(String(200))
    bank_bin: Mapped[str | None] = mapped_column(String(6))
    bank_account: Mapped[str | None] = mapped_column(String(19))
    bank_account_name: Mapped[str | None] = mapped_column(String(100))


# --- The stock ledger (DOMAIN §7) --------------------------------------------------------

LOCATION_KINDS = ("warehouse", "sales_point", "booth")
MOVEMENT_KINDS = ("receive", "adjust", "sale", "order", "reserve", "release",
                  "transfer_out", "transfer_in", "return")
RESERVATION_STATUSES = ("active", "consumed", "released")



class Location(db.Model):
    """Where stock lives: a producer's own warehouse (serves online orders), a sales point,
    later a fair booth. Created on demand (`showrooms.stock.warehouse_of`)."""

    __tablename__ = "stock_locations"
    __table_args__ = (
        CheckConstraint(one_of("kind", LOCATION_KINDS), name="kind"),
        CheckConstraint("kind != 'warehouse' OR producer_id IS NOT NULL", name="warehouse_has_producer"),
        CheckConstraint("kind != 'sales_point' OR sales_point_id IS NOT NULL",
                        name="sales_point_has_point"),
        # One warehouse per producer, one location per sales point.
        Index("uq_stock_locations_warehouse", "producer_id", unique=True,
              sqlite_where=text("kind = 'warehouse'"), postgresql_where=text("kind = 'warehouse'")),
        Index("uq_stock_locations_sales_point", "sales_point_id", unique=True,
              sqlite_where=text("kind = 'sales_point'"),
              postgresql_where=text("kind = 'sales_point'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"))
    sales_point_id: Mapped[int | None] = mapped_column(ForeignKey("sales_points.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    producer = relationship("Producer")
    sales_point: Mapped[SalesPoint | None] = relationship()

    def __repr__(self) -> str:
        return f"<Location {self.code}>"


class StockLevel(db.Model):
    """On hand at one location, kept in step with the movements (their sum). The CHECK is
    the last line against overselling: no transaction can commit a negative level."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("location_id", "product_id", name="uq_stock_levels_location_product"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    location: Mapped[Location] = relationship()
    product = relationship("Product")


class StockMovement(db.Model):
    """One line of the append-only ledger: never updated, never deleted; corrections are
    new movements. `quantity` is signed (+ in, − out)."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(one_of("kind", MOVEMENT_KINDS), name="kind"),
        CheckConstraint("quantity != 0", name="quantity_not_zero"),
        CheckConstraint(
            "(kind IN ('receive', 'transfer_in', 'return', 'release') AND quantity > 0)"
            " OR (kind IN ('sale', 'order', 'reserve', 'transfer_out') AND quantity < 0)"
            " OR kind = 'adjust'",
            name="quantity_sign",
        ),
        Index("ix_stock_movements_location_product", "location_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    # What caused it: an order number, a transfer id, a counter receipt…
    reference: Mapped[str | None] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: _now())

    location: Mapped[Location] = relationship()
    product = relationship("Product")


class Reservation(db.Model):
    """Units held for an unpaid order until `reserved_until` (card 30 min, bank transfer
    24 h). Not a movement: `available = on hand − unexpired active reservations`, so an
    expired one frees its units by itself. Payment consumes it; cancellation releases it."""

    __tablename__ = "stock_reservations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(one_of("status", RESERVATION_STATUSES), name="status"),
        UniqueConstraint("reference", "location_id", "product_id",
                         name="uq_stock_reservations_reference_location_product"),
        Index("ix_stock_reservations_location_product", "location_id", "product_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(100))
    reserved_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=lambda: _now())

    location: Mapped[Location] = relationship()
    product = relationship("Product")


def _now() -> datetime:
    from app.clock import now

    return now()
