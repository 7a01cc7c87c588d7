"""The organizer's and the producer's fair screens, the calendar file and the QR poster:
forms that break a rule go back with the reason (never a 500), another organizer's fair is
404, every step leaves an e-mail in the outbox."""

from __future__ import annotations

import io
from datetime import timedelta
from xml.etree import ElementTree

from app.clock import today
from showrooms import fairs
from showrooms.fair_models import Booking, Fair
from tests.factories import make_producer, make_product, make_user, receive_stock
from tests.showrooms.fair_factories import make_fair, make_organizer


def login(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": "correct horse"})
    assert response.status_code == 302


def fair_form(**overrides) -> dict:
    start = today() + timedelta(days=15)
    values = {"name": "Hội chợ OCOP Quảng Ngãi", "kind": "fair", "starts_on": start.isoformat(),
              "ends_on": (start + timedelta(days=2)).isoformat(), "venue": "Quảng trường Phạm Văn Đồng",
              "province_code": "51", "opens_at": "08:00", "closes_at": "21:30", "status": "published",
              "bank_bin": "970436", "bank_account": "0011004455667"}
    values.update(overrides)
    return values


def test_organizer_creates_a_fair_on_the_screen_and_imports_booths(client, db_session):
    organizer = make_organizer()
    login(client, organizer)
    assert client.get("/organizer/fairs/new").status_code == 200
    bad = client.post("/organizer/fairs/new", data=fair_form(starts_on="31/12/2026"))
    assert bad.status_code == 422
    assert "Ngày bắt đầu: ngày không hợp lệ" in bad.get_data(as_text=True)
    reversed_dates = client.post("/organizer/fairs/new", data=fair_form(ends_on="2020-01-01"))
    assert reversed_dates.status_code == 422 and "ends_on" in reversed_dates.get_data(as_text=True)
    response = client.post("/organizer/fairs/new", data=fair_form())
    assert response.status_code == 302
    fair = db_session.query(Fair).filter_by(name="Hội chợ OCOP Quảng Ngãi").one()
    assert fair.closes_at.strftime("%H:%M") == "21:30" and fair.organizer_id == organizer.id
    manage = f"/organizer/fairs/{fair.slug}"
    broken = "code,x,y,w,h,price_vnd,zone\nA1,0,0,3,3,100,\nA2,1,1,3,3,100,\n"
    client.post(f"{manage}/booths/import", data={"file": (io.BytesIO(broken.encode()), "plan.csv")},
                content_type="multipart/form-data")
    page = client.get(manage).get_data(as_text=True)
    assert "Booths A1 and A2 overlap." in page
    assert fair.booths == []
    good = "code,x,y,w,h,price_vnd,zone\nA1,0,0,3,3,100,\nA2,3,0,3,3,100,\n"
    client.post(f"{manage}/booths/import", data={"file": (io.BytesIO(good.encode()), "plan.csv")},
                content_type="multipart/form-data")
    assert "Đã nhập 2 gian hàng." in client.get(manage).get_data(as_text=True)
    client.post(f"{manage}/booths", data={"code": "a3", "x": "6", "y": "0", "w": "3", "h": "3",
                                          "price_vnd": "0", "zone": ""})
    client.post(f"{manage}/booths", data={"code": "A4", "x": "abc", "y": "0", "w": "3", "h": "3",
                                          "price_vnd": "0"})
    db_session.expire_all()
    assert [b.code for b in fair.booths_in_order] == ["A1", "A2", "A3"]
    edited = client.post(f"{manage}/edit", data=fair_form(name="Hội chợ OCOP Quảng Ngãi 2026",
                                                          venue="Nhà văn hoá tỉnh"))
    assert edited.status_code == 302
    db_session.expire_all()
    assert fair.venue == "Nhà văn hoá tỉnh"
    assert "Hội chợ OCOP Quảng Ngãi 2026" in client.get("/organizer/fairs").get_data(as_text=True)


def test_another_organizers_fair_screens_are_404(client, db_session):
    fair = make_fair(make_organizer())
    booking = fairs.book_booth(db_session, fair, "B1", make_product().producer)
    login(client, make_organizer())
    manage = f"/organizer/fairs/{fair.slug}"
    assert client.get(manage).status_code == 404
    assert client.post(f"{manage}/bookings/{booking.id}/confirm").status_code == 404
    assert client.post(f"{manage}/booths", data={"code": "Z1"}).status_code == 404
    assert client.get("/organizer/fairs").get_data(as_text=True).count(fair.name) == 0
    assert db_session.get(Booking, booking.id).status == "pending"


def test_producer_books_on_the_map_sees_the_vietqr_and_cancels(client, db_session, outbox):
    organizer = make_organizer()
    fair = make_fair(organizer)
    producer = make_producer(name="HTX Nông nghiệp Bắc Hà", email="bacha@example.com")
    make_product(producer, name="Rượu ngô Bắc Hà")
    user = make_user("producer", producer=producer)
    login(client, user)
    page = client.get(f"/seller/fairs/{fair.slug}/book?booth=B2").get_data(as_text=True)
    assert 'aria-label="Gian B2, 3 × 3 m, Khu ẩm thực, còn trống"' in page
    assert "Đăng ký gian B2" in page and "1.500.000 ₫" in page
    response = client.post(f"/seller/fairs/{fair.slug}/book", data={"booth": "B2", "note": "Cần ổ điện"})
    assert response.status_code == 302 and response.location.endswith("/seller/bookings")
    booking = db_session.query(Booking).one()
    assert (booking.status, booking.note) == ("pending", "Cần ổ điện")
    bookings = client.get("/seller/bookings").get_data(as_text=True)
    assert "<svg" in bookings and booking.payment_reference in bookings
    # The same booth again: refused with the reason, nothing written.
    again = client.post(f"/seller/fairs/{fair.slug}/book", data={"booth": "B2"},
                        headers={"Referer": f"/seller/fairs/{fair.slug}/book?booth=B2"})
    assert again.status_code == 302
    assert "You already hold booth B2" in client.get(again.location).get_data(as_text=True)
    assert db_session.query(Booking).count() == 1
    client.post(f"/seller/bookings/{booking.id}/cancel", data={"reason": "Trùng lịch"})
    db_session.expire_all()
    assert booking.status == "cancelled" and booking.reason == "Trùng lịch"
    assert len(list(outbox.iterdir())) >= 3  # booked (producer + organizer), cancelled (organizer)


def test_organizer_queue_confirms_rejects_and_marks_fees(client, db_session):
    organizer = make_organizer()
    fair = make_fair(organizer)
    first = fairs.book_booth(db_session, fair, "B1", make_product().producer)
    second = fairs.book_booth(db_session, fair, "B2", make_product().producer)
    login(client, organizer)
    base = f"/organizer/fairs/{fair.slug}/bookings"
    client.post(f"{base}/{first.id}/confirm")
    client.post(f"{base}/{first.id}/paid")
    client.post(f"{base}/{second.id}/reject", data={"reason": ""})
    db_session.expire_all()
    assert second.status == "pending"  # a rejection needs a reason
    client.post(f"{base}/{second.id}/reject", data={"reason": "Sản phẩm không phù hợp khu vực"})
    db_session.expire_all()
    assert (first.status, first.fee_paid, second.status) == ("confirmed", True, "rejected")
    assert first.location is not None and first.location.kind == "booth"
    page = client.get(f"/organizer/fairs/{fair.slug}").get_data(as_text=True)
    assert "1.500.000 ₫" in page and "Sản phẩm không phù hợp khu vực" in page
    assert client.post(f"{base}/{first.id}/explode").status_code == 404


def test_calendar_file_and_qr_poster(client, db_session):
    fair = make_fair(name="Tuần lễ OCOP Ninh Bình", days=3)
    ics = client.get(f"/fairs/{fair.slug}.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    text = ics.get_data(as_text=True)
    assert "BEGIN:VEVENT" in text and "RRULE:FREQ=DAILY;COUNT=3" in text
    # 08:00 in Vietnam (UTC+7) is 01:00 UTC.
    assert f"DTSTART:{fair.starts_on:%Y%m%d}T010000Z" in text
    assert "SUMMARY:Tuần lễ OCOP Ninh Bình" in text and text.endswith("END:VCALENDAR\r\n")
    poster = client.get(f"/fairs/{fair.slug}/poster.svg")
    root = ElementTree.fromstring(poster.data)  # noqa: S314 - our own output
    assert root.get("aria-label") == "Tuần lễ OCOP Ninh Bình"
    assert f"http://ocop.test/fairs/{fair.slug}" in poster.get_data(as_text=True)


def test_producer_moves_stock_to_the_booth_on_the_screen(client, db_session):
    fair = make_fair()
    product = make_product(name="Rượu ngô Bắc Hà")
    receive_stock(product, 20)
    booking = fairs.book_booth(db_session, fair, "B1", product.producer)
    fairs.confirm_booking(db_session, fair, booking.id)
    login(client, make_user("producer", producer=product.producer))
    url = f"/seller/booths/{fair.slug}/B1"
    assert "kho: 20" in client.get(url).get_data(as_text=True)
    client.post(url, data={"product": product.slug, "quantity": "8", "direction": "to_booth"})
    client.post(url, data={"product": product.slug, "quantity": "99", "direction": "to_booth"})
    page = client.get(url).get_data(as_text=True)
    assert "Not enough stock" in page and "<td>8</td>" in page
    assert client.get(f"/seller/booths/{fair.slug}/B2").status_code == 404


def test_a_producer_without_listable_products_is_told_why_before_booking(client, db_session):
    from datetime import date

    from tests.factories import make_certificate

    fair = make_fair()
    producer = make_producer()
    product = make_product(producer, certified=False, name="Nước mắm cũ")
    make_certificate(product, issued_on=date(2025, 1, 1), revoked_on=today() - timedelta(days=2))
    login(client, make_user("producer", producer=producer))
    page = client.get(f"/seller/fairs/{fair.slug}/book?booth=B1").get_data(as_text=True)
    assert "Nước mắm cũ: giấy chứng nhận OCOP đã bị thu hồi" in page
    english = client.get(f"/seller/fairs/{fair.slug}/book?booth=B1&lang=en").get_data(as_text=True)
    assert "Nước mắm cũ: its OCOP certificate was revoked" in english
    assert 'disabled>Book booth B1' in english
    client.post(f"/seller/fairs/{fair.slug}/book", data={"booth": "B1"})
    assert db_session.query(Booking).count() == 0


def test_organizer_removes_a_never_booked_booth_only(client, db_session):
    organizer = make_organizer()
    fair = make_fair(organizer)
    booking = fairs.book_booth(db_session, fair, "B1", make_product().producer)
    fairs.reject_booking(db_session, fair, booking.id, reason="Trùng ngành hàng")
    login(client, organizer)
    page = client.get(f"/organizer/fairs/{fair.slug}").get_data(as_text=True)
    assert 'aria-label="Bỏ gian B2"' in page and 'aria-label="Bỏ gian B1"' not in page
    client.post(f"/organizer/fairs/{fair.slug}/booths/B2/remove")
    client.post(f"/organizer/fairs/{fair.slug}/booths/B1/remove")
    db_session.expire_all()
    assert [b.code for b in fair.booths_in_order] == ["B1", "B3", "B4"]
    assert "B1 has bookings" in client.get(f"/organizer/fairs/{fair.slug}").get_data(as_text=True)
