"""Emily (JOURNEYS.md) in English on her phone, with JavaScript: opens /gifts, buys the Ninh
Bình gift box with her Australian number for pickup at the Hoa Lư showroom, then opens a
craft village page and sends a booking request for the old-capital kitchen workshop.

Screenshots of a gift box, a village page and /live go to `$SCREENSHOT_DIR` when it is set
(`SCREENSHOT_DIR=docs/screenshots pytest tests/browser/test_promotion_browser.py`), else to a
temporary folder."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.clock import now, today
from app.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    target = os.environ.get("SCREENSHOT_DIR")
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def fits_phone_width(page) -> bool:
    width = page.viewport_size["width"]
    return page.evaluate(
        f"[...document.querySelectorAll('header, main > *, footer')]"
        f".every(e => e.getBoundingClientRect().right <= {width + 1})")


def snap(page, shots: Path, name: str) -> None:
    assert fits_phone_width(page), f"{name}: the page scrolls sideways at phone width"
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_emily_buys_a_gift_box_then_books_a_workshop(live_server, new_phone, shots):
    from storefront.models import Order
    from storefront.promotion.models import BookingRequest, GiftBoxOrderLine

    page = new_phone(locale="en-AU")
    # Tiles come from the internet, which a test machine may not reach: the page must not care.
    page.route(re.compile(r"tile\.openstreetmap\.org"), lambda route: route.abort())
    page.goto(live_server("/"))
    page.locator("main a[href='/gifts']").first.click()
    page.wait_for_url(re.compile(r"/gifts$"))
    assert "OCOP gift boxes" in page.locator("h1").inner_text()
    page.locator(".gift-card a.card-link", has_text="Ninh Bình gift box").click()
    page.wait_for_url(re.compile(r"/gifts/hop-qua-ninh-binh"))
    text = page.locator("main").inner_text()
    assert "In the box" in text and "Kim Sơn rice wine" in text
    assert "approximate; you pay in VND" in text
    snap(page, shots, "gift-box-en")

    page.locator("form.buy button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cart"))
    assert "Ninh Bình gift box" in page.locator("main").inner_text()
    page.goto(live_server("/checkout"))
    page.fill("#name", "Emily Carter")
    page.fill("#phone", "+61 412 345 678")
    page.fill("#email", "emily@example.com")
    page.check("#f-pickup")
    page.select_option("#pickup_point", "NB-01")
    page.check("#p-pay_at_pickup")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/orders/[0-9A-Z]+\?token="))
    text = page.locator("main").inner_text()
    assert "Gift box: Hộp quà Ninh Bình" in text
    number = re.search(r"/orders/([0-9A-Z]+)", page.url).group(1)
    with live_server.app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        assert order.customer_phone == "+61412345678" and order.pickup_point.code == "NB-01"
        assert db.session.scalar(select(GiftBoxOrderLine.quantity)
                                 .where(GiftBoxOrderLine.order_id == order.id)) == 1
        db.session.remove()

    page.goto(live_server("/villages"))
    page.locator(".village-list a", has_text="Tam Cốc").click()
    page.wait_for_url(re.compile(r"/villages/tam-coc-hoa-lu"))
    page.wait_for_selector("#map .leaflet-marker-icon")  # Leaflet, served by the app itself
    assert "Getting there" in page.locator("main").inner_text()
    snap(page, shots, "village-en")
    workshop = page.locator("article.service", has_text="workshop")
    workshop.locator("input[name=date]").fill((today() + timedelta(days=1)).isoformat())
    workshop.locator("input[name=party_size]").fill("2")
    workshop.locator("input[name=name]").fill("Emily Carter")
    workshop.locator("input[name=phone]").fill("+61 412 345 678")
    workshop.locator("input[name=email]").fill("emily@example.com")
    workshop.locator("textarea[name=message]").fill("Two of us, around 9 am if possible.")
    workshop.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/villages/tam-coc-hoa-lu"))
    assert "Your booking request for Old-capital kitchen workshop in Hoa Lư was sent" in page.locator(
        ".flash").inner_text()
    with live_server.app.app_context():
        booking = db.session.scalar(select(BookingRequest).order_by(BookingRequest.id.desc()))
        assert (booking.name, booking.phone, booking.party_size) == ("Emily Carter",
                                                                     "+61412345678", 2)
        db.session.remove()


def test_live_page(live_server, new_phone, shots):
    from catalog.models import Producer
    from storefront.promotion import livestreams

    with live_server.app.app_context():
        producer = db.session.scalar(select(Producer).where(Producer.tax_code == "2700889012"))
        if not livestreams.current_and_upcoming(db.session)[0]:
            stream = livestreams.schedule(
                db.session, producer, platform="tiktok", url="https://www.tiktok.com/@cododhoalu/live",
                title="Cơm cháy Hoa Lư: sấy lò than trực tiếp", starts_at=now() + timedelta(minutes=1),
                products=["com-chay-cha-bong-ninh-binh", "com-chay-mam-hanh"])
            stream.starts_at = now() - timedelta(minutes=15)  # already on air for the screenshot
            db.session.commit()
        db.session.remove()
    page = new_phone(locale="en-AU")
    page.goto(live_server("/live"))
    text = page.locator("main").inner_text()
    assert "Live now" in text and "Coming up" in text and "Add to calendar (.ics)" in text
    snap(page, shots, "live-en")
