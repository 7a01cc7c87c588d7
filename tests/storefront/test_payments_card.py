"""Card payments against a real localstripe started by the suite: PaymentIntent → confirm
like Stripe.js → signed webhook → order paid, stock sold. Bad signatures and replays change
nothing; the gate runs again at payment and refunds what can no longer be sold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

from sqlalchemy import func, select

from app.clock import today
from catalog.services import revoke_certificate
from showrooms.models import Reservation, StockMovement
from showrooms.services import online_availability
from storefront.models import Order, Payment, StripeEvent
from tests.factories import make_certificate, make_product, order_payload, receive_stock
from tests.storefront.conftest import pay_with_test_card, signed_event


def _place_card_order(client, *lines) -> dict:
    answer = client.post("/api/v1/orders", json=order_payload(*lines, payment="card"))
    assert answer.status_code == 201, answer.json
    return answer.json


def _order(db_session, number) -> Order:
    db_session.expire_all()
    return db_session.scalar(select(Order).where(Order.number == number))


def _sales(db_session, number) -> list[int]:
    return sorted(m.quantity for m in db_session.scalars(select(StockMovement).where(
        StockMovement.kind == "sale", StockMovement.reference == number)))


def _deliver(client, payload, headers):
    return client.post("/stripe/webhook", data=payload, headers=headers)


def test_card_order_is_paid_by_the_signed_webhook_and_the_stock_is_sold(
        client, db_session, stripe_app, stripe_client, outbox):
    com_chay = make_product(name="Cơm cháy", price_vnd=85_000)
    wine = make_product(name="Rượu Kim Sơn", price_vnd=150_000)
    receive_stock(com_chay, 5)
    receive_stock(wine, 5)
    created = _place_card_order(client, (com_chay, 2), (wine, 1))
    payment = created["payment"]
    assert payment["client_secret"].startswith(payment["payment_intent"] + "_secret_")
    assert payment["publishable_key"] == stripe_app.config["STRIPE_PUBLISHABLE_KEY"]
    assert created["status"] == "pending"
    intent = stripe_client.v1.payment_intents.retrieve(payment["payment_intent"])
    assert (intent.amount, intent.currency) == (2 * 85_000 + 150_000 + 2 * 30_000, "vnd")
    order = _order(db_session, created["number"])
    assert order.stripe_payment_intent_id == intent.id
    assert online_availability(db_session, [com_chay.id]) == {com_chay.id: 3}  # reserved
    assert _sales(db_session, order.number) == []

    confirmed = pay_with_test_card(stripe_client, intent.id)
    assert confirmed.status == "succeeded"
    answer = _deliver(client, *signed_event(confirmed))
    assert answer.status_code == 200 and answer.json["status"] == "processed"

    order = _order(db_session, created["number"])
    assert (order.status, order.payment_status) == ("confirmed", "paid")
    assert [s.status for s in order.shipments] == ["confirmed", "confirmed"]
    assert _sales(db_session, order.number) == [-2, -1]
    assert {r.status for r in db_session.scalars(select(Reservation).where(
        Reservation.reference == order.number))} == {"consumed"}
    assert online_availability(db_session, [com_chay.id, wine.id]) == {com_chay.id: 3, wine.id: 4}
    assert len(list(outbox.glob("*.eml"))) == 2  # order placed + paid
    shown = client.get(f"/api/v1/orders/{order.number}?token={created['access_token']}").json
    assert shown["payment_status"] == "paid"
    assert [s["status"] for s in shown["shipments"]] == ["confirmed", "confirmed"]


def test_a_bad_signature_is_refused_and_changes_nothing(client, db_session, stripe_app,
                                                        stripe_client):
    product = make_product()
    receive_stock(product, 3)
    created = _place_card_order(client, (product, 1))
    intent = pay_with_test_card(stripe_client, created["payment"]["payment_intent"])
    payload, headers = signed_event(intent, secret="whsec_someone_else")
    answer = _deliver(client, payload, headers)
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "bad_signature"
    tampered, good_headers = signed_event(intent)
    answer = _deliver(client, tampered.replace(b'"amount": ', b'"amount": 1'), good_headers)
    assert answer.status_code == 400
    assert client.post("/stripe/webhook", data=b"{}").status_code == 400
    order = _order(db_session, created["number"])
    assert (order.status, order.payment_status) == ("pending", "unpaid")
    assert db_session.scalar(select(func.count()).select_from(StripeEvent)) == 0
    assert _sales(db_session, order.number) == []


def test_the_same_event_delivered_ten_times_is_one_payment(client, db_session, stripe_app,
                                                           stripe_client, outbox):
    product = make_product(price_vnd=50_000)
    receive_stock(product, 10)
    created = _place_card_order(client, (product, 4))
    intent = pay_with_test_card(stripe_client, created["payment"]["payment_intent"])
    payload, headers = signed_event(intent, event_id="evt_replayed_ten_times")
    statuses = [_deliver(client, payload, headers).json["status"] for _ in range(10)]
    assert statuses == ["processed"] + ["duplicate"] * 9
    # A different event about the same PaymentIntent is recorded but pays nothing twice.
    assert _deliver(client, *signed_event(intent)).status_code == 200
    order = _order(db_session, created["number"])
    payments = db_session.scalars(select(Payment).where(Payment.order_id == order.id)).all()
    assert [(p.kind, p.amount_vnd) for p in payments] == [("payment", 230_000)]
    assert _sales(db_session, order.number) == [-4]
    assert online_availability(db_session, [product.id]) == {product.id: 6}
    assert len(list(outbox.glob("*.eml"))) == 2


def test_revoked_product_cannot_be_paid_for_its_line_is_refunded_and_cancelled(
        client, db_session, stripe_app, stripe_client, outbox):
    honey = make_product(certified=False, name="Mật ong bạc hà", price_vnd=200_000)
    honey_cert = make_certificate(honey, issued_on=today() - timedelta(days=200))
    tea = make_product(name="Trà Shan tuyết", price_vnd=100_000)
    receive_stock(honey, 5)
    receive_stock(tea, 5)
    created = _place_card_order(client, (honey, 1), (tea, 2))
    assert created["total_vnd"] == 200_000 + 200_000 + 2 * 30_000

    # Between checkout and payment the office revokes the honey's certificate.
    revoke_certificate(db_session, honey_cert, reason="Không đạt an toàn thực phẩm",
                       revoked_on=today())
    intent = pay_with_test_card(stripe_client, created["payment"]["payment_intent"])
    assert _deliver(client, *signed_event(intent)).status_code == 200

    order = _order(db_session, created["number"])
    assert (order.status, order.payment_status) == ("confirmed", "partially_refunded")
    lines = {line.product_name: line for line in order.lines}
    assert lines["Mật ong bạc hà"].status == "cancelled"
    assert "thu hồi" in lines["Mật ong bạc hà"].cancel_reason
    assert lines["Trà Shan tuyết"].status == "active"
    shipments = {s.producer_id: s for s in order.shipments}
    assert shipments[honey.producer_id].status == "cancelled"   # never ships
    assert shipments[tea.producer_id].status == "confirmed"
    refund_due = 200_000 + 30_000                                # the line and its shipment's fee
    assert order.refunded_vnd == refund_due
    refunds = stripe_client.v1.refunds.list(params={"payment_intent": intent.id}).data
    assert [r.amount for r in refunds] == [refund_due]
    recorded = db_session.scalar(select(Payment).where(Payment.order_id == order.id,
                                                       Payment.kind == "refund"))
    assert recorded.external_id == refunds[0].id and recorded.amount_vnd == refund_due
    assert _sales(db_session, order.number) == [-2]               # tea sold, honey not
    assert online_availability(db_session, [honey.id]) == {honey.id: 5}
    mails = [message_from_bytes(m.read_bytes(), policy=policy.default)
             for m in outbox.glob("*.eml")]
    [notice] = [m for m in mails if "hoàn tiền" in m["Subject"]]
    text = notice.get_body(("plain",)).get_content()
    assert "Mật ong bạc hà" in text and "thu hồi" in text and "230.000 ₫" in text


def test_when_nothing_can_be_sold_any_more_everything_is_refunded(client, db_session, stripe_app,
                                                                  stripe_client):
    honey = make_product(certified=False, price_vnd=200_000)
    cert = make_certificate(honey, issued_on=today() - timedelta(days=200))
    receive_stock(honey, 5)
    created = _place_card_order(client, (honey, 1))
    revoke_certificate(db_session, cert, reason="Thu hồi", revoked_on=today())
    intent = pay_with_test_card(stripe_client, created["payment"]["payment_intent"])
    _deliver(client, *signed_event(intent))
    order = _order(db_session, created["number"])
    assert (order.status, order.payment_status) == ("cancelled", "refunded")
    assert order.refunded_vnd == order.total_vnd == 230_000
    refunds = stripe_client.v1.refunds.list(params={"payment_intent": intent.id}).data
    assert [r.amount for r in refunds] == [230_000]


def test_a_failed_card_payment_releases_the_units_and_cancels_the_order(
        client, db_session, stripe_app, stripe_client):
    product = make_product()
    receive_stock(product, 2)
    created = _place_card_order(client, (product, 2))
    assert online_availability(db_session, [product.id]) == {product.id: 0}
    intent = stripe_client.v1.payment_intents.retrieve(created["payment"]["payment_intent"])
    answer = _deliver(client, *signed_event(intent, "payment_intent.payment_failed"))
    assert answer.status_code == 200
    order = _order(db_session, created["number"])
    assert (order.status, order.payment_status) == ("cancelled", "failed")
    assert online_availability(db_session, [product.id]) == {product.id: 2}
    assert _sales(db_session, order.number) == []


def test_a_payment_after_the_reservation_expired_takes_stock_again_if_any(
        client, db_session, stripe_app, stripe_client, freeze):
    start = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    freeze(start)
    plenty = make_product(price_vnd=10_000)
    scarce = make_product(price_vnd=20_000, producer=plenty.producer)
    receive_stock(plenty, 5)
    receive_stock(scarce, 1)
    created = _place_card_order(client, (plenty, 1), (scarce, 1))
    # 31 minutes later the hold has lapsed by itself; someone else buys the last scarce unit.
    freeze(start + timedelta(minutes=31))
    other = client.post("/api/v1/orders", json=order_payload((scarce, 1)))
    assert other.status_code == 201
    intent = pay_with_test_card(stripe_client, created["payment"]["payment_intent"])
    _deliver(client, *signed_event(intent))
    order = _order(db_session, created["number"])
    assert order.payment_status == "partially_refunded"
    lines = {line.product_id: line.status for line in order.lines}
    assert lines == {plenty.id: "active", scarce.id: "cancelled"}
    assert _sales(db_session, order.number) == [-1]
    refunds = stripe_client.v1.refunds.list(params={"payment_intent": intent.id}).data
    assert [r.amount for r in refunds] == [20_000]


def test_checkout_refuses_card_orders_when_stripe_is_down(client, db_session, stripe_app):
    stripe_app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there
    product = make_product()
    receive_stock(product, 3)
    answer = client.post("/api/v1/orders", json=order_payload((product, 1), payment="card"))
    assert answer.status_code == 502
    assert answer.json["error"]["code"] == "payment_provider_unavailable"
    assert db_session.scalar(select(func.count()).select_from(Order)) == 0
    assert db_session.scalar(select(func.count()).select_from(Reservation)) == 0
