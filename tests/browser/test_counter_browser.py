"""Chị Lan's day at the Phú Quốc counter, on a tablet (JOURNEYS.md): she scans a stamp URL
as a USB scanner types it, finds pepper by typing "tieu", sells for cash with change and
sees the receipt as printed; the Wi-Fi drops, she sells one more, the network comes back and
the queue empties by itself; the day report lists three tickets; a pickup order is paid and
handed over. Screenshots go to docs/screenshots/counter*.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TABLET = {"viewport": {"width": 1024, "height": 768}, "device_scale_factor": 1, "has_touch": True}
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _stamp_url(live_server) -> tuple[str, str]:
    """A stamp of a product on PQ-01's shelf (the demo's lot `PQ<yyyymm>`), and its product."""
    from app.extensions import db
    from showrooms.models import Location, StockLevel
    from traceability.models import Lot, Stamp

    with live_server.app.app_context():
        row = db.session.execute(
            select(Stamp.code, Lot.product_id).join(Lot, Lot.id == Stamp.lot_id)
            .join(StockLevel, StockLevel.product_id == Lot.product_id)
            .join(Location, Location.id == StockLevel.location_id)
            .where(Location.code == "PQ-01", StockLevel.on_hand > 0, Lot.lot_number.like("PQ%"),
                   Stamp.voided_at.is_(None))
            .order_by(Stamp.id).limit(1)).one()
        from catalog.models import Product

        name = db.session.get(Product, row.product_id).name
        db.session.remove()
    return f"{live_server.url}/t/{row.code}", name


def _pickup_order(live_server, page) -> str:
    """An online pay-at-pickup order for PQ-01, waiting for a confirmation."""
    from app.extensions import db
    from catalog.models import Product

    with live_server.app.app_context():
        product = db.session.scalar(select(Product).where(Product.slug.like("%ngoc-trai%"))
                                    .order_by(Product.id))
        slug = product.slug
        db.session.remove()
    answer = page.request.post(live_server("/api/v1/orders"), data={
        "items": [{"product": slug, "quantity": 1}],
        "customer": {"name": "Emily Carter", "phone": "0912 345 678", "email": "emily@example.com"},
        "fulfilment": "pickup", "pickup_point": "PQ-01", "payment": "pay_at_pickup"})
    assert answer.status == 201, answer.text()
    return answer.json()["number"]


def _sent_to_the_point(live_server, number: str) -> None:
    """Its producers send the order to PQ-01."""
    from app.extensions import db
    from storefront.models import Order
    from storefront.shipments import ship

    with live_server.app.app_context():
        order = db.session.scalar(select(Order).where(Order.number == number))
        for shipment in order.shipments:
            ship(db.session, shipment.producer, shipment.id, carrier="Xe nhà vườn", tracking="PQ-01")
        db.session.commit()
        db.session.remove()


def _revoked_on_the_shelf(live_server) -> str:
    """Units of a product whose certificate was revoked, still on PQ-01's shelf."""
    from sqlalchemy.orm import selectinload

    from app.extensions import db
    from catalog.gate import CERTIFICATE_REVOKED, listability
    from catalog.models import Product
    from showrooms.models import SalesPoint
    from showrooms.stock import record_movement, sales_point_location

    with live_server.app.app_context():
        products = db.session.scalars(select(Product).options(
            selectinload(Product.certificates), selectinload(Product.producer))).all()
        revoked = next(p for p in products if listability(p).reason == CERTIFICATE_REVOKED)
        point = db.session.scalar(select(SalesPoint).where(SalesPoint.code == "PQ-01"))
        record_movement(db.session, location=sales_point_location(db.session, point), product=revoked,
                        kind="receive", quantity=2, reason="before the revocation")
        db.session.commit()
        name = revoked.name
        db.session.remove()
    return name


