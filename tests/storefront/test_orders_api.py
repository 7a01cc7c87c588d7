"""`POST /api/v1/orders` and `GET /api/v1/orders/<number>` (CONTRACT §4): shipments per
producer, totals, stock taken or reserved, the token, the confirmation e-mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

from sqlalchemy import func, select

from app.clock import today
from showrooms.models import Reservation, StockMovement
from showrooms.services import online_availability
from storefront.models import Order, OrderLine, Shipment
from tests.factories import (
    make_certificate,
    make_producer,
    make_product,
    make_sales_point,
    order_payload,
    receive_stock,
)

NOON = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def _count(db_session, model, *where) -> int:
    return db_session.scalar(select(func.count()).select_from(model).where(*where))


def test_cash_on_delivery_order_splits_per_producer_and_takes_stock_at_once(client, db_session, outbox):
    """Taken at once, then waiting for each producer's confirmation (issue 12)."""
    com_chay = make_product(name="Cơm cháy chà bông", price_vnd=85_000)
    tea = make_product(name="Trà sen", price_vnd=120_000, producer=com_chay.producer)
    wine = make_product(name="Rượu Kim Sơn", price_vnd=150_000)
    for product in (com_chay, tea, wine):
        receive_stock(product, 10)
    answer = client.post("/api/v1/orders", json=order_payload((com_chay, 2), (tea, 1), (wine, 3)))
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["status"] == "pending"
    subtotal = 2 * 85_000 + 120_000 + 3 * 150_000
    assert body["total_vnd"] == subtotal + 2 * 30_000  # two producers → two shipments
    assert len(body["access_token"]) >= 32
    order = db_session.scalar(select(Order).where(Order.number == body["number"]))
    assert [s.status for s in order.shipments] == ["pending", "pending"]
    assert order.awaiting_confirmation and order.reserved_until == order.created_at + timedelta(hours=24)
    assert sorted(len(s.lines) for s in order.shipments) == [1, 2]
    assert order.customer_phone == "+84912345678"
    sales = db_session.scalars(select(StockMovement).where(StockMovement.kind == "sale",
                                                           StockMovement.reference == order.number))
    assert sorted(m.quantity for m in sales) == [-3, -2, -1]
    assert online_availability(db_session, [com_chay.id, wine.id]) == {com_chay.id: 8, wine.id: 7}
    mails = list(outbox.glob("*.eml"))
    assert len(mails) == 1
    mail = message_from_bytes(mails[0].read_bytes(), policy=policy.default)
    assert mail["To"] == "emily@example.com" and order.number in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    assert f"http://ocop.test/orders/{order.number}?token={body['access_token']}" in text


def test_pickup_is_free_and_carries_the_gift(client, db_session):
    point = make_sales_point(code="NB-01", province_code=37, ward_code=None)
    com_chay = make_product(price_vnd=85_000)
    wine = make_product(price_vnd=150_000)
    receive_stock(com_chay, 5)
    receive_stock(wine, 5)
    body = order_payload((com_chay, 1), (wine, 1), fulfilment="pickup", pickup_point="nb-01",
                         payment="pay_at_pickup",
                         gift={"wrap": True, "message": "Chúc mừng sinh nhật!",
                               "recipient": "Bà Lan"})
    answer = client.post("/api/v1/orders", json=body)
    assert answer.status_code == 201, answer.json
    assert answer.json["total_vnd"] == 235_000
    assert answer.json["payment"]["pickup_point"] == "NB-01"
    order = db_session.scalar(select(Order).where(Order.number == answer.json["number"]))
    assert order.pickup_point_id == point.id and order.shipping_vnd == 0
    assert (order.gift_wrap, order.gift_message, order.gift_recipient) == (
        True, "Chúc mừng sinh nhật!", "Bà Lan")
    assert all(s.shipping_fee_vnd == 0 for s in order.shipments)


def test_bank_transfer_reserves_for_24_hours_and_returns_the_vietqr(client, db_session, freeze):
    freeze(NOON)
    product = make_product(price_vnd=99_000)
    receive_stock(product, 3)
    answer = client.post("/api/v1/orders", json=order_payload((product, 2), payment="bank_transfer"))
    assert answer.status_code == 201, answer.json
    payment = answer.json["payment"]
    assert payment["reference"] == "OCOP" + answer.json["number"]
    assert payment["vietqr"].startswith("000201010212")
    assert answer.json["status"] == "pending"
    reservation = db_session.scalar(select(Reservation).where(
        Reservation.reference == answer.json["number"]))
    assert reservation.quantity == 2
    assert reservation.reserved_until.replace(tzinfo=UTC) == NOON + timedelta(hours=24)
    assert _count(db_session, StockMovement, StockMovement.kind == "sale") == 0
    assert online_availability(db_session, [product.id]) == {product.id: 1}


def test_the_order_is_read_with_its_token_and_only_with_it(client, db_session):
    product = make_product()
    receive_stock(product, 3)
    created = client.post("/api/v1/orders", json=order_payload((product, 1))).json
    number, token = created["number"], created["access_token"]
    answer = client.get(f"/api/v1/orders/{number}?token={token}")
    assert answer.status_code == 200
    assert answer.json["number"] == number
    assert answer.json["shipments"][0]["producer"]["slug"] == product.producer.slug
    assert answer.json["shipments"][0]["status"] == "pending"  # waiting for its producer
    assert answer.json["awaiting_confirmation"] is True and answer.json["cancellable"] is True
    assert answer.json["shipments"][0]["lines"][0]["product"] == product.slug
    for url in (f"/api/v1/orders/{number}", f"/api/v1/orders/{number}?token=wrong",
                f"/api/v1/orders/ZZZZZZZZ?token={token}"):
        refused = client.get(url)
        assert refused.status_code == 404
        assert refused.json["error"]["code"] == "order_not_found"
    page = client.get(f"/orders/{number}?token={token}")
    assert page.status_code == 200 and number in page.text
    assert client.get(f"/orders/{number}?token=nope").status_code == 404


