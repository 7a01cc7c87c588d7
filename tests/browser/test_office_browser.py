"""Ông Minh's journey (JOURNEYS.md) in a real browser: the office deactivates a producer and
its product disappears from search (and comes back on reactivation); handles a consumer's
counterfeit report by voiding the stamp, after which the trace page says void; opens the
reports page and exports a CSV. Screenshots of the reports page and the audit log go to
`$SCREENSHOT_DIR` when set (docs/screenshots/), else to a temporary folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from catalog.models import Product

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    target = os.environ.get("SCREENSHOT_DIR")
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def office(chromium, live_server):
    """A desktop page signed in as the demo OCOP office officer."""
    context = chromium.new_context(**DESKTOP, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.goto(live_server("/login"))
    page.fill("#email", "admin@ocop.local")
    page.fill("#password", "ocop-demo-2026")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    yield page
    context.close()


def _search_names(page, live_server, q: str) -> str:
    page.goto(live_server(f"/products?q={q}"))
    return page.locator("main").inner_text()


def _suspend_or_reactivate(page, reason: str) -> None:
    details = page.locator("main details").first
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    page.get_by_label("Lý do").fill(reason)
    page.locator("main details button[type=submit]").first.click()


def test_the_office_deactivates_a_producer_and_its_product_leaves_search(office, live_server,
                                                                         new_phone):
    visitor = new_phone(java_script_enabled=False)
    assert "Quế thanh Văn Yên" in _search_names(visitor, live_server, "que+van+yen")

    office.goto(live_server("/admin/producers?q=Văn+Yên"))
    office.get_by_role("link", name="Hợp tác xã Quế Văn Yên").click()
    _suspend_or_reactivate(office, "Vi phạm quy định ghi nhãn")
    assert "Đã tạm ngừng" in office.locator("main").inner_text()
    assert "Quế thanh Văn Yên" not in _search_names(visitor, live_server, "que+van+yen")

    _suspend_or_reactivate(office, "Đã khắc phục nhãn")
    assert "Đang hoạt động" in office.locator("main").inner_text()
    assert "Quế thanh Văn Yên" in _search_names(visitor, live_server, "que+van+yen")


def test_the_office_voids_a_reported_stamp_and_the_trace_page_says_void(office, live_server,
                                                                        new_phone):
    from traceability.services import create_lot, insert_stamps

    with live_server.app.app_context():
        product = db.session.scalar(select(Product).where(
            Product.name == "Mật ong hoa rừng Mù Cang Chải"))
        lot = create_lot(db.session, product, lot_number="OFFICE-E2E", produced_on=product.created_at.date(),
                         quantity=10)
        code = insert_stamps(db.session, lot, 1)[0].code
        db.session.commit()
        db.session.remove()

    hoa = new_phone(java_script_enabled=False)
    hoa.goto(live_server(f"/t/{code}"))
    hoa.get_by_role("link", name="Báo hàng giả").click()
    hoa.get_by_label("Điều gì có vẻ không đúng?").fill("Tem này dán trên hũ mật khác hẳn.")
    hoa.get_by_role("button", name="Gửi báo cáo").click()
    assert "Cảm ơn bạn đã báo cáo" in hoa.locator("h1").inner_text()

    office.goto(live_server("/admin/trace-reports"))
    row = office.locator("tr", has_text=code)
    row.get_by_role("link").first.click()
    assert "Tem này dán trên hũ mật khác hẳn." in office.locator("main").inner_text()
    office.get_by_label("Lý do huỷ").first.fill("Tem bị sao chép, đã xác minh với chủ thể")
    office.get_by_role("button", name="Huỷ tem này").click()
    assert "Tem đã huỷ" in office.locator("main").inner_text()
    office.get_by_label("Trạng thái").select_option("closed")
    office.get_by_label("Ghi chú").fill("Đã huỷ tem, báo chủ thể.")
    office.get_by_role("button", name="Lưu").click()
    assert "Đã đóng" in office.locator("h1").inner_text()

    hoa.goto(live_server(f"/t/{code}"))
    assert "Mã không hợp lệ / đã bị thu hồi" in hoa.locator("section.verdict h1").inner_text()
    assert "Tem bị sao chép" in hoa.locator("main").inner_text()


def test_the_office_opens_the_reports_and_exports_a_csv(office, live_server, shots):
    office.goto(live_server("/admin/reports"))
    office.locator("#targets details summary").click()
    office.get_by_label("Tỉnh/thành phố").select_option("15")
    office.locator("#new_products").fill("8")
    office.locator("#five_star").fill("2")
    office.get_by_role("button", name="Lưu mục tiêu").click()
    assert "Lào Cai" in office.locator("#targets table").inner_text()
    assert office.locator("svg.chart").count() == 8
    assert "Sản phẩm OCOP theo số sao" in office.locator("svg.chart title").first.text_content()
    office.screenshot(path=str(shots / "office-reports.png"), full_page=True)
    with office.expect_download() as download:
        office.locator("#products").get_by_role("link", name="Tải CSV", exact=True).click()
    path = download.value.path()
    header = Path(path).read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "province_code,province,group,stars,count"

    office.goto(live_server("/admin/audit"))
    assert office.locator("table.audit tbody tr").count() >= 1
    office.screenshot(path=str(shots / "office-audit.png"), full_page=True)
