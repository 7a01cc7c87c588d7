"""Producers (chủ thể OCOP), their products, and OCOP recognition certificates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
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
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import one_of
from app.extensions import db
from catalog.regions import Located

# The six groups of 148/QĐ-TTg (2023) plus `textile`, a group of 1048/QĐ-TTg (2019) kept
# readable for older certificates; new products and certificates use `craft` (DOMAIN §4).
GROUPS = ("food", "beverage", "herbal", "textile", "craft", "ornamental", "tourism")
CURRENT_GROUPS = tuple(g for g in GROUPS if g != "textile")
# A filter on a group also finds the older groups it took over.
GROUP_INCLUDES = {"craft": ("craft", "textile")}
PRODUCER_KINDS = ("enterprise", "cooperative", "cooperative_group", "household")
LEVELS = ("district", "province", "central", "commune")
# DOMAIN §2: stars ↔ score band, inclusive.
STAR_SCORE_BANDS = {3: (50, 69), 4: (70, 89), 5: (90, 100)}



class Producer(Located, db.Model):
    __tablename__ = "producers"
    __table_args__ = (CheckConstraint(one_of("kind", PRODUCER_KINDS), name="kind"),)
    # The tax-code format CHECK is dialect-specific and lives in the migration.

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    tax_code: Mapped[str] = mapped_column(String(14), unique=True)
    province_code: Mapped[int] = mapped_column(Integer, index=True)
    ward_code: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(300), default="")
    historical_origin: Mapped[str | None] = mapped_column(String(300))
    craft_village: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    description: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    # Set by the office when it deactivates the producer (cleared on reactivation).
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deactivation_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    products: Mapped[list[Product]] = relationship(back_populates="producer")

    def __repr__(self) -> str:
        return f"<Producer {self.slug}>"


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint(one_of('"group"', GROUPS), name="group"),
        CheckConstraint("price_vnd IS NULL OR price_vnd >= 0", name="price_not_negative"),
        # A product is published only once it has a price (imported ones wait for the seller).
        CheckConstraint("NOT published OR price_vnd IS NOT NULL", name="published_has_price"),
        UniqueConstraint("producer_id", "name", name="uq_products_producer_name"),
        # Lists walk these in order and stop at a page (catalog.listing.ordering).
        Index("ix_products_created", "created_at", "id"),
        Index("ix_products_group_created", "group", "created_at", "id"),
        Index("ix_products_price", "price_vnd", "id"),
        # The PostgreSQL search backend's match (GIN); on SQLite an index of NULLs, which
        # costs nothing and keeps one model for both databases (migration 0014_search).
        Index("ix_products_search_vector", "search_vector", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str | None] = mapped_column(Text)
    group: Mapped[str] = mapped_column("group", String(20), index=True)
    unit: Mapped[str] = mapped_column(String(40), default="")
    unit_en: Mapped[str | None] = mapped_column(String(40))
    price_vnd: Mapped[int | None] = mapped_column(Integer)
    published: Mapped[bool] = mapped_column(default=False)
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    # Kept by PostgreSQL triggers (migration 0014_search), never by the ORM; NULL on SQLite.
    search_vector: Mapped[str | None] = mapped_column(
        Text().with_variant(TSVECTOR(), "postgresql"), deferred=True)

    producer: Mapped[Producer] = relationship(back_populates="products")
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="product", order_by="Certificate.issued_on"
    )
    photos: Mapped[list[ProductPhoto]] = relationship(
        back_populates="product", order_by="ProductPhoto.position", cascade="all, delete-orphan"
    )

    @property
    def province_code(self) -> int:
        return self.producer.province_code

    @property
    def is_service(self) -> bool:
        """`tourism` products are services: no stock, never shipped, never in a cart."""
        return self.group == "tourism"

    @property
    def photo_url(self) -> str | None:
        return self.photos[0].url if self.photos else None

    def __repr__(self) -> str:
        return f"<Product {self.slug}>"


class ProductPhoto(db.Model):
    __tablename__ = "product_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    # A path under /static/ (shipped demo photos) or under /media/ (uploads).
    path: Mapped[str] = mapped_column(String(300))
    alt: Mapped[str] = mapped_column(String(300), default="")
    width: Mapped[int] = mapped_column(default=480)
    height: Mapped[int] = mapped_column(default=480)
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="photos")

    @property
    def url(self) -> str:
        return self.path if self.path.startswith("/") else "/static/" + self.path


class Certificate(db.Model):
    """An OCOP recognition certificate (DOMAIN §2–§3)."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 3 AND 5", name="stars"),
        CheckConstraint(
            "(stars = 3 AND score BETWEEN 50 AND 69) OR (stars = 4 AND score BETWEEN 70 AND 89)"
            " OR (stars = 5 AND score BETWEEN 90 AND 100)",
            name="score_band",
        ),
        CheckConstraint(one_of("level", LEVELS), name="level"),
        CheckConstraint("valid_until >= issued_on", name="valid_until_after_issue"),
        CheckConstraint("revoked_on IS NULL OR revoked_on >= issued_on", name="revoked_after_issue"),
        UniqueConstraint("product_id", "decision_number", name="uq_certificates_product_decision"),
        Index("ix_certificates_product_dates", "product_id", "issued_on", "valid_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    decision_number: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20))
    stars: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    product: Mapped[Product] = relationship(back_populates="certificates")

    def __repr__(self) -> str:
        return f"<Certificate {self.decision_number} {self.stars}★>"


class CertificateReminder(db.Model):
    """A reminder e-mail sent about a certificate ending soon (so the next run does not
    send the same news again before the next stage: see `catalog.reminders`)."""

    __tablename__ = "certificate_reminders"
    __table_args__ = (
        UniqueConstraint("certificate_id", "sent_on", name="uq_certificate_reminders_certificate_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"),
                                                index=True)
    sent_on: Mapped[date] = mapped_column(Date)
    days_left: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ListingSegment(db.Model):
    """The gate, precomputed (DOMAIN §3): the date ranges over which a product is listable,
    each with its current certificate. Derived data, rewritten by `catalog.timeline` in the
    same transaction as every change of a product, its producer or its certificates, so
    "listable on D with S stars" is a range lookup that holds on any date without a nightly
    job. `catalog.gate.listing_segments` computes it from the one rule."""

    __tablename__ = "listing_segments"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        Index("ix_listing_segments_product_dates", "product_id", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"),
                                                index=True)
    stars: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # inclusive


class CatalogState(db.Model):
    """One row: `version` rises in the same transaction as any change the gate or a product
    card reads, so caches keyed by it can never serve what the gate refuses now."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class CertificateCorrection(db.Model):
    """A mistyped certificate corrected by the office: the old and new values are kept, so a
    certificate is never silently edited (issue 12)."""

    __tablename__ = "certificate_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    before: Mapped[dict] = mapped_column(JSON)
    after: Mapped[dict] = mapped_column(JSON)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    # No relationship to User here: catalog models are configured before accounts exist.
    certificate: Mapped[Certificate] = relationship()
