"""The OCOP cycle end to end in Debian's chromium: Cô Thảo (producer, Ninh Kiều) registers a
product and submits its dossier with a PDF; chị Hạnh (commune officer of Ninh Kiều) forwards
it; ông Minh (office) sets up the council; ông Bình and two other members score it on a
tablet; the office records the decision; Cô Thảo prices and publishes the product, which is
on the storefront with its new stars the same day."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TABLET = {"viewport": {"width": 820, "height": 1180}, "device_scale_factor": 1, "is_mobile": True,
          "has_touch": True}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NAME = "Tranh gạo cánh đồng lúa Phong Điền"


def sign_in(page, live_server, email: str) -> None:
    page.goto(live_server("/login"))
    page.fill("#email", email)
    page.fill("#password", "ocop-demo-2026")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def test_a_dossier_goes_from_registration_to_the_storefront(live_server, new_phone, chromium):
    SHOTS.mkdir(parents=True, exist_ok=True)
    # 1. The producer registers and submits, with a PDF.
    page = new_phone()
    sign_in(page, live_server, "tranh-gao@ocop.local")
    assert "Chu trình OCOP" in page.locator("main").inner_text()
    page.goto(live_server("/seller/dossiers"))
    form = page.locator("form[action$='/seller/dossiers']").first
    form.locator("input[name=name]").fill(NAME)
    form.locator("select[name=group]").select_option("craft")
    form.locator("select[name=product_set]").select_option("MẪU THỬ – Thủ công mỹ nghệ")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/seller/dossiers/\d+$"))
    dossier_url = page.url
    page.fill("#description", "Tranh ghép hạt gạo rang cảnh cánh đồng lúa Phong Điền, khung 40×60 cm.")
    page.fill("#raw_materials", "Gạo nếp và gạo tẻ của nông dân Phong Điền, Cần Thơ.")
    page.fill("#labour", "5 lao động của phường Ninh Kiều.")
    page.fill("#story", "Tranh gạo do gia đình sáng tạo từ năm 2009.")
    page.locator("button[value=save]").click()
    page.wait_for_load_state()
    page.select_option("#kind", "business_registration")
    page.set_input_files("#file", files=[{"name": "dang-ky-kinh-doanh.pdf", "mimeType": "application/pdf",
                                          "buffer": PDF}])
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_load_state()
    assert "dang-ky-kinh-doanh.pdf" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "cycle-dossier.png"), full_page=True)
    page.locator("button[value=submit]").click()
    page.wait_for_load_state()
    assert "Đã nộp hồ sơ" in page.locator("main").inner_text()

    # 2. Chị Hạnh forwards it to the province.
    hanh = new_phone()
    sign_in(hanh, live_server, "hanh@ocop.local")
    hanh.get_by_role("link", name=NAME).click()
    for box in hanh.locator("input[name=checks]").all():
        box.check()
    hanh.fill("#comment", "Nguyên liệu, lao động địa phương: đạt.")
    hanh.locator("button[value=forward]").click()
    hanh.wait_for_url(re.compile(r"/commune/$"))

    # 3. The office sets up the council.
    office = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN").new_page()
    sign_in(office, live_server, "admin@ocop.local")
    office.goto(live_server("/admin/cycles"))
    office.get_by_role("link", name=re.compile("Cần Thơ")).click()
    office.fill("#cname", "Hội đồng OCOP Cần Thơ — phiên 2")
    for email in ("binh@ocop.local", "lan-hd@ocop.local", "quang-hd@ocop.local"):
        office.check(f"input[name=members][value='{email}']")
    office.get_by_label(re.compile(NAME)).check()
    office.get_by_role("button", name="Lập hội đồng").click()
    office.wait_for_url(re.compile(r"/admin/councils/\d+$"))
    council_url = office.url

    # 4. Three members score on a tablet; ông Bình cannot see the others' before submitting.
    for n, email in enumerate(("binh@ocop.local", "lan-hd@ocop.local", "quang-hd@ocop.local")):
        context = chromium.new_context(**TABLET, locale="vi-VN")
        tablet = context.new_page()
        sign_in(tablet, live_server, email)
        tablet.get_by_role("link", name=NAME).click()
        assert "Điểm của hội đồng" not in tablet.locator("main").inner_text()
        criteria = tablet.locator(".criterion")
        for i in range(criteria.count()):
            levels = criteria.nth(i).locator("label.level")
            # The top level everywhere but A5, C1 and C3: 85 points.
            levels.nth(levels.count() - (2 if i in (4, 10, 12) else 1)).click()
        if n == 0:
            tablet.screenshot(path=str(SHOTS / "cycle-scoring-tablet.png"), full_page=True)
        tablet.locator("button[value=submit]").click()
        tablet.wait_for_load_state()
        assert "Điểm của hội đồng" in tablet.locator("main").inner_text()
        context.close()

    # 5. The office records the decision.
    office.goto(council_url)
    assert "85.0" in office.locator("main").inner_text()
    office.get_by_label(NAME).check()
    office.fill("#decision_number", "1234/QĐ-UBND")
    office.fill("#issuer", "UBND thành phố Cần Thơ")
    office.get_by_role("button", name="Ghi quyết định", exact=True).click()
    office.wait_for_load_state()
    assert "Đã ghi quyết định 1234/QĐ-UBND" in office.locator("main").inner_text()

    # 6. The producer prices and publishes it; it is on the storefront with 4 stars.
    from catalog.models import Product

    with live_server.app.app_context():
        slug = db.session.scalar(select(Product.slug).where(Product.name == NAME))
        db.session.remove()
    page.goto(live_server(f"/seller/products/{slug}"))
    page.fill("#price_vnd", "850000")
    page.fill("#unit", "bức")
    page.check("#published")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(live_server(f"/products/{slug}"))
    assert NAME in page.locator("h1").inner_text()
    assert page.locator("main .stars").first.get_attribute("title") == "OCOP 4 sao"
    office.goto(live_server(f"/admin/cycle/products/{slug}"))
    assert "1234/QĐ-UBND" in office.locator("main").inner_text()
    office.screenshot(path=str(SHOTS / "cycle-timeline.png"), full_page=True)
    # The decision page is public, with a link to the product.
    page.goto(live_server("/ocop/decisions"))
    assert page.get_by_role("link", name=NAME).get_attribute("href") == f"/products/{slug}"
    assert dossier_url
