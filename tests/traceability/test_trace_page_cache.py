"""The trace page of a genuine stamp, for a visitor without a cookie (every first scan), is
rendered once per lot, language, local date and catalogue version; each scan fills in its
own code, scan count and first scan. It holds no form (the report form is one link away),
so no session cookie or CSRF token is made per scan. Everything else stays exact: another
verdict, a revocation, a new day or another language is another page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests.conftest import ArrangedClient
from tests.factories import make_lot, make_product, make_stamps
from tests.traceability.conftest import scan
from traceability import codes, services
from traceability.models import Report
from traceability.shells import page_shells


@pytest.fixture
def visitor(app, db_session):
    """A new scanner on every request: no cookie is ever sent back (a phone's first scan;
    wrk in `make bench`)."""
    app.test_client_class = ArrangedClient
    return app.test_client(use_cookies=False)


@pytest.fixture
def lot_stamps(db_session):
    product = make_product(stars=4, name="Mật ong bạc hà", name_en="Mint honey")
    return make_stamps(make_lot(product, lot_number="L-MINT-1"), 3)


def _shown(html: str) -> dict:
    return {
        "code": re.search(r'href="/trace/report\?code=([^"]*)"', html).group(1),
        "pretty": re.search(r"<dt>Mã tem</dt><dd><code>([^<]*)</code>", html).group(1),
        "count": re.search(r"<dt>Số lượt quét</dt><dd>([^<]*)</dd>", html).group(1),
        "first": re.search(r"<dt>Quét lần đầu</dt><dd>([^<]*)</dd>", html).group(1),
        "canonical": re.search(r'<link rel="canonical" href="([^"]*)"', html).group(1),
    }


def test_each_stamp_of_a_lot_gets_its_own_code_and_counts(visitor, lot_stamps, freeze):
    page_shells.clear()
    freeze(datetime(2026, 11, 23, 2, 30, tzinfo=UTC))
    first, second, _third = lot_stamps
    scan(visitor, first.code)
    pages = [scan(visitor, first.code, addr="198.51.100.1"),
             scan(visitor, second.code, addr="198.51.100.2")]
    assert all(p.status_code == 200 for p in pages)
    shown = [_shown(p.get_data(as_text=True)) for p in pages]
    assert [s["code"] for s in shown] == [first.code, second.code]
    assert [s["pretty"] for s in shown] == [codes.pretty(first.code), codes.pretty(second.code)]
    assert [s["count"] for s in shown] == ["2", "1"]
    assert [s["first"] for s in shown] == ["23/11/2026 09:30", "23/11/2026 09:30"]
    assert shown[1]["canonical"].endswith(f"/t/{second.code}")
    for page in pages:
        html = page.get_data(as_text=True)
        assert "\x00" not in html and "__ocop_csrf_token__" not in html
        assert first.code not in html or second.code not in html  # never another stamp's code
        assert page.headers["Cache-Control"] == "private, no-store"
        assert "Set-Cookie" not in page.headers and "csrf_token" not in html
    assert len(page_shells._entries) == 1  # one page for the lot


def test_the_report_form_linked_from_the_cached_page_works_with_its_token(app, visitor,
                                                                        lot_stamps):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        scan(visitor, lot_stamps[0].code)  # the page is cached from here
        page = scan(visitor, lot_stamps[1].code)
        form = visitor.get(f"/trace/report?code={_shown(page.get_data(as_text=True))['code']}")
        html = form.get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]*)"', html).group(1)
        assert f'name="code" value="{lot_stamps[1].code}"' in html
        cookie = form.headers["Set-Cookie"].split(";", 1)[0]
        data = {"csrf_token": token, "code": lot_stamps[1].code, "message": "Nắp chai bị hở"}
        refused = visitor.post("/trace/report", data=data)  # the token is bound to its session
        assert refused.status_code == 400
        accepted = visitor.post("/trace/report", data=data, headers={"Cookie": cookie})
        assert accepted.status_code == 303
        assert db.session.scalar(select(func.count(Report.id))) == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_a_revocation_shows_on_the_next_scan_of_a_cached_page(visitor, lot_stamps):
    stamp = lot_stamps[0]
    html = scan(visitor, stamp.code).get_data(as_text=True)
    assert "Chính hãng — sản phẩm OCOP 4★" in html and "Còn hiệu lực" in html
    certificate = stamp.lot.product.certificates[0]
    certificate.revoked_on, certificate.revoke_reason = certificate.issued_on, "Vi phạm nhãn mác"
    db.session.flush()
    html = scan(visitor, lot_stamps[1].code).get_data(as_text=True)
    assert "Chính hãng — tem do OCOP Market phát hành" in html
    assert "giấy chứng nhận đã bị thu hồi" in html and "Còn hiệu lực" not in html


def test_suspicious_and_void_pages_are_rendered_for_their_stamp(app, visitor, lot_stamps):
    genuine, copied, stolen = lot_stamps
    scan(visitor, genuine.code)
    for i in range(app.config["SUSPICIOUS_SCAN_CLIENTS"] + 1):
        scan(visitor, copied.code, addr=f"198.51.{i}.9")
    html = scan(visitor, copied.code, addr="198.51.0.9").get_data(as_text=True)
    assert "quét từ 11 mạng Internet khác nhau" in html
    services.void_stamp(db.session, stolen, reason="Cuộn tem bị mất")
    html = scan(visitor, stolen.code).get_data(as_text=True)
    assert "Tem này đã bị hủy" in html and "Cuộn tem bị mất" in html
    html = scan(visitor, genuine.code).get_data(as_text=True)
    assert "Chính hãng" in html and _shown(html)["count"] == "2"


def test_english_and_returning_visitors_get_their_page(client, visitor, lot_stamps):
    stamp = lot_stamps[0]
    scan(visitor, stamp.code)
    english = visitor.get(f"/t/{stamp.code}", headers={"Accept-Language": "en"})
    assert "Genuine" in english.get_data(as_text=True)
    assert "Chính hãng" in scan(visitor, stamp.code).get_data(as_text=True)
    first = scan(client, stamp.code)  # this client keeps its session cookie
    again = scan(client, stamp.code).get_data(as_text=True)
    assert first.status_code == 200 and _shown(again)["count"] == "5"
