"""Selling at a fair booth (the counter's own tickets) and the organizer's fair report
(issue 11, DOMAIN §9)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from app.clock import LOCAL_TZ as VN
from app.clock import today
from showrooms import booth_stock, fairs
from showrooms.counter_models import CounterSale
from showrooms.models import StockLevel, StockMovement
from showrooms.stock import ledger_matches_levels
from tests.factories import (
    auth,
    make_certificate,
    make_producer,
    make_product,
    make_token,
    make_user,
    receive_stock,
)
from tests.showrooms.fair_factories import make_fair, make_organizer


def exhibitor(name="HTX Nông nghiệp Bắc Hà", **product):
    producer = make_producer(name=name, province_code=15, ward_code=2839)
    make_product(producer, **({"name": "Rượu ngô Bắc Hà", "price_vnd": 150_000} | product))
    return producer


def sign_in(client, user):
    assert client.post("/login", data={"email": user.email, "password": "correct horse"}).status_code == 302


def booth_with_stock(db_session, fair, code, producer, units=10):
    """A confirmed booth holding `units` of the producer's first product; its token."""
    product = producer.products[0]
    receive_stock(product, units + 5)
    booking = fairs.confirm_booking(db_session, fair, fairs.book_booth(db_session, fair, code, producer).id)
    booth_stock.transfer(db_session, booking, "to_booth", [(product.slug, units)])
    return booking, product, make_token(make_user("producer", producer=producer))


def sell(client, token, fair, code, product, quantity=1, key="booth-sale-0001", **extra):
    return client.post(f"/api/v1/seller/booths/{fair.slug}/{code}/sales",
                       json={"items": [{"product": product.slug, "quantity": quantity}],
                             "payment": "cash", **extra},
                       headers={**auth(token), "Idempotency-Key": key})


def booth_level(db_session, booking, product):
    return db_session.scalar(select(StockLevel.on_hand).where(
        StockLevel.location_id == booking.location_id, StockLevel.product_id == product.id))


def test_a_booth_sale_is_a_counter_ticket_and_the_same_key_moves_nothing_twice(client, db_session, freeze):
    fair = make_fair()
    booking, product, token = booth_with_stock(db_session, fair, "B1", exhibitor())
    freeze(fair.starts_on)
    first = sell(client, token, fair, "B1", product, 2)
    assert first.status_code == 201, first.json
    ticket = first.json
    prefix = "".join(ch for ch in booking.location.code.upper() if ch.isalnum())
    assert ticket["receipt_number"] == f"{prefix}-{fair.starts_on:%Y%m%d}-0001"
    assert ticket["total_vnd"] == 300_000 and ticket["location"] == f"{fair.slug}/B1"
    again = sell(client, token, fair, "B1", product, 2)
    assert again.status_code == 200 and again.json["id"] == ticket["id"]
    assert booth_level(db_session, booking, product) == 8
    moves = db_session.scalars(select(StockMovement.quantity).where(
        StockMovement.kind == "sale", StockMovement.location_id == booking.location_id)).all()
    assert moves == [-2]
    # The booth's tickets of the day, and a void puts the units back on the booth.
    listed = client.get(f"/api/v1/seller/booths/{fair.slug}/B1/sales", headers=auth(token)).json
    assert [t["receipt_number"] for t in listed["items"]] == [ticket["receipt_number"]]
    void = client.post(f"/api/v1/seller/booths/{fair.slug}/B1/sales/{ticket['id']}/void",
                       json={"reason": "Khách đổi ý"}, headers=auth(token))
    assert void.status_code == 200 and void.json["status"] == "void"
    assert booth_level(db_session, booking, product) == 10
    day = client.get(f"/api/v1/seller/booths/{fair.slug}/B1/reports/day", headers=auth(token)).json
    assert day["ticket_count"] == 1 and day["net_vnd"] == 0
    assert ledger_matches_levels(db_session)


