"""Cash on delivery and pay at pickup re-check the gate when the producer ships or hands
over: a product whose certificate ended in between is not shipped silently (the line is
cancelled, its units come back, the customer is told, and nothing is charged for it)."""

from __future__ import annotations

from datetime import timedelta

from app.clock import today
from app.extensions import db
from catalog.services import revoke_certificate
from showrooms.models import StockLevel
from showrooms.stock import ledger_matches_levels, warehouse_of
from storefront.models import Order
from tests.backoffice.office.conftest import read_outbox
from tests.factories import (
    auth,
    make_certificate,
    make_producer,
    make_product,
    make_sales_point,
    make_token,
    make_user,
    order_payload,
    receive_stock,
)


def _on_hand(product) -> int:
    location = warehouse_of(db.session, product.producer)
    level = db.session.query(StockLevel).filter_by(location_id=location.id,
                                                   product_id=product.id).one()
    db.session.refresh(level)
    return level.on_hand


def _seller(producer):
    return auth(make_token(make_user("producer", producer=producer)))


def _order(client, *lines, **kwargs) -> Order:
    response = client.post("/api/v1/orders", json=order_payload(*lines, **kwargs))
    assert response.status_code == 201, response.get_json()
    return db.session.query(Order).filter_by(number=response.get_json()["number"]).one()


def test_a_cod_line_revoked_before_shipping_is_cancelled_not_shipped(client, outbox):
    producer = make_producer()
    tea = make_product(producer, certified=False, name="Chè Shan tuyết", price_vnd=100_000)
    cert = make_certificate(tea, issued_on=today() - timedelta(days=100))
    honey = make_product(producer, name="Mật ong bạc hà", price_vnd=50_000)
    receive_stock(tea, 5)
    receive_stock(honey, 5)
    order = _order(client, (tea, 2), (honey, 1))
    assert order.total_vnd == 250_000 + 30_000 and _on_hand(tea) == 3
    revoke_certificate(db.session, cert, reason="Vi phạm ATTP")
    shipment = order.shipments[0]
    response = client.post(f"/api/v1/seller/shipments/{shipment.id}/ship", headers=_seller(producer),
                           json={"carrier": "VNPost", "tracking": "VN123"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "shipped"
    lines = {line["name"]: line for line in body["lines"]}
    assert lines["Chè Shan tuyết"]["status"] == "cancelled"
    assert "thu hồi" in lines["Chè Shan tuyết"]["cancel_reason"]
    assert lines["Mật ong bạc hà"]["status"] == "active"
    db.session.refresh(order)
    assert order.total_vnd == 50_000 + 30_000 and order.subtotal_vnd == 50_000  # nothing charged for tea
    assert _on_hand(tea) == 5 and ledger_matches_levels(db.session)
    mails = [m for m in read_outbox(outbox) if "bị huỷ" in m["Subject"]]
    assert len(mails) == 1 and "Chè Shan tuyết" in mails[0].get_content()
    assert "80.000" in mails[0].get_content()
    deliver = client.post(f"/api/v1/seller/shipments/{shipment.id}/deliver", headers=_seller(producer))
    assert deliver.status_code == 200
    db.session.refresh(order)
    assert order.payment_status == "paid" and order.total_vnd == 80_000


def test_a_shipment_left_with_nothing_is_cancelled_through_the_seller_screen(client, outbox):
    producer = make_producer(name="HTX Tiêu")
    pepper = make_product(producer, price_vnd=90_000, name="Tiêu đỏ")
    receive_stock(pepper, 3)
    order = _order(client, (pepper, 1))
    producer.active = False
    db.session.flush()
    seller = make_user("producer", producer=producer)
    client.post("/login", data={"email": seller.email, "password": "correct horse"})
    response = client.post(f"/seller/orders/{order.shipments[0].id}/ship",
                           data={"carrier": "GHN", "tracking": "G1"})
    assert response.status_code == 302
    db.session.refresh(order)
    assert order.status == "cancelled" and order.shipments[0].status == "cancelled"
    assert order.total_vnd == 0 and _on_hand(pepper) == 3
    assert any("bị huỷ" in m["Subject"] for m in read_outbox(outbox))
    assert "Không giao Tiêu đỏ" in client.get("/seller/orders?status=cancelled").get_data(as_text=True)


def test_pay_at_pickup_rechecks_at_hand_over(client):
    point = make_sales_point(code="NB-09")
    producer = make_producer()
    wine = make_product(producer, certified=False, price_vnd=200_000)
    cert = make_certificate(wine, issued_on=today() - timedelta(days=30))
    receive_stock(wine, 2)
    order = _order(client, (wine, 1), payment="pay_at_pickup", fulfilment="pickup",
                   pickup_point=point.code)
    shipment = order.shipments[0]
    assert client.post(f"/api/v1/seller/shipments/{shipment.id}/ship", headers=_seller(producer),
                       json={"carrier": "self", "tracking": "-"}).get_json()["status"] == "shipped"
    cert.valid_until = today() - timedelta(days=1)
    db.session.flush()
    body = client.post(f"/api/v1/seller/shipments/{shipment.id}/deliver",
                       headers=_seller(producer)).get_json()
    assert body["status"] == "cancelled" and body["lines"][0]["status"] == "cancelled"
    db.session.refresh(order)
    assert order.status == "cancelled" and order.payment_status != "paid" and order.total_vnd == 0


def test_card_orders_are_not_rechecked_at_shipping(db_session):
    from storefront.shipments import recheck_cash_shipment

    order = Order(payment_method="card")
    shipment = type("S", (), {"order": order, "lines": []})()
    assert recheck_cash_shipment(db_session, shipment) == []
