"""Demo fairs, loaded by `seed-demo` after the catalogue: a published "Tuần lễ OCOP Ninh
Bình" starting in a few days with 30 booths in three zones (anh Tuấn's cooperative confirmed
at B12, other demo producers confirmed, one booking pending), and a past fair in Cần Thơ.

The data are files in `showrooms/demo_data/`: `fairs.csv` (dates relative to the day of
seeding, `+5d`), each fair's floor plan in the organizers' booth CSV (`code,x,y,w,h,price_vnd,
zone`, read by `fairs.parse_booths_csv` as an upload is) and `fair_bookings.csv`.
Idempotent: a fair that exists (by name) is left as it is."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import now, today
from app.demo import read_objects, resolve_day, yes
from catalog.models import Producer
from showrooms import fairs
from showrooms.fair_models import Booking, Fair

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
ORGANIZER_EMAIL = "organizer@ocop.local"
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
