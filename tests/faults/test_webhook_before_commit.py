"""A Stripe webhook that arrives before its order's transaction committed is answered 409
`order_not_ready` — non-2xx, so Stripe delivers it again — and nothing is recorded; the
next delivery, once the order is committed, is applied once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.extensions import db
from storefront.models import Order, StripeEvent
from tests.factories import make_product, order_payload, receive_stock
from tests.storefront.conftest import WEBHOOK_SECRET, pay_with_test_card, signed_event


def _events(session) -> int:
    return session.scalar(select(func.count(StripeEvent.id)))


def test_event_for_an_order_not_visible_yet_is_refused_unrecorded_then_applied_once(
        client, db_session, stripe_app, stripe_client):
    product = make_product(price_vnd=85_000)
    receive_stock(product, 5)
    created = client.post("/api/v1/orders", json=order_payload((product, 1), payment="card")).json
    intent = pay_with_test_card(stripe_client, created["payment"]["payment_intent"]).to_dict()
    # The same event, as it looks while its order is invisible (another PaymentIntent id,
    # an order number not committed): Stripe must be told to come back.
    early = intent | {"id": "pi_not_committed_yet",
                      "metadata": {"order_number": "OCOP-NOT-COMMITTED"}}
    payload, headers = signed_event(early, event_id="evt_early_0001")
    answer = client.post("/stripe/webhook", data=payload, headers=headers)
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "order_not_ready"
    assert _events(db_session) == 0  # the event id is not burnt
    # A PaymentIntent that is not ours (no order number) is acknowledged and ignored.
    foreign = intent | {"id": "pi_other_shop", "metadata": {}}
    answer = client.post("/stripe/webhook", data=signed_event(foreign, event_id="evt_foreign")[0],
                         headers=signed_event(foreign, event_id="evt_foreign")[1])
    assert answer.status_code == 200

    payload, headers = signed_event(intent, event_id="evt_early_0001")
    first = client.post("/stripe/webhook", data=payload, headers=headers)
    assert first.status_code == 200 and first.json["status"] == "processed"
    again = client.post("/stripe/webhook", data=payload, headers=headers)
    assert again.status_code == 200 and again.json["status"] == "duplicate"
    db_session.expire_all()
    order = db_session.scalar(select(Order).where(Order.number == created["number"]))
    assert order.payment_status == "paid"


@pytest.mark.postgres
def test_webhook_racing_the_checkout_transaction_on_postgres(committed, localstripe_url,
                                                             stripe_client):
    app = committed
    app.config.update(STRIPE_API_BASE=localstripe_url, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      STRIPE_SECRET_KEY="sk_test_ocop")
    with app.app_context():
        product = make_product(price_vnd=120_000)
        receive_stock(product, 3)
        db.session.commit()
        payload_body = order_payload((product, 1), payment="card")
        db.session.remove()

    reached, release = threading.Event(), threading.Event()
    seen: dict = {}
    checkout = threading.current_thread()

    def hold_commit(session):
        if threading.current_thread() is checkout or reached.is_set():
            return
        orders = [o for o in session.identity_map.values() if isinstance(o, Order)]
        if orders and orders[0].stripe_payment_intent_id:
            seen["intent"] = orders[0].stripe_payment_intent_id
            seen["number"] = orders[0].number
            reached.set()
            release.wait(30)  # the order is written (flushed) but not committed

    event.listen(Session, "before_commit", hold_commit)
    result: dict = {}

    def place():
        result["answer"] = app.test_client().post("/api/v1/orders", json=payload_body)

    worker = threading.Thread(target=place)
    try:
        worker.start()
        assert reached.wait(30), "the checkout never reached its commit"
        intent = pay_with_test_card(stripe_client, seen["intent"])
        payload, headers = signed_event(intent, event_id="evt_race_0001")
        client = app.test_client()
        early = client.post("/stripe/webhook", data=payload, headers=headers)
        assert early.status_code == 409, early.get_data(as_text=True)
        assert early.json["error"]["code"] == "order_not_ready"
    finally:
        release.set()
        worker.join(30)
        event.remove(Session, "before_commit", hold_commit)
    assert result["answer"].status_code == 201
    with app.app_context():
        assert _events(db.session) == 0
        db.session.remove()
    retried = client.post("/stripe/webhook", data=payload, headers=headers)
    assert retried.status_code == 200 and retried.json["status"] == "processed"
    replay = client.post("/stripe/webhook", data=payload, headers=headers)
    assert replay.json["status"] == "duplicate"
    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == seen["number"]))
        assert order.payment_status == "paid"
        assert _events(db.session) == 1
        db.session.remove()
