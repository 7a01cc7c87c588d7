"""Never oversell, never pay twice — with real commits on PostgreSQL and many clients at once.

50 clients order the last 20 units of one product at the same moment: exactly 20 sold, 30
clean 409 `out_of_stock`, the level at 0, no 500. Reservations that expire free their units
without any job. The same webhook event delivered concurrently is one payment."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.extensions import db
from showrooms.models import Reservation, StockLevel, StockMovement
from showrooms.services import online_availability
from showrooms.stock import ledger_matches_levels
from storefront.models import Order, Payment, StripeEvent
from tests.factories import make_product, order_payload, receive_stock
from tests.storefront.conftest import pay_with_test_card, signed_event

pytestmark = pytest.mark.postgres

CLIENTS = 50
UNITS = 20


def _arrange(app, units: int, **product) -> tuple[object, int]:
    with app.app_context():
        item = make_product(**product)
        receive_stock(item, units)
        db.session.commit()
        return item, item.id


def _all_at_once(app, requests: list) -> list:
    """Run every (method, url, kwargs) at the same instant, each with its own client."""
    barrier = threading.Barrier(len(requests))

    def run(request):
        method, url, kwargs = request
        client = app.test_client()
        barrier.wait()
        answer = getattr(client, method)(url, **kwargs)
        return answer.status_code, answer.get_json()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(run, requests))


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_fifty_clients_order_the_last_twenty_units(committed):
    product, product_id = _arrange(committed, UNITS, price_vnd=50_000)
    with committed.app_context():
        body = order_payload((product, 1))
    answers = _all_at_once(committed, [("post", "/api/v1/orders", {"json": body})] * CLIENTS)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] * UNITS + [409] * (CLIENTS - UNITS)
    assert {a["error"]["code"] for s, a in answers if s == 409} == {"out_of_stock"}
    with committed.app_context():
        level = db.session.scalar(select(StockLevel).where(StockLevel.product_id == product_id))
        assert level.on_hand == 0
        sold = db.session.scalar(select(func.sum(StockMovement.quantity)).where(
            StockMovement.kind == "sale", StockMovement.product_id == product_id))
        assert sold == -UNITS
        assert _count(Order) == UNITS
        assert ledger_matches_levels(db.session)


def test_reservations_race_and_then_expire_by_themselves(committed):
    start = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    product, product_id = _arrange(committed, UNITS, price_vnd=80_000)
    with committed.app_context():
        body = order_payload((product, 1), payment="bank_transfer")
    with time_machine.travel(start, tick=True):
        answers = _all_at_once(committed, [("post", "/api/v1/orders", {"json": body})] * CLIENTS)
        assert sorted(s for s, _ in answers) == [201] * UNITS + [409] * (CLIENTS - UNITS)
        with committed.app_context():
            assert online_availability(db.session, [product_id]) == {product_id: 0}
            assert _count(Reservation, Reservation.status == "active") == UNITS
    # A day later nobody has paid; no job has run, yet the units are available again.
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=True):
        with committed.app_context():
            assert online_availability(db.session, [product_id]) == {product_id: UNITS}
        answers = _all_at_once(committed, [("post", "/api/v1/orders", {"json": body})] * CLIENTS)
        assert sorted(s for s, _ in answers) == [201] * UNITS + [409] * (CLIENTS - UNITS)
        with committed.app_context():
            level = db.session.scalar(select(StockLevel).where(StockLevel.product_id == product_id))
            assert level.on_hand == UNITS  # reserved, not sold: nothing left the warehouse
            assert _count(StockMovement, StockMovement.kind == "sale") == 0


def test_many_products_many_clients_no_deadlock_no_oversell(committed):
    products = []
    for units in (5, 7, 9):
        products.append(_arrange(committed, units, price_vnd=10_000))
    with committed.app_context():
        # Each client wants all three, listed in a different order (deadlock bait).
        bodies = [order_payload(*[(p, 1) for p, _ in (products[i % 3:] + products[:i % 3])])
                  for i in range(30)]
    answers = _all_at_once(committed, [("post", "/api/v1/orders", {"json": b}) for b in bodies])
    statuses = [s for s, _ in answers]
    assert set(statuses) <= {201, 409} and statuses.count(201) == 5
    with committed.app_context():
        levels = {lv.product_id: lv.on_hand for lv in db.session.scalars(select(StockLevel))}
        assert levels == {products[0][1]: 0, products[1][1]: 2, products[2][1]: 4}
        assert ledger_matches_levels(db.session)


def test_the_same_webhook_event_delivered_concurrently_is_one_payment(
        committed, localstripe_url, stripe_client):
    committed.config.update(STRIPE_API_BASE=localstripe_url,
                            STRIPE_WEBHOOK_SECRET="whsec_test_ocop", STRIPE_SECRET_KEY="sk_test_ocop")
    product, product_id = _arrange(committed, 5, price_vnd=40_000)
    with committed.app_context():
        body = order_payload((product, 2), payment="card")
    created = committed.test_client().post("/api/v1/orders", json=body).get_json()
    intent = pay_with_test_card(stripe_client, created["payment"]["payment_intent"])
    same_payload, same_headers = signed_event(intent, event_id="evt_concurrent_once")
    requests = [("post", "/stripe/webhook", {"data": same_payload, "headers": same_headers})] * 10
    # …and a few distinct events about the same PaymentIntent, racing with them.
    for _ in range(5):
        payload, headers = signed_event(intent)
        requests.append(("post", "/stripe/webhook", {"data": payload, "headers": headers}))
    answers = _all_at_once(committed, requests)
    assert {s for s, _ in answers} == {200}
    same = [body["status"] for _, body in answers[:10]]
    assert sorted(same) == ["duplicate"] * 9 + ["processed"]
    with committed.app_context():
        order = db.session.scalar(select(Order).where(Order.number == created["number"]))
        assert order.payment_status == "paid"
        assert _count(Payment, Payment.kind == "payment") == 1
        assert _count(StripeEvent) == 6
        assert db.session.scalar(select(func.sum(StockMovement.quantity)).where(
            StockMovement.kind == "sale")) == -2
        assert online_availability(db.session, [product_id]) == {product_id: 3}
