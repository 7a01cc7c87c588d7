"""Demo data of the showrooms package, loaded by `flask --app wsgi seed-demo` after the
catalogue: OCOP sales points in the five founding provinces with a staff account each, and
opening stock in every producer's warehouse. Idempotent: running it twice changes nothing
(sales points by code, users by e-mail, stock only where a product never had any)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from catalog.models import Product
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


POINTS = (
    DemoPoint("PQ-01", "Điểm giới thiệu và bán sản phẩm OCOP Phú Quốc",
              "Phu Quoc OCOP showroom", "Chợ đêm Phú Quốc, đường Bạch Đằng, đặc khu Phú Quốc",
              91, 31078, "08:00–22:00 hằng ngày", "Trung tâm Xúc tiến Thương mại An Giang",
              "0297 3846 123", 10.2170, 103.9587),
    DemoPoint("NB-01", "Điểm giới thiệu và bán sản phẩm OCOP Hoa Lư", "Hoa Lu OCOP showroom",
              "Số 2 đường Tràng An, phường Hoa Lư", 37, 14329, "07:30–21:00 hằng ngày",
              "Sở Công Thương tỉnh Ninh Bình", "0229 3871 456", 20.2539, 105.9750),
    DemoPoint("CT-01", "Điểm giới thiệu và bán sản phẩm OCOP Ninh Kiều",
              "Ninh Kieu OCOP showroom", "Bến Ninh Kiều, đường Hai Bà Trưng, phường Ninh Kiều",
              92, 31135, "08:00–21:30 hằng ngày", "Trung tâm Xúc tiến Thương mại Cần Thơ",
              "0292 3820 789", 10.0339, 105.7877),
    DemoPoint("LC-01", "Điểm giới thiệu và bán sản phẩm OCOP Sa Pa", "Sa Pa OCOP showroom",
              "Quảng trường trung tâm, phường Sa Pa", 15, 3006, "08:00–21:00 hằng ngày",
              "Hợp tác xã Dịch vụ Nông nghiệp Sa Pa", "0214 3871 234", 22.3364, 103.8438),
    DemoPoint("QN-01", "Điểm giới thiệu và bán sản phẩm OCOP Quảng Ngãi",
              "Quang Ngai OCOP showroom", "Quảng trường Phạm Văn Đồng, phường Cẩm Thành",
              51, 21025, "07:30–20:30 hằng ngày", "Sở Công Thương tỉnh Quảng Ngãi",
              "0255 3822 567", 15.1205, 108.8045),
)

# A few products start nearly sold out, so the seller dashboard has something to say.
LOW_STOCK = {"Mận tam hoa sấy dẻo": 3, "Mật ong hoa rừng Mù Cang Chải": 2}


def staff_email(code: str) -> str:
    """`PQ-01` → `sp-pq01@ocop.local`."""
    return f"sp-{code.replace('-', '').lower()}@ocop.local"


def opening_stock(product: Product) -> int:
    """20–200 units, the same on every run (derived from the slug, not random)."""
    for name, units in LOW_STOCK.items():
        if product.name.startswith(name):
            return units
    return 20 + zlib.crc32(product.slug.encode()) % 181


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
    stocked = set(session.scalars(select(StockMovement.product_id).distinct()))
    products = session.scalars(
        select(Product).options(joinedload(Product.producer)).order_by(Product.id)).all()
    for product in products:
        if product.is_service or product.id in stocked:
            continue
        record_movement(session, location=warehouse_of(session, product.producer),
                        product=product, kind="receive", quantity=opening_stock(product),
                        reason="Tồn kho đầu kỳ (dữ liệu mẫu)", reference="demo")


def seed(session: Session) -> None:
    """Idempotent: running it twice changes nothing."""
    _ensure_points(session)
    _ensure_stock(session)
    session.flush()
