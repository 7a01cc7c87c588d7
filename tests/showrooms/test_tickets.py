"""Counter tickets (DOMAIN §9, CONTRACT §4): receipt numbers per point per day, idempotency
keys, payment and change, the gate on the sale's date for offline replays, the
needs-attention list, voids and returns."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.clock import LOCAL_TZ
from showrooms.counter_models import AttentionItem, CounterSale
from showrooms.models import StockMovement
from showrooms.stock import ledger_matches_levels
from tests.factories import auth, make_certificate, make_product, make_sales_point, make_token, make_user

DAY = date(2026, 11, 30)


@pytest.fixture
def point(db_session):
    return make_sales_point(code="PQ-98")


@pytest.fixture
def lan(point):
    return make_token(make_user("sales_point", sales_point=point))


def receive(client, token, product, quantity, code="PQ-98"):
    answer = client.post(f"/api/v1/sales-points/{code}/stock", headers=auth(token),
                         json={"product": product.slug, "quantity": quantity, "reason": "receive"})
    assert answer.status_code == 201, answer.json
    return answer


def sell(client, token, *lines, key=None, code="PQ-98", **extra):
    headers = auth(token)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(f"/api/v1/sales-points/{code}/sales", headers=headers,
                       json={"items": [{"product": p.slug, "quantity": q} for p, q in lines], **extra})


def level(client, token, product, code="PQ-98"):
    items = client.get(f"/api/v1/sales-points/{code}/stock", headers=auth(token)).json["items"]
    return next((i["level"] for i in items if i["product"] == product.slug), 0)


def movements(db_session, product) -> int:
    return db_session.scalar(select(func.count()).select_from(StockMovement)
                             .where(StockMovement.product_id == product.id, StockMovement.kind == "sale"))


def test_a_cash_sale_is_a_ticket_with_a_receipt_number_and_change(client, lan, db_session, freeze):
    freeze(DAY)
    pepper = make_product(name="Tiêu đỏ Phú Quốc", price_vnd=180000)
    sauce = make_product(name="Nước mắm Phú Quốc", price_vnd=145000)
    receive(client, lan, pepper, 10)
    receive(client, lan, sauce, 10)
    answer = sell(client, lan, (pepper, 2), (sauce, 1), key="key-0001-aaaa", payment="cash",
                  cash_received_vnd=600000)
    assert answer.status_code == 201, answer.json
    ticket = answer.json
    assert ticket["receipt_number"] == "PQ98-20261130-0001"
    assert ticket["total_vnd"] == 505000 and ticket["change_vnd"] == 95000
    assert ticket["payment"] == "cash" and ticket["status"] == "completed"
    assert sorted((li["name"], li["quantity"], li["unit_price_vnd"]) for li in ticket["lines"]) == [
        ("Nước mắm Phú Quốc", 1, 145000), ("Tiêu đỏ Phú Quốc", 2, 180000)]
    refs = set(db_session.scalars(select(StockMovement.reference).where(StockMovement.kind == "sale")))
    assert refs == {"PQ98-20261130-0001"}
    assert level(client, lan, pepper) == 8 and level(client, lan, sauce) == 9
    second = sell(client, lan, (pepper, 1), key="key-0002-aaaa", payment="card_terminal",
                  payment_reference="VCB 004512")
    assert second.json["receipt_number"] == "PQ98-20261130-0002"
    assert second.json["change_vnd"] is None and second.json["payment_reference"] == "VCB 004512"
    assert ledger_matches_levels(db_session)


def test_the_same_key_again_is_the_same_ticket_and_moves_nothing(client, lan, db_session):
    product = make_product(price_vnd=50000)
    receive(client, lan, product, 5)
    first = sell(client, lan, (product, 2), key="3f1c7a52-7d6e-4a7e-9b1f-2c9d1f0e8a11")
    again = sell(client, lan, (product, 2), key="3f1c7a52-7d6e-4a7e-9b1f-2c9d1f0e8a11")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["receipt_number"] == first.json["receipt_number"]
    assert again.json["id"] == first.json["id"]
    assert level(client, lan, product) == 3
    assert movements(db_session, product) == 1


def test_the_first_version_without_a_key_still_sells(client, lan):
    product = make_product(price_vnd=50000)
    receive(client, lan, product, 5)
    answer = sell(client, lan, (product, 1))
    assert answer.status_code == 201
    assert answer.json["reference"] == answer.json["receipt_number"]
    assert answer.json["total_vnd"] == 50000


@pytest.mark.parametrize("key", ["short", "x" * 65, "has space 123", "ключ-12345"])
def test_a_malformed_key_is_422(client, lan, key):
    product = make_product()
    receive(client, lan, product, 5)
    answer = sell(client, lan, (product, 1), key=key)
    assert answer.status_code == 422
    assert answer.json["error"]["code"] == "invalid_idempotency_key"


def test_too_little_cash_is_refused_and_the_number_is_not_used(client, lan, db_session, freeze):
    freeze(DAY)
    product = make_product(price_vnd=100000)
    receive(client, lan, product, 5)
    short = sell(client, lan, (product, 1), key="cash-short-1", cash_received_vnd=50000)
    assert short.status_code == 422 and short.json["error"]["code"] == "insufficient_cash"
    assert level(client, lan, product) == 5
    assert sell(client, lan, (product, 1), key="cash-ok-0001").json["receipt_number"].endswith("-0001")


def test_a_refused_sale_does_not_use_a_receipt_number(client, lan, freeze):
    freeze(DAY)
    product = make_product(price_vnd=100000)
    receive(client, lan, product, 1)
    assert sell(client, lan, (product, 2), key="too-many-0001").status_code == 409
    assert sell(client, lan, (product, 1), key="just-right-01").json["receipt_number"].endswith("-0001")


def test_a_product_revoked_yesterday_is_409_not_listable_and_nothing_moves(client, lan, db_session, freeze):
    freeze(DAY)
    wine = make_product(certified=False, name="Rượu sim Phú Quốc")
    make_certificate(wine, issued_on=date(2025, 1, 1), revoked_on=DAY - timedelta(days=1))
    receive(client, lan, wine, 5)
    answer = sell(client, lan, (wine, 1), key="revoked-0001")
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "not_listable"
    assert answer.json["error"]["details"]["products"][0]["reason"] == "certificate_revoked"
    assert movements(db_session, wine) == 0 and level(client, lan, wine) == 5
    assert db_session.scalar(select(func.count()).select_from(CounterSale)) == 0


def test_an_offline_sale_before_the_revocation_is_accepted_one_after_needs_attention(
        client, lan, db_session, freeze):
    freeze(DAY)
    wine = make_product(certified=False, name="Rượu sim Phú Quốc", price_vnd=200000)
    make_certificate(wine, issued_on=date(2025, 1, 1), revoked_on=DAY - timedelta(days=1))
    receive(client, lan, wine, 5)
    before = datetime(2026, 11, 28, 15, 4, tzinfo=LOCAL_TZ)  # the day before the revocation
    after = datetime(2026, 11, 29, 15, 30, tzinfo=LOCAL_TZ)  # the revocation's day
    accepted = sell(client, lan, (wine, 1), key="offline-0001", sold_at=before.isoformat())
    assert accepted.status_code == 201, accepted.json
    assert accepted.json["receipt_number"] == "PQ98-20261128-0001"
    assert accepted.json["business_date"] == "2026-11-28" and accepted.json["replayed"] is True
    refused = sell(client, lan, (wine, 1), key="offline-0002", sold_at=after.isoformat())
    assert refused.status_code == 202
    assert refused.json["status"] == "needs_attention" and refused.json["reason"] == "not_listable"
    # Replayed again (the page retried): still the same attention row, still nothing sold.
    again = sell(client, lan, (wine, 1), key="offline-0002", sold_at=after.isoformat())
    assert again.status_code == 202 and again.json["attention"]["id"] == refused.json["attention"]["id"]
    assert level(client, lan, wine) == 4 and movements(db_session, wine) == 1
    listed = client.get("/api/v1/sales-points/PQ-98/attention", headers=auth(lan)).json["items"]
    assert [(i["reason"], i["idempotency_key"]) for i in listed] == [("not_listable", "offline-0002")]
    assert "Rượu sim Phú Quốc" in listed[0]["message"]


def test_an_offline_sale_the_shelf_cannot_cover_needs_attention_and_is_kept(client, lan, db_session, freeze):
    freeze(DAY)
    product = make_product(price_vnd=90000)
    receive(client, lan, product, 1)
    sold_at = datetime(2026, 11, 30, 9, 0, tzinfo=LOCAL_TZ).isoformat()
    answer = sell(client, lan, (product, 3), key="offline-short-1", sold_at=sold_at)
    assert answer.status_code == 202 and answer.json["reason"] == "out_of_stock"
    item = db_session.scalar(select(AttentionItem))
    assert item.total_vnd == 270000 and item.status == "open"
    assert level(client, lan, product) == 1
    resolved = client.post(f"/api/v1/sales-points/PQ-98/attention/{item.id}/resolve", headers=auth(lan),
                           json={"note": "Khách trả lại 2 chai, hoàn tiền"})
    assert resolved.status_code == 200 and resolved.json["status"] == "resolved"
    assert client.get("/api/v1/sales-points/PQ-98/attention?status=all",
                      headers=auth(lan)).json["items"][0]["resolution"].startswith("Khách")


def test_an_offline_sale_of_an_unknown_product_is_kept_for_the_staff(client, lan, db_session, freeze):
    freeze(DAY)
    ghost = type("Ghost", (), {"slug": "no-longer-here"})()
    sold_at = datetime(2026, 11, 30, 9, 0, tzinfo=LOCAL_TZ).isoformat()
    answer = sell(client, lan, (ghost, 1), key="offline-ghost-1", sold_at=sold_at)
    assert answer.status_code == 202 and answer.json["reason"] == "unknown_product"
    online = sell(client, lan, (ghost, 1), key="online-ghost-1")
    assert online.status_code == 404


def test_a_sale_dated_in_the_future_is_422(client, lan, freeze):
    freeze(DAY)
    product = make_product()
    receive(client, lan, product, 3)
    answer = sell(client, lan, (product, 1), key="future-0001",
                  sold_at=datetime(2026, 12, 2, 9, 0, tzinfo=LOCAL_TZ).isoformat())
    assert answer.status_code == 422
    naive = sell(client, lan, (product, 1), key="future-0002", sold_at="2026-11-30T09:00:00")
    assert naive.status_code == 422


def test_void_the_same_day_puts_units_back_and_keeps_the_ticket(client, lan, db_session, freeze):
    freeze(DAY)
    product = make_product(price_vnd=100000)
    receive(client, lan, product, 5)
    ticket = sell(client, lan, (product, 2), key="void-me-0001").json
    assert level(client, lan, product) == 3
    url = f"/api/v1/sales-points/PQ-98/sales/{ticket['id']}/void"
    assert client.post(url, headers=auth(lan), json={"reason": ""}).status_code == 422
    voided = client.post(url, headers=auth(lan), json={"reason": "Khách đổi ý"})
    assert voided.status_code == 200 and voided.json["status"] == "void"
    assert level(client, lan, product) == 5
    again = client.post(url, headers=auth(lan), json={"reason": "again"})
    assert again.json["error"]["code"] == "already_void"
    back = db_session.scalars(select(StockMovement).where(StockMovement.kind == "return")).all()
    assert [(m.quantity, m.reference) for m in back] == [(2, ticket["receipt_number"])]
    day = client.get("/api/v1/sales-points/PQ-98/sales?date=2026-11-30", headers=auth(lan)).json
    assert [t["status"] for t in day["items"]] == ["void"]
    assert ledger_matches_levels(db_session)


def test_yesterdays_ticket_is_not_voided_but_returned(client, lan, freeze):
    freeze(DAY - timedelta(days=1))
    product = make_product(price_vnd=100000)
    receive(client, lan, product, 5)
    ticket = sell(client, lan, (product, 3), key="yesterday-01").json
    freeze(DAY)
    base = f"/api/v1/sales-points/PQ-98/sales/{ticket['id']}"
    late = client.post(base + "/void", headers=auth(lan), json={"reason": "x"})
    assert late.status_code == 409 and late.json["error"]["code"] == "void_too_late"
    items = [{"product": product.slug, "quantity": 1}]
    ret = client.post(base + "/returns", headers=auth(lan), json={"items": items, "reason": "Vỡ nắp"})
    assert ret.status_code == 201 and ret.json["amount_vnd"] == 100000
    assert level(client, lan, product) == 3
    too_many = client.post(base + "/returns", headers=auth(lan),
                           json={"items": [{"product": product.slug, "quantity": 3}], "reason": "x"})
    assert too_many.status_code == 422 and "2 left" in too_many.json["error"]["message"]
    report = client.get("/api/v1/sales-points/PQ-98/reports/day?date=2026-11-30", headers=auth(lan)).json
    assert report["refunded_vnd"] == 100000 and report["cash_expected_vnd"] == -100000


def test_tickets_of_another_point_are_404(client, lan, point, db_session):
    product = make_product()
    receive(client, lan, product, 5)
    ticket = sell(client, lan, (product, 1), key="mine-000001").json
    other_point = make_sales_point(code="NB-98")
    other = make_token(make_user("sales_point", sales_point=other_point))
    for code in ("PQ-98", "NB-98"):
        url = f"/api/v1/sales-points/{code}/sales/{ticket['id']}"
        assert client.get(url, headers=auth(other)).status_code == 404
    for path in ("sales", "reports/day", "transfers", "pickups", "attention", "catalogue"):
        assert client.get(f"/api/v1/sales-points/PQ-98/{path}", headers=auth(other)).status_code == 404, path
    assert client.post(f"/api/v1/sales-points/PQ-98/sales/{ticket['id']}/void", headers=auth(other),
                       json={"reason": "x"}).status_code == 404
    assert sell(client, other, (product, 1), key="theirs-00001").status_code == 404


def test_receipt_number_format_and_the_office_may_sell_for_a_point(client, point, freeze):
    freeze(DAY)
    admin = make_token(make_user("admin"))
    product = make_product()
    receive(client, admin, product, 2)
    answer = sell(client, admin, (product, 1), key="office-0001")
    assert re.fullmatch(r"PQ98-20261130-\d{4}", answer.json["receipt_number"])


def test_the_catalogue_lists_sellable_days_from_the_gate(client, lan, freeze):
    freeze(DAY)
    ending = make_product(certified=False, name="Mắm ruốc")
    make_certificate(ending, issued_on=date(2025, 1, 1), valid_until=DAY + timedelta(days=2))
    receive(client, lan, ending, 4)
    cat = client.get("/api/v1/sales-points/PQ-98/catalogue", headers=auth(lan)).json
    item = cat["items"][0]
    assert item["listable"] is True and item["on_hand"] == 4
    assert item["sellable_days"] == ["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"]
    assert item["folded"].startswith("mam ruoc")


def test_a_fair_booth_sells_through_the_same_ticket_service(db_session, freeze):
    """Tickets belong to a stock Location, not only to a sales point: a booth reuses them."""
    from showrooms import counter
    from showrooms.models import Location
    from showrooms.stock import record_movement

    freeze(DAY)
    product = make_product(price_vnd=120000)
    booth = Location(code="TUANLE-B12", kind="booth", name="Gian B12", producer_id=product.producer_id)
    db_session.add(booth)
    db_session.flush()
    record_movement(db_session, location=booth, product=product, kind="transfer_in", quantity=3)
    outcome = counter.sell(db_session, booth, counter.SaleRequest(items=[(product.slug, 2)]),
                           key="booth-sale-0001")
    assert outcome.created and outcome.sale.receipt_number == "TUANLEB12-20261130-0001"
    again = counter.sell(db_session, booth, counter.SaleRequest(items=[(product.slug, 2)]),
                         key="booth-sale-0001")
    assert not again.created and again.sale.id == outcome.sale.id
    assert ledger_matches_levels(db_session)