def test_a_product_revoked_during_the_fair_is_not_listable_at_the_booth(client, db_session, freeze):
    fair = make_fair()
    producer = exhibitor()
    kept = producer.products[0]
    revoked = make_product(producer, certified=False, name="Chè Shan tuyết Tả Củ Tỷ", price_vnd=90_000)
    cert = make_certificate(revoked, issued_on=date(2025, 1, 1))
    booking, _, token = booth_with_stock(db_session, fair, "B2", producer)
    receive_stock(revoked, 5)
    booth_stock.transfer(db_session, booking, "to_booth", [(revoked.slug, 5)])
    freeze(fair.starts_on + timedelta(days=1))
    cert.revoked_on = fair.starts_on + timedelta(days=1)
    cert.revoke_reason = "Vi phạm an toàn thực phẩm"
    db_session.flush()
    refused = sell(client, token, fair, "B2", revoked, key="booth-revoked-1")
    assert refused.status_code == 409 and refused.json["error"]["code"] == "not_listable"
    assert "Chè Shan tuyết Tả Củ Tỷ" in refused.json["error"]["message"]
    assert booth_level(db_session, booking, revoked) == 5
    assert sell(client, token, fair, "B2", kept, key="booth-kept-01").status_code == 201


def test_out_of_stock_other_producer_and_outside_the_fair_dates_are_refused(client, db_session, freeze):
    fair = make_fair(days=3)
    booking, product, token = booth_with_stock(db_session, fair, "B1", exhibitor(), units=3)
    # Before the fair opens (today): 409 fair_not_open, nothing moves.
    early = sell(client, token, fair, "B1", product, key="booth-early-1")
    assert early.status_code == 409 and early.json["error"]["code"] == "fair_not_open"
    freeze(fair.starts_on)
    short = sell(client, token, fair, "B1", product, 4, key="booth-short-1")
    assert short.status_code == 409 and short.json["error"]["code"] == "out_of_stock"
    stranger = make_token(make_user("producer", producer=exhibitor(name="HTX Lạ")))
    assert sell(client, stranger, fair, "B1", product, key="booth-stranger").status_code == 404
    assert client.get(f"/api/v1/seller/booths/{fair.slug}/B1/sales",
                      headers=auth(stranger)).status_code == 404
    freeze(fair.ends_on + timedelta(days=1))
    late = sell(client, token, fair, "B1", product, key="booth-late-01")
    assert late.status_code == 409 and late.json["error"]["code"] == "fair_not_open"
    # An offline sale made on the last day and sent the day after is judged on its own date.
    sold_at = datetime.combine(fair.ends_on, time(20, 30), tzinfo=VN).isoformat()
    replay = sell(client, token, fair, "B1", product, key="booth-replay-1", sold_at=sold_at)
    assert replay.status_code == 201 and replay.json["business_date"] == fair.ends_on.isoformat()
    outside = datetime.combine(fair.starts_on - timedelta(days=1), time(9), tzinfo=VN).isoformat()
    bad = sell(client, token, fair, "B1", product, key="booth-replay-2", sold_at=outside)
    assert bad.status_code == 422 and bad.json["error"]["code"] == "fair_not_open"
    assert db_session.scalar(select(func.count()).select_from(CounterSale)) == 1
    assert booth_level(db_session, booking, product) == 2


