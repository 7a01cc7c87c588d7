"""Selling at a fair booth and the organizer's fair report (DOMAIN §9, issue 11).

A confirmed booth is a stock location of its producer (`booth_stock`); selling there is the
counter's own service (`showrooms.counter.sell`: the same tickets, idempotency keys, gate
and receipt numbers, the booth's location code `<fair>/<booth>` giving the receipt prefix).
This module adds only what is the fair's: a live sale is refused outside the fair's dates
(409 `fair_not_open`), an offline replay is judged on its own date; and the report of
sales per booth per day for the organizer (voided tickets left out, returns subtracted).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import spreadsheet
from app.clock import local, today
from app.errors import Conflict, InvalidInput
from showrooms.counter_models import CounterRefund, CounterSale
from showrooms.fair_models import Booking, Fair, natural_key

REPORT_COLUMNS = ("booth", "producer", "date", "tickets", "units", "sold_vnd", "returned_vnd",
                  "net_vnd")


class FairNotOpen(Conflict):
    code = "fair_not_open"


def require_open(fair: Fair, sold_at: datetime | None) -> None:
    """A live sale (no `sold_at`) happens today; a replay on its own local date. Either must
    fall within the fair's dates of a fair that was not cancelled. A live sale outside is
    409 `fair_not_open`; a replay outside is 422 (the queue will never be able to send it,
    so the counter keeps it aside with the message instead of retrying forever)."""
    day = local(sold_at).date() if sold_at is not None and sold_at.tzinfo else today()
    if fair.status == "cancelled" or not fair.starts_on <= day <= fair.ends_on:
        message = (f"{fair.name} is open from {fair.starts_on:%d/%m/%Y} to "
                   f"{fair.ends_on:%d/%m/%Y}: no sale at its booths on {day:%d/%m/%Y}."
                   if fair.status != "cancelled" else f"{fair.name} was cancelled.")
        if sold_at is not None:
            raise InvalidInput(message, code="fair_not_open",
                               details={"date": day.isoformat(), "starts_on": fair.starts_on.isoformat(),
                                        "ends_on": fair.ends_on.isoformat()})
        raise FairNotOpen(message, details={"date": day.isoformat(),
                                            "starts_on": fair.starts_on.isoformat(),
                                            "ends_on": fair.ends_on.isoformat()})


# --- The fair report -------------------------------------------------------------------------

@dataclass
class BoothDay:
    booth: str
    producer: str
    day: date
    tickets: int = 0
    units: int = 0
    sold_vnd: int = 0
    returned_vnd: int = 0

    @property
    def net_vnd(self) -> int:
        return self.sold_vnd - self.returned_vnd

    def as_row(self) -> dict:
        return {"booth": self.booth, "producer": self.producer, "date": self.day.isoformat(),
                "tickets": self.tickets, "units": self.units, "sold_vnd": self.sold_vnd,
                "returned_vnd": self.returned_vnd, "net_vnd": self.net_vnd}


@dataclass
class FairReport:
    fair: Fair
    rows: list[BoothDay] = field(default_factory=list)

    def _sum(self, key) -> list[tuple[str, int, int, int]]:
        sums: dict[str, list[int]] = {}
        for row in self.rows:
            total = sums.setdefault(key(row), [0, 0, 0])
            total[0] += row.tickets
            total[1] += row.units
            total[2] += row.net_vnd
        return [(name, *values) for name, values in sums.items()]

    @property
    def by_booth(self) -> list[tuple[str, int, int, int]]:
        """(booth, tickets, units, net) in booth order."""
        return self._sum(lambda r: r.booth)

    @property
    def by_day(self) -> list[tuple[str, int, int, int]]:
        return sorted(self._sum(lambda r: r.day.isoformat()))

    @property
    def tickets(self) -> int:
        return sum(r.tickets for r in self.rows)

    @property
    def units(self) -> int:
        return sum(r.units for r in self.rows)

    @property
    def sold_vnd(self) -> int:
        return sum(r.sold_vnd for r in self.rows)

    @property
    def returned_vnd(self) -> int:
        return sum(r.returned_vnd for r in self.rows)

    @property
    def net_vnd(self) -> int:
        return self.sold_vnd - self.returned_vnd


def _booths_by_location(session: Session, fair: Fair) -> dict[int, tuple[str, str]]:
    """location id → (booth code, producer name): the latest booking that had the booth as
    a stock location (a booth's location belongs to this fair only)."""
    bookings = session.scalars(
        select(Booking).where(Booking.fair_id == fair.id, Booking.location_id.is_not(None))
        .options(selectinload(Booking.booth), selectinload(Booking.producer))
        .order_by(Booking.id)).all()
    return {b.location_id: (b.booth.code, b.producer.name) for b in bookings}


def fair_report(session: Session, fair: Fair) -> FairReport:
    """Sales per booth per day of ticket: tickets not voided, their units and amounts, minus
    what was returned of them (counted on the ticket's day, so a return after the fair
    still lowers the day it was sold)."""
    booths = _booths_by_location(session, fair)
    report = FairReport(fair)
    if not booths:
        return report
    tickets = session.scalars(
        select(CounterSale).where(CounterSale.location_id.in_(booths),
                                  CounterSale.voided_at.is_(None))
        .options(selectinload(CounterSale.lines),
                 selectinload(CounterSale.refunds).selectinload(CounterRefund.lines))).all()
    cells: dict[tuple[int, date], BoothDay] = {}
    for ticket in tickets:
        code, producer = booths[ticket.location_id]
        cell = cells.setdefault((ticket.location_id, ticket.business_date),
                                BoothDay(code, producer, ticket.business_date))
        cell.tickets += 1
        cell.units += sum(line.quantity for line in ticket.lines)
        cell.sold_vnd += ticket.total_vnd
        for refund in ticket.refunds:
            if refund.kind == "return":
                cell.returned_vnd += refund.amount_vnd
                cell.units -= sum(line.quantity for line in refund.lines)
    report.rows = sorted(cells.values(), key=lambda c: (natural_key(c.booth), c.day))
    return report


def report_json(report: FairReport) -> dict:
    return {"fair": report.fair.slug, "starts_on": report.fair.starts_on.isoformat(),
            "ends_on": report.fair.ends_on.isoformat(), "columns": list(REPORT_COLUMNS),
            "items": [row.as_row() for row in report.rows],
            "by_booth": [{"booth": b, "tickets": t, "units": u, "net_vnd": n}
                         for b, t, u, n in report.by_booth],
            "by_day": [{"date": d, "tickets": t, "units": u, "net_vnd": n}
                       for d, t, u, n in report.by_day],
            "totals": {"tickets": report.tickets, "units": report.units,
                       "sold_vnd": report.sold_vnd, "returned_vnd": report.returned_vnd,
                       "net_vnd": report.net_vnd}}


def report_csv(report: FairReport) -> str:
    """One row per booth and day, then a total row (the app's CSV writer: text cells that
    look like formulas are neutralised)."""
    out = io.StringIO()
    writer = spreadsheet.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    for row in report.rows:
        data = row.as_row()
        writer.writerow([data[c] for c in REPORT_COLUMNS])
    writer.writerow(["total", "", "", report.tickets, report.units, report.sold_vnd,
                     report.returned_vnd, report.net_vnd])
    return "\ufeff" + out.getvalue()
