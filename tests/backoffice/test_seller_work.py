"""Anh Tuấn's day through the seller screens: ship an order, make a lot and print its stamps."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from pypdf import PdfReader

from app.clock import today
from tests.factories import make_producer, make_product, make_user, order_payload, receive_stock


def sign_in(client, user):
    assert client.post("/login", data={"email": user.email, "password": "correct horse"}).status_code == 302


def test_seller_ships_an_order_and_the_customer_sees_the_tracking_number(client):
    producer = make_producer(name="HTX Bắc Hà")
    wine = make_product(producer, name="Rượu ngô Bắc Hà", group="beverage")
    receive_stock(wine, 10)
    placed = client.post("/api/v1/orders", json=order_payload((wine, 2))).get_json()
    user = make_user("producer", producer=producer)
    sign_in(client, user)
    html = client.get("/seller/").get_data(as_text=True)
    assert "Đơn trả tiền khi nhận hàng chờ bạn xác nhận: 1" in html and "0 đơn hàng cần giao" in html
    waiting = client.get("/seller/orders?status=pending").get_data(as_text=True)
    assert placed["number"] in waiting and "Chờ bạn xác nhận" in waiting
    to_confirm = int(waiting.split("/seller/orders/")[1].split("/confirm")[0])
    assert client.post(f"/seller/orders/{to_confirm}/confirm").status_code == 302
    html = client.get("/seller/").get_data(as_text=True)
    assert "1 đơn hàng cần giao" in html and "chờ bạn xác nhận" not in html
    page = client.get("/seller/orders?status=confirmed").get_data(as_text=True)
    assert placed["number"] in page and "Rượu ngô Bắc Hà × 2" in page and "Đã xác nhận" in page
    shipment_id = int(re.search(r"/seller/orders/(\d+)/ship", page).group(1))
    assert client.post(f"/seller/orders/{shipment_id}/ship", data={"carrier": "", "tracking": ""},
                       follow_redirects=True).status_code == 200
    response = client.post(f"/seller/orders/{shipment_id}/ship",
                           data={"carrier": "VNPost", "tracking": "EB123456789VN"})
    assert response.status_code == 302
    order = client.get(f"/api/v1/orders/{placed['number']}?token={placed['access_token']}").get_json()
    assert order["shipments"][0]["status"] == "shipped"
    assert "EB123456789VN" in str(order["shipments"][0])


def test_seller_cannot_ship_another_producers_shipment(client):
    other = make_product(name="Tiêu Phú Quốc")
    receive_stock(other, 5)
    client.post("/api/v1/orders", json=order_payload((other, 1)))
    sign_in(client, make_user("producer", producer=make_producer()))
    response = client.post("/seller/orders/1/ship", data={"carrier": "X", "tracking": "Y"},
                           follow_redirects=True)
    assert "No shipment 1 of yours" in response.get_data(as_text=True)


def test_seller_creates_a_lot_with_stamps_and_downloads_the_a4_sheet(client):
    producer = make_producer()
    tea = make_product(producer, name="Chè Shan tuyết")
    sign_in(client, make_user("producer", producer=producer))
    response = client.post("/seller/lots", data={
        "product": tea.slug, "lot_number": "L2026-11",
        "produced_on": (today() - timedelta(days=3)).isoformat(), "quantity": "500", "stamps": "60"})
    assert response.status_code == 302
    page = client.get("/seller/lots").get_data(as_text=True)
    assert "L2026-11" in page and ">60<" in page
    lot_id = int(page.split("/seller/lots/")[1].split("/")[0])
    with client.get(f"/seller/lots/{lot_id}/stamps.pdf") as pdf:
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        assert len(PdfReader(io.BytesIO(pdf.data)).pages) == 2  # 48 stamps a page


def test_a_lot_in_the_future_is_refused_and_nothing_is_written(client):
    producer = make_producer()
    tea = make_product(producer)
    sign_in(client, make_user("producer", producer=producer))
    response = client.post("/seller/lots", data={
        "product": tea.slug, "lot_number": "L1",
        "produced_on": (today() + timedelta(days=2)).isoformat(), "quantity": "5"}, follow_redirects=True)
    assert "cannot be produced in the future" in response.get_data(as_text=True)
    assert "Chưa có lô nào" in response.get_data(as_text=True)
