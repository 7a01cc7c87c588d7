"""Fairs (DOMAIN §9): booth plans, booking rules, the gate at booking time and on the
public page, organizers' fairs kept apart, e-mails at each step."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest

from app.clock import today
from app.errors import Conflict, InvalidInput, NotFound
from showrooms import booth_stock, fairs
from showrooms.fair_models import Booking
from showrooms.stock import ledger_matches_levels, warehouse_of
from tests.factories import (
    auth,
    make_certificate,
    make_producer,
    make_product,
    make_token,
    make_user,
    receive_stock,
)
from tests.showrooms.fair_factories import grid, make_fair, make_organizer

SVG = "{http://www.w3.org/2000/svg}"


def exhibitor(name="HTX Nông nghiệp Bắc Hà", **product):
    producer = make_producer(name=name, province_code=15, ward_code=2839, email="bacha@example.com")
    make_product(producer, **({"name": "Rượu ngô Bắc Hà"} | product))
    return producer


# --- The floor plan -------------------------------------------------------------------------

def test_booths_that_share_an_edge_are_fine_but_overlapping_ones_are_refused_naming_both(db_session):
    fair = make_fair(booths=grid(3))
    with pytest.raises(InvalidInput) as err:
        fairs.add_booths(db_session, fair, [fairs.BoothSpec("C1", 5, 1, 2, 2, 0)])
    assert err.value.code == "booths_overlap" and err.value.status == 422
    assert "B2" in err.value.message and "C1" in err.value.message
    fairs.add_booths(db_session, fair, [fairs.BoothSpec("C1", 9, 0, 2, 2, 0)])
    assert [b.code for b in fair.booths] == ["B1", "B2", "B3", "C1"]


def test_csv_import_is_all_or_nothing_with_line_numbers(db_session):
    fair = make_fair(booths=[])
    bad = ("code,x,y,w,h,price_vnd,zone\nA1,0,0,3,3,1000000,Lào Cai\nA2,3,0,abc,3,1000000,\n"
           "A3,6,0,3,-1,1000000,\nA1,9,0,3,3,5,\n")
    with pytest.raises(InvalidInput) as err:
        fairs.add_booths(db_session, fair, fairs.parse_booths_csv(bad))
    errors = err.value.details["errors"]
    assert errors[0].startswith("line 3: w 'abc'")
    assert errors[1].startswith("line 4:") and "positive" in errors[1]
    assert errors[2] == "line 5: booth A1 already on line 2"
    assert fair.booths == []
    specs = fairs.parse_booths_csv("code,x,y,w,h,price_vnd,zone\na1,0,0,3,3,1000000,Lào Cai\n"
                                   "A2,3,0,3,3,1200000,\n")
    fairs.add_booths(db_session, fair, specs)
    assert [(b.code, b.zone, b.price_vnd) for b in fair.booths] == [
        ("A1", "Lào Cai", 1_000_000), ("A2", None, 1_200_000)]


def test_csv_overlap_is_422_naming_both_through_the_api(client, db_session):
    organizer = make_organizer()
    fair = make_fair(organizer, booths=[])
    response = client.post(f"/api/v1/fairs/{fair.slug}/booths", headers=auth(make_token(organizer)),
                           data="code,x,y,w,h,price_vnd,zone\nB1,0,0,3,3,0,\nB2,2,2,3,3,0,\n",
                           content_type="text/csv")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "booths_overlap"
    assert "B1" in response.json["error"]["message"] and "B2" in response.json["error"]["message"]
    ok = client.post(f"/api/v1/fairs/{fair.slug}/booths", headers=auth(make_token(organizer)),
                     data="code,x,y,w,h,price_vnd,zone\nB1,0,0,3,3,0,\nB2,3,0,3,3,0,\n",
                     content_type="text/csv")
    assert ok.status_code == 201 and ok.json["booths"] == 2


def test_create_fair_by_api_defaults_to_published_with_a_window_until_the_day_before(client, db_session):
    organizer = make_organizer()
    start = today() + timedelta(days=20)
    body = {"name": "Hội chợ OCOP Cần Thơ", "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=3)).isoformat(), "venue": "Công viên sông Hậu",
            "province_code": 92,
            "booths": [{"code": "A1", "x": 0, "y": 0, "w": 3, "h": 3, "price_vnd": 2_000_000},
                       {"code": "A2", "x": 3, "y": 0, "w": 3, "h": 3, "price_vnd": 2_000_000,
                        "zone": "Cần Thơ"}]}
    response = client.post("/api/v1/fairs", json=body, headers=auth(make_token(organizer)))
    assert response.status_code == 201, response.json
    fair = fairs.get_fair(db_session, response.json["slug"])
    assert fair.status == "published" and fair.organizer_id == organizer.id
    assert (fair.booking_opens, fair.booking_closes) == (today(), start - timedelta(days=1))
    overlapping = body | {"booths": body["booths"] + [
        {"code": "A3", "x": 5, "y": 1, "w": 3, "h": 3, "price_vnd": 0}]}
    refused = client.post("/api/v1/fairs", json=overlapping, headers=auth(make_token(organizer)))
    assert refused.status_code == 422 and refused.json["error"]["code"] == "booths_overlap"
    producer = make_user("producer", producer=make_producer())
    assert client.post("/api/v1/fairs", json=body, headers=auth(make_token(producer))).status_code == 403
    assert client.post("/api/v1/fairs", json=body | {"ends_on": "2020-01-01"},
                       headers=auth(make_token(organizer))).status_code == 422


# --- Booking --------------------------------------------------------------------------------

def test_a_producer_books_a_free_booth_and_gets_the_fee_with_a_vietqr(client, db_session, outbox):
    fair = make_fair()
    producer = exhibitor()
    token = make_token(make_user("producer", producer=producer))
    response = client.post(f"/api/v1/fairs/{fair.slug}/bookings", json={"booth": "b2"},
                           headers=auth(token))
    assert response.status_code == 201, response.json
    assert response.json["status"] == "pending" and response.json["booth"] == "B2"
    payment = response.json["payment"]
    assert payment["amount_vnd"] == 1_500_000 and payment["vietqr"].startswith("000201")
    assert "5406" + "1500000" in payment["vietqr"] or "54071500000" in payment["vietqr"]
    listed = client.get("/api/v1/seller/bookings", headers=auth(token)).json["items"]
    assert [(b["fair"], b["booth"], b["status"]) for b in listed] == [(fair.slug, "B2", "pending")]
    subjects = [p.read_text() for p in outbox.iterdir()]
    assert any("B2" in s and "bacha@example.com" in s for s in subjects)
    assert any(fair.organizer.email in s for s in subjects)


def test_another_producer_gets_booth_taken(client, db_session):
    fair = make_fair()
    fairs.book_booth(db_session, fair, "B1", exhibitor())
    other = make_user("producer", producer=exhibitor(name="HTX Khác"))
    response = client.post(f"/api/v1/fairs/{fair.slug}/bookings", json={"booth": "B1"},
                           headers=auth(make_token(other)))
    assert response.status_code == 409 and response.json["error"]["code"] == "booth_taken"


def test_the_database_refuses_a_second_active_booking_of_one_booth(db_session):
    from sqlalchemy.exc import IntegrityError

    fair = make_fair()
    first = fairs.book_booth(db_session, fair, "B1", exhibitor())
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(Booking(fair_id=fair.id, booth_id=first.booth_id,
                               producer_id=exhibitor(name="Khác").id, status="confirmed"))
        db_session.flush()
    # A rejected or cancelled booking frees the booth.
    fairs.reject_booking(db_session, fair, first.id, reason="Hồ sơ thiếu")
    assert fairs.book_booth(db_session, fair, "B1", exhibitor(name="Khác nữa")).status == "pending"


def test_a_producer_without_a_listable_product_cannot_book_and_is_told_why(client, db_session):
    from datetime import date

    fair = make_fair()
    producer = make_producer(name="HTX Mất Chứng Nhận")
    product = make_product(producer, certified=False, name="Nước mắm cũ")
    make_certificate(product, issued_on=date(2025, 1, 1), revoked_on=today() - timedelta(days=3))
    token = make_token(make_user("producer", producer=producer))
    response = client.post(f"/api/v1/fairs/{fair.slug}/bookings", json={"booth": "B1"},
                           headers=auth(token))
    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == "not_listable"
    assert "Nước mắm cũ" in error["message"] and "thu hồi" in error["message"]
    assert error["details"]["reason"] == "certificate_revoked"
    assert db_session.query(Booking).count() == 0


def test_booking_outside_the_window_is_409_booking_closed(client, db_session, freeze):
    fair = make_fair(starts_in=10, booking_opens=today() + timedelta(days=2),
                     booking_closes=today() + timedelta(days=5))
    token = make_token(make_user("producer", producer=exhibitor()))
    early = client.post(f"/api/v1/fairs/{fair.slug}/bookings", json={"booth": "B1"}, headers=auth(token))
    assert early.status_code == 409 and early.json["error"]["code"] == "booking_closed"
    freeze(today() + timedelta(days=6))
    late = client.post(f"/api/v1/fairs/{fair.slug}/bookings", json={"booth": "B1"}, headers=auth(token))
    assert late.status_code == 409 and late.json["error"]["code"] == "booking_closed"
    draft = make_fair(status="draft")
    assert client.post(f"/api/v1/fairs/{draft.slug}/bookings", json={"booth": "B1"},
                       headers=auth(token)).status_code == 404


def test_organizer_confirms_rejects_with_reason_and_marks_fees_paid(client, db_session, outbox):
    organizer = make_organizer()
    fair = make_fair(organizer)
    tuan = fairs.book_booth(db_session, fair, "B1", exhibitor())
    other = fairs.book_booth(db_session, fair, "B2", exhibitor(name="HTX Khác"))
    headers = auth(make_token(organizer))
    base = f"/api/v1/fairs/{fair.slug}/bookings"
    assert client.get(base + "?status=pending", headers=headers).json["occupancy"]["pending"] == 2
    assert client.post(f"{base}/{tuan.id}/confirm", headers=headers).json["status"] == "confirmed"
    assert client.post(f"{base}/{tuan.id}/confirm", headers=headers).status_code == 409
    assert client.post(f"{base}/{other.id}/reject", json={"reason": ""},
                       headers=headers).status_code == 422
    rejected = client.post(f"{base}/{other.id}/reject", json={"reason": "Sản phẩm hết hạn"},
                           headers=headers)
    assert rejected.json["status"] == "rejected" and rejected.json["reason"] == "Sản phẩm hết hạn"
    assert client.post(f"{base}/{tuan.id}/fee", json={"paid": True}, headers=headers).json["fee_paid"]
    occupancy = client.get(base, headers=headers).json["occupancy"]
    assert occupancy == {"booths": 4, "confirmed": 1, "pending": 0, "free": 3,
                         "fees_due_vnd": 0, "fees_paid_vnd": 1_500_000}
    mails = "\n".join(p.read_text() for p in outbox.iterdir())
    assert "=C4=91=C3=A3 =C4=91=C6=B0=E1=BB=A3c x=C3=A1c nh=E1=BA=ADn" in mails or "xác nhận" in mails
    assert "Sản phẩm hết hạn" in mails or "S=E1=BA=A3n ph=E1=BA=A9m h=E1=BA=BFt h=E1=BA=A1n" in mails


def test_confirming_asks_the_gate_again(db_session):
    from datetime import date

    fair = make_fair()
    producer = make_producer()
    product = make_product(producer, certified=False)
    cert = make_certificate(product, issued_on=date(2025, 1, 1))
    booking = fairs.book_booth(db_session, fair, "B1", producer)
    cert.revoked_on = today()
    db_session.flush()
    with pytest.raises(Conflict) as err:
        fairs.confirm_booking(db_session, fair, booking.id)
    assert err.value.code == "not_listable"


def test_either_side_may_cancel_and_nobody_else(client, db_session):
    organizer = make_organizer()
    fair = make_fair(organizer)
    producer = exhibitor()
    owner = make_token(make_user("producer", producer=producer))
    stranger = make_token(make_user("producer", producer=exhibitor(name="HTX Lạ")))
    booking = fairs.book_booth(db_session, fair, "B1", producer)
    url = f"/api/v1/fairs/{fair.slug}/bookings/{booking.id}"
    assert client.delete(url, headers=auth(stranger)).status_code == 404
    assert client.delete(url, headers=auth(make_token(make_organizer()))).status_code == 404
    assert client.delete(url, headers=auth(owner)).json["status"] == "cancelled"
    assert client.delete(url, headers=auth(owner)).status_code == 409
    second = fairs.book_booth(db_session, fair, "B1", producer)
    response = client.delete(f"/api/v1/fairs/{fair.slug}/bookings/{second.id}",
                             json={"reason": "Đổi sơ đồ"}, headers=auth(make_token(organizer)))
    assert response.json["status"] == "cancelled" and response.json["reason"] == "Đổi sơ đồ"


def test_an_organizer_gets_404_on_another_organizers_fair(client, db_session):
    mine, theirs = make_organizer(), make_organizer()
    fair = make_fair(theirs)
    booking = fairs.book_booth(db_session, fair, "B1", exhibitor())
    headers = auth(make_token(mine))
    base = f"/api/v1/fairs/{fair.slug}"
    assert client.get(f"{base}/bookings", headers=headers).status_code == 404
    assert client.post(f"{base}/bookings/{booking.id}/confirm", headers=headers).status_code == 404
    assert client.post(f"{base}/bookings/{booking.id}/reject", json={"reason": "x"},
                       headers=headers).status_code == 404
    assert client.post(f"{base}/booths", data="code,x,y,w,h,price_vnd,zone\nZ1,50,50,2,2,0,\n",
                       content_type="text/csv", headers=headers).status_code == 404
    assert client.patch(base, json={"name": "Đổi tên"}, headers=headers).status_code == 404
    # The office may act on any fair.
    admin = make_token(make_user("admin"))
    assert client.get(f"{base}/bookings", headers=auth(admin)).status_code == 200
    with pytest.raises(NotFound):
        fairs.fair_for_organizer(db_session, mine, fair.slug)


# --- The public side ------------------------------------------------------------------------

def test_the_svg_map_parses_as_xml_and_names_every_booth_and_exhibitor(client, db_session):
    fair = make_fair(booths=grid(12))
    producer = exhibitor()
    booking = fairs.book_booth(db_session, fair, "B12", producer)
    fairs.confirm_booking(db_session, fair, booking.id)
    fairs.book_booth(db_session, fair, "B3", exhibitor(name="HTX Đang Chờ"))
    response = client.get(f"/api/v1/fairs/{fair.slug}/map.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(response.data)  # noqa: S314 - our own output
    links = root.findall(f"{SVG}a")
    labels = {a.get("data-code"): a.get("aria-label") for a in links}
    assert set(labels) == {f"B{i}" for i in range(1, 13)}
    assert all(a.get("href") for a in links)
    assert labels["B12"] == "Gian B12, 3 × 3 m, Khu ẩm thực, đơn vị trưng bày: HTX Nông nghiệp Bắc Hà"
    assert labels["B1"].endswith("còn trống")
    assert "HTX Đang Chờ" not in response.get_data(as_text=True)  # pending: not public yet
    english = client.get(f"/api/v1/fairs/{fair.slug}/map.svg?lang=en")
    en_labels = {a.get("data-code"): a.get("aria-label")
                 for a in ElementTree.fromstring(english.data).findall(f"{SVG}a")}  # noqa: S314
    assert en_labels["B12"] == "Booth B12, 3 × 3 m, Khu ẩm thực, exhibitor: HTX Nông nghiệp Bắc Hà"


def test_a_product_revoked_during_the_fair_leaves_the_booth_listing(client, db_session, freeze):
    from datetime import date

    fair = make_fair(starts_in=3, booths=grid(12))
    producer = exhibitor()
    kept = producer.products[0]
    revoked = make_product(producer, certified=False, name="Chè Shan tuyết Tả Củ Tỷ")
    cert = make_certificate(revoked, issued_on=date(2025, 1, 1))
    fairs.confirm_booking(db_session, fair, fairs.book_booth(db_session, fair, "B12", producer).id)
    freeze(fair.starts_on + timedelta(days=1))
    page = client.get(f"/fairs/{fair.slug}").get_data(as_text=True)
    assert "Chè Shan tuyết Tả Củ Tỷ" in page and kept.name in page
    cert.revoked_on = fair.starts_on + timedelta(days=1)
    cert.revoke_reason = "Vi phạm an toàn thực phẩm"
    db_session.flush()
    page = client.get(f"/fairs/{fair.slug}").get_data(as_text=True)
    assert "Chè Shan tuyết Tả Củ Tỷ" not in page and kept.name in page
    detail = client.get(f"/api/v1/fairs/{fair.slug}").json
    assert detail["booking_open"] is False  # the fair has started
    b12 = next(b for b in detail["booths"] if b["code"] == "B12")
    assert [p["name"] for p in b12["exhibitor"]["products"]] == [kept.name]
    # …and it cannot be sent to the booth either.
    booking = booth_stock.booth_of_producer(db_session, producer, fair.slug, "B12")
    receive_stock(revoked, 10)
    with pytest.raises(Conflict) as err:
        booth_stock.transfer(db_session, booking, "to_booth", [(revoked.slug, 2)])
    assert err.value.code == "not_listable"


def test_booth_stock_moves_in_one_step_through_the_one_ledger(client, db_session):
    fair = make_fair()
    producer = exhibitor()
    product = producer.products[0]
    receive_stock(product, 30)
    booking = fairs.confirm_booking(db_session, fair,
                                    fairs.book_booth(db_session, fair, "B1", producer).id)
    token = make_token(make_user("producer", producer=producer))
    url = f"/api/v1/seller/booths/{fair.slug}/B1/transfers"
    sent = client.post(url, json={"direction": "to_booth", "items": [{"product": product.slug,
                                                                       "quantity": 12}]},
                       headers=auth(token))
    assert sent.status_code == 201 and sent.json["levels"] == [{"product": product.slug, "level": 12}]
    mine = client.get("/api/v1/seller/bookings", headers=auth(token)).json["items"]
    assert mine[0]["location"] == f"booth:{fair.slug}/B1"
    short = client.post(url, json={"direction": "to_booth",
                                   "items": [{"product": product.slug, "quantity": 19}]},
                        headers=auth(token))
    assert short.status_code == 409 and short.json["error"]["code"] == "out_of_stock"
    # A booth holding units cannot be cancelled until they are brought back.
    with pytest.raises(Conflict) as err:
        fairs.cancel_booking(db_session, fair, booking.id, fair.organizer)
    assert err.value.code == "booth_has_stock"
    back = client.post(url, json={"direction": "to_warehouse",
                                  "items": [{"product": product.slug, "quantity": 12}]},
                       headers=auth(token))
    assert back.status_code == 201
    from showrooms.models import StockLevel

    assert db_session.query(StockLevel).filter_by(
        location_id=warehouse_of(db_session, producer).id).one().on_hand == 30
    assert ledger_matches_levels(db_session)
    stranger = make_token(make_user("producer", producer=exhibitor(name="HTX Lạ")))
    assert client.post(url, json={"direction": "to_booth", "items": [{"product": product.slug,
                                                                      "quantity": 1}]},
                       headers=auth(stranger)).status_code == 404


def test_public_fair_list_and_detail(client, db_session):
    upcoming = make_fair(name="Tuần lễ OCOP Ninh Bình", starts_in=5)
    past = make_fair(name="Hội chợ OCOP Cần Thơ", starts_in=-40, province_code=92,
                     booking_opens=today() - timedelta(days=60),
                     booking_closes=today() - timedelta(days=41))
    draft = make_fair(name="Hội chợ nháp", status="draft")
    listing = client.get("/api/v1/fairs").json
    assert [f["slug"] for f in listing["upcoming"]] == [upcoming.slug]
    assert [f["slug"] for f in listing["past"]] == [past.slug]
    html = client.get("/fairs").get_data(as_text=True)
    assert "Tuần lễ OCOP Ninh Bình" in html and "Hội chợ OCOP Cần Thơ" in html
    assert "Hội chợ nháp" not in html
    assert client.get(f"/fairs/{draft.slug}").status_code == 404
    assert client.get("/fairs/khong-co").status_code == 404
    assert client.get("/fairs?province=92").get_data(as_text=True).count("Tuần lễ OCOP Ninh Bình") == 0


def test_cancelling_a_fair_cancels_its_bookings_and_tells_the_exhibitors(client, db_session, outbox):
    organizer = make_organizer()
    fair = make_fair(organizer)
    booking = fairs.book_booth(db_session, fair, "B1", exhibitor())
    for path in outbox.iterdir():
        path.unlink()
    response = client.patch(f"/api/v1/fairs/{fair.slug}",
                            json={"status": "cancelled", "cancel_reason": "Bão số 9"},
                            headers=auth(make_token(organizer)))
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    db_session.expire_all()
    assert (booking.status, booking.reason) == ("cancelled", "Bão số 9")
    assert len(list(outbox.iterdir())) == 1
    assert "Bão số 9" in client.get(f"/fairs/{fair.slug}").get_data(as_text=True)
    token = make_token(make_user("producer", producer=exhibitor(name="HTX Muộn")))
    late = client.post(f"/api/v1/fairs/{fair.slug}/bookings", json={"booth": "B2"}, headers=auth(token))
    assert late.status_code == 409 and late.json["error"]["code"] == "booking_closed"


def test_a_booth_is_one_stock_location_named_fair_slash_booth(client, db_session):
    organizer = make_organizer()
    fair = make_fair(organizer)
    first, second = exhibitor(), exhibitor(name="HTX Sau")
    product = first.products[0]
    receive_stock(product, 10)
    booking = fairs.confirm_booking(db_session, fair, fairs.book_booth(db_session, fair, "B1", first).id)
    assert booking.location.code == f"{fair.slug}/B1" and len(booking.location.code) <= 60
    assert booking.location.kind == "booth" and booking.location.producer_id == first.id
    booth_stock.transfer(db_session, booking, "to_booth", [(product.slug, 4)])
    # The organizer cancels the whole fair: units still at the booth can be brought back,
    # nothing more can be sent there.
    fairs.update_fair(db_session, fair, status="cancelled", cancel_reason="Bão")
    returning = booth_stock.booth_of_producer(db_session, first, fair.slug, "B1", returning=True)
    with pytest.raises(NotFound):
        booth_stock.booth_of_producer(db_session, first, fair.slug, "B1")
    with pytest.raises(NotFound):
        booth_stock.transfer(db_session, returning, "to_booth", [(product.slug, 1)])
    booth_stock.transfer(db_session, returning, "to_warehouse", [(product.slug, 4)])
    assert ledger_matches_levels(db_session)
    # A later exhibitor of the same (empty) booth takes the location over.
    fairs.update_fair(db_session, fair, status="published")
    later = fairs.confirm_booking(db_session, fair, fairs.book_booth(db_session, fair, "B1", second).id)
    assert later.location_id == booking.location_id and later.location.producer_id == second.id
    with pytest.raises(NotFound):
        booth_stock.booth_of_producer(db_session, first, fair.slug, "B1", returning=True)


def test_the_fair_page_runs_a_bounded_number_of_queries(client, db_session, count_queries):
    fair = make_fair(booths=grid(30))
    counts = []
    for start, extra in ((0, 3), (3, 12)):
        for n in range(start, start + extra):
            producer = exhibitor(name=f"HTX Trưng bày {n}")
            make_product(producer, name=f"Sản phẩm phụ {n}")
            fairs.confirm_booking(db_session, fair,
                                  fairs.book_booth(db_session, fair, f"B{n + 1}", producer).id)
        with count_queries() as counter:
            html = client.get(f"/fairs/{fair.slug}").get_data(as_text=True)
        counts.append(counter.count)
        assert html.count('class="exhibitor"') == start + extra
    assert counts[0] == counts[1], counts


def test_bad_booth_files_are_422_never_500(client, db_session):
    organizer = make_organizer()
    fair = make_fair(organizer, booths=[])
    url = f"/api/v1/fairs/{fair.slug}/booths"
    for body in (b"\xff\xfe\x00garbage", b"code,x,y,w,h,price_vnd,zone\nA1,0,0\x00,3,3,0,\n",
                 b"name,size\nA1,3\n", b"code,x,y,w,h,price_vnd,zone\n",
                 b"code,x,y,w,h,price_vnd,zone\nA1,nan,0,3,3,0,\nA2,0,0,1e308,3,0,\nA 3,9,0,3,3,0,\n"):
        response = client.post(url, data=body, content_type="text/csv",
                               headers=auth(make_token(organizer)))
        assert response.status_code == 422, (body, response.json)
    assert fair.booths == []
