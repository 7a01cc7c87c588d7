"""Printable stamp sheets: A4 pages of QR stamps (PDF with fpdf2 — the one PDF library of
the project — or SVG), and the plain txt/csv lists.

Each stamp is a QR code (error correction M, with its 4-module quiet zone) of
`BASE_URL/t/<code>`, the code printed under it for people (`7KQ2-M9XA-4TB3Z`), and the
product's OCOP stars. Cut marks sit at every cell corner and on the page margins.
Only ASCII text is printed, so no font file is needed on the machine.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

from app import spreadsheet
from traceability import codes

PAGE_W, PAGE_H = 210.0, 297.0  # A4, mm
MARGIN = 10.0
COLUMNS, ROWS = 6, 8
PER_PAGE = COLUMNS * ROWS
CELL_W = (PAGE_W - 2 * MARGIN) / COLUMNS  # 31.67 mm
CELL_H = (PAGE_H - 2 * MARGIN) / ROWS  # 34.63 mm
QR_SIDE = 24.0  # mm, quiet zone included: about 0.65 mm per module for a 29-module code
QR_TOP = 1.5  # mm below the cell's top edge
QUIET_ZONE = 4  # modules (ISO/IEC 18004)
PNG_SCALE = 4  # pixels per module in the embedded image (crisp when scaled, small file)
MARK = 2.0  # mm, half-length of a cut mark


@dataclass(frozen=True)
class StampLabel:
    code: str
    url: str


def trace_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/t/{code}"


def labels(base_url: str, stamp_codes: Iterable[str]) -> list[StampLabel]:
    return [StampLabel(code, trace_url(base_url, code)) for code in stamp_codes]


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR modules (True = dark) with the quiet zone, error correction M, the smallest
    version that fits and the mask chosen by the standard's penalty rules."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.get_matrix()


def qr_image(data: str, scale: int = PNG_SCALE) -> Image.Image:
    """A 1-bit image of the QR code, `scale` pixels per module."""
    matrix = qr_matrix(data)
    n = len(matrix)
    small = Image.new("1", (n, n), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    return small.resize((n * scale, n * scale), Image.Resampling.NEAREST)


def _cells(count: int):
    """(page index, x, y) of each stamp's cell, row by row."""
    for i in range(count):
        page, slot = divmod(i, PER_PAGE)
        row, col = divmod(slot, COLUMNS)
        yield page, MARGIN + col * CELL_W, MARGIN + row * CELL_H


def _cut_marks(rows_used: int) -> list[tuple[float, float, float, float]]:
    """Line segments (x1, y1, x2, y2): crosses at inner cell corners, ticks in the margins."""
    segments = []
    bottom = MARGIN + rows_used * CELL_H
    for c in range(COLUMNS + 1):
        x = MARGIN + c * CELL_W
        segments.append((x, MARGIN - 2 * MARK - 1, x, MARGIN - 1))
        segments.append((x, bottom + 1, x, bottom + 2 * MARK + 1))
        for r in range(rows_used + 1):
            y = MARGIN + r * CELL_H
            if c in (0, COLUMNS):
                edge = -1 if c == 0 else 1
                segments.append((x + edge, y, x + edge * (2 * MARK + 1), y))
            if 0 < c < COLUMNS and 0 < r < rows_used:
                segments.append((x - MARK, y, x + MARK, y))
                segments.append((x, y - MARK, x, y + MARK))
    return segments


def _star_points(cx: float, cy: float, r_out: float, r_in: float) -> list[tuple[float, float]]:
    points = []
    for k in range(10):
        r = r_out if k % 2 == 0 else r_in
        angle = math.radians(-90 + 36 * k)
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


def _pages(count: int) -> int:
    return max(1, math.ceil(count / PER_PAGE))


def _footer(title: str, page: int, pages: int) -> str:
    return f"{title} - page {page}/{pages}"


