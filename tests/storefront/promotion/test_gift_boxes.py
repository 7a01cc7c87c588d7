"""Gift boxes (DOMAIN §12): availability from the assembling point's shelves, the gate item
by item, orders through `POST /orders`, the cart, the counter service, and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import today
from catalog.gate import NotListable
from catalog.services import revoke_certificate
from showrooms.models import Reservation, StockMovement
from storefront.models import Order, Payment
from storefront.promotion import boxes
from storefront.promotion.models import GiftBoxOrderLine
from tests.factories import (
    auth,
    make_product,
    make_sales_point,
    make_token,
    make_user,
    order_payload,
    receive_stock,
)
from tests.storefront.promotion.conftest import stock_point


def _available(db_session, box) -> boxes.BoxAvailability:
    return boxes.availability(db_session, [box])[box.id]


def _box_order(box, quantity=1, **overrides) -> dict:
    values = {"fulfilment": "pickup", "pickup_point": box.sales_point.code,
              "payment": "pay_at_pickup", **overrides}
    body = order_payload(**values)
    body["items"] = [{"gift_box": box.slug, "quantity": quantity}]
    return body


def _revoke(db_session, product):
    revoke_certificate(db_session, product.certificates[-1], reason="Vi phạm an toàn thực phẩm",
                       revoked_on=today())


def test_available_boxes_are_the_minimum_over_items_of_shelf_stock_by_quantity(db_session, gift_box):
    verdict = _available(db_session, gift_box.box)
    assert verdict.sellable and verdict.available == 4  # cơm cháy: 9 units // 2 per box


def test_an_unlistable_item_makes_the_box_unsellable_and_names_the_item(db_session, gift_box):
    _revoke(db_session, gift_box.wine)
    verdict = _available(db_session, gift_box.box)
    assert not verdict.sellable and verdict.available == 0
    assert verdict.item.id == gift_box.wine.id and verdict.reason == "certificate_revoked"
    with pytest.raises(NotListable) as refused:
        boxes.require_box_sellable(gift_box.box)
    assert "Rượu Kim Sơn" in refused.value.message
    assert refused.value.details["product"] == gift_box.wine.slug


def test_the_box_page_says_which_item_cannot_be_sold_and_why(client, db_session, gift_box):
    page = client.get(f"/gifts/{gift_box.box.slug}?lang=en")
    assert page.status_code == 200
    assert "Ninh Bình gift box" in page.text and "4 boxes available" in page.text
    assert 'action="/gifts/hop-qua-ninh-binh/cart"' in page.text
    _revoke(db_session, gift_box.wine)
    page = client.get(f"/gifts/{gift_box.box.slug}?lang=en")
    assert "This gift box is not on sale now." in page.text
    notice = page.text.split("This gift box is not on sale now.")[1][:400]
    assert "Kim Sơn rice wine" in notice and "revoked" in notice
    assert 'action="/gifts/hop-qua-ninh-binh/cart"' not in page.text


def test_gifts_lists_boxes_by_province_and_price_and_is_linked_from_home(client, db_session, gift_box):
    other_point = make_sales_point(code="CT-T1", province_code=92, ward_code=31135)
    tea = make_product(name="Trà thử", price_vnd=50_000)
    stock_point(other_point, tea, 10)
    boxes.create_box(db_session, point=other_point, name="Hộp quà Cần Thơ", price_vnd=250_000,
                     items=[(tea.slug, 2)])
    assert 'href="/gifts"' in client.get("/").text
    everything = client.get("/gifts").text
    assert "Hộp quà Ninh Bình" in everything and "Hộp quà Cần Thơ" in everything
    ninh_binh = client.get("/gifts?province=37").text
    assert "Hộp quà Ninh Bình" in ninh_binh and "Hộp quà Cần Thơ" not in ninh_binh
    cheap = client.get("/gifts?max_price=300000").text
    assert "Hộp quà Cần Thơ" in cheap and "Hộp quà Ninh Bình" not in cheap


def test_a_box_with_an_unlistable_item_cannot_be_added_to_the_cart(client, db_session, gift_box):
    _revoke(db_session, gift_box.painting)
    answer = client.post(f"/gifts/{gift_box.box.slug}/cart?lang=en", data={"quantity": "1"},
                         follow_redirects=True)
    assert "cannot be bought" in answer.text and "Tranh gạo Tam Cốc" in answer.text
    assert "cart-line-box" not in client.get("/cart").text


def test_a_box_with_an_unlistable_item_cannot_be_ordered_409_naming_the_item(client, db_session,
                                                                             gift_box):
    _revoke(db_session, gift_box.painting)
    answer = client.post("/api/v1/orders", json=_box_order(gift_box.box))
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "not_listable"
    assert "Tranh gạo Tam Cốc" in answer.json["error"]["message"]
    assert db_session.scalar(select(Order.id)) is None


def test_a_box_with_an_unlistable_item_cannot_be_sold_at_the_counter(db_session, gift_box):
    _revoke(db_session, gift_box.com_chay)
    with pytest.raises(NotListable) as refused:
        boxes.sell_box_at_counter(db_session, gift_box.point, gift_box.box, 1)
    assert refused.value.status == 409 and refused.value.code == "not_listable"
    assert "Cơm cháy chà bông" in refused.value.message
    assert db_session.scalar(select(StockMovement.id).where(StockMovement.kind == "sale")) is None


def test_a_counter_sale_of_a_box_takes_each_item_off_the_point_shelves(db_session, gift_box):
    sale = boxes.sell_box_at_counter(db_session, gift_box.point, gift_box.box, 2)
    assert sale.total_vnd == 1_380_000
    moved = {m.product_id: m.quantity for m in db_session.scalars(
        select(StockMovement).where(StockMovement.reference == sale.reference))}
    assert moved == {gift_box.com_chay.id: -4, gift_box.wine.id: -2, gift_box.painting.id: -2}
    assert _available(db_session, gift_box.box).available == 2  # 5 cơm cháy left // 2
    other = make_sales_point()
    with pytest.raises(Exception) as elsewhere:
        boxes.sell_box_at_counter(db_session, other, gift_box.box, 1)
    assert getattr(elsewhere.value, "status", None) == 404


def test_ordering_a_box_for_pickup_takes_its_items_from_the_point(client, db_session, gift_box,
                                                                  outbox):
    answer = client.post("/api/v1/orders", json=_box_order(gift_box.box, 2))
    assert answer.status_code == 201, answer.json
    assert answer.json["total_vnd"] == 1_380_000  # pickup: no shipping fee
    order = db_session.scalar(select(Order).where(Order.number == answer.json["number"]))
    assert order.status == "confirmed" and order.shipments == []
    [line] = order.gift_box_lines
    assert (line.quantity, line.line_total_vnd, line.sales_point_id) == (2, 1_380_000, gift_box.point.id)
    moved = {m.product_id: m.quantity for m in db_session.scalars(
        select(StockMovement).where(StockMovement.reference == order.number))}
    assert moved == {gift_box.com_chay.id: -4, gift_box.wine.id: -2, gift_box.painting.id: -2}
    shown = client.get(f"/api/v1/orders/{order.number}?token={answer.json['access_token']}").json
    assert shown["gift_boxes"][0]["gift_box"] == gift_box.box.slug
    page = client.get(f"/orders/{order.number}?token={answer.json['access_token']}&lang=en")
    assert "Gift box: Hộp quà Ninh Bình" in page.text
    from email import message_from_bytes, policy

    mail = message_from_bytes(next(outbox.glob("*.eml")).read_bytes(), policy=policy.default)
    assert "Hộp quà Ninh Bình" in mail.get_body(("plain",)).get_content()


def test_more_boxes_than_the_shelves_allow_is_out_of_stock(client, db_session, gift_box):
    answer = client.post("/api/v1/orders", json=_box_order(gift_box.box, 5))
    assert answer.status_code == 409 and answer.json["error"]["code"] == "out_of_stock"
    assert "Cơm cháy chà bông" in answer.json["error"]["message"]


def test_a_box_is_picked_up_where_it_is_assembled(client, db_session, gift_box):
    elsewhere = make_sales_point(code="PQ-T9")
    body = _box_order(gift_box.box, pickup_point=elsewhere.code)
    answer = client.post("/api/v1/orders", json=body)
    assert answer.status_code == 422
    assert "NB-T1" in answer.json["error"]["message"]


def test_a_delivered_box_pays_one_shipping_fee_and_mixes_with_products(client, db_session, gift_box):
    tea = make_product(price_vnd=50_000)
    receive_stock(tea, 5)
    body = order_payload((tea, 1), payment="cod")
    body["items"].append({"gift_box": gift_box.box.slug, "quantity": 1})
    answer = client.post("/api/v1/orders", json=body)
    assert answer.status_code == 201, answer.json
    assert answer.json["total_vnd"] == 50_000 + 690_000 + 2 * 30_000


def test_payment_runs_the_gate_again_on_every_item_of_a_box(client, db_session, gift_box):
    answer = client.post("/api/v1/orders", json=_box_order(gift_box.box, payment="bank_transfer"))
    assert answer.status_code == 201, answer.json
    number = answer.json["number"]
    assert db_session.scalar(select(Reservation.id).where(Reservation.reference == number))
    _revoke(db_session, gift_box.wine)
    admin = make_user("admin")
    paid = client.post(f"/api/v1/admin/orders/{number}/mark-paid",
                       headers=auth(make_token(admin)), json={})
    assert paid.status_code == 200, paid.json
    db_session.expire_all()
    order = db_session.scalar(select(Order).where(Order.number == number))
    line = db_session.scalar(select(GiftBoxOrderLine).where(GiftBoxOrderLine.order_id == order.id))
    assert line.status == "cancelled" and "Rượu Kim Sơn" in line.cancel_reason
    assert order.status == "cancelled" and order.refunded_vnd == 690_000
    assert db_session.scalar(select(Payment.amount_vnd).where(Payment.kind == "refund")) == 690_000
    assert db_session.scalar(select(StockMovement.id).where(StockMovement.reference == number)) is None


def test_a_paid_bank_transfer_turns_the_reservation_into_sales_at_the_point(client, db_session,
                                                                            gift_box):
    answer = client.post("/api/v1/orders", json=_box_order(gift_box.box, payment="bank_transfer"))
    number = answer.json["number"]
    assert _available(db_session, gift_box.box).available == 3  # one box held
    admin = make_user("admin")
    client.post(f"/api/v1/admin/orders/{number}/mark-paid", headers=auth(make_token(admin)), json={})
    db_session.expire_all()
    order = db_session.scalar(select(Order).where(Order.number == number))
    assert order.status == "confirmed" and order.payment_status == "paid"
    moved = sorted(m.quantity for m in db_session.scalars(
        select(StockMovement).where(StockMovement.reference == number)))
    assert moved == [-2, -1, -1]
    assert _available(db_session, gift_box.box).available == 3


def test_boxes_are_created_by_the_office_or_by_the_point_for_itself(client, db_session, gift_box):
    admin_token = make_token(make_user("admin"))
    staff_token = make_token(make_user("sales_point", sales_point=gift_box.point))
    other_staff = make_token(make_user("sales_point", sales_point=make_sales_point()))
    items = [{"product": gift_box.wine.slug, "quantity": 2}]
    made = client.post("/api/v1/admin/gift-boxes", headers=auth(admin_token),
                       json={"name": "Đôi rượu Kim Sơn", "price_vnd": 300_000, "items": items,
                             "sales_point": gift_box.point.code})
    assert made.status_code == 201 and made.json["slug"] == "doi-ruou-kim-son"
    own = client.post(f"/api/v1/sales-points/{gift_box.point.code}/gift-boxes",
                      headers=auth(staff_token),
                      json={"name": "Quà nhỏ", "price_vnd": 150_000, "items": items})
    assert own.status_code == 201
    theirs = client.post(f"/api/v1/sales-points/{gift_box.point.code}/gift-boxes",
                         headers=auth(other_staff),
                         json={"name": "Không được", "price_vnd": 1, "items": items})
    assert theirs.status_code == 404
    unknown = client.post("/api/v1/admin/gift-boxes", headers=auth(admin_token),
                          json={"name": "X", "price_vnd": 1, "sales_point": gift_box.point.code,
                                "items": [{"product": "khong-co", "quantity": 1}]})
    assert unknown.status_code == 422 and "khong-co" in unknown.json["error"]["message"]
    listed = client.get("/api/v1/gift-boxes").json
    assert {b["slug"] for b in listed["items"]} >= {"hop-qua-ninh-binh", "doi-ruou-kim-son"}


def test_the_api_says_why_a_box_is_unavailable(client, db_session, gift_box):
    assert client.get(f"/api/v1/gift-boxes/{gift_box.box.slug}").json["available"] == 4
    _revoke(db_session, gift_box.painting)
    body = client.get(f"/api/v1/gift-boxes/{gift_box.box.slug}").json
    assert body["available"] == 0 and body["sellable"] is False
    assert body["reason"] == {"code": "certificate_revoked", "product": gift_box.painting.slug,
                              "name": "Tranh gạo Tam Cốc"}
    assert client.get("/api/v1/gift-boxes/khong-co").status_code == 404


def test_tomorrows_revocation_does_not_stop_today(db_session, gift_box):
    revoke_certificate(db_session, gift_box.wine.certificates[-1], reason="x",
                       revoked_on=today() + timedelta(days=1))
    assert _available(db_session, gift_box.box).sellable


def test_the_point_sees_the_box_orders_to_assemble_and_composes_boxes(client, db_session, gift_box):
    placed = client.post("/api/v1/orders", json=_box_order(gift_box.box, 2))
    staff = make_user("sales_point", sales_point=gift_box.point, password="correct horse")
    listed = client.get(f"/api/v1/sales-points/{gift_box.point.code}/gift-box-orders",
                        headers=auth(make_token(staff))).json["items"]
    assert [(i["order"], i["quantity"]) for i in listed] == [(placed.json["number"], 2)]
    other = make_token(make_user("sales_point", sales_point=make_sales_point()))
    assert client.get(f"/api/v1/sales-points/{gift_box.point.code}/gift-box-orders",
                      headers=auth(other)).status_code == 404

    client.post("/login", data={"email": staff.email, "password": "correct horse"})
    desk = client.get("/seller/gift-boxes")
    assert desk.status_code == 200 and placed.json["number"] in desk.text
    made = client.post("/seller/gift-boxes", data={
        "name": "Quà Tràng An", "price_vnd": "400000",
        "items": f"{gift_box.wine.slug} × 2\n{gift_box.painting.slug}"})
    assert made.status_code == 302
    box = boxes.get_box(db_session, "qua-trang-an")
    assert {(i.product_id, i.quantity) for i in box.items} == {(gift_box.wine.id, 2),
                                                               (gift_box.painting.id, 1)}
    assert box.sales_point_id == gift_box.point.id
    client.post("/seller/gift-boxes/qua-trang-an/off")
    db_session.expire_all()
    assert not boxes.get_box(db_session, "qua-trang-an", active_only=False).active
    assert client.get("/gifts/qua-trang-an").status_code == 404


def test_checkout_names_the_box_item_revoked_after_it_was_put_in_the_cart(client, db_session,
                                                                          gift_box):
    added = client.post(f"/gifts/{gift_box.box.slug}/cart", data={"quantity": "1"})
    assert added.status_code == 302 and added.location.endswith("/cart")
    assert "cart-line-box" in client.get("/cart").text
    _revoke(db_session, gift_box.wine)
    cart = client.get("/cart?lang=en").text
    assert "This gift box can no longer be bought: Kim Sơn rice wine" in cart
    answer = client.post("/checkout?lang=en", data={
        "name": "Emily Carter", "phone": "+61 412 345 678", "email": "emily@example.com",
        "fulfilment": "pickup", "pickup_point": gift_box.point.code, "payment": "pay_at_pickup"})
    assert answer.status_code == 409
    assert "Rượu Kim Sơn cannot be bought" in answer.text
    assert db_session.scalar(select(Order.id)) is None


def test_handing_over_a_pay_at_pickup_box_collects_the_money(client, db_session, gift_box):
    placed = client.post("/api/v1/orders", json=_box_order(gift_box.box)).json
    staff = make_token(make_user("sales_point", sales_point=gift_box.point))
    [item] = client.get(f"/api/v1/sales-points/{gift_box.point.code}/gift-box-orders",
                        headers=auth(staff)).json["items"]
    line_id = db_session.scalar(select(GiftBoxOrderLine.id))
    other = make_token(make_user("sales_point", sales_point=make_sales_point()))
    assert client.post(f"/api/v1/sales-points/{gift_box.point.code}/gift-box-orders/{line_id}/handover",
                       headers=auth(other)).status_code == 404
    done = client.post(f"/api/v1/sales-points/{gift_box.point.code}/gift-box-orders/{line_id}/handover",
                       headers=auth(staff))
    assert done.status_code == 200 and done.json["payment_status"] == "paid"
    assert item["order"] == placed["number"]
    again = client.post(f"/api/v1/sales-points/{gift_box.point.code}/gift-box-orders/{line_id}/handover",
                        headers=auth(staff))
    assert again.status_code == 409
    assert client.get(f"/api/v1/sales-points/{gift_box.point.code}/gift-box-orders",
                      headers=auth(staff)).json["items"] == []


def test_a_box_picked_up_goes_through_the_points_pickup_queue(client, db_session, gift_box):
    from showrooms import pickups

    placed = client.post("/api/v1/orders", json=_box_order(gift_box.box)).json
    [pickup] = pickups.pickup_queue(db_session, gift_box.point)
    assert pickup.order.number == placed["number"] and pickup.ready and pickup.needs_payment
    staff = make_token(make_user("sales_point", sales_point=gift_box.point))
    handover = f"/api/v1/sales-points/{gift_box.point.code}/pickups/{placed['number']}/handover"
    unpaid = client.post(handover, headers=auth(staff), json={"customer_name": "Emily Carter"})
    assert unpaid.status_code == 409 and unpaid.json["error"]["code"] == "payment_required"
    location = sales_point_location_of(db_session, gift_box.point)
    order = pickups.pay_pickup_order(db_session, location, placed["number"], key="k-box-1")
    assert order.payments[-1].amount_vnd == 690_000  # the box's price, paid at the counter
    done = client.post(handover, headers=auth(staff), json={"customer_name": "emily carter"})
    assert done.status_code == 200, done.json
    db_session.expire_all()
    assert db_session.scalar(select(GiftBoxOrderLine.handed_over_at)) is not None
    assert pickups.pickup_queue(db_session, gift_box.point) == []


def sales_point_location_of(session, point):
    from showrooms.stock import sales_point_location

    return sales_point_location(session, point)
