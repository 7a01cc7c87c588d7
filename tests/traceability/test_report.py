"""The "report a problem" form: no account, no JavaScript, stored, CSRF-protected and
rate-limited per client."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db, limiter
from tests import conftest
from tests.traceability.conftest import scan
from traceability.models import Report


def test_hoa_reports_a_suspected_fake_from_the_trace_page(client, stamp):
    scan(client, stamp.code)
    response = client.post("/trace/report", data={
        "code": stamp.code, "message": "Chai này nhãn mờ, nắp không có màng seal.",
        "contact": "0901 234 567"}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/trace/report/thanks?code={stamp.code}")
    report = db.session.scalar(select(Report))
    assert report.stamp_id == stamp.id and report.code == stamp.code
    assert report.message.startswith("Chai này nhãn mờ") and report.contact == "0901 234 567"
    assert len(report.client_hash) == 32 and "203.0.113.7" not in report.client_hash
    thanks = client.get(response.headers["Location"])
    assert thanks.status_code == 200
    assert "Cảm ơn bạn đã báo cáo" in thanks.get_data(as_text=True)
    assert f'href="/t/{stamp.code}"' in thanks.get_data(as_text=True)


def test_an_unknown_code_can_be_reported_too(client, db_session):
    page = client.get("/t/FAKE-CODE-123").get_data(as_text=True)
    assert 'name="code" value="FAKE-CODE-123"' in page
    response = client.post("/trace/report", data={"code": "FAKE-CODE-123",
                                                  "message": "Tem này quét ra trang lạ"})
    assert response.status_code == 303
    report = db.session.scalar(select(Report))
    assert report.code == "FAKE-CODE-123" and report.stamp_id is None and report.contact is None


def test_an_empty_report_is_refused_with_the_form_again(client, db_session):
    response = client.post("/trace/report", data={"code": "X", "message": "  "})
    assert response.status_code == 422
    assert 'name="message"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Report)) is None


def test_the_form_needs_its_csrf_token(client, app, stamp):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post("/trace/report", data={"code": stamp.code, "message": "Nghi giả"})
        assert refused.status_code == 400
        html = client.get(f"/trace/report?code={stamp.code}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        accepted = client.post("/trace/report", data={"csrf_token": token, "code": stamp.code,
                                                      "message": "Nghi giả"})
        assert accepted.status_code == 303
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def limited_app(workdir, db_session):
    """A second app with rate limits on (the shared test app runs without them); the limiter
    extension is global, so it is switched off again afterwards."""
    config = conftest.test_config(workdir) | {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
    application = create_app(config)
    yield application
    limiter.reset()
    limiter.enabled = False


def test_reports_are_rate_limited_per_client(limited_app):
    client = limited_app.test_client()
    with limited_app.app_context():
        post = lambda ua: client.post("/trace/report", data={"code": "X", "message": "Nghi giả"},  # noqa: E731
                                      headers={"User-Agent": ua})
        assert [post("phone A").status_code for _ in range(5)] == [303] * 5
        assert post("phone A").status_code == 429
        assert post("phone B").status_code == 303  # another client has its own allowance
