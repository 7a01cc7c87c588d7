"""Sales points: registering and finding them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound
from catalog.regions import validate_location
from showrooms.models import SalesPoint


def create_sales_point(session: Session, *, code: str, name: str, address: str,
                       province_code: int, ward_code: int | None = None, **extra) -> SalesPoint:
    validate_location(province_code, ward_code)
    code = code.strip().upper()
    if session.scalar(select(SalesPoint.id).where(SalesPoint.code == code)):
        raise Conflict(f"A sales point with code {code} already exists.", code="code_taken")
    point = SalesPoint(code=code, name=name, address=address, province_code=province_code,
                       ward_code=ward_code, **extra)
    session.add(point)
    session.flush()
    return point


def get_sales_point(session: Session, code: str) -> SalesPoint:
    point = session.scalar(select(SalesPoint).where(SalesPoint.code == code.strip().upper()))
    if point is None:
        raise NotFound(f"No sales point {code!r}.")
    return point