def test_chi_lan_sells_online_and_offline_and_closes_her_day(live_server, chromium):
    revoked = _revoked_on_the_shelf(live_server)
    context = chromium.new_context(**TABLET, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(live_server("/login"))
        page.fill("#email", "sp-pq01@ocop.local")
        page.fill("#password", "ocop-demo-2026")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(re.compile(r"/seller/$"))
        page.get_by_role("link", name="Mở quầy bán").click()
        page.wait_for_url(re.compile(r"/counter/PQ-01$"))
        expect(page.locator("#catalogue-note")).to_have_text(re.compile(r"\S"))

        # 0. A product whose certificate was revoked refuses to sell, with the reason.
        page.locator("#scan").fill(revoked)
        refused = page.locator("#results button.result.refused").first
        assert "thu hồi" in refused.inner_text()
        refused.click()
        assert "thu hồi" in page.locator("#scan-message").inner_text()
        assert page.locator("#lines tbody tr").count() == 0
        page.locator("#scan").fill("")

        # 1. A USB scanner types the stamp's URL and Enter.
        url, stamped = _stamp_url(live_server)
        page.locator("#scan").type(url)
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#lines tbody tr:has-text('{stamped}')")
        # 2. "tieu" without accents finds the pepper.
        page.locator("#scan").fill("tieu den")
        page.locator("#results button.result").first.click()
        assert page.locator("#lines tbody tr").count() == 2
        total = int(re.sub(r"\D", "", page.locator("#total").inner_text()))
        # 3. Cash with change.
        page.locator("#cash-received").fill(str(total + 50_000))
        assert page.locator("#change").inner_text() == "50.000 ₫"
        page.screenshot(path=str(SHOTS / "counter.png"), full_page=True)
        page.locator("#pay").click()
        page.wait_for_selector("#receipt:not([hidden])")
        assert re.search(r"PQ01-\d{8}-\d{4}", page.locator("#r-number").inner_text())
        assert page.locator("#r-change").inner_text() == "50.000 ₫"
        page.emulate_media(media="print")  # the 80 mm receipt, as printed
        page.screenshot(path=str(SHOTS / "counter-receipt-print.png"), full_page=True)
        assert not page.locator(".counter-grid").is_visible()
        page.emulate_media(media="screen")
        page.locator("#next").click()
        # A second customer pays by card at the terminal.
        page.locator("#scan").fill("bong tai ngoc trai")
        page.keyboard.press("Enter")  # a single result is added at once
        page.locator("input[name=payment][value=card_terminal]").check()
        page.locator("#card-ref").fill("POS 004512")
        page.locator("#pay").click()
        page.wait_for_selector("#receipt:not([hidden])")
        assert page.locator("#r-method").inner_text() == "Thẻ (máy POS)"
        page.locator("#next").click()

        # 4. The Wi-Fi drops: she keeps selling; the sale waits in the queue.
        context.set_offline(True)
        expect(page.locator("#net-status")).to_have_class(re.compile(r"\boffline\b"))
        page.locator("#scan").fill("nuoc mam")
        page.locator("#results button.result").first.click()
        page.locator("#pay").click()
        page.wait_for_selector("#receipt:not([hidden])")
        assert "Chờ đồng bộ" in page.locator("#r-number").inner_text()
        assert "1 giao dịch chờ gửi" in page.locator("#net-status").inner_text()
        page.screenshot(path=str(SHOTS / "counter-offline.png"), full_page=True)
        page.locator("#next").click()

        # 5. The network is back: the queue empties by itself.
        context.set_offline(False)
        expect(page.locator("#queue-label")).to_have_text(re.compile(r"^không có"), timeout=20000)

        # 6. The day report lists three tickets (one of them sold offline).
        page.goto(live_server("/counter/PQ-01/report"))
        assert page.locator("#ticket-count").inner_text() == "3"
        assert page.locator("#tickets").get_by_text("Bán khi mất mạng").count() == 1
        page.screenshot(path=str(SHOTS / "counter-day-report.png"), full_page=True)

        # 7. A tourist collects her pay-at-pickup order.
        number = _pickup_order(live_server, page)
        page.goto(live_server("/counter/PQ-01/pickups"))
        page.locator(f"#confirm-{number}").get_by_role("button", name="Xác nhận đơn").click()
        assert f"Đã xác nhận đơn {number}" in page.locator("main").inner_text()
        assert page.locator(f"#confirm-{number}").count() == 0
        _sent_to_the_point(live_server, number)
        page.goto(live_server("/counter/PQ-01/pickups"))
        card = page.locator(f"#pickup-{number}")
        card.get_by_role("button", name="Thu tiền").click()
        card = page.locator(f"#pickup-{number}")
        card.get_by_label(re.compile("Tên khách")).fill("Emily Carter")
        card.get_by_role("button", name="Giao hàng cho khách").click()
        assert f"Đã giao đơn {number}" in page.locator("main").inner_text()
        assert page.locator(f"#pickup-{number}").count() == 0
        assert errors == []
    finally:
        context.close()


def test_a_sale_queued_offline_survives_a_lost_session(live_server, chromium):
    """The session ended while the counter was offline: the queued sale is not dropped (a
    login page is not an answer); after signing in again it is sent, once."""
    from app.extensions import db
    from catalog.models import Product
    from showrooms.counter_models import CounterSale
    from showrooms.models import SalesPoint
    from showrooms.stock import record_movement, sales_point_location

    with live_server.app.app_context():
        point = db.session.scalar(select(SalesPoint).where(SalesPoint.code == "CT-01"))
        location = sales_point_location(db.session, point)
        product = db.session.scalar(select(Product).where(Product.slug.like("%hu-tieu%"))
                                    .order_by(Product.id))
        record_movement(db.session, location=location, product=product, kind="receive", quantity=5)
        db.session.commit()
        location_id, name = location.id, product.name
        db.session.remove()

    context = chromium.new_context(**TABLET, locale="vi-VN")
    page = context.new_page()

    def sign_in():
        page.goto(live_server("/login"))
        page.fill("#email", "sp-ct01@ocop.local")
        page.fill("#password", "ocop-demo-2026")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(re.compile(r"/seller/$"))
        page.goto(live_server("/counter/CT-01"))
        expect(page.locator("#catalogue-note")).to_have_text(re.compile(r"\S"))

    try:
        sign_in()
        context.set_offline(True)
        expect(page.locator("#net-status")).to_have_class(re.compile(r"\boffline\b"))
        page.locator("#scan").fill(name)
        page.locator("#results button.result").first.click()
        page.locator("#pay").click()
        page.wait_for_selector("#receipt:not([hidden])")
        context.clear_cookies()  # the session is gone
        context.set_offline(False)
        expect(page.locator("#sale-error")).to_have_text(re.compile(r"^Phiên đăng nhập"), timeout=20000)
        assert "1 giao dịch chờ gửi" in page.locator("#net-status").inner_text()
        sign_in()  # the page loads again and sends its queue
        # The reloaded page says "none waiting" before it has read its queue from IndexedDB:
        # wait for the ticket itself, then for the queue to be empty.
        replayed: list[bool] = []
        for _attempt in range(100):
            with live_server.app.app_context():
                replayed = [t.replayed for t in db.session.scalars(
                    select(CounterSale).where(CounterSale.location_id == location_id))]
                db.session.remove()
            if replayed:
                break
            page.wait_for_timeout(200)
        expect(page.locator("#queue-label")).to_have_text(re.compile(r"^không có"), timeout=20000)
        page.wait_for_timeout(500)  # a second send, if there were one, would land now
        with live_server.app.app_context():
            tickets = db.session.scalars(select(CounterSale).where(CounterSale.location_id == location_id))
            assert [t.replayed for t in tickets] == [True]
            db.session.remove()
    finally:
        context.close()
