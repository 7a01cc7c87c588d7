"""Supervision: consumers' counterfeit reports (new → in_progress → closed, notes, officer),
the suspicious-stamp board (distinct clients, provinces, dates), void stamps still scanned,
voiding a stamp or lot from there, and the mail to the producer when a stamp is flagged."""

from __future__ import annotations

from sqlalchemy import select, update

from app.extensions import db
from tests.backoffice.office.conftest import read_outbox, sign_in
from tests.factories import make_lot, make_producer, make_product, make_stamps, make_token, make_user
from tests.traceability.conftest import scan
from traceability.models import Report, Scan


def _stamp(**producer):
    product = make_product(make_producer(**producer), name="Nước mắm Phú Quốc")
    return make_stamps(make_lot(product, lot_number="L2026-11"), 1)[0]


def _report(client, code: str, message: str = "Nhãn mờ, nắp không có màng seal.") -> Report:
    response = client.post("/trace/report", data={"code": code, "message": message,
                                                  "contact": "0901 234 567"})
    assert response.status_code == 303
    return db.session.scalars(select(Report).order_by(Report.id.desc())).first()


def _clone_scans(client, code: str, n: int = 11):
    for i in range(n):
        scan(client, code, ua=f"Phone {i}", addr=f"198.{18 + i % 2}.{i}.10")


