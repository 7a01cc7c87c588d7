"""With real commits on PostgreSQL: the same decision sent many times at once creates one
certificate; one member's card saved from several tablets at once stays one card."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.services import create_token, create_user
from app.clock import today
from app.extensions import db
from catalog.models import Certificate
from evaluation import services, sheets
from evaluation.demo import sample_csv
from evaluation.models import Score, ScoreCard
from tests.evaluation.conftest import plan_scores
from tests.factories import make_producer

pytestmark = pytest.mark.postgres
CLIENTS = 8


def _arrange(app, *, scored: bool):
    with app.app_context():
        on = today()
        cycle = services.create_cycle(
            db.session,
            year=on.year,
            province_code=92,
            registration_opens=on - timedelta(days=1),
            registration_closes=on + timedelta(days=1),
        )
        services.publish_cycle(db.session, cycle)
        (sheet,) = sheets.import_sheets(db.session, sample_csv("Song song"))
        producer = make_producer()
        members = [
            create_user(
                db.session, email=f"m{i}@example.com", password="correct horse", role="council_member"
            )
            for i in range(3)
        ]
        admin = create_user(db.session, email="admin@example.com", password="correct horse", role="admin")
        dossier = services.register(
            db.session,
            producer,
            cycle_id=cycle.id,
            kind="new",
            group="food",
            product_set=sheet.name,
            name="Bánh song song",
        )
        services.update_dossier(
            db.session, dossier, description="a", raw_materials="b", labour="c", story="d"
        )
        services.submit(db.session, dossier)
        services.forward(db.session, dossier)
        services.create_council(
            db.session, cycle_id=cycle.id, members=[m.email for m in members], dossiers=[dossier.id]
        )
        if scored:
            for m in members:
                services.save_scores(db.session, dossier, m, plan_scores(sheet, 80))
                services.submit_scores(db.session, dossier, m)
        tokens = {
            "admin": create_token(db.session, admin.email),
            "member": create_token(db.session, members[0].email),
        }
        scores = plan_scores(sheet, 75)
        db.session.commit()
        return dossier.id, tokens, scores


def _all_at_once(app, requests):
    barrier = threading.Barrier(len(requests))

    def run(request):
        method, url, kwargs = request
        client = app.test_client()
        barrier.wait()
        answer = getattr(client, method)(url, **kwargs)
        return answer.status_code, answer.get_json()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(run, requests))


def test_the_same_dossier_decided_at_once_gets_one_certificate(committed):
    dossier_id, tokens, _ = _arrange(committed, scored=True)
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    requests = [
        (
            "post",
            "/api/v1/admin/decisions",
            {
                "headers": headers,
                "json": {
                    "decision_number": f"{n}/QĐ-UBND",
                    "issued_on": today().isoformat(),
                    "issuer": "UBND thành phố Cần Thơ",
                    "level": "province",
                    "dossiers": [dossier_id],
                },
            },
        )
        for n in range(CLIENTS)
    ]
    statuses = sorted(status for status, _ in _all_at_once(committed, requests))
    assert statuses == [201] + [409] * (CLIENTS - 1)
    with committed.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 1


def test_one_card_saved_from_many_tablets_at_once_stays_one_card(committed):
    dossier_id, tokens, scores = _arrange(committed, scored=False)
    headers = {"Authorization": f"Bearer {tokens['member']}"}
    requests = [
        (
            "put",
            f"/api/v1/council/dossiers/{dossier_id}/scores",
            {"headers": headers, "json": {"criteria": scores}},
        )
    ] * CLIENTS
    answers = _all_at_once(committed, requests)
    assert {status for status, _ in answers} == {200}
    with committed.app_context():
        assert db.session.scalar(select(func.count(ScoreCard.id))) == 1
        assert db.session.scalar(select(func.count(Score.id))) == len(scores)
        assert db.session.scalar(select(func.sum(Score.points))) == 75
