"""Lots, stamps, scans and suspected-fake reports (DOMAIN §6)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from catalog.models import Product

VERDICTS = ("genuine", "suspicious", "void")
# Scans grow without bound: a 64-bit key on PostgreSQL; SQLite's rowid is 64-bit already and
# only an INTEGER PRIMARY KEY is its alias.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Lot(db.Model):
    """A production lot (lô) of one product."""

    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint("product_id", "lot_number", name="uq_lots_product_lot_number"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("best_before IS NULL OR best_before >= produced_on",
                        name="best_before_after_production"),
        CheckConstraint("voided_at IS NULL OR void_reason IS NOT NULL", name="void_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    lot_number: Mapped[str] = mapped_column(String(20))
    produced_on: Mapped[date] = mapped_column(Date)
    best_before: Mapped[date | None] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    void_reason: Mapped[str | None] = mapped_column(Text)

    product: Mapped[Product] = relationship()

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None

    def __repr__(self) -> str:
        return f"<Lot {self.lot_number} of product {self.product_id}>"


class Stamp(db.Model):
    """One printed QR stamp. `code` is random (never derived from ids); `ordinal` only orders
    the stamps of a lot on the printed sheet and is never shown. The counters are
    denormalised from scans/stamp_clients and updated atomically by each scan."""

    __tablename__ = "stamps"
    __table_args__ = (
        UniqueConstraint("lot_id", "ordinal", name="uq_stamps_lot_ordinal"),
        CheckConstraint("voided_at IS NULL OR void_reason IS NOT NULL", name="void_has_reason"),
        CheckConstraint("distinct_clients <= scan_count", name="clients_not_above_scans"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by uq_stamps_lot_ordinal (lot_id first).
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    void_reason: Mapped[str | None] = mapped_column(Text)
    scan_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    distinct_clients: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    first_scan_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_scan_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    lot: Mapped[Lot] = relationship()

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None or self.lot.voided_at is not None

    def __repr__(self) -> str:
        return f"<Stamp {self.code}>"


class Scan(db.Model):
    """One look at a trace record (page or API). `client_hash` is a keyed hash of the
    scanner's network (IPv4 /24, IPv6 /48; `trace.network_hash` — rows older than that
    change hashed address + user agent): the raw address is never stored. Unknown codes
    are not recorded."""

    __tablename__ = "scans"
    __table_args__ = (
        CheckConstraint("verdict IN ('genuine', 'suspicious', 'void')", name="verdict"),
        Index("ix_scans_stamp_id_scanned_at", "stamp_id", "scanned_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    stamp_id: Mapped[int] = mapped_column(ForeignKey("stamps.id"))
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    client_hash: Mapped[str] = mapped_column(String(32))
    verdict: Mapped[str] = mapped_column(String(12))
    # Coarse location (a 2025 province code) when something trustworthy tells us; else null.
    province_code: Mapped[int | None] = mapped_column(Integer)


class StampClient(db.Model):
    """One row per (stamp, network): the exact distinct-network count behind `suspicious`
    (`Stamp.distinct_clients`), kept by an insert-or-ignore on the primary key."""

    __tablename__ = "stamp_clients"

    stamp_id: Mapped[int] = mapped_column(ForeignKey("stamps.id"), primary_key=True)
    client_hash: Mapped[str] = mapped_column(String(32), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Report(db.Model):
    """A consumer's report of a suspected fake, from the trace page or the unknown-code page."""

    __tablename__ = "trace_reports"
    __table_args__ = (
        CheckConstraint("status IN ('new', 'in_progress', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))  # as typed or scanned (truncated), maybe unknown
    stamp_id: Mapped[int | None] = mapped_column(ForeignKey("stamps.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(200))
    client_hash: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The office's handling: new → in_progress → closed, by one officer (issue 12).
    status: Mapped[str] = mapped_column(String(20), default="new", server_default="new", index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    stamp: Mapped[Stamp | None] = relationship()
    officer = relationship("User")
    notes: Mapped[list[ReportNote]] = relationship(back_populates="report",
                                                   order_by="ReportNote.id")


REPORT_STATUSES = ("new", "in_progress", "closed")


class ReportNote(db.Model):
    """An officer's note on a report (and the status it moved the report to, if any)."""

    __tablename__ = "trace_report_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("trace_reports.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    report: Mapped[Report] = relationship(back_populates="notes")
    author = relationship("User")


class StampFlag(db.Model):
    """The office flagged a stamp as suspicious and told its producer (one flag per stamp)."""

    __tablename__ = "stamp_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    stamp_id: Mapped[int] = mapped_column(ForeignKey("stamps.id"), unique=True)
    note: Mapped[str] = mapped_column(Text, default="")
    flagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    mailed_to: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    stamp: Mapped[Stamp] = relationship()


# Report and ReportNote name "User": make sure it is mapped before the first configuration.
import app.accounts.models  # noqa: E402, F401
