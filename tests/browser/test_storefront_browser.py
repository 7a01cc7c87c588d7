"""The storefront in a real browser at phone size, on the demo data set.

Emily's journey (JOURNEYS.md): an English-speaking browser lands on the home page in
English, types `com chay` without accents and finds Cơm cháy. The same walk in Vietnamese,
without JavaScript, and the phone layout never scrolls sideways.

Screenshots of each step go to `$SCREENSHOT_DIR` when it is set (`python tools/screenshots.py`
refreshes `docs/screenshots/`), else to a temporary folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    target = os.environ.get("SCREENSHOT_DIR")
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def fits_phone_width(page) -> bool:
    # Mobile emulation grows the layout viewport to fit wide content, so also measure the
    # page's blocks against the phone's own width.
    width = page.viewport_size["width"]
    blocks_fit = page.evaluate(
        f"[...document.querySelectorAll('header, main > *, footer')]"
        f".every(e => e.getBoundingClientRect().right <= {width + 1})")
    return blocks_fit and page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def snap(page, shots: Path, name: str, full_page: bool = False) -> None:
    assert fits_phone_width(page), f"{name}: the page scrolls sideways at phone width"
    page.screenshot(path=str(shots / f"{name}.png"), full_page=full_page)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_tourist_finds_com_chay_without_accents(live_server, new_phone, shots, lang):
    page = new_phone(locale="en-AU" if lang == "en" else "vi-VN")
    page.goto(live_server("/"))
    assert page.locator("html").get_attribute("lang") == lang
    heading = {"vi": "Đặc sản OCOP chính hãng", "en": "Genuine OCOP specialities"}[lang]
    assert heading in page.locator("h1").inner_text()
    snap(page, shots, f"home-{lang}")

    page.get_by_role("searchbox").first.fill("com chay")
    page.get_by_role("button", name={"vi": "Tìm", "en": "Search"}[lang], exact=True).click()
    page.wait_for_url(re.compile(r"/products\?q=com\+chay"))
    names = page.locator(".card-name").all_inner_texts()
    natives = page.locator(".card .card-link").all_inner_texts()
    assert names, "no result for 'com chay'"
    assert all("Cơm cháy" in text for text in natives), natives
    assert page.locator(".card mark").count() >= 2  # the words found are highlighted
    snap(page, shots, f"search-{lang}")

    page.locator(".card-link").first.click()
    page.wait_for_url(re.compile(r"/products/com-chay"))
    assert "Cơm cháy" in page.content()
    assert page.locator(".facts").first.is_visible()  # the certificate block
    expect_valid = {"vi": "Còn hiệu lực", "en": "Valid"}[lang]
    assert expect_valid in page.locator(".status").first.inner_text()
    assert page.locator("form.buy").count() == 1
    snap(page, shots, f"product-{lang}", full_page=True)  # down to the certificate block


def test_language_choice_is_remembered_and_switch_keeps_the_page(live_server, phone):
    phone.goto(live_server("/products?q=nuoc+mam"))
    assert phone.locator("html").get_attribute("lang") == "vi"
    phone.locator(".lang a[hreflang=en]").click()
    phone.wait_for_url(re.compile(r"/products\?q=nuoc\+mam&lang=en"))
    assert phone.locator("html").get_attribute("lang") == "en"
    phone.goto(live_server("/"))  # no ?lang: the choice is remembered
    assert phone.locator("html").get_attribute("lang") == "en"


def test_search_and_browse_work_without_javascript(live_server, new_phone):
    page = new_phone(java_script_enabled=False)
    page.goto(live_server("/products"))
    page.get_by_label("Tìm sản phẩm (gõ có dấu hoặc không dấu)").fill("NUOC MAM")
    page.get_by_text("Bộ lọc và sắp xếp").click()  # <details>: opens without JavaScript
    page.get_by_label("Tỉnh, thành phố").select_option(label="An Giang")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_url(re.compile(r"province=91"))
    names = page.locator(".card-name").all_inner_texts()
    assert names and names[0].startswith("Nước mắm"), names  # both words in the name first
    assert set(page.locator(".card-origin").all_inner_texts()) == {"An Giang"}
    assert fits_phone_width(page)


def test_non_listable_demo_product_explains_itself(live_server, phone):
    """The demo has products whose certificate ended or was revoked: their page stays up."""
    with live_server.app.app_context():
        from app.extensions import db
        from catalog.gate import listability
        from catalog.models import Product

        hidden = next(p for p in db.session.query(Product).order_by(Product.id)
                      if not listability(p).listable)
        slug = hidden.slug
        db.session.remove()
    phone.goto(live_server(f"/products/{slug}"))
    assert "Sản phẩm này hiện không được bán trên OCOP Market." in phone.content()
    assert phone.locator("form.buy").count() == 0
    assert fits_phone_width(phone)
