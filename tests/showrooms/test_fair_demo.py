"""The demo fairs: Tuần lễ OCOP Ninh Bình in a few days with 30 booths in zones, anh Tuấn
confirmed at B12, one booking pending; a past fair in Cần Thơ; seeding twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

import catalog.demo
import showrooms.demo
import showrooms.fair_demo
from app.clock import today
from showrooms import fairs
from showrooms.fair_models import Booking, Booth, Fair


def _seed(session) -> None:
    for module in (catalog.demo, showrooms.demo, showrooms.fair_demo):
        module.seed(session)
        session.flush()


def _counts(session) -> tuple:
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (Fair, Booth, Booking))


def test_demo_fairs_are_seeded_once(db_session, client):
    _seed(db_session)
    first = _counts(db_session)
    _seed(db_session)
    assert _counts(db_session) == first
    week = db_session.scalar(select(Fair).where(Fair.name == "Tuần lễ OCOP Ninh Bình"))
    assert week.status == "published" and 0 < (week.starts_on - today()).days <= 7
    assert len(week.booths) == 30 and len({b.zone for b in week.booths}) == 3
    active = fairs.active_bookings(db_session, week)
    by_code = {b.booth.code: b for b in active.values()}
    assert by_code["B12"].producer.name == "Hợp tác xã Nông nghiệp Bắc Hà"
    assert by_code["B12"].status == "confirmed"
    assert [b.status for b in active.values()].count("pending") == 1
    past = fairs.public_fairs(db_session).past
    assert [f.province_code for f in past] == [92]
    html = client.get(f"/fairs/{week.slug}").get_data(as_text=True)
    assert "Hợp tác xã Nông nghiệp Bắc Hà" in html and "Rượu ngô Bắc Hà" in html


def test_the_past_can_tho_fair_sold_at_its_booths_through_the_counter(db_session, client):
    from showrooms.counter_models import CounterSale
    from showrooms.fair_sales import fair_report
    from showrooms.stock import ledger_matches_levels

    _seed(db_session)
    fair = db_session.scalar(select(Fair).where(Fair.province_code == 92))
    report = fair_report(db_session, fair)
    assert report.tickets > 0 and report.net_vnd > 0
    booths = {row.booth for row in report.rows}
    assert len(booths) >= 2
    assert {row.day for row in report.rows} <= {fair.starts_on + timedelta(days=n) for n in range(5)}
    tickets = db_session.scalar(select(func.count()).select_from(CounterSale))
    _seed(db_session)
    assert db_session.scalar(select(func.count()).select_from(CounterSale)) == tickets
    assert ledger_matches_levels(db_session)
