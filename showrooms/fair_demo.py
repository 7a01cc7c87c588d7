"""Demo fairs, loaded by `seed-demo` after the catalogue: a published "Tuần lễ OCOP Ninh
Bình" starting in a few days with 30 booths in three zones (anh Tuấn's cooperative confirmed
at B12, other demo producers confirmed, one booking pending), and a past fair in Cần Thơ
whose booths sold a few counter tickets each day (through the counter's own service, then
the units left were brought back to the warehouses). Idempotent: a fair that exists (by
name) is left as it is, and the Cần Thơ booths sell only when none of them ever sold."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.clock import LOCAL_TZ, now, today
from catalog.gate import listability
from catalog.models import Producer, Product
from showrooms import booth_stock, counter, fairs
from showrooms.counter_models import CounterSale
from showrooms.fair_models import Booking, Fair
from showrooms.models import StockLevel
from showrooms.stock import warehouse_of

ORGANIZER_EMAIL = "organizer@ocop.local"
NINH_BINH = "Tuần lễ OCOP Ninh Bình"
CAN_THO = "Hội chợ OCOP và hàng nông sản Cần Thơ"

# (booth, producer tax code, status, fee paid)
NINH_BINH_BOOKINGS = (
    ("B12", "5300812345", "confirmed", True),    # anh Tuấn — HTX Nông nghiệp Bắc Hà (Lào Cai)
    ("A1", "2700890123", "confirmed", True),     # HTX Rượu Kim Sơn
    ("A2", "2700889012", "confirmed", False),    # Thực phẩm Cố đô Hoa Lư
    ("A5", "2700901234", "confirmed", True),     # Cói mỹ nghệ Quang Thiện
    ("B3", "5200856789", "confirmed", False),    # Quế Văn Yên
    ("C4", "5200867890", "pending", False),      # Nếp Tú Lệ — waits for the organizer
)
CAN_THO_BOOKINGS = ("A1", "A2", "A3", "A4", "A6")


def _plan() -> list[fairs.BoothSpec]:
    """A: Ninh Bình products (10 booths 3×3), B: Lào Cai pavilion (12 booths 3×3) across a
    3 m aisle, C: food court (8 booths 4×3) across another."""
    specs = [fairs.BoothSpec(f"A{i + 1}", i * 3, 0, 3, 3, 2_000_000, "Khu sản phẩm Ninh Bình")
             for i in range(10)]
    specs += [fairs.BoothSpec(f"B{i + 1}", i * 2.5, 6, 2.5, 3, 1_500_000, "Gian Lào Cai")
              for i in range(12)]
    specs += [fairs.BoothSpec(f"C{i + 1}", i * 3.75, 12, 3.5, 3, 2_500_000, "Khu ẩm thực")
              for i in range(8)]
    return specs


def _exists(session: Session, name: str) -> bool:
    return session.scalar(select(Fair.id).where(Fair.name == name)) is not None


def _organizer(session: Session):
    from app.accounts.models import User

    return session.scalar(select(User).where(User.email == ORGANIZER_EMAIL))


def _book(session: Session, fair: Fair, code: str, tax_code: str, status: str, paid: bool) -> None:
    producer = session.scalar(select(Producer).where(Producer.tax_code == tax_code))
    if producer is None or not fairs.eligibility(session, producer).eligible:
        return
    booth = fairs.get_booth(session, fair, code)
    booking = Booking(fair_id=fair.id, booth_id=booth.id, producer_id=producer.id, status=status,
                      fee_vnd=booth.price_vnd, fee_paid=paid, fee_paid_at=now() if paid else None,
                      decided_at=now() if status != "pending" else None)
    session.add(booking)
    session.flush()
    if status == "confirmed":
        booking.location_id = fairs.booth_location(session, booking).id
        session.flush()


def seed(session: Session) -> None:
    organizer = _organizer(session)
    if organizer is None:
        return
    on = today()
    if not _exists(session, NINH_BINH):
        start = on + timedelta(days=5)
        fair = fairs.create_fair(
            session, organizer, name=NINH_BINH, name_en="Ninh Bình OCOP Week", kind="ocop_week",
            starts_on=start, ends_on=start + timedelta(days=4), venue="Quảng trường Đinh Tiên Hoàng",
            address="Đường Tràng An, phường Hoa Lư", province_code=37, ward_code=14329,
            latitude=20.2539, longitude=105.9750, opens_at=time(8, 0), closes_at=time(22, 0),
            booking_opens=on - timedelta(days=20), booking_closes=start - timedelta(days=1),
            description="Tuần lễ giới thiệu sản phẩm OCOP của Ninh Bình và các tỉnh bạn: "
                        "rượu Kim Sơn, cói Quang Thiện, cơm cháy Hoa Lư, chè Shan tuyết Lào Cai…",
            description_en="A week of OCOP products from Ninh Bình and its guest provinces: Kim "
                           "Sơn rice wine, Quang Thiện sedge, Hoa Lư crispy rice, Lào Cai tea…",
            bank_bin="970405", bank_account="3700205123456",
            bank_account_name="TT XUC TIEN THUONG MAI NINH BINH", booths=_plan())
        for code, tax_code, status, paid in NINH_BINH_BOOKINGS:
            _book(session, fair, code, tax_code, status, paid)
    if not _exists(session, CAN_THO):
        start = on - timedelta(days=60)
        fair = fairs.create_fair(
            session, organizer, name=CAN_THO, name_en="Cần Thơ OCOP and farm produce fair",
            kind="fair", starts_on=start, ends_on=start + timedelta(days=4),
            venue="Công viên sông Hậu", address="Đường Hai Bà Trưng, phường Ninh Kiều",
            province_code=92, ward_code=31135, latitude=10.0339, longitude=105.7877,
            booking_opens=start - timedelta(days=45), booking_closes=start - timedelta(days=1),
            description="Hội chợ sản phẩm OCOP đồng bằng sông Cửu Long.",
            description_en="A fair of Mekong Delta OCOP products.",
            booths=[fairs.BoothSpec(f"A{i + 1}", i * 3, 0, 3, 3, 1_800_000, "Khu OCOP")
                    for i in range(12)])
        producers = session.scalars(select(Producer).where(Producer.active.is_(True))
                                    .order_by(Producer.province_code.desc(), Producer.id)).all()
        eligible = [p for p in producers if fairs.eligibility(session, p).eligible]
        for code, producer in zip(CAN_THO_BOOKINGS, eligible, strict=False):
            _book(session, fair, code, producer.tax_code, "confirmed", True)
    session.flush()
    _sell_at_can_tho(session)
    session.flush()


def _sell_at_can_tho(session: Session) -> None:
    """Each confirmed booth of the past Cần Thơ fair: units brought from the warehouse, one to
    three tickets a day (the counter's `sell` at the moment of the sale, so the gate and the
    receipt numbers are those of that day), the rest taken back after the fair."""
    fair = session.scalar(select(Fair).where(Fair.name == CAN_THO))
    if fair is None:
        return
    bookings = session.scalars(select(Booking).where(Booking.fair_id == fair.id,
                                                     Booking.status == "confirmed")
                               .order_by(Booking.id)).all()
    locations = [b.location_id for b in bookings if b.location_id]
    if not locations or session.scalar(select(CounterSale.id).where(
            CounterSale.location_id.in_(locations)).limit(1)) is not None:
        return
    days = [fair.starts_on + timedelta(days=n) for n in range((fair.ends_on - fair.starts_on).days + 1)]
    for index, booking in enumerate(bookings):
        products = session.scalars(
            select(Product).where(Product.producer_id == booking.producer_id,
                                  Product.price_vnd.is_not(None))
            .options(selectinload(Product.certificates), selectinload(Product.producer))
            .order_by(Product.id)).all()
        goods = [p for p in products if not p.is_service and listability(p).listable
                 and all(listability(p, d).listable for d in days)][:2]
        home = warehouse_of(session, booking.producer).id
        warehouse = dict(session.execute(select(StockLevel.product_id, StockLevel.on_hand).where(
            StockLevel.location_id == home, StockLevel.product_id.in_([p.id for p in goods]))).all())
        goods = [p for p in goods if warehouse.get(p.id, 0) >= 12]
        if not goods:
            continue
        booth_stock.transfer(session, booking, "to_booth", [(p.slug, 12) for p in goods])
        for d, day in enumerate(days):
            for n in range(1 + (index + d) % 3):
                product = goods[(n + d) % len(goods)]
                moment = datetime.combine(day, time(9 + 2 * n, 15 + 7 * index), tzinfo=LOCAL_TZ)
                counter.sell(session, booking.location, counter.SaleRequest(
                    items=[(product.slug, 1)],
                    payment_method=("cash", "vietqr", "card_terminal")[(n + d) % 3]),
                    key=f"demo-booth-{booking.id}-{day:%Y%m%d}-{n}", now=moment)
        left = [(p, n) for p, n in booth_stock.booth_levels(session, booking) if n > 0]
        if left:
            booth_stock.transfer(session, booking, "to_warehouse", [(p.slug, n) for p, n in left])
