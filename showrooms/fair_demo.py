"""Demo fairs, loaded by `seed-demo` after the catalogue: a published "Tuần lễ OCOP Ninh
Bình" starting in a few days with 30 booths in three zones (anh Tuấn's cooperative confirmed
at B12, other demo producers confirmed, one booking pending), and a past fair in Cần Thơ
whose booths sold a few counter tickets each day (through the counter's own service, then
the units left were brought back to the warehouses).

The data are files in `showrooms/demo_data/`: `fairs.csv` (dates relative to the day of
seeding, `+5d`), each fair's floor plan in the organizers' booth CSV (`code,x,y,w,h,price_vnd,
zone`, read by `fairs.parse_booths_csv` as an upload is) and `fair_bookings.csv`.
Idempotent: a fair that exists (by name) is left as it is, and the Cần Thơ booths sell only
when none of them ever sold."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.clock import LOCAL_TZ, now, today
from app.demo import read_objects, resolve_day, yes
from catalog.gate import listability
from catalog.models import Producer, Product
from showrooms import booth_stock, counter, fairs
from showrooms.counter_models import CounterSale
from showrooms.fair_models import Booking, Fair
from showrooms.models import StockLevel
from showrooms.stock import warehouse_of

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
ORGANIZER_EMAIL = "organizer@ocop.local"
CAN_THO = "Hội chợ OCOP và hàng nông sản Cần Thơ"  # its booths sold (a past fair)
DATES = ("starts_on", "ends_on", "booking_opens", "booking_closes")
NUMBERS = {"province_code": int, "ward_code": int, "latitude": float, "longitude": float}

FAIRS = read_objects(DATA_DIR / "fairs.csv", lambda row: row)
# (fair name, booth, producer tax code, status, fee paid)
BOOKINGS = read_objects(DATA_DIR / "fair_bookings.csv", lambda row: (
    row["fair"], row["booth"], row["producer"], row["status"], yes(row["fee_paid"])))


def _fair_values(row: dict[str, str], on) -> dict:
    """A fairs.csv row as `fairs.create_fair` arguments for the day `on` (empty: not given)."""
    values = {name: value for name, value in row.items() if value and name != "booths"}
    for name in DATES:
        if name in values:
            values[name] = resolve_day(values[name], on)
    for name in ("opens_at", "closes_at"):
        if name in values:
            values[name] = time.fromisoformat(values[name])
    for name, convert in NUMBERS.items():
        if name in values:
            values[name] = convert(values[name])
    values["booths"] = fairs.parse_booths_csv((DATA_DIR / row["booths"]).read_text("utf-8"))
    return values


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
    for row in FAIRS:
        if _exists(session, row["name"]):
            continue
        fair = fairs.create_fair(session, organizer, **_fair_values(row, on))
        for name, code, tax_code, status, paid in BOOKINGS:
            if name == fair.name:
                _book(session, fair, code, tax_code, status, paid)
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
