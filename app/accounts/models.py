"""Users, roles and API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import one_of
from app.extensions import db

ROLES = ("admin", "producer", "sales_point", "organizer", "commune_officer", "council_member",
         "customer")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(one_of("role", ROLES), name="role"),
        # A producer user belongs to one producer, a sales-point user to one sales point.
        CheckConstraint("role != 'producer' OR producer_id IS NOT NULL", name="producer_has_producer"),
        CheckConstraint(
            "role != 'sales_point' OR sales_point_id IS NOT NULL", name="sales_point_has_point"
        ),
        # A commune officer pre-checks the dossiers of one commune/ward (DOMAIN §10).
        CheckConstraint("role != 'commune_officer' OR ward_code IS NOT NULL", name="officer_has_ward"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(200))
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id"), index=True)
    sales_point_id: Mapped[int | None] = mapped_column(ForeignKey("sales_points.id"), index=True)
    ward_code: Mapped[int | None] = mapped_column(Integer, index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # In the session cookie beside the id (get_id); bumped by logout, a password change and a
    # deactivation, so every cookie issued before is refused by the user loader.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    producer = relationship("Producer")
    sales_point = relationship("SalesPoint")

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active

    def get_id(self) -> str:  # flask-login: what the session cookie names
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(db.Model):
    """An API token, stored as its SHA-256 (tokens are 256-bit random, so a fast hash is
    enough); the clear token is shown once when created."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
