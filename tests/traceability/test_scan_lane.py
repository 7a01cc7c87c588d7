"""A genuine stamp's scan answered before Flask (traceability.scanlane): the same page and
headers as the view, every scan counted once, and everything else left to the view. An app
whose requests commit for real, on its own SQLite file, as in production."""

from __future__ import annotations

import gzip

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.extensions import db
from catalog.services import revoke_certificate
from tests.conftest import ON_POSTGRES, app_on_its_own_sqlite_file, requests_flask_handled
from tests.factories import make_lot, make_product, make_stamps
from traceability.models import Scan, Stamp, StampClient

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="its own SQLite file, committed for real")

PHONE = "Mozilla/5.0 (Linux; Android 14)"


def _app(workdir, **overrides):
    return app_on_its_own_sqlite_file(workdir, "lane.sqlite3",
                                      **{"SUSPICIOUS_SCAN_CLIENTS": 3, **overrides})


@pytest.fixture
def lane_app(tmp_path):
    application = _app(tmp_path)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def flask_requests(lane_app):
    """How many requests Flask itself handled (one the lane answers never reaches it)."""
    with requests_flask_handled(lane_app) as seen:
        yield seen


def _stamp(app) -> tuple[str, int]:
    with app.app_context():
        product = make_product(stars=4)
        stamp = make_stamps(make_lot(product), 1)[0]
        db.session.commit()
        return stamp.code, product.certificates[0].id


def _scan(client, code: str, network: int, **headers):
    return client.get(f"/t/{code}", headers={"User-Agent": PHONE, **headers},
                      environ_base={"REMOTE_ADDR": f"198.51.{network}.7"})


def _counts(app, code: str) -> tuple[int, int, int, int]:
    with app.app_context():
        stamp = db.session.scalar(select(Stamp).where(Stamp.code == code))
        rows = db.session.scalar(select(func.count()).select_from(Scan)
                                 .where(Scan.stamp_id == stamp.id))
        networks = db.session.scalar(select(func.count()).select_from(StampClient)
                                     .where(StampClient.stamp_id == stamp.id))
        return stamp.scan_count, stamp.distinct_clients, rows, networks


def _without(headers, *names) -> dict:
    return {k: v for k, v in headers.items() if k.lower() not in names}


def test_a_genuine_scan_is_answered_before_flask_with_the_views_page(lane_app, flask_requests):
    code, _ = _stamp(lane_app)
    client = lane_app.test_client(use_cookies=False)
    by_flask = _scan(client, code, 1)  # renders the lot's shell and shows how Flask answers
    assert by_flask.status_code == 200 and len(flask_requests) == 1
    lane = lane_app.extensions["scanlane"]
    by_lane = _scan(client, code, 2)
    assert by_lane.status_code == 200
    assert len(flask_requests) == 1 and lane.answered == 1  # Flask never saw it
    flask_html, lane_html = by_flask.get_data(as_text=True), by_lane.get_data(as_text=True)
    assert "<dd>1</dd>" in flask_html and "<dd>2</dd>" in lane_html
    assert lane_html == flask_html.replace("<dd>1</dd>", "<dd>2</dd>", 1)
    assert (_without(by_lane.headers, "content-length")
            == _without(by_flask.headers, "content-length"))
    assert by_lane.headers["Cache-Control"] == "private, no-store"
    assert "Content-Security-Policy" in by_lane.headers and "Set-Cookie" not in by_lane.headers
    assert _counts(lane_app, code) == (2, 2, 2, 2)


def test_scans_the_lane_answers_are_each_counted_once(lane_app, flask_requests):
    code, _ = _stamp(lane_app)
    client = lane_app.test_client(use_cookies=False)
    for network in (1, 2, 2, 3):  # a network scanning twice is one network
        assert _scan(client, code, network).status_code == 200
    assert len(flask_requests) == 1
    assert _counts(lane_app, code) == (4, 3, 4, 3)


def test_a_suspicious_scan_is_shown_by_the_view_and_still_counted_once(lane_app, flask_requests):
    code, _ = _stamp(lane_app)
    client = lane_app.test_client(use_cookies=False)
    for network in (1, 2, 3):
        assert _scan(client, code, network).status_code == 200
    answer = _scan(client, code, 4)  # a fourth network: above SUSPICIOUS_SCAN_CLIENTS = 3
    assert len(flask_requests) == 2  # the lane recorded it, the view rendered the warning
    html = answer.get_data(as_text=True)
    assert "<dd>4</dd>" in html
    with lane_app.app_context():
        verdicts = db.session.scalars(select(Scan.verdict).order_by(Scan.id)).all()
    assert verdicts == ["genuine", "genuine", "genuine", "suspicious"]
    assert _counts(lane_app, code) == (4, 4, 4, 4)


