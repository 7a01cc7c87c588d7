"""Printable stamps: `stamps issue` in txt, csv, svg and pdf; the PDF opens, has the right
number of A4 pages, and a QR code on it decodes back to the stamp's trace URL."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from pypdf import PdfReader
from sqlalchemy import select

from app.clock import today
from app.extensions import db
from tests.factories import make_certificate, make_lot, make_product, make_stamps
from traceability import printing
from traceability.models import Lot, Stamp

URL = re.compile(r"^http://ocop\.test/t/[0-9A-HJKMNP-TV-Z]{13}$")


@pytest.fixture
def product(db_session):
    return make_product(stars=5, slug="ruou-kim-son", name="Rượu Kim Sơn")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()  # click ≥ 8.2: result.stdout and result.stderr apart


def issue(runner, *args):
    result = runner.invoke(args=["stamps", "issue", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def _decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


def test_txt_prints_one_trace_url_per_line_and_creates_the_lot(runner, product):
    result = issue(runner, "--product", "ruou-kim-son", "--lot", "L2026-11", "--count", "25")
    urls = result.stdout.splitlines()
    assert len(urls) == 25 and len(set(urls)) == 25
    assert all(URL.match(u) for u in urls), urls[:3]
    lot = db.session.scalar(select(Lot).where(Lot.product_id == product.id))
    assert lot.lot_number == "L2026-11" and lot.produced_on == today() and lot.quantity == 25
    stored = set(db.session.scalars(select(Stamp.code).where(Stamp.lot_id == lot.id)))
    assert stored == {u.rsplit("/", 1)[1] for u in urls}
    # the same lot again: more stamps for it, no second lot
    issue(runner, "--product", "ruou-kim-son", "--lot", "L2026-11", "--count", "5")
    assert db.session.scalar(select(Lot.quantity).where(Lot.id == lot.id)) == 25
    assert len(list(db.session.scalars(select(Stamp.id).where(Stamp.lot_id == lot.id)))) == 30


def test_csv_has_code_url_lot_and_product(runner, product, tmp_path):
    out = tmp_path / "stamps.csv"
    issue(runner, "--product", "ruou-kim-son", "--lot", "L7", "--count", "3", "--format", "csv",
          "--out", str(out), "--produced-on", "2026-01-10", "--best-before", "2027-01-10")
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [list(r) for r in rows][0] == ["code", "url", "lot", "product"]
    assert len(rows) == 3
    for row in rows:
        assert row["url"] == f"http://ocop.test/t/{row['code']}"
        assert row["lot"] == "L7" and row["product"] == "ruou-kim-son"
    lot = db.session.scalar(select(Lot).where(Lot.lot_number == "L7"))
    assert str(lot.produced_on) == "2026-01-10" and str(lot.best_before) == "2027-01-10"


def test_pdf_sheet_opens_with_the_right_pages_and_its_qr_decodes_to_the_stamp_url(
        runner, product, tmp_path):
    out = tmp_path / "sheet.pdf"
    issue(runner, "--product", "ruou-kim-son", "--lot", "L2026-11", "--count", "60",
          "--format", "pdf", "--out", str(out))
    reader = PdfReader(out)
    assert len(reader.pages) == 2  # 48 stamps per A4 page
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    codes = list(db.session.scalars(select(Stamp.code).join(Lot).where(Lot.lot_number == "L2026-11")
                                    .order_by(Stamp.ordinal)))
    first_page_images = reader.pages[0].images
    assert len(first_page_images) == 48 and len(reader.pages[1].images) == 12
    decoded = _decode(first_page_images[0].image)
    assert decoded == [f"http://ocop.test/t/{codes[0]}"]
    assert _decode(reader.pages[1].images[-1].image) == [f"http://ocop.test/t/{codes[-1]}"]
    text = reader.pages[0].extract_text()
    assert printing.codes.pretty(codes[0]) in text and "OCOP" in text


def test_svg_sheet_is_valid_svg_whose_qr_decodes(runner, product, tmp_path):
    out = tmp_path / "sheet.svg"
    issue(runner, "--product", "ruou-kim-son", "--lot", "L9", "--count", "50", "--format", "svg",
          "--out", str(out))
    pages = [out, tmp_path / "sheet-2.svg"]
    assert all(p.exists() for p in pages) and not (tmp_path / "sheet-3.svg").exists()
    ns = {"s": "http://www.w3.org/2000/svg"}
    root = ET.parse(pages[0]).getroot()  # noqa: S314 - our own output, not untrusted
    assert root.get("width") == "210mm" and root.get("height") == "297mm"
    groups = root.findall("s:g[@transform]", ns)
    assert len(groups) == 48
    url = groups[0].find("s:title", ns).text
    assert URL.match(url)
    # rasterise the first QR path ourselves and decode it
    size = int(groups[0].find("s:rect", ns).get("width"))
    image = Image.new("L", (size * 8, size * 8), 255)
    draw = ImageDraw.Draw(image)
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", groups[0].find("s:path", ns).get("d")):
        x, y, w = int(x), int(y), int(w)
        draw.rectangle([x * 8, y * 8, (x + w) * 8 - 1, y * 8 + 7], fill=0)
    assert _decode(image) == [url]
    second = ET.parse(pages[1]).getroot()  # noqa: S314 - our own output
    assert len(second.findall("s:g[@transform]", ns)) == 2


def test_qr_uses_error_correction_m_or_better():
    result = zxingcpp.read_barcodes(printing.qr_image("http://ocop.test/t/7KQ2M9XA4TB3Z"))[0]
    assert result.text == "http://ocop.test/t/7KQ2M9XA4TB3Z"
    assert result.ec_level in ("M", "Q", "H")


def test_stamps_are_refused_for_a_product_without_a_valid_certificate(runner, db_session):
    product = make_product(certified=False, slug="khong-chung-nhan")
    make_certificate(product, issued_on=today().replace(year=today().year - 4),
                     valid_until=today().replace(year=today().year - 1))
    result = runner.invoke(args=["stamps", "issue", "--product", "khong-chung-nhan", "--lot", "L1",
                                 "--count", "3"])
    assert result.exit_code != 0 and "not_certified" in result.stderr
    assert db.session.scalar(select(Stamp.id).join(Lot).where(Lot.product_id == product.id)) is None


def test_unknown_product_is_a_clear_error(runner, db_session):
    result = runner.invoke(args=["stamps", "issue", "--product", "nope", "--lot", "L1", "--count", "1"])
    assert result.exit_code != 0 and "not_found" in result.stderr


def test_sheet_pdf_and_svg_render_directly(db_session):
    stamps = make_stamps(make_lot(), 3)
    labels = printing.labels("http://ocop.test", [s.code for s in stamps])
    pdf = printing.sheet_pdf(labels, stars=3, title="x lot y")
    assert pdf.startswith(b"%PDF-") and len(PdfReader(io.BytesIO(pdf)).pages) == 1
    pages = printing.sheet_svg_pages(labels, stars=3, title="x lot y")
    assert len(pages) == 1 and pages[0].count("<polygon") == 9  # 3 stars under each stamp
