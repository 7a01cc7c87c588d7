"""The trace page /t/<code> and GET /api/v1/trace/<code> (DOMAIN §6, CONTRACT §3–§4):
the verdict first (genuine / suspicious / void / unknown), the honest certificate status,
and a scan recorded on every request."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.clock import today
from app.extensions import db
from catalog.models import ProductPhoto
from tests.conftest import ON_POSTGRES
from tests.factories import make_certificate, make_lot, make_product, make_stamps
from tests.traceability.conftest import driver_statements, scan
from traceability import services
from traceability.models import Scan, Stamp, StampClient

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"


def verdict_heading(html: str) -> str:
    match = re.search(r'<section class="verdict v-(\w+)" role="status">.*?<h1>(.*?)</h1>', html, re.S)
    assert match, "no verdict block"
    return f"{match.group(1)}: {match.group(2)}"


# --- verdicts -------------------------------------------------------------------------------

def test_a_fresh_stamp_is_genuine_and_says_so_first(client, stamp):
    response = scan(client, stamp.code)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert verdict_heading(html) == "genuine: Chính hãng — sản phẩm OCOP 4★"
    # the verdict comes before anything else of the record
    assert html.index("Chính hãng") < html.index('class="card prod"') < html.index("Số lô")
    assert "Còn hiệu lực" in html and 'class="banner"' not in html


def test_api_gives_the_contract_shape(client, stamp):
    product = stamp.lot.product
    body = scan(client, stamp.code, api=True).get_json()
    assert set(body) >= {"code", "verdict", "product", "producer", "lot", "certificate", "scans",
                         "url"}
    assert body["code"] == stamp.code and body["verdict"] == "genuine"
    assert body["url"] == f"http://ocop.test/t/{stamp.code}"
    assert body["product"]["slug"] == product.slug and body["product"]["stars"] == 4
    assert body["producer"]["province"] == "Thành phố Cần Thơ" and body["producer"]["kind"] == "cooperative"
    assert body["lot"]["number"] == "L2026-11"
    assert body["lot"]["produced_on"] == (today() - timedelta(days=30)).isoformat()
    assert body["lot"]["produced_while_certified"] is True
    cert = body["certificate"]
    assert cert["status"] == "valid" and cert["stars"] == 4 and cert["covers_lot"] is True
    assert {"number", "issuer", "level", "issued_on", "valid_until"} <= set(cert)
    assert body["scans"]["count"] == 1 and body["scans"]["first_at"]
    assert "digital_link" not in body  # no GTIN


def test_lowercase_and_hyphenated_codes_reach_the_same_stamp(client, stamp):
    typed = f"{stamp.code[:4]}-{stamp.code[4:8]}-{stamp.code[8:]}".lower()
    assert scan(client, typed, api=True).get_json()["code"] == stamp.code


def test_suspicious_only_after_more_distinct_networks_than_the_threshold(client, app, stamp):
    threshold = app.config["SUSPICIOUS_SCAN_CLIENTS"]
    assert threshold == 10
    for i in range(threshold):
        body = scan(client, stamp.code, addr=f"198.51.{i}.7", api=True).get_json()
        assert body["verdict"] == "genuine", i
    # the same networks again change nothing: networks are counted once
    for i in range(threshold):
        assert scan(client, stamp.code, addr=f"198.51.{i}.8", api=True).get_json()["verdict"] == "genuine"
    response = scan(client, stamp.code, addr="198.51.11.7")
    assert verdict_heading(response.get_data(as_text=True)) == (
        "suspicious: Cảnh báo: mã này đã được quét ở nhiều nơi")
    body = scan(client, stamp.code, addr="198.51.0.7", api=True).get_json()
    assert body["verdict"] == "suspicious" and body["scans"]["count"] == 2 * threshold + 2
    db.session.refresh(stamp)
    assert stamp.distinct_clients == threshold + 1
    assert db.session.scalar(select(func.count()).select_from(StampClient)
                             .where(StampClient.stamp_id == stamp.id)) == threshold + 1


def test_eleven_user_agents_from_one_address_do_not_make_a_stamp_suspicious(client, stamp):
    """One person (or one shop's wifi) with eleven browsers is one network, not eleven."""
    for i in range(11):
        scan(client, stamp.code, addr="203.0.113.7", ua=f"Browser {i}")
    for i in range(11):  # nor does hopping addresses inside the same /24
        scan(client, stamp.code, addr=f"203.0.113.{100 + i}", ua="Same phone")
    body = scan(client, stamp.code, addr="203.0.113.7", api=True).get_json()
    assert body["verdict"] == "genuine"
    db.session.refresh(stamp)
    assert stamp.scan_count == 23 and stamp.distinct_clients == 1


def test_eleven_slash_24_networks_make_a_stamp_suspicious(client, stamp):
    for i in range(11):
        scan(client, stamp.code, addr=f"198.51.{i}.20", ua="Same phone model")
    assert scan(client, stamp.code, addr="198.51.0.20", ua="Same phone model",
                api=True).get_json()["verdict"] == "suspicious"


def test_ipv6_scans_are_counted_by_slash_48(client, stamp):
    for i in range(11):  # eleven /64s of one /48: one network
        scan(client, stamp.code, addr=f"2001:db8:1:{i:x}::1")
    assert scan(client, stamp.code, addr="2001:db8:1::2", api=True).get_json()["verdict"] == "genuine"
    for i in range(2, 12):  # ten more /48s
        scan(client, stamp.code, addr=f"2001:db8:{i:x}::1")
    assert scan(client, stamp.code, addr="2001:db8:1::2", api=True).get_json()["verdict"] == "suspicious"


def test_the_network_is_hashed_never_stored():
    from traceability.trace import network_hash, network_of

    assert network_of("203.0.113.77") == "203.0.113.0/24"
    assert network_of("::ffff:203.0.113.77") == "203.0.113.0/24"
    assert network_of("2001:db8:abcd:12::1") == "2001:db8:abcd::/48"
    assert network_of("not an address") == "?not an address"
    same = network_hash("salt", "203.0.113.1")
    assert same == network_hash("salt", "203.0.113.254") != network_hash("salt", "203.0.114.1")
    assert same != network_hash("other salt", "203.0.113.1") and "203.0.113" not in same


def test_a_voided_stamp_reads_void_with_its_reason(client, stamp):
    services.void_stamp(db.session, stamp, reason="Tem in lỗi")
    html = scan(client, stamp.code).get_data(as_text=True)
    assert verdict_heading(html) == "void: Mã không hợp lệ / đã bị thu hồi"
    assert "Tem in lỗi" in html
    body = scan(client, stamp.code, api=True).get_json()
    assert body["verdict"] == "void" and body["void_reason"] == "Tem in lỗi"


def test_a_voided_lot_voids_all_its_stamps(client):
    lot = make_lot(make_product(), lot_number="L2026-12")
    stamps = make_stamps(lot, 5)
    other = make_stamps(make_lot(lot.product), 1)[0]
    services.void_lot(db.session, lot, reason="Thu hồi: nhiễm khuẩn")
    for s in stamps:
        body = scan(client, s.code, api=True).get_json()
        assert body["verdict"] == "void" and body["void_reason"] == "Thu hồi: nhiễm khuẩn"
        assert body["lot"]["void"] is True
    html = scan(client, stamps[0].code).get_data(as_text=True)
    assert "Lô L2026-12 đã bị thu hồi" in html and "Thu hồi: nhiễm khuẩn" in html
    assert scan(client, other.code, api=True).get_json()["verdict"] == "genuine"


def test_void_wins_over_suspicious(client, stamp):
    for i in range(12):
        scan(client, stamp.code, addr=f"198.51.{i}.7")
    services.void_stamp(db.session, stamp, reason="Bị đánh cắp")
    assert scan(client, stamp.code, api=True).get_json()["verdict"] == "void"


def test_a_revoked_certificate_shows_as_revoked_on_a_genuine_stamp(client):
    product = make_product(certified=False, name="Trà shan tuyết")
    revoked_on = today() - timedelta(days=3)
    make_certificate(product, stars=4, issued_on=today() - timedelta(days=400),
                     revoked_on=revoked_on, revoke_reason="Không đạt kiểm tra an toàn thực phẩm")
    stamp = make_stamps(make_lot(product, produced_on=today() - timedelta(days=60)), 1)[0]
    html = scan(client, stamp.code).get_data(as_text=True)
    # the stamp is ours (genuine), but the product is honestly shown as no longer certified
    assert verdict_heading(html).startswith("genuine: Chính hãng")
    assert "OCOP 4★" not in verdict_heading(html)
    day = revoked_on.strftime("%d/%m/%Y")
    assert ('class="banner" role="alert">Sản phẩm này không còn được chứng nhận OCOP: giấy chứng '
            f"nhận đã bị thu hồi ngày {day}.") in html
    assert f"Đã bị thu hồi ngày {day}" in html and "Không đạt kiểm tra an toàn thực phẩm" in html
    assert "Lô này được sản xuất khi sản phẩm có giấy chứng nhận OCOP còn hiệu lực." in html
    body = scan(client, stamp.code, api=True).get_json()
    assert body["verdict"] == "genuine"
    assert body["certificate"]["status"] == "revoked"
    assert body["certificate"]["revoked_on"] == revoked_on.isoformat()
    assert body["product"]["certified"] is False and body["product"]["stars"] is None


def test_an_expired_certificate_is_shown_as_expired(client):
    product = make_product(certified=False)
    ended = today() - timedelta(days=10)
    make_certificate(product, stars=3, issued_on=ended - timedelta(days=900), valid_until=ended)
    stamp = make_stamps(make_lot(product, produced_on=ended + timedelta(days=2)), 1)[0]
    body = scan(client, stamp.code, api=True).get_json()
    assert body["verdict"] == "genuine" and body["certificate"]["status"] == "expired"
    # produced two days after the certificate ended: not produced while certified
    assert body["lot"]["produced_while_certified"] is False
    assert body["certificate"]["covers_lot"] is False
    html = scan(client, stamp.code).get_data(as_text=True)
    assert "giấy chứng nhận đã hết hạn ngày " + ended.strftime("%d/%m/%Y") in html
    assert "Lô này được sản xuất khi sản phẩm không có giấy chứng nhận OCOP còn hiệu lực." in html


def test_the_current_certificate_is_shown_and_the_lot_checked_against_its_own_date(client):
    product = make_product(certified=False)
    old = make_certificate(product, stars=3, issued_on=date_ago(1200), valid_until=date_ago(100))
    new = make_certificate(product, stars=5, issued_on=date_ago(50))
    lot = make_lot(product, produced_on=date_ago(500))
    body = scan(client, make_stamps(lot, 1)[0].code, api=True).get_json()
    assert body["certificate"]["number"] == new.decision_number
    assert body["certificate"]["covers_lot"] is False  # the lot was made under the old one
    assert body["lot"]["produced_while_certified"] is True
    assert body["product"]["stars"] == 5
    assert old.decision_number != new.decision_number


def date_ago(days: int):
    return today() - timedelta(days=days)


def test_unknown_codes_get_the_friendly_page_and_json_unknown_code(client, db_session):
    code = "0000000000000"
    response = client.get(f"/t/{code}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "đây không phải tem của OCOP Market" in html
    assert 'action="/trace/report"' in html and 'name="message"' in html
    response = client.get(f"/api/v1/trace/{code}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_code"
    assert db_session.scalar(select(func.count()).select_from(Scan)) == 0


def test_the_page_is_in_english_on_request(client, stamp):
    html = scan(client, stamp.code, lang="en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Phu Quoc fish sauce" in html
    assert verdict_heading(html) == "genuine: Genuine — OCOP 4★ product"
    assert "Report a suspected fake" in html


# --- scans ------------------------------------------------------------------------------------

def test_every_request_records_a_scan_with_a_salted_client_hash_never_the_address(
        client, stamp, freeze):
    moment = freeze(datetime(2026, 11, 23, 2, 30, tzinfo=UTC))
    scan(client, stamp.code, addr="203.0.113.99", ua="Hoa's phone")
    scan(client, stamp.code, addr="203.0.113.99", ua="Hoa's phone", api=True)
    rows = db.session.execute(select(Scan).where(Scan.stamp_id == stamp.id)).scalars().all()
    assert len(rows) == 2 and {r.verdict for r in rows} == {"genuine"}
    assert rows[0].client_hash == rows[1].client_hash and len(rows[0].client_hash) == 32
    assert "203.0.113.99" not in rows[0].client_hash
    assert rows[0].scanned_at.replace(tzinfo=UTC) == moment
    db.session.refresh(stamp)
    assert stamp.scan_count == 2 and stamp.distinct_clients == 1
    assert stamp.first_scan_at.replace(tzinfo=UTC) == moment
    raw = db.session.connection().exec_driver_sql("SELECT * FROM scans").fetchall()
    assert all("203.0.113.99" not in str(row) for row in raw)


def test_the_stored_verdict_is_the_verdict_shown(client, app, stamp):
    """The scan row's verdict (computed in SQL on PostgreSQL) agrees with verdict_for()."""
    shown = [scan(client, stamp.code, addr=f"198.51.{i}.7", api=True).get_json()["verdict"]
             for i in range(app.config["SUSPICIOUS_SCAN_CLIENTS"] + 2)]
    services.void_stamp(db.session, stamp, reason="Bị đánh cắp")
    shown.append(scan(client, stamp.code, api=True).get_json()["verdict"])
    stored = list(db.session.scalars(select(Scan.verdict).where(Scan.stamp_id == stamp.id)
                                     .order_by(Scan.id)))
    assert stored == shown
    assert shown[0] == "genuine" and shown[-2] == "suspicious" and shown[-1] == "void"


def test_first_scan_time_stays_the_first(client, stamp, freeze):
    first = freeze(datetime(2026, 11, 23, 2, 30, tzinfo=UTC))
    scan(client, stamp.code)
    freeze(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    body = scan(client, stamp.code, api=True).get_json()
    assert datetime.fromisoformat(body["scans"]["first_at"]) == first
    assert body["scans"]["count"] == 2


def test_recording_a_scan_is_a_handful_of_statements(client, stamp):
    make_certificate(stamp.lot.product, stars=5, issued_on=date_ago(10))
    db.session.add(ProductPhoto(product=stamp.lot.product, path="img/x.jpg", alt="x"))
    db.session.flush()
    code = stamp.code
    scan(client, code)  # warm-up (first compile, the lot's record read once)
    # SQLite: insert-or-ignore the network, update the counters (returning the void state and
    # the catalogue version), insert the scan — sent to pysqlite directly, so counted as
    # SQLite itself sees them; PostgreSQL: the same as one statement (data-modifying CTEs),
    # one round trip. The lot's record comes from the cache.
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")
    with driver_statements(db.session.connection().connection.dbapi_connection) as seen:
        scan(client, code, addr="198.51.100.9")
    statements = [s for s, _ in seen if not s.strip().upper().startswith(control)]
    assert len(statements) == (1 if ON_POSTGRES else 3), statements
    assert "INSERT INTO scans" in statements[-1]
    assert db.session.scalar(select(Stamp.scan_count).where(Stamp.id == stamp.id)) == 2


def test_a_catalogue_change_is_on_the_next_scan_of_a_cached_lot(client, stamp, count_queries):
    """The lot's record is cached under the catalogue's version: a revocation (or any product,
    producer, photo or certificate change) shows on the very next scan, on the page and in
    the API; a void is read live with the counters."""
    scan(client, stamp.code)
    assert scan(client, stamp.code, api=True).get_json()["certificate"]["status"] == "valid"
    certificate = stamp.lot.product.certificates[0]
    certificate.revoked_on, certificate.revoke_reason = today(), "Vi phạm an toàn thực phẩm"
    stamp.lot.product.producer.craft_village = "Làng nghề mới"
    db.session.flush()
    with count_queries() as counter:
        body = scan(client, stamp.code, api=True).get_json()
    assert body["certificate"]["status"] == "revoked" and body["product"]["certified"] is False
    assert body["producer"]["craft_village"] == "Làng nghề mới"
    assert len([s for s in counter.statements if "FROM lots JOIN products" in s]) == 1  # read again, once
    html = scan(client, stamp.code).get_data(as_text=True)
    assert "giấy chứng nhận đã bị thu hồi" in html and "Làng nghề mới" in html
    services.void_lot(db.session, stamp.lot, reason="Thu hồi lô")
    assert scan(client, stamp.code, api=True).get_json()["verdict"] == "void"
    assert verdict_heading(scan(client, stamp.code).get_data(as_text=True)).startswith("void:")


# --- the page itself --------------------------------------------------------------------------

def _stylesheets_bytes(html: str) -> int:
    total = 0
    for href in re.findall(r'<link rel="stylesheet" href="/static/([^"?]+)(?:\?v=\d+)?"', html):
        total += (STATIC / href).stat().st_size
    return total


def test_the_page_weighs_under_25_kb_before_the_photo_and_needs_no_javascript(client, stamp):
    product = stamp.lot.product
    db.session.add(ProductPhoto(product=product, path="img/nuoc-mam.jpg", alt="Chai nước mắm",
                                width=480, height=640))
    product.producer.craft_village = "Làng nghề nước mắm Phú Quốc"
    db.session.flush()
    html = scan(client, stamp.code).get_data(as_text=True)
    weight = len(html.encode()) + _stylesheets_bytes(html)
    assert weight <= 25 * 1024, weight
    assert "<script" not in html
    img = re.search(r"<img [^>]+>", html).group(0)
    assert 'loading="lazy"' in img and 'width="96"' in img and 'height="128"' in img
    assert 'alt="Chai nước mắm"' in img
    assert "Làng nghề nước mắm Phú Quốc" in html and "Phường Ninh Kiều" in html


def test_the_trace_page_links_to_the_report_form_of_its_stamp(client, stamp):
    html = scan(client, stamp.code).get_data(as_text=True)
    assert "<form" not in html and "csrf_token" not in html  # no form, no session on a scan
    link = re.search(r'<a class="button" href="([^"]*)">Báo hàng giả</a>', html).group(1)
    assert link == f"/trace/report?code={stamp.code}"
    form = client.get(link)
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert 'method="post" action="/trace/report"' in page
    assert f'name="code" value="{stamp.code}"' in page
    assert "Báo cáo sản phẩm nghi giả" in page and "Vui lòng kiểm tra lại" not in page