def test_out_of_stock_names_every_short_line_and_writes_nothing(client, db_session):
    tea, wine, rice = make_product(name="Trà"), make_product(name="Rượu"), make_product(name="Gạo")
    receive_stock(tea, 1)
    receive_stock(wine, 5)
    answer = client.post("/api/v1/orders", json=order_payload((tea, 2), (wine, 1), (rice, 1)))
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "out_of_stock"
    assert {i["product"] for i in answer.json["error"]["details"]["items"]} == {tea.slug, rice.slug}
    assert _count(db_session, Order) == 0 and _count(db_session, OrderLine) == 0
    assert _count(db_session, Shipment) == 0
    assert _count(db_session, StockMovement, StockMovement.kind == "sale") == 0
    assert _count(db_session, Reservation) == 0


def test_a_product_that_is_not_listable_is_refused_with_the_reason(client, db_session):
    revoked = make_product(certified=False, name="Mật ong")
    make_certificate(revoked, issued_on=today() - timedelta(days=100),
                     revoked_on=today() - timedelta(days=1))
    good = make_product()
    for product in (revoked, good):
        receive_stock(product, 5)
    answer = client.post("/api/v1/orders", json=order_payload((good, 1), (revoked, 1)))
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "not_listable"
    assert "Mật ong" in answer.json["error"]["message"]
    assert answer.json["error"]["details"]["items"][0]["reason"] == "certificate_revoked"
    assert _count(db_session, Order) == 0


def test_tourism_services_cannot_be_ordered(client, db_session):
    homestay = make_product(group="tourism", name="Homestay Tràng An")
    answer = client.post("/api/v1/orders", json=order_payload((homestay, 1)))
    assert answer.status_code == 422
    assert answer.json["error"]["code"] == "not_purchasable"
    assert "items.0.product" in answer.json["error"]["message"]
    assert "Homestay Tràng An" in answer.json["error"]["message"]


def test_unknown_product_is_a_422_naming_the_line_never_a_500(client, db_session):
    product = make_product()
    receive_stock(product, 1)
    body = order_payload((product, 1))
    body["items"].append({"product": "khong-co-that", "quantity": 1})
    answer = client.post("/api/v1/orders", json=body)
    assert answer.status_code == 422
    assert answer.json["error"]["code"] == "unknown_product"
    assert "items.1.product" in answer.json["error"]["message"]
    assert _count(db_session, Order) == 0


def test_the_same_product_twice_is_one_line(client, db_session):
    product = make_product(price_vnd=10_000)
    receive_stock(product, 5)
    answer = client.post("/api/v1/orders", json=order_payload((product, 1), (product, 2)))
    assert answer.status_code == 201
    order = db_session.scalar(select(Order).where(Order.number == answer.json["number"]))
    assert [(line.quantity, line.line_total_vnd) for line in order.lines] == [(3, 30_000)]


def test_order_numbers_are_short_random_and_unique(client, db_session):
    product = make_product()
    receive_stock(product, 10)
    numbers = [client.post("/api/v1/orders", json=order_payload((product, 1))).json["number"]
               for _ in range(5)]
    assert len(set(numbers)) == 5
    alphabet = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert all(len(n) == 8 and set(n) <= alphabet for n in numbers)


def test_seller_sees_their_shipments_only_and_ships_them(client, db_session):
    from tests.factories import auth, make_token, make_user

    mine, theirs = make_product(), make_product(producer=make_producer())
    receive_stock(mine, 5)
    receive_stock(theirs, 5)
    number = client.post("/api/v1/orders", json=order_payload((mine, 2), (theirs, 1))).json["number"]
    headers = auth(make_token(make_user("producer", producer=mine.producer)))
    answer = client.get("/api/v1/seller/orders", headers=headers)
    assert answer.status_code == 200
    items = answer.json["items"]
    assert len(items) == 1 and items[0]["order"]["number"] == number
    assert [line["product"] for line in items[0]["lines"]] == [mine.slug]
    shipment_id = items[0]["id"]
    from storefront.shipments import shipments_to_confirm_count, shipments_to_ship_count

    assert shipments_to_confirm_count(db_session, mine.producer) == 1
    confirmed = client.post(f"/api/v1/seller/shipments/{shipment_id}/confirm", headers=headers)
    assert confirmed.status_code == 200 and confirmed.json["status"] == "confirmed"
    assert shipments_to_confirm_count(db_session, mine.producer) == 0
    assert shipments_to_ship_count(db_session, mine.producer) == 1
    shipped = client.post(f"/api/v1/seller/shipments/{shipment_id}/ship", headers=headers,
                          json={"carrier": "VNPost", "tracking": "EB123456789VN"})
    assert shipped.status_code == 200 and shipped.json["status"] == "shipped"
    assert shipments_to_ship_count(db_session, mine.producer) == 0
    again = client.post(f"/api/v1/seller/shipments/{shipment_id}/ship", headers=headers,
                        json={"carrier": "VNPost", "tracking": "EB123456789VN"})
    assert again.status_code == 409
    other = auth(make_token(make_user("producer", producer=theirs.producer)))
    assert client.post(f"/api/v1/seller/shipments/{shipment_id}/ship", headers=other,
                       json={"carrier": "x", "tracking": "y"}).status_code == 404
    delivered = client.post(f"/api/v1/seller/shipments/{shipment_id}/deliver", headers=headers)
    assert delivered.json["status"] == "delivered"
