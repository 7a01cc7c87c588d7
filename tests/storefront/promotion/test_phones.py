"""Buyers from abroad (DOMAIN §8, §12): phone numbers of any country, stored in E.164;
Vietnamese numbers keep working; nonsense is refused with a clear message."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.models import Order
from tests.factories import make_product, order_payload, receive_stock


@pytest.mark.parametrize(("raw", "stored"), [
    ("+61 412 345 678", "+61412345678"),
    ("+1 (415) 555-2671", "+14155552671"),
    ("0912 345 678", "+84912345678"),
    ("0061 412 345 678", "+61412345678"),
])
def test_numbers_of_any_country_are_accepted_and_stored_in_e164(client, db_session, raw, stored):
    product = make_product(price_vnd=85_000)
    receive_stock(product, 5)
    body = order_payload((product, 1))
    body["customer"]["phone"] = raw
    answer = client.post("/api/v1/orders", json=body)
    assert answer.status_code == 201, answer.json
    order = db_session.scalar(select(Order).where(Order.number == answer.json["number"]))
    assert order.customer_phone == stored


@pytest.mark.parametrize("raw", ["12345", "+61 412 34", "412 345 678", "+999 123 4567",
                                 "0912-ABC-678"])
def test_a_number_that_is_not_one_is_refused_with_a_clear_message(client, db_session, raw):
    product = make_product()
    receive_stock(product, 5)
    body = order_payload((product, 1))
    body["customer"]["phone"] = raw
    answer = client.post("/api/v1/orders", json=body)
    assert answer.status_code == 422
    error = answer.json["error"]
    assert "customer.phone" in error["message"]
    assert "country code" in error["message"] and "+61 412 345 678" in error["message"]
    assert db_session.scalar(select(Order.id)) is None


def test_the_checkout_form_takes_an_australian_number_and_explains_a_bad_one(client, db_session):
    product = make_product(price_vnd=85_000)
    receive_stock(product, 5)
    client.post("/cart/add", data={"product": product.slug, "quantity": "1"})
    form = {"name": "Emily Carter", "email": "emily@example.com", "fulfilment": "delivery",
            "address": "Khách sạn Tam Cốc, phòng 204, thôn Văn Lâm", "province": "37",
            "payment": "cod"}
    refused = client.post("/checkout?lang=en", data={**form, "phone": "12345"})
    assert refused.status_code == 422
    assert "country code" in refused.text and "+61 412 345 678" in refused.text
    placed = client.post("/checkout", data={**form, "phone": "+61 412 345 678"})
    assert placed.status_code == 302
    order = db_session.scalar(select(Order))
    assert order.customer_phone == "+61412345678"
    assert order.shipping_address.startswith("Khách sạn Tam Cốc, phòng 204")
