"""The cycle's demo data: sample sheets labelled as samples, open cycles, the commune officer
of Ninh Kiều and the council, dossiers in several states; seeding twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import User
from evaluation import demo, services
from evaluation.models import Cycle, Dossier, ScoreSheet


def test_demo_seeds_the_cycle_once(db_session):
    from app.demo import seed_all

    seed_all(db_session)
    counts = [db_session.scalar(select(func.count()).select_from(m)) for m in (Cycle, Dossier, ScoreSheet)]
    seed_all(db_session)
    assert [
        db_session.scalar(select(func.count()).select_from(m)) for m in (Cycle, Dossier, ScoreSheet)
    ] == counts
    sheets = services.sheets(db_session)
    assert sheets and all(s.sample and s.name.startswith(demo.SAMPLE_PREFIX) for s in sheets)
    assert {c.province_code for c in db_session.scalars(select(Cycle))} == {92, 37}
    hanh = db_session.scalar(select(User).where(User.email == "hanh@ocop.local"))
    assert (hanh.role, hanh.ward_code) == ("commune_officer", 31135)
    statuses = {d.status for d in services.officer_dossiers(db_session, hanh)}
    assert {"submitted", "returned"} <= statuses
    binh = db_session.scalar(select(User).where(User.email == "binh@ocop.local"))
    (to_score,) = services.member_dossiers(db_session, binh)
    assert services.own_card(db_session, to_score, binh) is None  # his to do on the tablet
    assert services.result(to_score).submitted == 1
