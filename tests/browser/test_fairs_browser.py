"""Chị Mai creates a fair and imports its booths from CSV; anh Tuấn books B12 on the map;
chị Mai confirms; visitors see him at B12 with his listable products, in Vietnamese and
English, at phone width; keyboard-only navigation reaches a booth and its exhibitor.
Screenshots of the map go to docs/screenshots/."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from app.clock import today
from tests.browser.test_backoffice_browser import FITS_390, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

BOOTHS_CSV = "code,x,y,w,h,price_vnd,zone\n" + "".join(
    f"B{i + 1},{i * 3},0,3,3,1500000,Gian Lào Cai\n" for i in range(12)) + "".join(
    f"C{i + 1},{i * 4},6,4,3,2500000,Khu ẩm thực\n" for i in range(6))


def test_organizer_producer_and_visitor_walk_the_fair(live_server, chromium, new_phone):
    start = today() + timedelta(days=12)
    # Chị Mai, at her desk: creates the fair, imports the plan.
    mai = chromium.new_context(**DESKTOP, locale="vi-VN").new_page()
    sign_in(mai, live_server, "organizer@ocop.local")
    mai.wait_for_url(re.compile(r"/organizer/fairs$"))
    mai.goto(live_server("/organizer/fairs/new"))
    mai.fill("#name", "Tuần lễ OCOP Lào Cai tại Hà Nội")
    mai.fill("#name_en", "Lào Cai OCOP Week in Hà Nội")
    mai.select_option("#kind", "ocop_week")
    mai.fill("#starts_on", start.isoformat())
    mai.fill("#ends_on", (start + timedelta(days=3)).isoformat())
    mai.fill("#venue", "Cung Văn hoá Hữu nghị")
    mai.select_option("#province_code", "15")
    mai.fill("#bank_bin", "970405")
    mai.fill("#bank_account", "3700205123456")
    mai.locator("main button[type=submit]").click()
    mai.wait_for_url(re.compile(r"/organizer/fairs/[a-z0-9-]+$"))
    slug = mai.url.rsplit("/", 1)[1]
    mai.set_input_files("#booths-file", files=[{"name": "so-do.csv", "mimeType": "text/csv",
                                                "buffer": BOOTHS_CSV.encode()}])
    mai.get_by_role("button", name="Nhập gian hàng").click()
    assert "Đã nhập 18 gian hàng." in mai.locator(".flash").inner_text()

    # Anh Tuấn, on his phone: picks B12 on the map and books it.
    tuan = new_phone(locale="vi-VN")
    sign_in(tuan, live_server, "htx-bac-ha@ocop.local")
    tuan.wait_for_url(re.compile(r"/seller/$"))
    tuan.goto(live_server(f"/seller/fairs/{slug}/book"))
    tuan.locator('svg.fair-map a[data-code="B12"]').click()
    tuan.wait_for_url(re.compile(r"booth=B12"))
    tuan.get_by_role("button", name="Đăng ký gian B12").click()
    tuan.wait_for_url(re.compile(r"/seller/bookings\b"))  # the browser keeps the #fragment
    assert "Đã đăng ký gian B12" in tuan.locator(".flash").inner_text()
    assert "Chờ xác nhận" in tuan.locator("main").inner_text()

    # Chị Mai confirms it from her queue.
    mai.goto(live_server(f"/organizer/fairs/{slug}?status=pending"))
    mai.get_by_role("button", name="Xác nhận Hợp tác xã Nông nghiệp Bắc Hà tại gian B12").click()
    assert "Đã xác nhận đăng ký." in mai.locator(".flash").inner_text()

    # A visitor's phone, Vietnamese: him at B12 with his listable products.
    visitor = new_phone(locale="vi-VN")
    visitor.goto(live_server(f"/fairs/{slug}"))
    booth = visitor.locator("#gian-B12")
    assert "Hợp tác xã Nông nghiệp Bắc Hà" in booth.inner_text()
    assert "Rượu ngô Bắc Hà" in booth.inner_text()
    label = visitor.locator('svg.fair-map a[data-code="B12"]').get_attribute("aria-label")
    assert label == "Gian B12, 3 × 3 m, Gian Lào Cai, đơn vị trưng bày: Hợp tác xã Nông nghiệp Bắc Hà"
    assert visitor.evaluate(FITS_390)
    SHOTS.mkdir(parents=True, exist_ok=True)
    visitor.locator("#map-title").scroll_into_view_if_needed()
    visitor.screenshot(path=str(SHOTS / "fair-map-phone.png"))

    # …and in English.
    tourist = new_phone(locale="en-US")
    tourist.goto(live_server(f"/fairs/{slug}"))
    assert tourist.locator("h1").inner_text() == "Lào Cai OCOP Week in Hà Nội"
    booth = tourist.locator("#gian-B12")
    assert "Bắc Hà Agricultural Cooperative" in booth.inner_text()
    assert "Bắc Hà corn wine" in booth.inner_text()
    assert tourist.evaluate(FITS_390)

    # Keyboard only: Tab from the top of the page reaches booth B12, Enter shows its exhibitor.
    keyboard = chromium.new_context(**DESKTOP, locale="vi-VN").new_page()
    keyboard.goto(live_server(f"/fairs/{slug}"))
    for _ in range(120):
        keyboard.keyboard.press("Tab")
        if keyboard.evaluate("document.activeElement.getAttribute('data-code')") == "B12":
            break
    else:
        pytest.fail("Tab never reached booth B12")
    focused = keyboard.evaluate("document.activeElement.getAttribute('aria-label')")
    assert "B12" in focused and "Hợp tác xã Nông nghiệp Bắc Hà" in focused
    keyboard.screenshot(path=str(SHOTS / "fair-map-desktop.png"))
    keyboard.keyboard.press("Enter")
    keyboard.wait_for_url(re.compile(r"#gian-B12$"))
    assert keyboard.evaluate("document.querySelector(':target').id") == "gian-B12"
