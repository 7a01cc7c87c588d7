"""Request schemas of the catalog API (validated by pydantic, published in OpenAPI)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator

from app.api import QuerySchema, Schema, patch_of
from catalog.models import GROUPS, LEVELS, PRODUCER_KINDS
from catalog.regions import provinces

Group = Literal[GROUPS]  # type: ignore[valid-type]
Kind = Literal[PRODUCER_KINDS]  # type: ignore[valid-type]
Level = Literal[LEVELS]  # type: ignore[valid-type]

MAX_PER_PAGE = 100


class ProductListQuery(QuerySchema):
    q: str | None = Field(None, max_length=200, description="Words to find, with or without diacritics")
    stars: int | None = Field(None, ge=3, le=5, description="Stars of the current certificate")
    group: Group | None = None
    province: int | None = Field(None, description="2025 province code of the producer")
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(24, ge=1, description=f"Clamped to {MAX_PER_PAGE}")

    @field_validator("province")
    @classmethod
    def known_province(cls, value: int | None) -> int | None:
        if value is not None and value not in provinces():
            raise ValueError(f"unknown province code {value}")
        return value

    @field_validator("per_page")
    @classmethod
    def clamp_per_page(cls, value: int) -> int:
        return min(value, MAX_PER_PAGE)


class ProducerIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: Kind
    tax_code: str = Field(pattern=r"^\d{10}(-\d{3})?$", description="10 digits, or 10-3")
    province_code: int
    ward_code: int | None = None
    address: str = Field("", max_length=300)
    name_en: str | None = Field(None, max_length=200)
    historical_origin: str | None = Field(None, max_length=300)
    craft_village: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    description: str | None = Field(None, max_length=5000)
    description_en: str | None = Field(None, max_length=5000)

    @field_validator("province_code")
    @classmethod
    def known_province(cls, value: int) -> int:
        if value not in provinces():
            raise ValueError(f"unknown province code {value}")
        return value


class ProductIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    group: Group
    description: str = Field("", max_length=10_000)
    price_vnd: int = Field(ge=0, le=1_000_000_000)
    unit: str = Field(min_length=1, max_length=40)
    name_en: str | None = Field(None, max_length=200)
    description_en: str | None = Field(None, max_length=10_000)
    unit_en: str | None = Field(None, max_length=40)
    gtin: str | None = Field(None, pattern=r"^\d{8}$|^\d{12,14}$")
    published: bool = False


# ProductIn's fields and limits, each optional; `price_vnd` may be null while unpublished.
ProductPatch = patch_of(
    ProductIn, "ProductPatch", nullable=("price_vnd",),
    doc="`name`, `group`, `description`, `unit` and `published` cannot be null (a product always\n"
        "    has them); `price_vnd` may be null while unpublished.")


class CertificateIn(Schema):
    product: str = Field(description="Product slug")
    stars: int = Field(ge=3, le=5)
    score: int = Field(ge=0, le=100)
    level: Level
    decision_number: str = Field(min_length=1, max_length=100)
    issuer: str = Field(min_length=1, max_length=300)
    issued_on: date
    valid_until: date | None = None


class RevokeIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)
    revoked_on: date | None = None
