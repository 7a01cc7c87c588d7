"""The printable annex of a decision (PDF): products, producers, stars and scores.

Vietnamese needs a Unicode font: DejaVu Sans (Debian's fonts-dejavu-core) when present;
otherwise the text is printed without diacritics rather than failing."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from catalog.regions import province_name
from catalog.text import fold

FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)


def render(decision) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    unicode_font = all(Path(p).exists() for p in FONT_PATHS)
    if unicode_font:
        pdf.add_font("DejaVu", "", FONT_PATHS[0])
        pdf.add_font("DejaVu", "B", FONT_PATHS[1])
        family = "DejaVu"
    else:
        family = "Helvetica"

    def t(text: str) -> str:
        return text if unicode_font else fold(text)

    pdf.set_font(family, "B", 13)
    pdf.multi_cell(
        0, 7, t(f"PHỤ LỤC QUYẾT ĐỊNH {decision.decision_number}"), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font(family, "", 10)
    pdf.multi_cell(
        0,
        6,
        t(
            f"{decision.issuer} — ngày {decision.issued_on:%d/%m/%Y} — cấp: {decision.level} — "
            f"{province_name(decision.province_code)}"
        ),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    widths = (10, 62, 62, 20, 26)
    pdf.set_font(family, "B", 9)
    for w, head in zip(widths, ("TT", "Sản phẩm", "Chủ thể", "Hạng", "Điểm"), strict=True):
        pdf.cell(w, 7, t(head), border=1)
    pdf.ln()
    pdf.set_font(family, "", 9)
    for i, dossier in enumerate(decision.dossiers, start=1):
        cert = dossier.certificate
        row = (
            str(i),
            dossier.product.name[:40],
            dossier.producer.name[:40],
            f"{cert.stars} sao" if cert else "",
            str(cert.score) if cert else "",
        )
        for w, value in zip(widths, row, strict=True):
            pdf.cell(w, 7, t(value), border=1)
        pdf.ln()
    pdf.ln(4)
    pdf.multi_cell(
        0,
        5,
        t(f"Tổng số: {len(decision.dossiers)} sản phẩm. Giấy chứng nhận có hiệu lực 36 tháng kể từ ngày ký."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
