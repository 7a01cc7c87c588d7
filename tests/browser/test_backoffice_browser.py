"""Anh Tuấn and Ông Minh sign in with their demo accounts: the seller dashboard says what
needs doing today, the office's expiry board fits a phone."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


# With mobile emulation the layout viewport grows to fit wide content, so measure the blocks
# of the page against the phone's 390 px instead of comparing scroll and inner widths.
FITS_390 = "[...document.querySelectorAll('main > *')].every(e => e.getBoundingClientRect().right <= 391)"


def sign_in(page, live_server, email: str) -> None:
    page.goto(live_server("/login"))
    page.fill("#email", email)
    page.fill("#password", "ocop-demo-2026")
    page.locator("main button[type=submit]").click()


def test_anh_tuan_sees_what_needs_him_today(live_server, new_phone):
    page = new_phone(locale="vi-VN")
    sign_in(page, live_server, "htx-bac-ha@ocop.local")
    page.wait_for_url(re.compile(r"/seller/$"))
    todo = page.locator(".todo").inner_text()
    assert re.search(r"\d+ đơn hàng cần giao", todo)
    assert "Chè Shan tuyết" in todo and "còn 52 ngày" in todo
    assert page.evaluate(FITS_390)


def test_the_office_expiry_board_fits_a_phone(live_server, new_phone):
    page = new_phone(locale="en-AU")
    sign_in(page, live_server, "admin@ocop.local")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(live_server("/admin/certificates"))
    assert re.search(r"\d+ certificates end in the next 90 days", page.locator("h1").inner_text())
    assert page.evaluate(FITS_390)
