"""Request schemas of the office's API (validated by pydantic, published in OpenAPI)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from app.api import PatchSchema, QuerySchema, Schema, patch_of
from catalog.schemas import Level, ProducerIn


class _ProducerActivity(PatchSchema):
    active: bool | None = Field(None, description="false deactivates (producer_inactive); needs reason")
    reason: str | None = Field(None, max_length=2000)


# The record's fields with ProducerIn's limits (one copy of each rule), plus activity.
ProducerPatch = patch_of(
    ProducerIn, "ProducerPatch", base=_ProducerActivity,
    doc="`name`, `kind`, `tax_code`, `province_code` and `address` cannot be null.")


class CorrectionIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)
    decision_number: str | None = Field(None, min_length=1, max_length=100)
    issuer: str | None = Field(None, min_length=1, max_length=300)
    level: Level | None = None
    stars: int | None = Field(None, ge=3, le=5)
    score: int | None = Field(None, ge=0, le=100)
    issued_on: date | None = None
    valid_until: date | None = None


class AuditQuery(QuerySchema):
    actor: str | None = Field(None, max_length=254, description="User e-mail (part) or id")
    object_type: str | None = Field(None, max_length=64, description="Table name, e.g. producers")
    object_id: str | None = Field(None, max_length=64)
    action: Literal["insert", "update", "delete"] | None = None
    since: date | None = None
    until: date | None = None
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(100, ge=1, le=500)


class ReportQuery(QuerySchema):
    format: Literal["json", "csv"] = "json"
    year: int | None = Field(None, ge=2018, le=2100)
    by: Literal["province", "ward"] = Field("province", description="products: by commune/ward too")


class TraceReportsQuery(QuerySchema):
    status: Literal["new", "in_progress", "closed", "all"] | None = None
    page: int = Field(1, ge=1, le=100_000)


class TraceReportPatch(Schema):
    status: Literal["in_progress", "closed"] | None = None
    note: str | None = Field(None, max_length=4000)


class ExportQuery(QuerySchema):
    province: int | None = None


class TargetIn(Schema):
    year: int = Field(ge=2018, le=2100)
    province_code: int
    new_products: int = Field(0, ge=0)
    four_star: int = Field(0, ge=0)
    five_star: int = Field(0, ge=0)


class ProducerListQuery(QuerySchema):
    q: str | None = Field(None, max_length=100, description="Name, tax code or slug (part)")
    province: int | None = None
    kind: Literal["enterprise", "cooperative", "cooperative_group", "household"] | None = None
    active: Literal["yes", "no"] | None = None
    ending: bool = Field(False, description="Only producers with a certificate ending within 90 days")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=200)
