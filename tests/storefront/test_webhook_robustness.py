"""Stripe events that once answered 500 (issue 15): a signed event without `data` (or
without an id, or with a payload nested beyond reason) is refused with 400, and ten
concurrent deliveries of one event all answer 200 and apply it once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from showrooms.models import StockMovement
from storefront.models import Order, StripeEvent
from tests.conftest import ON_POSTGRES
from tests.conftest import test_config as config_in
from tests.factories import make_product, order_payload, receive_stock
from tests.storefront.conftest import WEBHOOK_SECRET, pay_with_test_card, signed_event


def _signed(payload: bytes) -> dict:
    timestamp = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return {"Stripe-Signature": f"t={timestamp},v1={digest.hexdigest()}",
            "Content-Type": "application/json"}


def _events(session) -> int:
    return session.scalar(select(func.count(StripeEvent.id)))


@pytest.mark.parametrize("event", [
    {"id": "evt_no_data", "object": "event", "type": "payment_intent.succeeded"},
    {"id": "evt_null_data", "object": "event", "type": "payment_intent.succeeded", "data": None},
    {"id": "evt_no_object", "object": "event", "type": "payment_intent.succeeded", "data": {}},
    {"id": "evt_list_object", "object": "event", "type": "payment_intent.payment_failed",
     "data": {"object": [1, 2]}},
    {"id": "evt_no_intent_id", "object": "event", "type": "payment_intent.succeeded",
     "data": {"object": {"metadata": {}}}},
    {"object": "event", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1"}}},
    {"id": ["evt"], "object": "event", "type": "payment_intent.succeeded",
     "data": {"object": {"id": "pi_1"}}},
    {"id": "evt_no_type", "object": "event", "data": {"object": {"id": "pi_1"}}},
])
def test_signed_event_without_its_parts_is_a_bad_request(client, db_session, stripe_app, event):
    payload = json.dumps(event).encode()
    answer = client.post("/stripe/webhook", data=payload, headers=_signed(payload))
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert answer.json["error"]["code"] == "invalid_event"
    assert _events(db_session) == 0


def test_signed_event_nested_too_deep_is_a_bad_request(client, db_session, stripe_app):
    payload = b'{"id": "evt_deep", "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = client.post("/stripe/webhook", data=payload, headers=_signed(payload))
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert answer.json["error"]["code"] in ("invalid_event", "bad_signature")


def _ten_concurrent_deliveries(app, localstripe_url, stripe_client) -> None:
    app.config.update(STRIPE_API_BASE=localstripe_url, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      STRIPE_SECRET_KEY="sk_test_ocop")
    with app.app_context():
        product = make_product(price_vnd=120_000)
        receive_stock(product, 3)
        db.session.commit()
        product_id = product.id
        body = order_payload((product, 2), payment="card")
        db.session.remove()
    created = app.test_client().post("/api/v1/orders", json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    intent = pay_with_test_card(stripe_client, created.json["payment"]["payment_intent"])
    payload, headers = signed_event(intent)

    start = threading.Barrier(10)
    answers: list = []

    def deliver():
        client = app.test_client()
        start.wait(10)
        answers.append(client.post("/stripe/webhook", data=payload, headers=headers))

    workers = [threading.Thread(target=deliver) for _ in range(10)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [a.status_code for a in answers] == [200] * 10, [a.get_data(as_text=True) for a in answers]
    statuses = sorted(a.json["status"] for a in answers)
    assert statuses == ["duplicate"] * 9 + ["processed"]
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == created.json["number"]))
        assert order.payment_status == "paid"
        assert db.session.scalar(select(func.count(StripeEvent.id)).where(
            StripeEvent.order_id == order.id)) == 1
        sales = db.session.scalar(select(func.count(StockMovement.id)).where(
            StockMovement.product_id == product_id, StockMovement.kind == "sale"))
        assert sales == 1
        db.session.remove()


@pytest.mark.postgres
def test_ten_concurrent_deliveries_of_one_event_all_answer_200_and_apply_it_once(
        committed, localstripe_url, stripe_client):
    for _ in range(5):
        _ten_concurrent_deliveries(committed, localstripe_url, stripe_client)


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    """An app on its own SQLite file whose requests commit for real (as `make run`)."""
    workdir = tmp_path_factory.mktemp("webhook-sqlite")
    application = create_app({**config_in(workdir),
                              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'hooks.sqlite3'}"})
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.mark.skipif(ON_POSTGRES, reason="the embedded SQLite default's own discipline")
def test_ten_concurrent_deliveries_on_the_embedded_database(sqlite_app, localstripe_url,
                                                             stripe_client):
    for _ in range(3):
        _ten_concurrent_deliveries(sqlite_app, localstripe_url, stripe_client)
