"""With real commits on PostgreSQL: scans of one stamp arriving at once lose no network and
count none twice, so the stamp turns suspicious exactly when its eleventh network scans it;
two flags of one stamp at once make one flag and one mail to its producer."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.errors import Conflict
from app.extensions import db
from tests.factories import make_lot, make_producer, make_product, make_stamps
from tests.traceability.conftest import driver_statements
from traceability import supervision
from traceability.models import Scan, Stamp, StampClient, StampFlag
from traceability.trace import lot_records

pytestmark = pytest.mark.postgres
CLIENTS = 16


def _stamps(app, count: int) -> list[str]:
    # `committed` restarts the ids (a lot id comes back) and moves the catalogue version on;
    # emptying the records as well keeps this test independent of that clean-up
    lot_records.clear()
    with app.app_context():
        product = make_product(make_producer(email="htx@example.com"), stars=4)
        stamps = make_stamps(make_lot(product), count)
        db.session.commit()
        return [s.code for s in stamps]


def _scan_at_once(app, code: str, addresses: list[str]) -> list[str]:
    barrier = threading.Barrier(len(addresses))

    def run(address):
        client = app.test_client(use_cookies=False)
        barrier.wait()
        answer = client.get(f"/api/v1/trace/{code}", environ_base={"REMOTE_ADDR": address})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()["verdict"]

    with ThreadPoolExecutor(max_workers=len(addresses)) as pool:
        return list(pool.map(run, addresses))


def _counts(app, code: str):
    with app.app_context():
        stamp = db.session.scalar(select(Stamp).where(Stamp.code == code))
        clients = db.session.scalar(select(func.count()).select_from(StampClient)
                                    .where(StampClient.stamp_id == stamp.id))
        stored = sorted(db.session.scalars(select(Scan.verdict).where(Scan.stamp_id == stamp.id)))
        return stamp.scan_count, stamp.distinct_clients, clients, stored


def test_networks_scanning_at_once_are_each_counted_once(committed):
    threshold = committed.config["SUSPICIOUS_SCAN_CLIENTS"]
    many, one = _stamps(committed, 2)
    verdicts = _scan_at_once(committed, many, [f"198.51.{i}.7" for i in range(CLIENTS)])
    # row-locked counting: the scans are counted one after the other, so exactly those
    # after the threshold-th network are suspicious, whatever order they arrived in
    expected = ["genuine"] * threshold + ["suspicious"] * (CLIENTS - threshold)
    assert sorted(verdicts) == expected
    assert _counts(committed, many) == (CLIENTS, CLIENTS, CLIENTS, expected)
    verdicts = _scan_at_once(committed, one, [f"203.0.113.{i}" for i in range(CLIENTS)])
    assert set(verdicts) == {"genuine"}  # one /24, many phones: one network
    assert _counts(committed, one) == (CLIENTS, 1, 1, ["genuine"] * CLIENTS)


def _waiting_on_a_lock(app) -> bool:
    with app.app_context():
        return bool(db.session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND datname = current_database()")))


def test_two_flags_of_one_stamp_at_once_make_one_flag_and_one_mail(committed):
    (code,) = _stamps(committed, 1)
    outbox = Path(committed.config["MAIL_OUTBOX_DIR"])
    mails_before = len(list(outbox.glob("*"))) if outbox.exists() else 0
    second: dict = {}

    def flag_from_another_desk():
        with committed.app_context():
            stamp = db.session.scalar(select(Stamp).where(Stamp.code == code))
            try:
                flag = supervision.flag_stamp(db.session, stamp, officer=None, note="desk 2")
                db.session.commit()
                supervision.flag_mail(flag)
                second["result"] = "flagged"
            except Conflict as err:
                db.session.rollback()
                second["result"] = err.code

    with committed.app_context():
        stamp = db.session.scalar(select(Stamp).where(Stamp.code == code))
        flag = supervision.flag_stamp(db.session, stamp, officer=None, note="desk 1")
        other = threading.Thread(target=flag_from_another_desk)
        other.start()  # it saw no flag yet and now waits on ours
        deadline = time.monotonic() + 10
        while not _waiting_on_a_lock(committed) and time.monotonic() < deadline:
            time.sleep(0.02)
        db.session.commit()
        supervision.flag_mail(flag)
    other.join(10)
    assert second == {"result": "already_flagged"}
    with committed.app_context():
        assert db.session.scalar(select(func.count(StampFlag.id))) == 1
    assert len(list(outbox.glob("*"))) == mails_before + 1


def test_a_scan_is_one_autocommitted_statement_with_no_commit_round_trip(committed):
    """The page's and the API's scan of a plain code: one statement (the lot's record cached),
    run in autocommit — its own transaction, committed without a COMMIT — and seen at once
    by another connection."""
    from sqlalchemy import event

    code = _stamps(committed, 1)[0]
    client = committed.test_client(use_cookies=False)
    assert client.get(f"/t/{code}").status_code == 200  # the lot's record is read once
    with committed.app_context():
        engine = db.engine
    commits: list[object] = []

    def committing(conn):
        commits.append(conn)

    event.listen(engine, "commit", committing)
    try:
        with driver_statements() as seen:
            assert client.get(f"/t/{code}").status_code == 200
            assert client.get(f"/api/v1/trace/{code}").status_code == 200
    finally:
        event.remove(engine, "commit", committing)
    assert len(seen) == 2, seen  # no ping, no COMMIT: the scan statement, twice
    assert all("INSERT INTO scans" in statement and autocommit for statement, autocommit in seen)
    assert commits == []
    assert _counts(committed, code)[0] == 3


def test_pages_scanned_at_once_before_flask_are_each_counted_once(committed):
    """The trace page's scans answered by the scan lane (traceability.scanlane), at once:
    counted exactly, the pages of the genuine ones straight from the lane, the suspicious
    ones rendered by the view from the lane's record — never counted twice."""
    threshold = committed.config["SUSPICIOUS_SCAN_CLIENTS"]
    code = _stamps(committed, 1)[0]
    first = committed.test_client(use_cookies=False).get(
        f"/t/{code}", environ_base={"REMOTE_ADDR": "192.0.2.1"})  # Flask: the lane's template
    assert first.status_code == 200
    lane = committed.extensions["scanlane"]
    answered_before = lane.answered
    barrier = threading.Barrier(CLIENTS)

    def run(address):
        client = committed.test_client(use_cookies=False)
        barrier.wait()
        answer = client.get(f"/t/{code}", environ_base={"REMOTE_ADDR": address})
        assert answer.status_code == 200

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(run, [f"198.51.{i}.7" for i in range(CLIENTS)]))
    expected = ["genuine"] * threshold + ["suspicious"] * (CLIENTS + 1 - threshold)
    assert _counts(committed, code) == (CLIENTS + 1, CLIENTS + 1, CLIENTS + 1, expected)
    assert lane.answered - answered_before == threshold - 1  # the genuine ones after the first
