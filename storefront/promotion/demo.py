"""Demo data of the promotion package, loaded by `seed-demo` after the catalogue and the
sales points: the "Hộp quà Ninh Bình" gift box assembled at the Hoa Lư showroom (with its
shelves stocked), two craft villages / community-tourism destinations of Ninh Bình with a
kitchen workshop (cơm cháy), the office's indicative exchange rates and an announced livestream.
Villages, boxes and rates are data files in `storefront/promotion/demo_data/` (CSV; a village's
`producers` and a box's `items` are space-separated tax codes and `slug:quantity` pairs).
Idempotent: everything is found by slug, name or date before it is made."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import LOCAL_TZ, today
from app.demo import read_objects
from catalog import services
from catalog.models import Producer, Product, ProductPhoto
from showrooms.models import SalesPoint, StockMovement
from showrooms.stock import record_movement, sales_point_location
from storefront.promotion import boxes, currency, livestreams, villages
from storefront.promotion.models import CurrencyRate, GiftBox, Livestream, Village

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
WORKSHOP = "Lớp học bếp cố đô Hoa Lư"


def _box(row: dict[str, str]) -> dict:
    items = tuple((slug, int(quantity)) for slug, quantity in
                  (item.split(":") for item in row["items"].split()))
    return {**row, "price_vnd": int(row["price_vnd"]), "items": items,
            "shelf_boxes": int(row["shelf_boxes"])}


def _village(row: dict[str, str]) -> dict:
    return {**row, "province_code": int(row["province_code"]), "ward_code": int(row["ward_code"]),
            "latitude": float(row["latitude"]), "longitude": float(row["longitude"]),
            "producers": row["producers"].split()}


BOXES = read_objects(DATA_DIR / "gift_boxes.csv", _box)
VILLAGES = read_objects(DATA_DIR / "villages.csv", _village)
# Sample figures, labelled approximate wherever they are shown.
RATES = dict(read_objects(DATA_DIR / "currency_rates.csv",
                          lambda row: (row["currency"], int(row["rate_vnd"]))))


def _products(session: Session, slugs) -> dict[str, Product]:
    return {p.slug: p for p in session.scalars(select(Product).where(Product.slug.in_(list(slugs))))}


def _producer(session: Session, tax_code: str) -> Producer | None:
    return session.scalar(select(Producer).where(Producer.tax_code == tax_code))


def _ensure_workshop(session: Session, hoa_lu: Producer) -> Product:
    product = session.scalar(select(Product).where(Product.producer_id == hoa_lu.id,
                                                   Product.name == WORKSHOP))
    if product is not None:
        return product
    product = services.create_product(
        session, hoa_lu, name=WORKSHOP, name_en="Old-capital kitchen workshop in Hoa Lư",
        group="tourism",
        unit="khách/buổi", unit_en="per guest per session", price_vnd=250_000, published=True,
        description="Hai giờ ở xưởng của cố đô: vo gạo tám, nấu, cán mỏng và sấy giòn trên lò "
                    "than, rồi mang về phần mình làm. Nhận khách từ 2 đến 20 người.",
        description_en="Two hours in the workshop: wash the fragrant rice, cook it, press it "
                       "thin and crisp it over charcoal, then take home what you made. "
                       "2 to 20 guests.")
    product.photos.append(ProductPhoto(path="demo/com-chay-cha-bong-ninh-binh.webp", width=480,
                                       height=480, alt=f"Ảnh minh hoạ: {WORKSHOP}"))
    issued = today() - timedelta(days=120)
    services.create_certificate(session, product, stars=3, score=61, level="province",
                                decision_number="2291/QĐ-UBND (mẫu)",
                                issuer="UBND tỉnh Ninh Bình", issued_on=issued)
    return product


def _ensure_box(session: Session, spec: dict) -> None:
    point = session.scalar(select(SalesPoint).where(SalesPoint.code == spec["sales_point"]))
    items = _products(session, [slug for slug, _ in spec["items"]])
    if point is None or len(items) < len(spec["items"]):
        return
    if session.scalar(select(GiftBox.id).where(GiftBox.name == spec["name"])) is None:
        boxes.create_box(session, point=point, name=spec["name"], name_en=spec["name_en"],
                         price_vnd=spec["price_vnd"], items=spec["items"], story=spec["story"],
                         story_en=spec["story_en"])
    location = sales_point_location(session, point)
    stocked = set(session.scalars(select(StockMovement.product_id).where(
        StockMovement.location_id == location.id)))
    for slug, quantity in spec["items"]:
        product = items[slug]
        if product.id not in stocked:
            record_movement(session, location=location, product=product, kind="receive",
                            quantity=spec["shelf_boxes"] * quantity,
                            reason="Hàng cho hộp quà (dữ liệu mẫu)", reference="demo")


def _ensure_villages(session: Session) -> None:
    for spec in VILLAGES:
        if session.scalar(select(Village.id).where(Village.name == spec["name"])) is not None:
            continue
        producers = [p for p in (_producer(session, tax_code) for tax_code in spec["producers"])
                     if p]
        villages.create_village(session, **{**spec, "producers": producers})


def _ensure_rates(session: Session) -> None:
    on = today() - timedelta(days=1)
    for code, rate in RATES.items():
        if session.scalar(select(CurrencyRate.id).where(CurrencyRate.currency == code)) is None:
            currency.set_rate(session, code, rate, rate_date=on)


def _ensure_livestream(session: Session) -> None:
    kim_son = _producer(session, "2700890123")
    if kim_son is None or session.scalar(select(Livestream.id).where(
            Livestream.producer_id == kim_son.id)) is not None:
        return
    start = datetime.combine(today() + timedelta(days=2), time(20, 0), tzinfo=LOCAL_TZ)
    livestreams.schedule(session, kim_son, platform="facebook",
                         url="https://www.facebook.com/ruoukimson/live",
                         title="Rượu Kim Sơn: từ men lá đến chum ủ", starts_at=start,
                         products=["ruou-kim-son", "ruou-kim-son-binh-su-1-5-lit"])


def seed(session: Session) -> None:
    """Idempotent: running it twice changes nothing."""
    hoa_lu = _producer(session, "2700889012")
    if hoa_lu is not None:
        _ensure_workshop(session, hoa_lu)
    for spec in BOXES:
        _ensure_box(session, spec)
    _ensure_villages(session)
    _ensure_rates(session)
    _ensure_livestream(session)
    session.flush()


