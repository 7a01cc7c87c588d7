"""What only the office records: yearly targets per province."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class ProvinceTarget(db.Model):
    """A province's OCOP target for one year, entered by the office (e.g. 8 new OCOP products,
    25 five-star), compared with actual recognitions in the reports."""

    __tablename__ = "province_targets"
    __table_args__ = (
        UniqueConstraint("year", "province_code", name="uq_province_targets_year_province"),
        CheckConstraint("year BETWEEN 2018 AND 2100", name="year"),
        CheckConstraint("new_products >= 0 AND four_star >= 0 AND five_star >= 0",
                        name="not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[int] = mapped_column(Integer)
    new_products: Mapped[int] = mapped_column(Integer, default=0)
    four_star: Mapped[int] = mapped_column(Integer, default=0)
    five_star: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 onupdate=func.now())
