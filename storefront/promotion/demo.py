"""Demo data of the promotion package, loaded by `seed-demo` after the catalogue and the
sales points: the "Hộp quà Ninh Bình" gift box assembled at the Hoa Lư showroom (with its
shelves stocked), two craft villages / community-tourism destinations of Ninh Bình with a
kitchen workshop (cơm cháy), the office's indicative exchange rates and an announced livestream.
Idempotent: everything is found by slug, name or date before it is made."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import LOCAL_TZ, today
from catalog import services
from catalog.models import Producer, Product, ProductPhoto
from showrooms.models import SalesPoint, StockMovement
from showrooms.stock import record_movement, sales_point_location
from storefront.promotion import boxes, currency, livestreams, villages
from storefront.promotion.models import CurrencyRate, GiftBox, Livestream, Village

BOX_NAME = "Hộp quà Ninh Bình"
BOX_ITEMS = (("com-chay-cha-bong-ninh-binh", 2), ("ruou-kim-son", 1),
             ("tranh-gao-cho-noi-cai-rang", 1))
WORKSHOP = "Lớp học bếp cố đô Hoa Lư"
RATES = {"USD": 26_350, "EUR": 30_420, "AUD": 17_180}  # sample figures, labelled approximate


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


def _ensure_box(session: Session) -> None:
    point = session.scalar(select(SalesPoint).where(SalesPoint.code == "NB-01"))
    items = _products(session, [slug for slug, _ in BOX_ITEMS])
    if point is None or len(items) < len(BOX_ITEMS):
        return
    if session.scalar(select(GiftBox.id).where(GiftBox.name == BOX_NAME)) is None:
        boxes.create_box(
            session, point=point, name=BOX_NAME, name_en="Ninh Bình gift box", price_vnd=690_000,
            items=BOX_ITEMS,
            story="Ba món quà của vùng cố đô và đồng bằng: cơm cháy giòn của Hoa Lư, rượu nếp "
                  "Kim Sơn ủ theo cách cũ, và một bức tranh gạo làm bằng tay. Đóng hộp cói tại "
                  "điểm bán OCOP Hoa Lư, kèm thiệp viết tay.",
            story_en="Three gifts of the ancient capital and the delta: crisp cơm cháy from Hoa "
                     "Lư, Kim Sơn sticky-rice wine brewed the old way, and a hand-made rice "
                     "painting. Packed in a sedge box at the Hoa Lư OCOP showroom, with a "
                     "hand-written card.")
    location = sales_point_location(session, point)
    stocked = set(session.scalars(select(StockMovement.product_id).where(
        StockMovement.location_id == location.id)))
    for slug, quantity in BOX_ITEMS:
        product = items[slug]
        if product.id not in stocked:
            record_movement(session, location=location, product=product, kind="receive",
                            quantity=12 * quantity, reason="Hàng cho hộp quà (dữ liệu mẫu)",
                            reference="demo")


def _ensure_villages(session: Session, workshop: Product | None) -> None:
    kim_son = [p for p in (_producer(session, "2700890123"), _producer(session, "2700901234"),
                           _producer(session, "2700967890")) if p]
    if session.scalar(select(Village.id).where(Village.name == "Làng nghề Kim Sơn")) is None:
        villages.create_village(
            session, name="Làng nghề Kim Sơn", name_en="Kim Sơn craft villages",
            province_code=37, ward_code=14638, address="Xã Kim Sơn, tỉnh Ninh Bình",
            craft="Rượu nếp, cói mỹ nghệ, chè lam", craft_en="Rice wine, sedge weaving, chè lam sweets",
            story="Vùng đất lấn biển của cụ Nguyễn Công Trứ: rượu Kim Sơn nấu từ gạo nếp cái hoa "
                  "vàng, cói trồng trên bãi bồi đan thành giỏ, thảm, và nhà thờ đá Phát Diệm.",
            story_en="Land won from the sea by Nguyễn Công Trứ: Kim Sơn wine distilled from "
                     "yellow-flower sticky rice, sedge from the mudflats woven into baskets and "
                     "mats, and the stone cathedral of Phát Diệm.",
            getting_there="Từ thành phố Ninh Bình đi quốc lộ 10 khoảng 30 km về phía đông nam; "
                          "xe buýt tuyến Ninh Bình – Kim Sơn chạy 30 phút một chuyến.",
            getting_there_en="From Ninh Bình city, 30 km south-east on highway 10; the Ninh Bình "
                             "– Kim Sơn bus runs every 30 minutes.",
            latitude=20.0408, longitude=106.0925, producers=kim_son)
    hoa_lu = [p for p in (_producer(session, "2700889012"), _producer(session, "2700912345-001")) if p]
    if session.scalar(select(Village.id).where(Village.name == "Tam Cốc – Hoa Lư")) is None:
        villages.create_village(
            session, name="Tam Cốc – Hoa Lư", name_en="Tam Cốc – Hoa Lư",
            province_code=37, ward_code=14359, address="Thôn Văn Lâm, phường Nam Hoa Lư, tỉnh Ninh Bình",
            craft="Du lịch cộng đồng, cơm cháy cố đô",
            craft_en="Community tourism, cơm cháy of the old capital",
            story="Đồng lúa giữa núi đá vôi, thuyền nan trên sông Ngô Đồng, làng thêu Văn Lâm; "
                  "nghỉ homestay và học làm cơm cháy với thợ của cố đô Hoa Lư.",
            story_en="Rice fields between limestone peaks, bamboo boats on the Ngô Đồng river, "
                     "the Văn Lâm embroidery village; stay in a homestay and learn to make cơm "
                     "cháy with the ancient capital's cooks.",
            getting_there="Cách ga Ninh Bình 7 km: taxi, xe đạp hoặc xe buýt số 6 đến bến thuyền Tam Cốc.",
            getting_there_en="7 km from Ninh Bình station: taxi, bicycle, or bus 6 to the Tam Cốc boat pier.",
            latitude=20.2156, longitude=105.9371, producers=hoa_lu)


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
    workshop = _ensure_workshop(session, hoa_lu) if hoa_lu else None
    _ensure_box(session)
    _ensure_villages(session, workshop)
    _ensure_rates(session)
    _ensure_livestream(session)
    session.flush()


