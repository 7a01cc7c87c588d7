"""Builders for the OCOP cycle's tests: a published cycle, a sample sheet, users of each role,
and dossiers pushed to any state through the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from app.accounts.services import create_user
from app.clock import today
from app.extensions import db
from evaluation import services, sheets
from evaluation.demo import sample_csv
from tests.factories import auth, make_producer, make_token

SHEET = "MẪU THỬ – kiểm thử"
TEXT = {
    "description": "Mô tả sản phẩm",
    "raw_materials": "Gạo địa phương",
    "labour": "Lao động xã",
    "story": "Câu chuyện của làng",
}


@dataclass
class World:
    cycle: object
    sheet: object
    producer: object
    producer_user: object
    officer: object
    members: list = field(default_factory=list)
    tokens: dict = field(default_factory=dict)

    def headers(self, who) -> dict:
        if who.email not in self.tokens:
            self.tokens[who.email] = make_token(who)
        return auth(self.tokens[who.email])

    def dossier(
        self, status: str = "draft", *, name: str | None = None, producer=None, kind="new", product=None
    ):
        producer = producer or self.producer
        dossier = services.register(
            db.session,
            producer,
            cycle_id=self.cycle.id,
            kind=kind,
            group="food",
            product_set=SHEET,
            name=None if product else (name or f"SP {_n()}"),
            product_slug=product.slug if product else None,
        )
        services.update_dossier(db.session, dossier, **TEXT)
        if status == "draft":
            return dossier
        services.submit(db.session, dossier)
        if status == "submitted":
            return dossier
        services.forward(db.session, dossier)
        if status == "forwarded":
            return dossier
        services.create_council(
            db.session, cycle_id=self.cycle.id, members=[m.email for m in self.members], dossiers=[dossier.id]
        )
        return dossier

    def score(self, dossier, member, total: int | None = None, *, zero=(), submit=True):
        """Scores adding up to `total` (greedy over the sheet's levels), with `zero` criteria at 0."""
        scores = plan_scores(dossier.sheet, total, zero)
        services.save_scores(db.session, dossier, member, scores)
        if submit:
            services.submit_scores(db.session, dossier, member)
        return scores


_counter = iter(range(1, 10**6))


def _n() -> int:
    return next(_counter)


def plan_scores(sheet, total: int | None, zero=()) -> dict[str, int]:
    """A valid score card reaching exactly `total` (None: the maximum) with `zero` criteria at 0."""
    # Mandatory criteria first and never at zero unless asked: a plain total does not fail them.
    criteria = sorted(sheet.criteria, key=lambda c: not c.mandatory)
    target = sum(c.max_points for c in criteria if c.code not in zero) if total is None else total
    # Subset-sum over the levels' points, criterion by criterion (small sheets: fine).
    reachable = {0: {}}
    for c in criteria:
        if c.code in zero:
            options = [0]
        elif c.mandatory:
            options = sorted((p for p in c.allowed_points if p), reverse=True)
        else:
            options = sorted(c.allowed_points, reverse=True)
        nxt = {}
        for s, chosen in reachable.items():
            for p in options:
                if s + p <= target and s + p not in nxt:
                    nxt[s + p] = {**chosen, c.code: p}
        reachable = nxt
    assert target in reachable, f"no card reaches {target}"
    return reachable[target]


def make_user(role: str, **kw):
    return create_user(
        db.session, email=f"{role}{_n()}@example.com", password="correct horse", role=role, **kw
    )


@pytest.fixture
def world(db_session):
    on = today()
    cycle = services.create_cycle(
        db.session,
        year=on.year,
        province_code=92,
        registration_opens=on - timedelta(days=10),
        registration_closes=on + timedelta(days=10),
    )
    services.publish_cycle(db.session, cycle)
    (sheet,) = sheets.import_sheets(db.session, sample_csv(SHEET), sample=True)
    producer = make_producer(province_code=92, ward_code=31135, email="producer@example.com")
    return World(
        cycle=cycle,
        sheet=sheet,
        producer=producer,
        producer_user=make_user("producer", producer_tax_code=producer.tax_code),
        officer=make_user("commune_officer", ward_code=31135),
        members=[make_user("council_member") for _ in range(3)],
    )
