"""Livestreams (DOMAIN §12): a producer schedules one; the product page shows the next; /live
lists what is on now and upcoming, each with a valid .ics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.clock import now
from storefront.promotion import livestreams
from tests.factories import auth, make_product, make_token, make_user


def _schedule(client, token, products, starts_at, **overrides):
    body = {"platform": "facebook", "url": "https://www.facebook.com/kimson/live",
            "starts_at": starts_at.isoformat(), "products": [p.slug for p in products]}
    body.update(overrides)
    return client.post("/api/v1/seller/livestreams", headers=auth(token), json=body)


def test_a_producer_schedules_a_livestream_seen_on_the_product_page_and_live(client, db_session):
    wine = make_product(name="Rượu Kim Sơn")
    token = make_token(make_user("producer", producer=wine.producer))
    start = now() + timedelta(days=1)
    answer = _schedule(client, token, [wine], start, title="Men lá Kim Sơn")
    assert answer.status_code == 201, answer.json
    assert answer.json["ics"].endswith(f"/live/{answer.json['id']}.ics")
    page = client.get(f"/products/{wine.slug}").text
    assert "Livestream: Men lá Kim Sơn" in page and f"/live/{answer.json['id']}.ics" in page
    live = client.get("/live?lang=en").text
    assert "Men lá Kim Sơn" in live and "Coming up" in live
    listed = client.get("/api/v1/livestreams").json["items"]
    assert [(s["title"], s["live"]) for s in listed] == [("Men lá Kim Sơn", False)]


def test_live_now_is_listed_as_live_and_past_ones_disappear(client, db_session, freeze):
    wine = make_product()
    start = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    freeze(start - timedelta(hours=1))
    stream = livestreams.schedule(db_session, wine.producer, platform="tiktok",
                                  url="https://tiktok.com/@kimson/live", starts_at=start,
                                  products=[wine.slug])
    freeze(start + timedelta(minutes=10))
    on_air, upcoming = livestreams.current_and_upcoming(db_session)
    assert on_air == [stream] and upcoming == []
    assert "is-live" in client.get("/live").text
    freeze(start + timedelta(hours=2))
    assert livestreams.current_and_upcoming(db_session) == ([], [])


def test_the_ics_file_is_an_icalendar_event(client, db_session):
    wine = make_product(name="Rượu Kim Sơn, bình sứ")
    start = now().replace(microsecond=0) + timedelta(days=2)
    stream = livestreams.schedule(db_session, wine.producer, platform="youtube",
                                  url="https://youtube.com/live/abc", starts_at=start,
                                  products=[wine.slug], title="Rượu; men, lá")
    answer = client.get(f"/live/{stream.id}.ics")
    assert answer.mimetype == "text/calendar"
    text = answer.get_data(as_text=True)
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and "END:VCALENDAR" in lines
    assert f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}" in lines
    assert "SUMMARY:Rượu\\; men\\, lá" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    assert client.get("/live/999999.ics").status_code == 404


def test_only_own_products_a_known_platform_and_a_future_start(client, db_session):
    wine = make_product()
    other = make_product()
    token = make_token(make_user("producer", producer=wine.producer))
    later = now() + timedelta(days=1)
    refused = _schedule(client, token, [other], later)
    assert refused.status_code == 422 and other.slug in refused.json["error"]["message"]
    assert _schedule(client, token, [wine], later, platform="myspace").status_code == 422
    assert _schedule(client, token, [wine], now() - timedelta(days=1)).status_code == 422
    assert _schedule(client, token, [wine], later, url="javascript:alert(1)").status_code == 422
    naive = _schedule(client, token, [wine], later.replace(tzinfo=None))
    assert naive.status_code == 422
    assert client.post("/api/v1/seller/livestreams", json={}).status_code == 401


def test_the_seller_form_schedules_in_vietnam_time(client, db_session):
    wine = make_product()
    user = make_user("producer", producer=wine.producer, password="correct horse")
    client.post("/login", data={"email": user.email, "password": "correct horse"})
    tomorrow = (now() + timedelta(days=1)).astimezone(UTC).date()
    answer = client.post("/seller/livestreams", data={
        "platform": "zalo", "url": "https://zalo.me/live/1", "title": "Tối nay",
        "starts_at": f"{tomorrow.isoformat()}T20:00", "minutes": "90", "products": [wine.slug]})
    assert answer.status_code == 302
    [stream] = livestreams.current_and_upcoming(db_session)[1]
    assert livestreams.stream_json(stream)["starts_at"] == f"{tomorrow.isoformat()}T13:00:00+00:00"
    assert stream.ends_at - stream.starts_at == timedelta(minutes=90)


def test_live_shows_only_featured_products_the_gate_lets_be_sold(client, db_session):
    from app.clock import today
    from catalog.services import revoke_certificate

    wine = make_product(name="Rượu còn bán")
    jar = make_product(name="Bình rượu bị thu hồi", producer=wine.producer)
    livestreams.schedule(db_session, wine.producer, platform="facebook",
                         url="https://facebook.com/live/1", starts_at=now() + timedelta(hours=3),
                         products=[wine.slug, jar.slug])
    revoke_certificate(db_session, jar.certificates[-1], reason="x", revoked_on=today())
    page = client.get("/live").text
    assert "Rượu còn bán" in page and "Bình rượu bị thu hồi" not in page
    assert "Livestream" not in client.get(f"/products/{jar.slug}").text.split("<main")[1].split(
        "product-details")[0]
