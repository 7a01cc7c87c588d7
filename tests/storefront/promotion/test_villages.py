"""Craft villages and community tourism (DOMAIN §4, §12): pages with a vendored Leaflet map
that stay useful without it; booking requests that reach the producer (and only them)."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from app.clock import today
from catalog.services import revoke_certificate
from storefront.promotion import villages
from storefront.promotion.models import BookingRequest
from tests.factories import auth, make_producer, make_product, make_token, make_user


@pytest.fixture
def village(db_session):
    maker = make_producer(name="Cố đô Hoa Lư (thử)", province_code=37, ward_code=14329,
                          email="hoalu@example.vn")
    workshop = make_product(maker, name="Lớp làm cơm cháy", name_en="Cơm cháy workshop",
                            group="tourism", unit="khách/buổi", price_vnd=250_000)
    goods = make_product(maker, name="Cơm cháy chà bông", name_en="Crispy rice")
    place = villages.create_village(
        db_session, name="Tam Cốc – Hoa Lư", name_en="Tam Cốc – Hoa Lư", province_code=37,
        ward_code=14359, address="Thôn Văn Lâm", craft="Du lịch cộng đồng",
        craft_en="Community tourism", story="Đồng lúa giữa núi đá vôi.",
        story_en="Rice fields between limestone peaks.", getting_there="Xe buýt số 6.",
        getting_there_en="Bus 6 to the pier.", latitude=20.2156, longitude=105.9371,
        producers=[maker])
    return place, maker, workshop, goods


def _booking(**overrides) -> dict:
    body = {"date": (today() + timedelta(days=3)).isoformat(), "party_size": 4,
            "name": "Emily Carter", "phone": "+61 412 345 678", "email": "emily@example.com",
            "message": "Two children, vegetarian lunch please."}
    body.update(overrides)
    return body


def _mails(outbox) -> list:
    return [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(outbox.glob("*.eml"))]


def test_village_pages_list_producers_services_and_products_with_a_map(client, db_session, village):
    place, maker, workshop, goods = village
    listing = client.get("/villages?lang=en").text
    assert "Tam Cốc – Hoa Lư" in listing and "Thôn Văn Lâm" in listing
    page = client.get(f"/villages/{place.slug}?lang=en").text
    assert "Rice fields between limestone peaks." in page and "Bus 6 to the pier." in page
    assert "Cơm cháy workshop" in page and "Crispy rice" in page and maker.name in page
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in page and 'id="map"' in page
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    script = client.get("/static/vendor/leaflet-1.9.4/leaflet.js")
    script.close()
    assert script.status_code == 200
    assert 'action="/services/' + workshop.slug + '/booking-requests"' in page
    assert client.get("/villages/khong-co").status_code == 404


def test_the_tile_server_is_configurable_and_the_page_works_without_one(app, client, village):
    place = village[0]
    app.config["MAP_TILE_URL"] = ""
    try:
        page = client.get(f"/villages/{place.slug}").text
    finally:
        app.config["MAP_TILE_URL"] = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert 'data-tiles=""' in page and "Thôn Văn Lâm" in page


def test_a_revoked_service_disappears_from_its_village(client, db_session, village):
    place, _maker, workshop, _goods = village
    revoke_certificate(db_session, workshop.certificates[-1], reason="x", revoked_on=today())
    page = client.get(f"/villages/{place.slug}?lang=en").text
    assert "Cơm cháy workshop" not in page
    answer = client.post(f"/api/v1/services/{workshop.slug}/booking-requests", json=_booking())
    assert answer.status_code == 409 and answer.json["error"]["code"] == "not_listable"


def test_a_producer_without_an_address_is_written_to_through_its_staff(client, db_session,
                                                                       village, outbox):
    _place, maker, workshop, _goods = village
    maker.email = None
    staff = make_user("producer", producer=maker)
    client.post(f"/api/v1/services/{workshop.slug}/booking-requests", json=_booking())
    assert {mail["To"] for mail in _mails(outbox)} == {staff.email, "emily@example.com"}


def test_a_booking_request_reaches_the_producer_and_another_producer_gets_404(client, db_session,
                                                                             village, outbox):
    _place, maker, workshop, _goods = village
    answer = client.post(f"/api/v1/services/{workshop.slug}/booking-requests", json=_booking())
    assert answer.status_code == 201, answer.json
    booking_id = answer.json["id"]
    stored = db_session.get(BookingRequest, booking_id)
    assert stored.phone == "+61412345678" and stored.producer_id == maker.id
    mails = {mail["To"]: mail for mail in _mails(outbox)}
    assert set(mails) == {"hoalu@example.vn", "emily@example.com"}
    assert "Lớp làm cơm cháy" in mails["hoalu@example.vn"]["Subject"]
    for path in outbox.glob("*.eml"):
        path.unlink()

    owner = make_token(make_user("producer", producer=maker))
    listed = client.get("/api/v1/seller/booking-requests", headers=auth(owner)).json["items"]
    assert [b["id"] for b in listed] == [booking_id] and listed[0]["party_size"] == 4

    stranger = make_token(make_user("producer", producer=make_producer()))
    assert client.get("/api/v1/seller/booking-requests", headers=auth(stranger)).json["items"] == []
    for decision in ("accept", "decline"):
        refused = client.post(f"/api/v1/seller/booking-requests/{booking_id}/{decision}",
                              headers=auth(stranger), json={})
        assert refused.status_code == 404
    assert db_session.get(BookingRequest, booking_id).status == "pending"

    accepted = client.post(f"/api/v1/seller/booking-requests/{booking_id}/accept",
                           headers=auth(owner), json={"reply": "See you at 9:00!"})
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    [decided] = _mails(outbox)
    assert decided["To"] == "emily@example.com"
    assert "See you at 9:00!" in decided.get_body(("plain",)).get_content()
    again = client.post(f"/api/v1/seller/booking-requests/{booking_id}/decline",
                        headers=auth(owner), json={})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_decided"


def test_the_seller_screen_lists_requests_and_hides_others(client, db_session, village):
    _place, maker, workshop, _goods = village
    client.post(f"/api/v1/services/{workshop.slug}/booking-requests", json=_booking())
    booking = db_session.scalar(select(BookingRequest))
    owner = make_user("producer", producer=maker, password="correct horse")
    client.post("/login", data={"email": owner.email, "password": "correct horse"})
    assert "1 yêu cầu đặt dịch vụ chờ trả lời" in client.get("/seller/?lang=vi").text
    page = client.get("/seller/booking-requests")
    assert page.status_code == 200 and "Emily Carter" in page.text and "+61412345678" in page.text
    declined = client.post(f"/seller/booking-requests/{booking.id}/decline",
                           data={"reply": "Full that day"})
    assert declined.status_code == 302
    assert db_session.get(BookingRequest, booking.id).status == "declined"
    client.post("/logout")
    stranger = make_user("producer", producer=make_producer(), password="correct horse")
    client.post("/login", data={"email": stranger.email, "password": "correct horse"})
    assert f'id="booking-{booking.id}"' not in client.get("/seller/booking-requests").text
    assert client.post(f"/seller/booking-requests/{booking.id}/accept").status_code == 404


@pytest.mark.parametrize(("field", "value"), [
    ("date", (today() - timedelta(days=1)).isoformat()),
    ("party_size", 0), ("party_size", 101), ("phone", "12345"), ("email", "nope"), ("name", ""),
])
def test_bad_booking_input_is_a_422_and_writes_nothing(client, db_session, village, field, value):
    workshop = village[2]
    answer = client.post(f"/api/v1/services/{workshop.slug}/booking-requests",
                         json=_booking(**{field: value}))
    assert answer.status_code == 422 and field in answer.json["error"]["message"]
    assert db_session.scalar(select(BookingRequest.id)) is None


def test_only_tourism_services_take_bookings_and_they_never_go_in_a_cart(client, db_session, village):
    _place, _maker, workshop, goods = village
    page = client.get(f"/products/{workshop.slug}").text
    assert f'action="/services/{workshop.slug}/booking-requests"' in page and "/cart/add" not in page
    assert client.post(f"/api/v1/services/{goods.slug}/booking-requests",
                       json=_booking()).status_code == 404
    client.post("/cart/add", data={"product": workshop.slug, "quantity": "1"})
    assert workshop.slug not in client.get("/cart").text


def test_the_booking_form_on_a_page_sends_the_request(client, db_session, village, outbox):
    place, _maker, workshop, _goods = village
    form = {**_booking(), "back": f"/villages/{place.slug}"}
    answer = client.post(f"/services/{workshop.slug}/booking-requests?lang=en", data=form)
    assert answer.status_code == 302 and answer.location.endswith(f"/villages/{place.slug}")
    assert db_session.scalar(select(BookingRequest.party_size)) == 4
    page = client.get(answer.location).text
    assert "Your booking request for Cơm cháy workshop was sent" in page
    bad = client.post(f"/services/{workshop.slug}/booking-requests", data={**form, "phone": "12345"})
    assert bad.status_code == 302
    assert "+61 412 345 678" in client.get(bad.location.split("#")[0]).text


def test_the_office_adds_a_village_with_its_producers(client, db_session):
    maker = make_producer(province_code=37, ward_code=14638)
    token = make_token(make_user("admin"))
    body = {"name": "Làng cói Kim Sơn", "name_en": "Kim Sơn sedge village", "province_code": 37,
            "ward_code": 14638, "craft": "Đan cói", "latitude": 20.04, "longitude": 106.09,
            "producers": [maker.slug]}
    answer = client.post("/api/v1/admin/villages", headers=auth(token), json=body)
    assert answer.status_code == 201 and answer.json["slug"] == "lang-coi-kim-son"
    shown = client.get("/api/v1/villages/lang-coi-kim-son").json
    assert shown["producers"] == [{"slug": maker.slug, "name": maker.name}]
    assert shown["position"] == {"lat": 20.04, "lng": 106.09}
    wrong_ward = client.post("/api/v1/admin/villages", headers=auth(token),
                             json={**body, "ward_code": 31135})
    assert wrong_ward.status_code == 422
    unknown = client.post("/api/v1/admin/villages", headers=auth(token),
                          json={**body, "producers": ["khong-co"]})
    assert unknown.status_code == 422 and "khong-co" in unknown.json["error"]["message"]
    producer_token = make_token(make_user("producer", producer=maker))
    assert client.post("/api/v1/admin/villages", headers=auth(producer_token),
                       json=body).status_code == 403


@pytest.mark.parametrize(("headers", "status"), [
    ({"Sec-Fetch-Site": "same-origin"}, 302),
    ({"Sec-Fetch-Site": "cross-site"}, 400),
    ({"Origin": "https://attacker.example"}, 400),
])
def test_the_booking_form_of_a_cached_page_is_protected_by_its_origin(
        app, db_session, village, monkeypatch, headers, status):
    """The service page from the page cache carries no token (app.origin): the browser's
    Fetch Metadata or Origin decide, and another site's POST is refused."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    _place, _maker, workshop, _goods = village
    db_session.commit()
    visitor = app.test_client(use_cookies=False)
    visitor.get(f"/products/{workshop.slug}")
    page = visitor.get(f"/products/{workshop.slug}")
    assert page.headers["X-Cache"] == "hit" and "Set-Cookie" not in page.headers
    assert 'name="csrf_token"' not in page.text and "/booking-requests" in page.text
    answer = visitor.post(f"/services/{workshop.slug}/booking-requests", data=_booking(),
                          headers=headers)
    assert answer.status_code == status
    sent = db_session.scalar(select(BookingRequest.party_size))
    assert sent == (4 if status == 302 else None)
