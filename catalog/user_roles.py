"""What a producer user and a commune officer are attached to when created (registered with
`app.accounts.services.register_role_binder`: accounts knows nothing of producers or wards)."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.services import register_role_binder
from app.errors import InvalidInput, NotFound
from catalog.models import Producer
from catalog.regions import ward_name


def bind_producer(session, user, options: dict) -> None:
    tax_code = options.get("producer_tax_code")
    if not tax_code:
        raise InvalidInput("A producer user needs --producer TAX_CODE.", code="producer_required")
    producer = session.scalar(select(Producer).where(Producer.tax_code == tax_code))
    if producer is None:
        raise NotFound(f"No producer with tax code {tax_code}.", code="unknown_producer")
    user.producer = producer


def bind_ward(session, user, options: dict) -> None:
    ward_code = options.get("ward_code")
    if ward_code is None:
        raise InvalidInput("A commune officer needs --ward CODE (a 2025 commune/ward code).",
                           code="ward_required")
    if ward_name(ward_code) is None:
        raise InvalidInput(f"Unknown ward code {ward_code}.", code="invalid_ward")
    user.ward_code = ward_code


register_role_binder("producer", bind_producer)
register_role_binder("commune_officer", bind_ward)