def test_the_fair_report_sums_per_booth_per_day_without_voids_and_minus_returns(client, db_session, freeze):
    organizer = make_organizer()
    fair = make_fair(organizer)
    first, p1, t1 = booth_with_stock(db_session, fair, "B1", exhibitor())
    second, p2, t2 = booth_with_stock(db_session, fair, "B2", exhibitor(name="HTX Cà phê",
                                                                         price_vnd=80_000))
    day1, day2 = fair.starts_on, fair.starts_on + timedelta(days=1)
    freeze(day1)
    assert sell(client, t1, fair, "B1", p1, 2, key="r-b1-d1-a").status_code == 201
    assert sell(client, t1, fair, "B1", p1, 1, key="r-b1-d1-b").status_code == 201
    voided = sell(client, t2, fair, "B2", p2, 3, key="r-b2-d1-v").json
    client.post(f"/api/v1/seller/booths/{fair.slug}/B2/sales/{voided['id']}/void",
                json={"reason": "Nhầm"}, headers=auth(t2))
    freeze(day2)
    kept = sell(client, t2, fair, "B2", p2, 3, key="r-b2-d2-a").json
    back = client.post(f"/api/v1/seller/booths/{fair.slug}/B2/sales/{kept['id']}/returns",
                       json={"items": [{"product": p2.slug, "quantity": 1}], "reason": "Vỡ"},
                       headers=auth(t2))
    assert back.status_code == 201
    token = make_token(organizer)
    report = client.get(f"/api/v1/fairs/{fair.slug}/report", headers=auth(token))
    assert report.status_code == 200
    rows = [(r["booth"], r["date"], r["tickets"], r["units"], r["net_vnd"]) for r in report.json["items"]]
    assert rows == [("B1", day1.isoformat(), 2, 3, 450_000), ("B2", day2.isoformat(), 1, 2, 160_000)]
    assert report.json["totals"] == {"tickets": 3, "units": 5, "sold_vnd": 690_000,
                                     "returned_vnd": 80_000, "net_vnd": 610_000}
    assert report.json["items"][1]["producer"] == "HTX Cà phê"
    as_csv = client.get(f"/api/v1/fairs/{fair.slug}/report?format=csv", headers=auth(token))
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(as_csv.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == ["booth", "producer", "date", "tickets", "units", "sold_vnd",
                        "returned_vnd", "net_vnd"]
    assert lines[1][:4] == ["B1", "HTX Nông nghiệp Bắc Hà", day1.isoformat(), "2"]
    assert lines[-1] == ["total", "", "", "3", "5", "690000", "80000", "610000"]
    other = make_token(make_organizer())
    assert client.get(f"/api/v1/fairs/{fair.slug}/report", headers=auth(other)).status_code == 404
    assert client.get(f"/api/v1/fairs/{fair.slug}/report", headers=auth(t1)).status_code in (403, 404)
    # The organizer's screen: the same figures, a chart and the CSV link.
    sign_in(client, organizer)
    page = client.get(f"/organizer/fairs/{fair.slug}/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and "610.000" in html and "HTX Cà phê" in html
    assert client.get(f"/organizer/fairs/{fair.slug}/report?format=csv").mimetype == "text/csv"
    client.post("/logout")
    stranger = make_organizer()
    sign_in(client, stranger)
    assert client.get(f"/organizer/fairs/{fair.slug}/report").status_code == 404


def test_the_booth_counter_screen_uses_the_counter_page_pointed_at_the_booth(client, db_session, freeze):
    fair = make_fair()
    producer = exhibitor()
    booking, product, _ = booth_with_stock(db_session, fair, "B3", producer)
    user = make_user("producer", producer=producer)
    sign_in(client, user)
    freeze(fair.starts_on)
    page = client.get(f"/seller/booths/{fair.slug}/B3/counter")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-sale-url="/seller/booths/{fair.slug}/B3/counter/sales"' in html
    assert "counter.js" in html
    catalogue = client.get(f"/seller/booths/{fair.slug}/B3/counter/catalogue.json").json
    assert [i["product"] for i in catalogue["items"]] == [product.slug]
    sale = client.post(f"/seller/booths/{fair.slug}/B3/counter/sales",
                       json={"items": [{"product": product.slug, "quantity": 1}], "payment": "cash"},
                       headers={"Idempotency-Key": "booth-page-0001"})
    assert sale.status_code == 201
    report = client.get(f"/seller/booths/{fair.slug}/B3/report").get_data(as_text=True)
    assert sale.json["receipt_number"] in report
    assert today() == fair.starts_on
