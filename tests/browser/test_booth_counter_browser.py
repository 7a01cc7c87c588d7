"""Anh Tuấn sells at his booth during a fair with the sales point's own counter page (the
same page and script, pointed at his booth), and the organizer reads the fair report; at
the Hoa Lư showroom, the staff tap the gift box on the counter and sell it as a ticket."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.clock import today
from tests.browser.test_backoffice_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TABLET = {"viewport": {"width": 1024, "height": 768}, "device_scale_factor": 1, "has_touch": True}


def _open_fair_with_a_booth(live_server) -> tuple[str, str]:
    """A fair open today where anh Tuấn's cooperative holds booth G1 with 6 units of a
    listable product; (fair slug, product name)."""
    from sqlalchemy.orm import selectinload

    from app.accounts.models import User
    from app.extensions import db
    from catalog.gate import listability
    from catalog.models import Product
    from showrooms import booth_stock, fairs
    from showrooms.fair_demo import ORGANIZER_EMAIL

    with live_server.app.app_context():
        organizer = db.session.scalar(select(User).where(User.email == ORGANIZER_EMAIL))
        producer = db.session.scalar(select(User).where(User.email == "htx-bac-ha@ocop.local")).producer
        start = today() + timedelta(days=3)
        fair = fairs.create_fair(db.session, organizer, name="Phiên chợ OCOP thử gian hàng",
                                 starts_on=start, ends_on=start + timedelta(days=1),
                                 venue="Nhà văn hoá", province_code=15,
                                 booths=[fairs.BoothSpec("G1", 0, 0, 3, 3, 500_000, None)])
        booking = fairs.confirm_booking(db.session, fair,
                                        fairs.book_booth(db.session, fair, "G1", producer).id)
        products = db.session.scalars(select(Product).where(Product.producer_id == producer.id)
                                      .options(selectinload(Product.certificates),
                                               selectinload(Product.producer))
                                      .order_by(Product.id)).all()
        product = next(p for p in products if not p.is_service and listability(p).listable)
        booth_stock.transfer(db.session, booking, "to_booth", [(product.slug, 6)])
        fair.starts_on, fair.ends_on = today(), today() + timedelta(days=1)
        db.session.commit()
        slug, name = fair.slug, product.name
        db.session.remove()
    return slug, name


def test_anh_tuan_sells_at_his_booth_and_the_organizer_sees_it(live_server, chromium):
    slug, product = _open_fair_with_a_booth(live_server)
    context = chromium.new_context(**TABLET, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        sign_in(page, live_server, "htx-bac-ha@ocop.local")
        page.wait_for_url(re.compile(r"/seller/$"))
        page.goto(live_server(f"/seller/booths/{slug}/G1"))
        page.get_by_role("link", name="Bán hàng").click()
        page.wait_for_url(re.compile(rf"/seller/booths/{slug}/G1/counter$"))
        expect(page.locator("#catalogue-note")).to_have_text(re.compile(r"\S"))
        page.locator("#scan").fill(product[:12])
        page.locator("#results button.result").first.click()
        assert page.locator("#lines tbody tr").count() == 1
        assert page.locator("#pay-vietqr").is_hidden()  # no account of the producer's to pay into
        page.locator("#pay").click()
        page.wait_for_selector("#receipt:not([hidden])")
        assert re.search(r"G1-\d{8}-0001", page.locator("#r-number").inner_text())
        page.locator("#next").click()
        page.goto(live_server(f"/seller/booths/{slug}/G1/report"))
        assert page.locator("#ticket-count").inner_text() == "1"
        assert errors == []
    finally:
        context.close()
    organizer = chromium.new_context(locale="vi-VN").new_page()
    try:
        sign_in(organizer, live_server, "organizer@ocop.local")
        organizer.wait_for_url(re.compile(r"/organizer/fairs$"))
        organizer.goto(live_server(f"/organizer/fairs/{slug}"))
        organizer.get_by_role("link", name="Báo cáo bán hàng").click()
        assert organizer.locator("#total-tickets").inner_text() == "1"
        assert organizer.locator("svg.chart").count() == 1
    finally:
        organizer.context.close()


def test_the_hoa_lu_staff_sell_the_gift_box_at_the_counter(live_server, chromium):
    from app.extensions import db
    from showrooms import counter
    from showrooms.counter_models import CounterSale
    from showrooms.demo import DEMO_PASSWORD, staff_email

    context = chromium.new_context(**TABLET, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(live_server("/login"))
        page.fill("#email", staff_email("NB-01"))
        page.fill("#password", DEMO_PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(re.compile(r"/seller/$"))
        page.goto(live_server("/counter/NB-01"))
        expect(page.locator("#catalogue-note")).to_have_text(re.compile(r"\S"))
        page.locator("#scan").fill("hop qua ninh binh")
        page.locator("#results button.result").first.click()
        assert "Hộp quà Ninh Bình" in page.locator("#lines tbody").inner_text()
        assert page.locator("#total").inner_text() == "690.000 ₫"
        page.locator("#pay").click()
        page.wait_for_selector("#receipt:not([hidden])")
        assert "Hộp quà Ninh Bình" in page.locator("#r-lines").inner_text()
        number = re.search(r"NB01-\d{8}-\d{4}", page.locator("#r-number").inner_text()).group(0)
        assert errors == []
    finally:
        context.close()
    # Put the box back for the other journeys of this shared live server.
    with live_server.app.app_context():
        sale = db.session.scalar(select(CounterSale).where(CounterSale.receipt_number == number))
        assert [line.name for line in sale.box_lines] == ["Hộp quà Ninh Bình"]
        counter.void_sale(db.session, sale.location, sale.id, reason="test: put back")
        db.session.commit()
        db.session.remove()