def test_a_revocation_shows_on_the_very_next_scan(lane_app, flask_requests):
    code, certificate_id = _stamp(lane_app)
    client = lane_app.test_client(use_cookies=False)
    _scan(client, code, 1)
    _scan(client, code, 2)
    assert len(flask_requests) == 1
    with lane_app.app_context():
        from catalog.models import Certificate

        revoke_certificate(db.session, db.session.get(Certificate, certificate_id),
                           reason="Vi phạm an toàn thực phẩm")
        db.session.commit()
    html = _scan(client, code, 3).get_data(as_text=True)
    assert "giấy chứng nhận đã bị thu hồi" in html
    assert len(flask_requests) == 2  # a new catalogue version: no shell yet, the view rendered it
    assert _counts(lane_app, code)[0] == 3


def test_a_compressing_client_gets_what_flask_compress_gave(lane_app, flask_requests):
    code, _ = _stamp(lane_app)
    client = lane_app.test_client(use_cookies=False)
    first = _scan(client, code, 1, **{"Accept-Encoding": "gzip"})
    second = _scan(client, code, 2, **{"Accept-Encoding": "gzip"})
    assert len(flask_requests) == 1
    assert first.headers["Content-Encoding"] == second.headers["Content-Encoding"] == "gzip"
    assert int(second.headers["Content-Length"]) == len(second.get_data())
    page = gzip.decompress(second.get_data()).decode()
    assert page == gzip.decompress(first.get_data()).decode().replace("<dd>1</dd>", "<dd>2</dd>", 1)
    plain = _scan(client, code, 3)  # another kind of request: Flask first, then the lane
    assert "Content-Encoding" not in plain.headers and len(flask_requests) == 2


@pytest.mark.parametrize("variant", ["cookie", "query", "lowercase", "authorization", "head"])
def test_anything_else_goes_through_flask(lane_app, flask_requests, variant):
    code, _ = _stamp(lane_app)
    client = lane_app.test_client(use_cookies=False)
    _scan(client, code, 1)
    before = len(flask_requests)
    environ = {"REMOTE_ADDR": "198.51.2.7"}
    if variant == "cookie":
        answer = client.get(f"/t/{code}", headers={"Cookie": "session=x"}, environ_base=environ)
    elif variant == "query":
        answer = client.get(f"/t/{code}?lang=en", environ_base=environ)
    elif variant == "lowercase":
        answer = client.get(f"/t/{code.lower()}", environ_base=environ)
    elif variant == "authorization":
        answer = client.get(f"/t/{code}", headers={"Authorization": "Bearer x"},
                            environ_base=environ)
    else:
        answer = client.head(f"/t/{code}", environ_base=environ)
    assert answer.status_code == 200
    assert len(flask_requests) == before + 1
    assert _counts(lane_app, code)[0] == 2  # counted once, by the view


def test_an_unknown_code_is_the_views_404_and_records_nothing(lane_app, flask_requests):
    code, _ = _stamp(lane_app)
    client = lane_app.test_client(use_cookies=False)
    _scan(client, code, 1)
    answer = client.get("/t/ZZZZZZZZZZZZZ", environ_base={"REMOTE_ADDR": "198.51.2.7"})
    assert answer.status_code == 404 and len(flask_requests) == 2
    with lane_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Scan)) == 1


def test_a_database_error_in_the_lane_leaves_the_scan_to_the_view(lane_app, flask_requests,
                                                                monkeypatch):
    code, _ = _stamp(lane_app)
    client = lane_app.test_client(use_cookies=False)
    _scan(client, code, 1)

    def locked(*_args, **_kwargs):
        raise OperationalError("UPDATE stamps", {}, Exception("database is locked"))

    monkeypatch.setattr("traceability.scanlane.trace", locked)
    answer = _scan(client, code, 2)
    assert answer.status_code == 200 and "<dd>2</dd>" in answer.get_data(as_text=True)
    assert len(flask_requests) == 2
    assert _counts(lane_app, code) == (2, 2, 2, 2)


def test_no_lane_without_the_page_cache(tmp_path):
    application = _app(tmp_path, PAGE_CACHE_SECONDS=0)
    try:
        code, _ = _stamp(application)
        client = application.test_client(use_cookies=False)
        for network in (1, 2):
            assert _scan(client, code, network).status_code == 200
        assert application.extensions["scanlane"].answered == 0
        assert _counts(application, code)[0] == 2
    finally:
        with application.app_context():
            db.engine.dispose()