def sheet_pdf(stamps: Sequence[StampLabel], *, stars: int, title: str) -> bytes:
    """The printable PDF: A4 pages of QR stamps with code, stars and cut marks."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(title)
    pdf.set_creator("OCOP Market")
    pages = _pages(len(stamps))
    current = -1
    for (page, x, y), stamp in zip(_cells(len(stamps)), stamps, strict=False):
        if page != current:
            current = page
            pdf.add_page()
            on_page = min(PER_PAGE, len(stamps) - page * PER_PAGE)
            rows_used = math.ceil(on_page / COLUMNS)
            pdf.set_draw_color(120, 120, 120)
            pdf.set_line_width(0.15)
            for x1, y1, x2, y2 in _cut_marks(rows_used):
                pdf.line(x1, y1, x2, y2)
            pdf.set_font("Helvetica", size=7)
            pdf.set_text_color(90, 90, 90)
            pdf.text(MARGIN, PAGE_H - 3, _footer(title, page + 1, pages))
            pdf.set_text_color(0, 0, 0)
        qx = x + (CELL_W - QR_SIDE) / 2
        pdf.image(qr_image(stamp.url), x=qx, y=y + QR_TOP, w=QR_SIDE, h=QR_SIDE,
                  alt_text=stamp.url)
        pdf.set_font("Courier", style="B", size=8)
        text = codes.pretty(stamp.code)
        pdf.text(x + (CELL_W - pdf.get_string_width(text)) / 2, y + QR_TOP + QR_SIDE + 3.2, text)
        _pdf_stars(pdf, x, y + QR_TOP + QR_SIDE + 6.6, stars)
    return bytes(pdf.output())


def _pdf_stars(pdf, x: float, baseline: float, stars: int) -> None:
    pdf.set_font("Helvetica", style="B", size=7)
    label = "OCOP"
    r_out, gap = 1.25, 0.5
    width = pdf.get_string_width(label) + 1 + stars * (2 * r_out + gap)
    left = x + (CELL_W - width) / 2
    pdf.text(left, baseline, label)
    pdf.set_fill_color(183, 121, 31)
    cx = left + pdf.get_string_width(label) + 1 + r_out
    for _ in range(stars):
        pdf.polygon(_star_points(cx, baseline - 0.9, r_out, r_out * 0.45), style="F")
        cx += 2 * r_out + gap


def _svg_qr_path(matrix: list[list[bool]]) -> str:
    """One path of horizontal runs of dark modules (1 unit per module)."""
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        n = len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return "".join(parts)


def sheet_svg_pages(stamps: Sequence[StampLabel], *, stars: int, title: str) -> list[str]:
    """The same sheet as SVG documents, one per A4 page (units: mm)."""
    pages = _pages(len(stamps))
    docs: list[list[str]] = [[] for _ in range(pages)]
    for (page, x, y), stamp in zip(_cells(len(stamps)), stamps, strict=False):
        matrix = qr_matrix(stamp.url)
        scale = QR_SIDE / len(matrix)
        qx = x + (CELL_W - QR_SIDE) / 2
        out = docs[page]
        out.append(
            f'<g transform="translate({qx:.3f} {y + QR_TOP:.3f}) scale({scale:.5f})">'
            f'<title>{escape(stamp.url)}</title>'
            f'<rect width="{len(matrix)}" height="{len(matrix)}" fill="#fff"/>'
            f'<path d="{_svg_qr_path(matrix)}" fill="#000"/></g>'
        )
        cx = x + CELL_W / 2
        out.append(
            f'<text x="{cx:.3f}" y="{y + QR_TOP + QR_SIDE + 3.2:.3f}" text-anchor="middle" '
            f'font-family="Courier New, monospace" font-weight="bold" font-size="2.9">'
            f"{codes.pretty(stamp.code)}</text>"
        )
        out.append(_svg_stars(x, y + QR_TOP + QR_SIDE + 6.6, stars))
    result = []
    for index, body in enumerate(docs):
        on_page = min(PER_PAGE, len(stamps) - index * PER_PAGE)
        marks = "".join(
            f'<line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}"/>'
            for x1, y1, x2, y2 in _cut_marks(math.ceil(on_page / COLUMNS))
        )
        result.append(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W:g}mm" height="{PAGE_H:g}mm" '
            f'viewBox="0 0 {PAGE_W:g} {PAGE_H:g}">'
            f"<title>{escape(_footer(title, index + 1, pages))}</title>"
            f'<rect width="{PAGE_W:g}" height="{PAGE_H:g}" fill="#fff"/>'
            f'<g stroke="#787878" stroke-width="0.15">{marks}</g>'
            f'<text x="{MARGIN:g}" y="{PAGE_H - 3:g}" font-family="Helvetica, Arial, sans-serif" '
            f'font-size="2.5" fill="#5a5a5a">{escape(_footer(title, index + 1, pages))}</text>'
            + "".join(body)
            + "</svg>\n"
        )
    return result


def _svg_stars(x: float, baseline: float, stars: int) -> str:
    r_out, gap, label_w = 1.25, 0.5, 7.0
    width = label_w + 1 + stars * (2 * r_out + gap)
    left = x + (CELL_W - width) / 2
    parts = [f'<text x="{left:.3f}" y="{baseline:.3f}" font-family="Helvetica, Arial, sans-serif" '
             f'font-weight="bold" font-size="2.5">OCOP</text>']
    cx = left + label_w + 1 + r_out
    for _ in range(stars):
        points = " ".join(f"{px:.3f},{py:.3f}" for px, py in
                          _star_points(cx, baseline - 0.9, r_out, r_out * 0.45))
        parts.append(f'<polygon points="{points}" fill="#b7791f"/>')
        cx += 2 * r_out + gap
    return "".join(parts)


def urls_txt(stamps: Sequence[StampLabel]) -> str:
    """One trace URL per line."""
    return "".join(f"{s.url}\n" for s in stamps)


def stamps_csv(stamps: Sequence[StampLabel], *, lot_number: str, product_slug: str) -> str:
    """code,url,lot,product with a header row."""
    out = io.StringIO()
    writer = spreadsheet.writer(out, lineterminator="\n")
    writer.writerow(["code", "url", "lot", "product"])
    for s in stamps:
        writer.writerow([s.code, s.url, lot_number, product_slug])
    return out.getvalue()
