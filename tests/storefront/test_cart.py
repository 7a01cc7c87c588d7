"""The cart (/cart): add, change, remove, without an account; the gate on add; tourism
services refused; quantities bounded. And the HTML checkout that re-checks the gate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.clock import today
from catalog.services import revoke_certificate
from storefront import cart as carts
from storefront.models import Order
from tests.factories import make_certificate, make_product, make_sales_point, receive_stock


def _cart(client) -> dict:
    with client.session_transaction() as session:
        return dict(session.get("cart", {}))


def _add(client, product, quantity=1, referrer=None):
    headers = {"Referer": referrer} if referrer else {}
    return client.post("/cart/add", data={"product": product.slug, "quantity": str(quantity)},
                       headers=headers)


def test_add_change_and_remove(client, db_session):
    product = make_product(name="Cơm cháy chà bông", price_vnd=85_000)
    receive_stock(product, 20)
    answer = _add(client, product, 2)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/cart")
    assert _cart(client) == {product.slug: 2}
    _add(client, product, 3)
    assert _cart(client) == {product.slug: 5}
    page = client.get("/cart")
    assert "Cơm cháy chà bông" in page.text and "425.000 ₫" in page.text
    client.post("/cart/update", data={"product": product.slug, "quantity": "1"})
    assert _cart(client) == {product.slug: 1}
    client.post("/cart/update", data={"product": product.slug, "quantity": "0"})
    assert _cart(client) == {}
    _add(client, product, 1)
    client.post("/cart/remove", data={"product": product.slug})
    assert _cart(client) == {}
    assert "Giỏ hàng của bạn đang trống" in client.get("/cart").text


def test_a_revoked_product_is_refused_with_the_reason(client, db_session):
    product = make_product(certified=False, name="Mật ong bạc hà")
    make_certificate(product, issued_on=today() - timedelta(days=90),
                     revoked_on=today() - timedelta(days=1))
    receive_stock(product, 5)
    answer = _add(client, product, 1, referrer=f"http://localhost/products/{product.slug}")
    assert answer.headers["Location"] == f"http://localhost/products/{product.slug}"
    assert _cart(client) == {}
    page = client.get("/cart")
    assert "Mật ong bạc hà" in page.text and "thu hồi" in page.text


def test_tourism_services_are_not_put_in_a_cart(client, db_session):
    homestay = make_product(group="tourism", name="Homestay Tràng An")
    _add(client, homestay, 1)
    assert _cart(client) == {}
    assert "dịch vụ du lịch" in client.get("/cart").text


@pytest.mark.parametrize("quantity", ["0", "-1", "100", "abc", "1.5", ""])
def test_quantities_are_bounded(client, db_session, quantity):
    product = make_product()
    receive_stock(product, 200)
    client.post("/cart/add", data={"product": product.slug, "quantity": quantity})
    assert _cart(client) == {}
    assert "từ 1 đến 99" in client.get("/cart").text


def test_a_line_never_exceeds_99_units_nor_the_stock(client, db_session):
    product, scarce = make_product(), make_product(name="Gạo ST25")
    receive_stock(product, 200)
    receive_stock(scarce, 2)
    _add(client, product, 60)
    _add(client, product, 40)
    assert _cart(client) == {product.slug: 60}
    _add(client, scarce, 3)
    assert scarce.slug not in _cart(client)
    assert "chỉ còn 2" in client.get("/cart").text


def test_unknown_products_and_tampered_cookies_are_harmless(client, db_session):
    client.post("/cart/add", data={"product": "khong-co", "quantity": "1"})
    assert _cart(client) == {}
    with client.session_transaction() as session:
        session["cart"] = {"khong-co": 2, "x": "many", "y": [1]}
    assert client.get("/cart").status_code == 200
    assert carts.clean({"a": 2, "b": 0, "c": "3", 1: 1}) == {"a": 2}
    assert carts.clean(["not", "a", "dict"]) == {}


def test_the_cart_flags_a_line_revoked_after_it_was_added(client, db_session):
    product = make_product(certified=False, name="Trà Shan tuyết")
    cert = make_certificate(product, issued_on=today() - timedelta(days=90))
    receive_stock(product, 5)
    _add(client, product, 1)
    revoke_certificate(db_session, cert, reason="Thu hồi", revoked_on=today())
    page = client.get("/cart")
    assert "Không thể mua sản phẩm này nữa" in page.text
    assert "/checkout" not in page.text.split("cart-summary")[1]


# --- The HTML checkout ----------------------------------------------------------------------

FORM = {"name": "Emily Carter", "phone": "0912 345 678", "email": "emily@example.com",
        "fulfilment": "delivery", "address": "12 Đường 30/4, Ninh Kiều", "province": "92",
        "payment": "cod"}


def test_checkout_form_places_the_order_and_empties_the_cart(client, db_session, outbox):
    product = make_product(name="Cơm cháy", price_vnd=85_000)
    receive_stock(product, 5)
    _add(client, product, 2)
    assert client.get("/checkout").status_code == 200
    answer = client.post("/checkout", data=FORM)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert "/orders/" in location and "token=" in location
    assert _cart(client) == {}
    page = client.get(location)
    assert "Cơm cháy" in page.text and "200.000 ₫" in page.text  # 170.000 + 30.000
    assert len(list(outbox.glob("*.eml"))) == 1


def test_checkout_for_pickup_with_a_gift(client, db_session):
    point = make_sales_point(code="NB-02", name="Điểm bán OCOP Tràng An", province_code=37,
                             ward_code=None)
    product = make_product(price_vnd=85_000)
    receive_stock(product, 5)
    _add(client, product, 1)
    form = {**FORM, "fulfilment": "pickup", "pickup_point": point.code, "payment": "pay_at_pickup",
            "gift_wrap": "1", "gift_message": "Happy birthday!", "gift_recipient": "Mum"}
    answer = client.post("/checkout", data=form)
    assert answer.status_code == 302
    order = db_session.scalar(select(Order))
    assert (order.pickup_point_id, order.total_vnd, order.gift_wrap, order.gift_recipient) == (
        point.id, 85_000, True, "Mum")
    page = client.get(answer.headers["Location"])
    assert "Điểm bán OCOP Tràng An" in page.text and "Happy birthday!" in page.text


def test_checkout_form_errors_name_the_fields_and_keep_the_input(client, db_session):
    product = make_product()
    receive_stock(product, 5)
    _add(client, product, 1)
    answer = client.post("/checkout", data={**FORM, "phone": "12345", "address": ""})
    assert answer.status_code == 422
    assert 'id="err-customer-phone"' in answer.text and 'id="err-shipping-address"' in answer.text
    assert 'value="Emily Carter"' in answer.text
    assert db_session.scalar(select(func.count()).select_from(Order)) == 0
    assert _cart(client) == {product.slug: 1}


def test_checkout_rechecks_the_gate(client, db_session):
    product = make_product(certified=False, name="Trà Shan tuyết")
    cert = make_certificate(product, issued_on=today() - timedelta(days=90))
    receive_stock(product, 5)
    _add(client, product, 1)
    revoke_certificate(db_session, cert, reason="Thu hồi", revoked_on=today())
    answer = client.post("/checkout", data=FORM)
    assert answer.status_code == 409
    assert "Trà Shan tuyết" in answer.text and "thu hồi" in answer.text
    assert db_session.scalar(select(func.count()).select_from(Order)) == 0


def test_checkout_reports_stock_that_ran_out_meanwhile(client, db_session):
    product = make_product(name="Gạo ST25")
    receive_stock(product, 2)
    _add(client, product, 2)
    client.application.test_client().post("/api/v1/orders", json={
        "items": [{"product": product.slug, "quantity": 1}],
        "customer": {"name": "A", "phone": "0912345678", "email": "a@example.com"},
        "fulfilment": "delivery", "payment": "cod",
        "shipping": {"address": "1 Lê Lợi, Huế", "province": 46}})
    answer = client.post("/checkout", data=FORM)
    assert answer.status_code == 409
    assert "Gạo ST25" in answer.text and "chỉ còn 1" in answer.text


def test_card_checkout_page_loads_stripe_js_from_the_configured_url(client, db_session,
                                                                   stripe_app):
    product = make_product()
    receive_stock(product, 5)
    _add(client, product, 1)
    answer = client.post("/checkout", data={**FORM, "payment": "card"})
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"])
    assert f'src="{stripe_app.config["STRIPE_JS_URL"]}"' in page.text
    assert 'data-client-secret="pi_' in page.text
    assert 'id="payment-element"' in page.text
