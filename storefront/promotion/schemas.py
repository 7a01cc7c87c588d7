"""Request bodies of the promotion API and forms; every field named in its error."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from app.api import QuerySchema, Schema
from app.clock import LOCAL_TZ
from storefront.promotion.models import CURRENCIES, PLATFORMS
from storefront.schemas import normalize_email_address, normalize_phone


class BookingIn(Schema):
    date: dt.date = Field(description="The day asked for, YYYY-MM-DD")
    party_size: int = Field(ge=1, le=100)
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=1, max_length=30,
                       description="Any country's number (without +: Vietnamese); stored in E.164")
    email: str = Field(min_length=3, max_length=254)
    message: str | None = Field(default=None, max_length=1000)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalize_phone(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email_address(value)

    @classmethod
    def lenient(cls) -> type[BookingIn]:
        return BookingForm


class BookingForm(BookingIn):
    """The same from an HTML form, where everything arrives as text."""

    model_config = ConfigDict(strict=False, extra="ignore", str_strip_whitespace=True)


class DecisionIn(Schema):
    reply: str | None = Field(default=None, max_length=1000)


class LivestreamIn(Schema):
    platform: Literal[PLATFORMS]  # type: ignore[valid-type]
    url: str = Field(min_length=8, max_length=500)
    starts_at: dt.datetime = Field(description="ISO 8601 with a time zone")
    ends_at: dt.datetime | None = None
    title: str | None = Field(default=None, max_length=200)
    products: list[str] = Field(min_length=1, max_length=30, description="Your product slugs")

    def service_values(self) -> dict:
        return {"platform": self.platform, "url": self.url, "starts_at": self.starts_at,
                "ends_at": self.ends_at, "title": self.title, "products": self.products}

    @classmethod
    def from_form(cls) -> type[LivestreamIn]:
        return LivestreamForm


class LivestreamForm(LivestreamIn):
    """The back-office form: a local (Vietnam) start time and a length in minutes."""

    model_config = ConfigDict(strict=False, extra="ignore", str_strip_whitespace=True)
    minutes: int = Field(default=60, ge=10, le=720)

    @field_validator("starts_at")
    @classmethod
    def _local(cls, value: dt.datetime) -> dt.datetime:
        return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)

    def service_values(self) -> dict:
        values = super().service_values()
        values["ends_at"] = self.starts_at + dt.timedelta(minutes=self.minutes)
        return values


class GiftBoxItemIn(Schema):
    product: str = Field(min_length=1, max_length=160)
    quantity: int = Field(default=1, ge=1, le=99)


class GiftBoxIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    story: str = Field(default="", max_length=5000)
    story_en: str | None = Field(default=None, max_length=5000)
    photo: str | None = Field(default=None, max_length=300, description="Path under /static/ or /media/")
    price_vnd: int = Field(ge=0, le=100_000_000)
    items: list[GiftBoxItemIn] = Field(min_length=1, max_length=20)


class AdminGiftBoxIn(GiftBoxIn):
    sales_point: str = Field(min_length=1, max_length=40, description="Code of the assembling point")


class GiftBoxQuery(QuerySchema):
    province: int | None = None
    max_price: int | None = Field(default=None, ge=0)
    min_price: int | None = Field(default=None, ge=0)


class VillageIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    province_code: int = Field(description="2025 province code, e.g. 37 (Ninh Bình)")
    ward_code: int | None = Field(default=None, description="2025 commune/ward code")
    address: str = Field(default="", max_length=300)
    craft: str = Field(default="", max_length=200, description="The craft or activity")
    craft_en: str | None = Field(default=None, max_length=200)
    story: str = Field(default="", max_length=10_000)
    story_en: str | None = Field(default=None, max_length=10_000)
    getting_there: str = Field(default="", max_length=5000)
    getting_there_en: str | None = Field(default=None, max_length=5000)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    photo: str | None = Field(default=None, max_length=300, description="Path under /static/ or /media/")
    producers: list[str] = Field(default_factory=list, max_length=200, description="Producer slugs")


class VillageQuery(QuerySchema):
    province: int | None = None


class RateIn(Schema):
    currency: Literal[CURRENCIES]  # type: ignore[valid-type]
    vnd_per_unit: int = Field(ge=1, le=10_000_000)
    rate_date: dt.date | None = None


class BookingListQuery(QuerySchema):
    status: Literal["pending", "accepted", "declined"] | None = None
