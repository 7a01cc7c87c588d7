"""Demo data of the showrooms package, loaded by `flask --app wsgi seed-demo` after the
catalogue: OCOP sales points in the five founding provinces with a staff account each
(`showrooms/demo_data/sales_points.csv`), and opening stock in every producer's warehouse
(`stock` in `catalog/demo_data/products.csv`). Idempotent: running it twice changes nothing
(sales points by code, users by e-mail, stock only where a product never had any)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from app.demo import read_objects
from catalog.models import Producer, Product
from showrooms.models import SalesPoint, StockMovement
from showrooms.points import create_sales_point
from showrooms.stock import record_movement, sales_point_location, warehouse_of

DEMO_PASSWORD = "ocop-demo-2026"  # noqa: S105 - published demo credentials, documented in README


@dataclass(frozen=True)
class DemoPoint:
    code: str
    name: str
    name_en: str
    address: str
    province_code: int
    ward_code: int
    opening_hours: str
    operator: str
    phone: str
    latitude: float
    longitude: float


POINTS = tuple(read_objects(
    Path(__file__).resolve().parent / "demo_data" / "sales_points.csv",
    lambda r: DemoPoint(**{**r, "province_code": int(r["province_code"]),
                           "ward_code": int(r["ward_code"]), "latitude": float(r["latitude"]),
                           "longitude": float(r["longitude"])})))


def staff_email(code: str) -> str:
    """`PQ-01` → `sp-pq01@ocop.local`."""
    return f"sp-{code.replace('-', '').lower()}@ocop.local"


def _ensure_points(session: Session) -> None:
    from app.accounts.models import User
    from app.accounts.services import create_user

    for spec in POINTS:
        point = session.scalar(select(SalesPoint).where(SalesPoint.code == spec.code))
        if point is None:
            point = create_sales_point(
                session, code=spec.code, name=spec.name, address=spec.address,
                province_code=spec.province_code, ward_code=spec.ward_code, name_en=spec.name_en,
                opening_hours=spec.opening_hours, operator=spec.operator, phone=spec.phone,
                latitude=spec.latitude, longitude=spec.longitude)
        sales_point_location(session, point)
        email = staff_email(spec.code)
        if session.scalar(select(User.id).where(User.email == email)) is None:
            create_user(session, email=email, password=DEMO_PASSWORD, role="sales_point",
                        sales_point_code=spec.code, name=f"Nhân viên {spec.code}")


def _ensure_stock(session: Session) -> None:
    """The `stock` column of catalog/demo_data/products.csv, received into each producer's
    warehouse (a few products start nearly sold out, so the seller dashboard has something
    to say); a product that ever had a movement is left as it is."""
    from catalog.demo import PRODUCERS, PRODUCTS

    tax_codes = {spec.key: spec.tax_code for spec in PRODUCERS}
    units = {(tax_codes[spec.producer], spec.name): spec.stock for spec in PRODUCTS if spec.stock}
    stocked = set(session.scalars(select(StockMovement.product_id).distinct()))
    products = session.scalars(
        select(Product).join(Product.producer).options(contains_eager(Product.producer))
        .where(Producer.tax_code.in_({tax_code for tax_code, _ in units}))
        .order_by(Product.id)).all()
    for product in products:
        quantity = units.get((product.producer.tax_code, product.name))
        if quantity is None or product.is_service or product.id in stocked:
            continue
        record_movement(session, location=warehouse_of(session, product.producer),
                        product=product, kind="receive", quantity=quantity,
                        reason="Tồn kho đầu kỳ (dữ liệu mẫu)", reference="demo")


def seed(session: Session) -> None:
    """Idempotent: running it twice changes nothing."""
    _ensure_points(session)
    _ensure_stock(session)
    session.flush()
