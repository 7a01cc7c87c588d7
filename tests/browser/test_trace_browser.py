"""Hoa's journey (JOURNEYS.md) in a real browser at phone size, JavaScript off: she opens a
stamp's link, sees the verdict first, opens the report form from it, reports a suspected
fake, and is thanked. The demo's suspicious and recalled stamps and an unknown code read as such.

Screenshots go to `$SCREENSHOT_DIR` when set, else to a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from traceability.models import Lot, Report, Stamp

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    target = os.environ.get("SCREENSHOT_DIR")
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def demo_stamps(live_server):
    """Codes of the demo's stamps: a fresh genuine one, the suspicious one, a recalled one."""
    with live_server.app.app_context():
        rows = db.session.execute(
            select(Stamp.code, Stamp.distinct_clients, Lot.voided_at)
            .join(Lot, Lot.id == Stamp.lot_id).order_by(Stamp.id)).all()
        db.session.remove()
    return {
        "genuine": next(code for code, clients, void in rows if clients == 0 and void is None),
        "suspicious": next(code for code, clients, _ in rows if clients > 10),
        "void": next(code for code, _, void in rows if void is not None),
    }


def fits_phone_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_hoa_checks_a_stamp_and_reports_a_suspected_fake(live_server, new_phone, demo_stamps,
                                                         shots):
    page = new_phone(java_script_enabled=False)
    code = demo_stamps["genuine"]
    page.goto(live_server(f"/t/{code}"))
    verdict = page.locator("section.verdict")
    assert "Chính hãng — sản phẩm OCOP" in verdict.locator("h1").inner_text()
    # the verdict comes first, above the fold, before the product
    assert verdict.bounding_box()["y"] < page.locator("section.prod").bounding_box()["y"]
    assert verdict.bounding_box()["y"] + verdict.bounding_box()["height"] < 844
    assert fits_phone_width(page)
    page.screenshot(path=str(shots / "trace-genuine-vi.png"), full_page=True)

    page.get_by_role("link", name="Báo hàng giả").click()  # the form is one tap away
    assert page.url.endswith(f"/trace/report?code={code}")
    page.get_by_label("Điều gì có vẻ không đúng?").fill("Nắp chai không có màng seal.\nNhãn mờ.")
    page.get_by_role("button", name="Gửi báo cáo").click()
    assert "Cảm ơn bạn đã báo cáo" in page.locator("h1").inner_text()
    with live_server.app.app_context():
        report = db.session.scalar(select(Report).where(Report.code == code))
        db.session.remove()
    assert report is not None and report.message.startswith("Nắp chai")


@pytest.mark.parametrize("kind, heading", [
    ("suspicious", "Cảnh báo: mã này đã được quét ở nhiều nơi"),
    ("void", "Mã không hợp lệ / đã bị thu hồi"),
])
def test_suspicious_and_recalled_stamps_read_as_such(live_server, new_phone, demo_stamps,
                                                     shots, kind, heading):
    page = new_phone(java_script_enabled=False)
    page.goto(live_server(f"/t/{demo_stamps[kind]}"))
    assert page.locator("section.verdict h1").inner_text() == heading
    assert fits_phone_width(page)
    page.screenshot(path=str(shots / f"trace-{kind}-vi.png"), full_page=True)


def test_an_unknown_code_says_so_and_offers_the_report_form(live_server, new_phone, shots):
    page = new_phone(locale="en-US", java_script_enabled=False)
    response = page.goto(live_server("/t/NOT-A-STAMP"))
    assert response.status == 404
    assert page.locator("section.verdict h1").is_visible()
    assert page.locator("form textarea[name=message]").is_visible()
    page.screenshot(path=str(shots / "trace-unknown-en.png"), full_page=True)
