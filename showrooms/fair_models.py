"""Fairs, exhibitions and OCOP weeks (DOMAIN §9): the fair, its booth map, and bookings.

At most one ACTIVE (pending or confirmed) booking per booth is enforced by the database
with a partial unique index, so two producers racing for one booth get one booking and
one `booth_taken`, whatever the application does.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import one_of
from app.extensions import db
from catalog.regions import Located

FAIR_KINDS = ("fair", "exhibition", "ocop_week")
FAIR_STATUSES = ("draft", "published", "cancelled")
BOOKING_STATUSES = ("pending", "confirmed", "rejected", "cancelled")
ACTIVE_BOOKING = "status IN ('pending', 'confirmed')"


def natural_key(code: str) -> tuple:
    """`B2` < `B10`: digits compare as numbers."""
    return tuple(int(part) if part.isdigit() else part
                 for part in re.split(r"(\d+)", code.upper()) if part)


class Fair(Located, db.Model):
    __tablename__ = "fairs"
    __table_args__ = (
        CheckConstraint(one_of("kind", FAIR_KINDS), name="kind"),
        CheckConstraint(one_of("status", FAIR_STATUSES), name="status"),
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint("booking_closes >= booking_opens", name="booking_window_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="fair")
    status: Mapped[str] = mapped_column(String(20), default="published", index=True)
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    # Opening hours, the same every day of the fair (local time).
    opens_at: Mapped[time] = mapped_column(Time, default=time(8, 0))
    closes_at: Mapped[time] = mapped_column(Time, default=time(21, 0))
    venue: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    province_code: Mapped[int] = mapped_column(Integer, index=True)
    ward_code: Mapped[int | None] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str | None] = mapped_column(Text)
    booking_opens: Mapped[date] = mapped_column(Date)
    booking_closes: Mapped[date] = mapped_column(Date)
    organizer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Where producers pay their booth fee (VietQR of the organizer's account).
    bank_bin: Mapped[str | None] = mapped_column(String(6))
    bank_account: Mapped[str | None] = mapped_column(String(19))
    bank_account_name: Mapped[str | None] = mapped_column(String(100))
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    organizer = relationship("User")
    booths: Mapped[list[Booth]] = relationship(back_populates="fair", order_by="Booth.code")

    @property
    def booths_in_order(self) -> list[Booth]:
        """Booths as people read codes: A2 before A10."""
        return sorted(self.booths, key=lambda b: natural_key(b.code))

    def __repr__(self) -> str:
        return f"<Fair {self.slug}>"


class Booth(db.Model):
    """A rectangle on the floor plan, in metres from the plan's top-left corner."""

    __tablename__ = "fair_booths"
    __table_args__ = (
        UniqueConstraint("fair_id", "code", name="uq_fair_booths_fair_code"),
        CheckConstraint("x >= 0 AND y >= 0", name="position_not_negative"),
        CheckConstraint("w > 0 AND h > 0", name="size_positive"),
        CheckConstraint("price_vnd >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    w: Mapped[float] = mapped_column(Float)
    h: Mapped[float] = mapped_column(Float)
    price_vnd: Mapped[int] = mapped_column(Integer, default=0)
    zone: Mapped[str | None] = mapped_column(String(100))

    fair: Mapped[Fair] = relationship(back_populates="booths")

    def __repr__(self) -> str:
        return f"<Booth {self.code}>"


class Booking(db.Model):
    """A producer's booking of a booth: pending → confirmed | rejected; pending or confirmed
    → cancelled (by either side). The fee is the booth's price when booked."""

    __tablename__ = "fair_bookings"
    __table_args__ = (
        CheckConstraint(one_of("status", BOOKING_STATUSES), name="status"),
        CheckConstraint("fee_vnd >= 0", name="fee_not_negative"),
        # THE rule: at most one active booking per booth, enforced by the database.
        Index("uq_fair_bookings_active_booth", "booth_id", unique=True,
              sqlite_where=text(ACTIVE_BOOKING), postgresql_where=text(ACTIVE_BOOKING)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("fair_booths.id", ondelete="CASCADE"))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    fee_vnd: Mapped[int] = mapped_column(Integer, default=0)
    fee_paid: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str | None] = mapped_column(String(300))
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The booth as a stock location of its producer, made when the booking is confirmed.
    location_id: Mapped[int | None] = mapped_column(ForeignKey("stock_locations.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    fair: Mapped[Fair] = relationship()
    booth: Mapped[Booth] = relationship()
    producer = relationship("Producer")
    location = relationship("Location")

    @property
    def active(self) -> bool:
        return self.status in ("pending", "confirmed")

    @property
    def payment_reference(self) -> str:
        """What the producer writes on the transfer (letters and digits, for VietQR)."""
        code = "".join(c for c in self.booth.code if c.isascii() and c.isalnum())
        return f"GIANHANG {self.id} {code}"[:25]

    def __repr__(self) -> str:
        return f"<Booking {self.id} {self.status}>"
