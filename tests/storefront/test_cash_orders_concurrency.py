"""Issue 12, with real commits on PostgreSQL: twenty anonymous cash-on-delivery orders sent
at the same instant cannot take more than the limits allow, and what an unconfirmed order
took comes back when it expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db
from showrooms.models import StockLevel
from showrooms.stock import ledger_matches_levels
from storefront.cash_orders import expire_unconfirmed
from storefront.models import Order
from tests.factories import order_payload
from tests.storefront.conftest import use_shipped_cash_limits
from tests.storefront.test_orders_concurrency import _all_at_once, _arrange

pytestmark = pytest.mark.postgres

START = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture
def shipped_limits(committed, monkeypatch):
    use_shipped_cash_limits(committed, monkeypatch)
    return committed


def _body(product, quantity: int, phone: str, address: str) -> dict:
    return order_payload((product, quantity), customer={"name": "Ẩn danh", "phone": phone,
                                                        "email": "a@example.com"},
                         shipping={"address": address, "province": 92})


def test_twenty_anonymous_cod_orders_take_at_most_the_limits_then_expire(shipped_limits):
    app = shipped_limits
    product, product_id = _arrange(app, 500, price_vnd=20_000)
    with app.app_context():
        # Ten from one phone, ten from ten other phones, all to one address (typed two
        # ways), each asking for the most a line may hold; plus the attacker's 99 units.
        requests = [_body(product, 10, "0912 345 678", "1 Hoà Bình, Ninh Kiều")] * 10
        requests += [_body(product, 10, f"0913 000 0{n:02d}", "1 hoa binh ninh kieu")
                     for n in range(9)]
        requests.append(_body(product, 99, "0914 999 999", "9 Trần Phú, Ninh Kiều"))
    with time_machine.travel(START, tick=True):
        answers = _all_at_once(app, [("post", "/api/v1/orders", {"json": body})
                                     for body in requests])
    statuses = [status for status, _ in answers]
    assert 500 not in statuses
    created = [a for s, a in answers if s == 201]
    # The address allows three open orders, the phone two of them: three orders of 10.
    assert len(created) == 3
    assert sum(1 for s in statuses[:10] if s == 201) <= 2
    assert {a["error"]["code"] for s, a in answers if s == 409} == {"too_many_open_orders"}
    assert answers[-1][0] == 422 and answers[-1][1]["error"]["code"] == "cash_quantity_limit"
    with app.app_context():
        level = db.session.scalar(select(StockLevel).where(StockLevel.product_id == product_id))
        assert level.on_hand == 500 - 30
        assert db.session.scalar(select(func.count()).select_from(Order)) == 3
    # Nobody confirms: a day later the tidy-up gives every unit back.
    with time_machine.travel(START + timedelta(hours=24, minutes=1), tick=True), app.app_context():
        expired = expire_unconfirmed(db.session)
        db.session.commit()
        assert sorted(order.number for order, _ in expired) == sorted(
            a["number"] for a in created)
        assert expire_unconfirmed(db.session) == []  # once
        db.session.commit()
        level = db.session.scalar(select(StockLevel).where(StockLevel.product_id == product_id))
        assert level.on_hand == 500
        assert ledger_matches_levels(db.session)


def test_a_customer_cancelling_twice_at_once_restocks_once(committed):
    product, product_id = _arrange(committed, 10, price_vnd=20_000)
    with committed.app_context():
        body = order_payload((product, 4))
    created = committed.test_client().post("/api/v1/orders", json=body).json
    url = f"/api/v1/orders/{created['number']}/cancel?token={created['access_token']}"
    answers = _all_at_once(committed, [("post", url, {})] * 8)
    assert sorted(s for s, _ in answers) == [200] + [409] * 7
    assert {a["error"]["code"] for s, a in answers if s == 409} == {"already_cancelled"}
    with committed.app_context():
        level = db.session.scalar(select(StockLevel).where(StockLevel.product_id == product_id))
        assert level.on_hand == 10
        assert ledger_matches_levels(db.session)
