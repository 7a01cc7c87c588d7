"""Cash on delivery and pay at pickup (issue 12): limits at checkout, the producer's
confirmation, expiry that gives the units back, cancellation with restock by the customer
and by the seller — each restocks exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select

from showrooms.models import StockMovement
from showrooms.services import online_availability
from storefront.models import Order
from tests.factories import (
    auth,
    make_producer,
    make_product,
    make_token,
    make_user,
    order_payload,
    receive_stock,
)

NOON = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def _order(db_session, number) -> Order:
    db_session.expire_all()
    return db_session.scalar(select(Order).where(Order.number == number))


def _returned(db_session, number) -> int:
    return db_session.scalar(select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(
        StockMovement.kind == "return", StockMovement.reference == number))


def _mails(outbox) -> list:
    return [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(outbox.glob("*.eml"))]


def test_the_shipped_limits(shipped_cash_limits):
    assert shipped_cash_limits == {"COD_MAX_QUANTITY_PER_LINE": 10, "COD_MAX_OPEN_PER_PHONE": 2,
                                   "COD_MAX_OPEN_PER_ADDRESS": 3, "COD_CONFIRM_HOURS": 24}


def test_a_cash_line_takes_at_most_ten_units(client, db_session, shipped_cash_limits):
    product = make_product()
    receive_stock(product, 200)
    refused = client.post("/api/v1/orders", json=order_payload((product, 11)))
    assert refused.status_code == 422
    error = refused.json["error"]
    assert error["code"] == "cash_quantity_limit" and error["details"]["max_quantity"] == 10
    assert error["details"]["fields"][0]["field"] == "items.0.quantity"
    assert online_availability(db_session, [product.id]) == {product.id: 200}
    assert client.post("/api/v1/orders", json=order_payload((product, 10))).status_code == 201
    # Paid up front, the limit does not apply.
    card = client.post("/api/v1/orders", json=order_payload((product, 50), payment="bank_transfer"))
    assert card.status_code == 201


def test_two_open_cash_orders_per_phone_until_one_is_confirmed(client, db_session, shipped_cash_limits):
    product = make_product()
    receive_stock(product, 50)
    first, second = (client.post("/api/v1/orders", json=order_payload(
        (product, 1), shipping={"address": f"{n} Lê Lợi, Ninh Kiều", "province": 92})).json
        for n in (1, 2))
    third = client.post("/api/v1/orders", json=order_payload(
        (product, 1), shipping={"address": "3 Lê Lợi, Ninh Kiều", "province": 92}))
    assert third.status_code == 409
    assert third.json["error"]["code"] == "too_many_open_orders"
    assert third.json["error"]["details"] == {"limit": "phone", "max_open": 2}
    # The producer confirms one: it is no longer open, another order may be placed.
    headers = auth(make_token(make_user("producer", producer=product.producer)))
    shipment_id = client.get(f"/api/v1/orders/{first['number']}?token={first['access_token']}"
                             ).json["shipments"][0]["id"]
    confirmed = client.post(f"/api/v1/seller/shipments/{shipment_id}/confirm", headers=headers)
    assert confirmed.status_code == 200 and confirmed.json["status"] == "confirmed"
    assert _order(db_session, first["number"]).status == "confirmed"
    assert _order(db_session, second["number"]).status == "pending"
    again = client.post("/api/v1/orders", json=order_payload(
        (product, 1), shipping={"address": "3 Lê Lợi, Ninh Kiều", "province": 92}))
    assert again.status_code == 201


def test_three_open_cash_orders_per_address_however_it_is_typed(client, shipped_cash_limits):
    product = make_product()
    receive_stock(product, 50)
    spellings = ["12 Đường Lê Lợi, P. Tân An", "12 duong le loi p tan an", "12  ĐƯỜNG LÊ LỢI - P.TÂN AN"]
    for n, address in enumerate(spellings):
        body = order_payload((product, 1), customer={"name": "Khách", "phone": f"0912 000 00{n}",
                                                     "email": "k@example.com"},
                             shipping={"address": address, "province": 92})
        assert client.post("/api/v1/orders", json=body).status_code == 201
    fourth = order_payload((product, 1), customer={"name": "Khách", "phone": "0912 000 009",
                                                   "email": "k@example.com"},
                           shipping={"address": "12 Đường Lê Lợi, P. Tân An", "province": 92})
    refused = client.post("/api/v1/orders", json=fourth)
    assert refused.status_code == 409
    assert refused.json["error"]["details"] == {"limit": "address", "max_open": 3}
    assert "chờ xác nhận" in refused.json["error"]["message"]
    # The same street in another province is another address.
    fourth["shipping"]["province"] = 15
    assert client.post("/api/v1/orders", json=fourth).status_code == 201


def test_an_unconfirmed_shipment_expires_and_its_units_come_back(app, client, db_session, freeze,
                                                                   outbox):
    freeze(NOON)
    tea, wine = make_product(name="Trà sen", price_vnd=100_000), make_product(name="Rượu Kim Sơn",
                                                                               price_vnd=150_000)
    receive_stock(tea, 10)
    receive_stock(wine, 10)
    created = client.post("/api/v1/orders", json=order_payload((tea, 2), (wine, 3))).json
    number = created["number"]
    tea_headers = auth(make_token(make_user("producer", producer=tea.producer)))
    tea_shipment = next(s["id"] for s in client.get("/api/v1/seller/orders", headers=tea_headers
                                                    ).json["items"])
    assert client.post(f"/api/v1/seller/shipments/{tea_shipment}/confirm",
                       headers=tea_headers).status_code == 200
    assert online_availability(db_session, [tea.id, wine.id]) == {tea.id: 8, wine.id: 7}
    # Not yet: the wine producer has 24 hours.
    freeze(NOON + timedelta(hours=23, minutes=59))
    assert "expired 0" in app.test_cli_runner().invoke(args=["orders", "expire"]).output
    freeze(NOON + timedelta(hours=24, minutes=1))
    outbox_before = len(_mails(outbox))
    result = app.test_cli_runner().invoke(args=["orders", "expire"])
    assert f"cancelled {number}" in result.output and "expired 1" in result.output
    order = _order(db_session, number)
    statuses = {s.producer_id: s.status for s in order.shipments}
    assert statuses == {tea.producer_id: "confirmed", wine.producer_id: "cancelled"}
    assert order.status == "confirmed" and order.reserved_until is None
    assert order.total_vnd == 2 * 100_000 + 30_000  # the wine and its shipping fee dropped
    assert online_availability(db_session, [tea.id, wine.id]) == {tea.id: 8, wine.id: 10}
    assert _returned(db_session, number) == 3
    mails = _mails(outbox)[outbox_before:]
    assert len(mails) == 1 and number in mails[0]["Subject"]
    assert "Rượu Kim Sơn × 3" in mails[0].get_body(("plain",)).get_content()
    # Running it again changes nothing.
    assert "expired 0" in app.test_cli_runner().invoke(args=["orders", "expire"]).output
    assert _returned(db_session, number) == 3


def test_an_order_nobody_confirmed_is_cancelled_whole(client, db_session, freeze):
    from storefront.cash_orders import expire_unconfirmed

    freeze(NOON)
    product = make_product()
    receive_stock(product, 5)
    number = client.post("/api/v1/orders", json=order_payload((product, 5))).json["number"]
    assert online_availability(db_session, [product.id]) == {product.id: 0}
    freeze(NOON + timedelta(hours=25))
    assert [order.number for order, _lines in expire_unconfirmed(db_session)] == [number]
    order = _order(db_session, number)
    assert order.status == "cancelled" and "chưa xác nhận" in order.cancel_reason
    assert online_availability(db_session, [product.id]) == {product.id: 5}


@pytest.mark.parametrize(("lang", "status", "button"), [
    ("vi", "Chờ người bán xác nhận", "Huỷ đơn hàng"),
    ("en", "Awaiting confirmation by the seller", "Cancel the order"),
])
def test_the_order_page_shows_the_status_and_the_cancel_button(client, lang, status, button):
    product = make_product()
    receive_stock(product, 5)
    created = client.post("/api/v1/orders", json=order_payload((product, 1))).json
    page = client.get(f"/orders/{created['number']}?token={created['access_token']}&lang={lang}")
    html = page.get_data(as_text=True)
    assert status in html and button in html
    assert f'action="/orders/{created["number"]}/cancel"' in html


def test_the_customer_cancels_from_the_order_page_once(client, db_session, outbox):
    producer = make_producer(email="htx@example.vn")
    product = make_product(producer, name="Mật ong bạc hà")
    receive_stock(product, 5)
    created = client.post("/api/v1/orders", json=order_payload((product, 4))).json
    number, token = created["number"], created["access_token"]
    assert online_availability(db_session, [product.id]) == {product.id: 1}
    answer = client.post(f"/orders/{number}/cancel", data={"token": token})
    assert answer.status_code == 302 and f"/orders/{number}" in answer.headers["Location"]
    order = _order(db_session, number)
    assert order.status == "cancelled" and order.cancel_reason == "Khách hàng đã huỷ đơn."
    assert [s.status for s in order.shipments] == ["cancelled"]
    assert online_availability(db_session, [product.id]) == {product.id: 5}
    to_producer = [m for m in _mails(outbox) if m["To"] == "htx@example.vn"]
    assert len(to_producer) == 1 and number in to_producer[0]["Subject"]
    assert "Mật ong bạc hà × 4" in to_producer[0].get_body(("plain",)).get_content()
    # Again, by the page or by the API: refused, nothing comes back twice.
    again = client.post(f"/orders/{number}/cancel", data={"token": token}, follow_redirects=True)
    assert "đã được huỷ trước đó" in again.get_data(as_text=True)
    api = client.post(f"/api/v1/orders/{number}/cancel?token={token}")
    assert api.status_code == 409 and api.json["error"]["code"] == "already_cancelled"
    assert _returned(db_session, number) == 4
    assert online_availability(db_session, [product.id]) == {product.id: 5}
    page = client.get(f"/orders/{number}?token={token}").get_data(as_text=True)
    assert "Huỷ đơn hàng" not in page
    # A wrong token cancels nothing.
    assert client.post(f"/api/v1/orders/{number}/cancel?token=wrong").status_code == 404


def test_the_customer_cannot_cancel_once_a_shipment_left(client, db_session):
    product = make_product()
    receive_stock(product, 5)
    created = client.post("/api/v1/orders", json=order_payload((product, 1))).json
    headers = auth(make_token(make_user("producer", producer=product.producer)))
    shipment_id = client.get("/api/v1/seller/orders", headers=headers).json["items"][0]["id"]
    # Shipping a shipment not yet confirmed confirms it.
    shipped = client.post(f"/api/v1/seller/shipments/{shipment_id}/ship", headers=headers,
                          json={"carrier": "VNPost", "tracking": "EB1VN"})
    assert shipped.status_code == 200 and shipped.json["status"] == "shipped"
    assert _order(db_session, created["number"]).status == "confirmed"
    refused = client.post(f"/api/v1/orders/{created['number']}/cancel?token={created['access_token']}")
    assert refused.status_code == 409 and refused.json["error"]["code"] == "already_shipped"
    assert _returned(db_session, created["number"]) == 0


def test_an_order_paid_up_front_is_not_cancelled_here(client):
    product = make_product()
    receive_stock(product, 5)
    created = client.post("/api/v1/orders", json=order_payload((product, 1),
                                                               payment="bank_transfer")).json
    refused = client.post(f"/api/v1/orders/{created['number']}/cancel?token={created['access_token']}")
    assert refused.status_code == 409 and refused.json["error"]["code"] == "not_cancellable"


def test_the_seller_cancels_its_own_shipment_with_a_reason_once(client, db_session, outbox):
    mine = make_product(name="Nước mắm Phú Quốc", price_vnd=120_000)
    theirs = make_product(name="Tiêu Phú Quốc", price_vnd=80_000)
    receive_stock(mine, 5)
    receive_stock(theirs, 5)
    created = client.post("/api/v1/orders", json=order_payload((mine, 2), (theirs, 1))).json
    number = created["number"]
    headers = auth(make_token(make_user("producer", producer=mine.producer)))
    shipment_id = client.get("/api/v1/seller/orders", headers=headers).json["items"][0]["id"]
    url = f"/api/v1/seller/shipments/{shipment_id}/cancel"
    assert client.post(url, headers=headers, json={}).status_code == 422  # a reason is needed
    other = auth(make_token(make_user("producer", producer=theirs.producer)))
    assert client.post(url, headers=other, json={"reason": "Không phải của tôi"}).status_code == 404
    before = len(_mails(outbox))
    cancelled = client.post(url, headers=headers, json={"reason": "Lô hàng bị vỡ khi đóng gói"})
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["status"] == "cancelled"
    assert cancelled.json["cancel_reason"] == "Lô hàng bị vỡ khi đóng gói"
    order = _order(db_session, number)
    assert order.status == "pending"  # the other producer's part still waits
    assert order.total_vnd == 80_000 + 30_000
    assert online_availability(db_session, [mine.id, theirs.id]) == {mine.id: 5, theirs.id: 4}
    mails = _mails(outbox)[before:]
    assert len(mails) == 1 and mails[0]["To"] == "emily@example.com"
    text = mails[0].get_body(("plain",)).get_content()
    assert "Nước mắm Phú Quốc × 2: Lô hàng bị vỡ khi đóng gói" in text and "110.000" in text
    again = client.post(url, headers=headers, json={"reason": "Lô hàng bị vỡ khi đóng gói"})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_cancelled"
    assert _returned(db_session, number) == 2


def test_the_seller_confirms_and_cancels_from_the_back_office(client, db_session):
    product = make_product(name="Bánh pía Sóc Trăng")
    receive_stock(product, 5)
    first = client.post("/api/v1/orders", json=order_payload((product, 1))).json["number"]
    second = client.post("/api/v1/orders", json=order_payload((product, 2))).json["number"]
    user = make_user("producer", producer=product.producer)
    assert client.post("/login", data={"email": user.email,
                                       "password": "correct horse"}).status_code == 302
    page = client.get("/seller/orders").get_data(as_text=True)
    assert "Chờ bạn xác nhận" in page and "Xác nhận đơn" in page and "Huỷ kiện hàng" in page
    ids = {o.number: o.shipments[0].id for o in
           db_session.scalars(select(Order).where(Order.number.in_([first, second])))}
    assert client.post(f"/seller/orders/{ids[first]}/confirm").status_code == 302
    assert _order(db_session, first).status == "confirmed"
    assert client.post(f"/seller/orders/{ids[second]}/cancel",
                       data={"reason": "Hết hàng thật"}).status_code == 302
    order = _order(db_session, second)
    assert order.status == "cancelled" and order.shipments[0].cancel_reason == "Hết hàng thật"
    assert online_availability(db_session, [product.id]) == {product.id: 4}
