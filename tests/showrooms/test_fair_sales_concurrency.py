"""Selling the last units at a fair booth under concurrency, with real commits on
PostgreSQL: twenty sales of the last four units sell exactly four, with gapless receipt
numbers, and the same Idempotency-Key sent at once is one ticket (the counter's own rules)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.clock import today
from app.extensions import db
from showrooms import booth_stock, fairs
from showrooms.counter_models import CounterSale
from showrooms.models import StockLevel
from showrooms.stock import ledger_matches_levels
from tests.factories import auth, make_producer, make_product, make_token, make_user, receive_stock
from tests.showrooms.fair_factories import make_fair
from tests.showrooms.test_counter_concurrency import _all_at_once

pytestmark = pytest.mark.postgres


def _arrange(app, units: int):
    """A fair open today with one confirmed booth holding `units` of one product."""
    with app.app_context():
        fair = make_fair()
        producer = make_producer(province_code=15, ward_code=2839)
        product = make_product(producer, price_vnd=120_000)
        receive_stock(product, units)
        booking = fairs.confirm_booking(db.session, fair,
                                        fairs.book_booth(db.session, fair, "B1", producer).id)
        booth_stock.transfer(db.session, booking, "to_booth", [(product.slug, units)])
        fair.starts_on, fair.ends_on = today(), today() + timedelta(days=2)
        token = make_token(make_user("producer", producer=producer))
        db.session.commit()
        return token, f"/api/v1/seller/booths/{fair.slug}/B1/sales", product.slug, booking.location_id


def _sale(url: str, token: str, slug: str, key: str):
    return ("post", url, {"json": {"items": [{"product": slug, "quantity": 1}], "payment": "cash"},
                          "headers": {**auth(token), "Idempotency-Key": key}})


def test_twenty_sales_of_the_last_four_units_at_a_booth_sell_exactly_four(committed):
    token, url, slug, location_id = _arrange(committed, 4)
    answers = _all_at_once(committed, [_sale(url, token, slug, f"booth-last-{n:04d}") for n in range(20)])
    assert sorted(s for s, _ in answers) == [201] * 4 + [409] * 16, answers
    assert {a["error"]["code"] for s, a in answers if s == 409} == {"out_of_stock"}
    numbers = sorted(a["receipt_number"] for s, a in answers if s == 201)
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3, 4]
    with committed.app_context():
        assert db.session.scalar(select(StockLevel.on_hand).where(
            StockLevel.location_id == location_id)) == 0
        assert ledger_matches_levels(db.session)


def test_the_same_key_at_once_at_a_booth_is_one_ticket(committed):
    token, url, slug, location_id = _arrange(committed, 10)
    answers = _all_at_once(committed, [_sale(url, token, slug, "booth-same-key-1")] * 8)
    assert sorted(s for s, _ in answers) == [200] * 7 + [201], answers
    with committed.app_context():
        assert db.session.scalar(select(func.count()).select_from(CounterSale)) == 1
        assert db.session.scalar(select(StockLevel.on_hand).where(
            StockLevel.location_id == location_id)) == 9
