"""The traceability demo works on whatever catalogue exists, and only once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.clock import today
from tests.factories import make_certificate, make_product
from traceability import demo
from traceability.models import Lot, Stamp
from traceability.trace import client_hash, trace


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_demo_does_nothing_without_products(db_session):
    demo.seed(db_session)
    assert _count(db_session, Lot) == 0


def test_demo_makes_lots_stamps_a_recall_and_a_suspicious_stamp_once(db_session, capsys):
    listable = [make_product() for _ in range(3)]
    revoked = make_product(certified=False)
    make_certificate(revoked, issued_on=today() - timedelta(days=500),
                     revoked_on=today() - timedelta(days=5))
    demo.seed(db_session)
    lots = list(db_session.scalars(select(Lot)))
    assert {lot.product_id for lot in lots} == {p.id for p in listable} | {revoked.id}
    assert sum(lot.voided_at is not None for lot in lots) == 1
    stamps = list(db_session.scalars(select(Stamp)))
    assert len(stamps) == 4 * 20 + 10
    assert max(s.distinct_clients for s in stamps) > 10
    revoked_lot = next(lot for lot in lots if lot.product_id == revoked.id)
    assert revoked_lot.produced_on < today() - timedelta(days=5)
    verdicts = set()
    for stamp in stamps:
        record = trace(db_session, stamp.code, client_hash("s", "1", "x"), threshold=10)
        verdicts.add(record.verdict)
        if stamp.lot_id == revoked_lot.id:
            assert record.certificate_status == "revoked" and record.lot_produced_while_certified
    assert verdicts == {"genuine", "suspicious", "void"}
    assert capsys.readouterr().out == ""
    before = _count(db_session, Stamp)
    demo.seed(db_session)
    assert _count(db_session, Stamp) == before
