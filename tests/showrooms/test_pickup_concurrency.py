"""The pickup point confirming a pay-at-pickup order while the expiry cancels it, with real
commits on PostgreSQL: one of the two wins whole — confirmed and kept, or cancelled with its
units back once — never a half of each."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db
from showrooms.models import StockLevel, StockMovement
from showrooms.stock import ledger_matches_levels
from storefront.cash_orders import expire_unconfirmed
from storefront.models import Order
from tests.factories import (
    auth,
    make_product,
    make_sales_point,
    make_token,
    make_user,
    order_payload,
    receive_stock,
)

pytestmark = pytest.mark.postgres

START = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize("round_", range(3))
def test_the_points_confirmation_and_the_expiry_never_both_win(committed, round_):
    app = committed
    with app.app_context():
        point = make_sales_point(code="PQ-55")
        token = make_token(make_user("sales_point", sales_point=point))
        products = [make_product(price_vnd=80_000) for _ in range(2)]   # two producers
        for product in products:
            receive_stock(product, 10)
        body = order_payload(*[(p, 2) for p in products], payment="pay_at_pickup",
                             fulfilment="pickup", pickup_point="PQ-55")
        product_ids = [p.id for p in products]
        db.session.commit()
    with time_machine.travel(START, tick=True):
        placed = app.test_client().post("/api/v1/orders", json=body)
    assert placed.status_code == 201, placed.json
    number = placed.json["number"]
    url = f"/api/v1/sales-points/PQ-55/pickups/{number}/confirm"
    barrier = threading.Barrier(5)

    def confirm():
        client = app.test_client()
        barrier.wait()
        answer = client.post(url, headers=auth(token))
        return answer.status_code, (answer.get_json() or {}).get("error", {}).get("code")

    def expire():
        with app.app_context():
            barrier.wait()
            expired = [order.number for order, _lines in expire_unconfirmed(db.session)]
            db.session.commit()
            db.session.remove()
            return expired

    with time_machine.travel(START + timedelta(hours=24, minutes=1), tick=True), \
            ThreadPoolExecutor(max_workers=5) as pool:
        confirms = [pool.submit(confirm) for _ in range(4)]
        expiry = pool.submit(expire)
        answers = [f.result() for f in confirms]
        expired = expiry.result()

    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        levels = {level.product_id: level.on_hand for level in db.session.scalars(
            select(StockLevel).where(StockLevel.product_id.in_(product_ids)))}
        returned = db.session.scalar(select(func.count()).select_from(StockMovement).where(
            StockMovement.kind == "return", StockMovement.reference == number))
        if expired:
            assert answers == [(409, "order_cancelled")] * 4
            assert order.status == "cancelled"
            assert {s.status for s in order.shipments} == {"cancelled"}
            assert levels == dict.fromkeys(product_ids, 10) and returned == 2
        else:
            assert answers == [(200, None)] * 4
            assert order.status == "confirmed"
            assert {s.status for s in order.shipments} == {"confirmed"}
            assert levels == dict.fromkeys(product_ids, 8) and returned == 0
        assert ledger_matches_levels(db.session)
