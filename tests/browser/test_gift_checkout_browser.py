"""Emily's gift order in a real browser, in English, with JavaScript off: cơm cháy and Kim Sơn
rice wine (two producers) in the cart, gift wrap and a message card, pickup at the Hoa Lư OCOP
showroom, pay at pickup → one order, two shipments, each with its status (awaiting its
producer's confirmation), no shipping fee."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def add_to_cart(page, url: str, quantity: int) -> None:
    page.goto(url)
    page.locator("form.buy input[name=quantity]").fill(str(quantity))
    page.locator("form.buy button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cart"))


def test_emily_orders_a_gift_for_pickup_with_two_producers(live_server, new_phone):
    page = new_phone(locale="en-AU", java_script_enabled=False)
    add_to_cart(page, live_server("/products/com-chay-mam-hanh"), 2)
    add_to_cart(page, live_server("/products/ruou-kim-son"), 1)
    cart = page.locator("main").inner_text()
    assert "Crispy rice" in cart and "Kim Sơn rice wine" in cart

    page.goto(live_server("/checkout"))
    page.fill("#name", "Emily Carter")
    page.fill("#phone", "0912 345 678")
    page.fill("#email", "emily@example.com")
    page.check("#f-pickup")
    page.select_option("#pickup_point", "NB-01")
    page.check("#gift_wrap")
    page.fill("#gift_message", "Happy birthday, Mum! From Ninh Bình")
    page.check("#p-pay_at_pickup")
    page.locator("main form button[type=submit]").last.click()

    page.wait_for_url(re.compile(r"/orders/[0-9A-Z]+\?token="))
    text = page.locator("main").inner_text()
    assert re.search(r"Order [0-9A-Z]{8}", text), text[:300]
    shipments = page.locator("article.shipment")
    assert shipments.count() == 2
    # Pay at pickup: each producer confirms its part (issue 12); the customer may cancel.
    assert all("Awaiting confirmation by the seller" in shipments.nth(i).inner_text()
               for i in range(2))
    assert page.locator("form.order-cancel button").inner_text() == "Cancel the order"
    assert "Hoa Lu OCOP showroom" in text or "Hoa Lư" in text
    assert "Happy birthday, Mum!" in text
    assert "Shipping" not in text or "0 ₫" in text