def test_a_report_moves_new_in_progress_closed_with_notes_and_officer(client, officer, admin_headers):
    stamp = _stamp()
    report = _report(client, stamp.code)
    listed = client.get("/api/v1/admin/trace-reports", headers=admin_headers).get_json()
    assert [i["id"] for i in listed["items"]] == [report.id]
    assert listed["items"][0]["status"] == "new" and listed["items"][0]["stamp"]["code"] == stamp.code
    url = f"/api/v1/admin/trace-reports/{report.id}"
    body = client.patch(url, headers=admin_headers,
                        json={"status": "in_progress", "note": "Đã gọi cho người báo"}).get_json()
    assert body["status"] == "in_progress" and body["officer"] == officer.email
    assert body["notes"][0]["body"] == "Đã gọi cho người báo"
    body = client.patch(url, headers=admin_headers, json={"note": "Chờ mẫu kiểm nghiệm"}).get_json()
    assert body["status"] == "in_progress" and len(body["notes"]) == 2
    body = client.patch(url, headers=admin_headers, json={"status": "closed", "note": "Hàng thật"}).get_json()
    assert body["status"] == "closed" and body["handled_at"]
    again = client.patch(url, headers=admin_headers, json={"status": "in_progress"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_transition"
    assert client.patch(url, headers=admin_headers, json={}).status_code == 422
    assert client.patch(url, headers=admin_headers, json={"status": "new"}).status_code == 422
    assert client.patch("/api/v1/admin/trace-reports/99999", headers=admin_headers,
                        json={"note": "x"}).status_code == 404
    assert client.get("/api/v1/admin/trace-reports", headers=admin_headers).get_json()["total"] == 0
    closed = client.get("/api/v1/admin/trace-reports?status=closed", headers=admin_headers).get_json()
    assert closed["total"] == 1


def test_the_inbox_screen_and_handling_a_report_by_voiding_its_stamp(client, officer):
    stamp = _stamp()
    report = _report(client, stamp.code, "Tem này dán trên chai khác hẳn")
    unknown = _report(client, "ZZZZ-0000", "Mã lạ")
    sign_in(client, officer)
    inbox = client.get("/admin/trace-reports").get_data(as_text=True)
    assert "Tem này dán trên chai khác hẳn" in inbox and "mã lạ" in inbox and "Mới (2)" in inbox
    page = client.get(f"/admin/trace-reports/{report.id}").get_data(as_text=True)
    assert "Huỷ tem này" in page and "Nước mắm Phú Quốc" in page
    assert client.get(f"/admin/trace-reports/{unknown.id}").status_code == 200
    response = client.post(f"/admin/stamps/{stamp.code}/void", data={
        "reason": "Tem bị sao chép", "next": f"/admin/trace-reports/{report.id}"})
    assert response.headers["Location"].endswith(f"/admin/trace-reports/{report.id}")
    trace = client.get(f"/t/{stamp.code}").get_data(as_text=True)
    assert "Tem này đã bị hủy" in trace and "Tem bị sao chép" in trace
    assert client.get(f"/api/v1/trace/{stamp.code}").get_json()["verdict"] == "void"
    response = client.post(f"/admin/trace-reports/{report.id}",
                           data={"status": "closed", "note": "Đã huỷ tem"})
    assert response.status_code == 302
    db.session.refresh(report)
    assert report.status == "closed" and report.officer_id == officer.id
    assert client.post("/admin/stamps/NOPE/void", data={"reason": "x"}).status_code == 302


def test_the_suspicious_board_shows_clients_provinces_and_dates(client, officer, admin_headers, outbox):
    stamp = _stamp(email="htx@example.com")
    quiet = _stamp()
    _clone_scans(client, stamp.code)
    scan(client, quiet.code)
    db.session.execute(update(Scan).where(Scan.stamp_id == stamp.id, Scan.id % 2 == 0)
                       .values(province_code=91))
    db.session.execute(update(Scan).where(Scan.stamp_id == stamp.id, Scan.id % 2 == 1)
                       .values(province_code=92))
    body = client.get("/api/v1/admin/stamps/suspicious", headers=admin_headers).get_json()
    [item] = body["items"]
    assert item["code"] == stamp.code and item["distinct_clients"] == 11 and item["scans"] == 11
    assert item["provinces"] == [91, 92] and len(item["dates"]) == 1 and item["flagged"] is False
    why = item["why"]
    assert (why["networks"], why["threshold"], why["days"], why["provinces"]) == (11, 10, 1, 2)
    assert why["first_scan_at"] and why["last_scan_at"] and why["first_scan_at"] <= why["last_scan_at"]
    sign_in(client, officer)
    board = client.get("/admin/stamps").get_data(as_text=True)
    assert stamp.code in board and quiet.code not in board and "An Giang" in board
    assert "Mạng khác nhau (/24, /48)" in board and "Quét lần đầu · lần cuối" in board
    client.post(f"/admin/stamps/{stamp.code}/flag", data={"note": "Quét ở 2 tỉnh trong 1 ngày"})
    [mail] = read_outbox(outbox)
    assert mail["To"] == "htx@example.com" and stamp.code in mail["Subject"]
    assert "Quét ở 2 tỉnh trong 1 ngày" in mail.get_content()
    client.post(f"/admin/stamps/{stamp.code}/flag", data={"note": "again"})
    assert len(read_outbox(outbox)) == 1  # flagged once
    assert "Đã báo chủ thể" in client.get("/admin/stamps").get_data(as_text=True)
    client.post(f"/admin/lots/{stamp.lot_id}/void", data={"reason": "Thu hồi cả lô"})
    assert client.get(f"/api/v1/trace/{stamp.code}").get_json()["verdict"] == "void"
    body = client.get("/api/v1/admin/stamps/suspicious", headers=admin_headers).get_json()
    assert body["items"] == []
    [still] = body["void_still_scanned"]
    assert still["code"] == stamp.code and still["scans_after_void"] == 1


def test_only_the_office_supervises(client):
    producer = make_producer()
    token = make_token(make_user("producer", producer=producer))
    for url in ("/api/v1/admin/trace-reports", "/api/v1/admin/stamps/suspicious"):
        assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 403
    assert client.get("/api/v1/admin/trace-reports").status_code == 401


def test_a_daily_command_flags_new_suspicious_stamps_and_mails_their_producers(app, client, outbox):
    stamp = _stamp(email="htx@example.com")
    _clone_scans(client, stamp.code)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stamps", "notify-suspicious"])
    assert result.exit_code == 0, result.output
    assert "flagged 1 stamps, mailed 1 producers" in result.output
    assert len(read_outbox(outbox)) == 1
    again = runner.invoke(args=["stamps", "notify-suspicious"])
    assert "flagged 0 stamps" in again.output and len(read_outbox(outbox)) == 1


def test_the_office_dashboard_counts_open_reports_and_suspicious_stamps(client, officer):
    stamp = _stamp()
    _report(client, stamp.code)
    _clone_scans(client, stamp.code)
    sign_in(client, officer)
    html = client.get("/admin/").get_data(as_text=True)
    assert "1 báo cáo hàng giả chưa xử lý xong" in html and "1 tem đáng ngờ" in html
