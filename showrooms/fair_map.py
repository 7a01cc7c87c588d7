"""The booth map as an accessible SVG: each booth a focusable link whose `aria-label` names
it, its size and its exhibitor (or that it is free), drawn in metres scaled to the plan, with
text large enough at phone width. The same drawing is inlined in pages and served as
`map.svg`. Strings are translated by the caller's locale (Flask-Babel)."""

from __future__ import annotations

from collections.abc import Callable
from xml.sax.saxutils import escape, quoteattr

from flask_babel import gettext as _

from showrooms.fair_models import Booking, Booth, Fair

PADDING_M = 1.0
COLOURS = {"free": "#e8f5e9", "pending": "#fff4d6", "confirmed": "#dbe9ff", "selected": "#ffd9d2"}
STROKES = {"free": "#2e7d32", "pending": "#9a6700", "confirmed": "#1d4f91", "selected": "#b3261e"}


def booth_state(booking: Booking | None) -> str:
    return "free" if booking is None else booking.status


def booth_label(booth: Booth, booking: Booking | None, *, show_pending: bool = False) -> str:
    """What a screen reader says for a booth: code, size, zone, exhibitor or free."""
    size = _("%(w)s × %(h)s m", w=f"{booth.w:g}", h=f"{booth.h:g}")
    parts = [_("Gian %(code)s", code=booth.code), size]
    if booth.zone:
        parts.append(booth.zone)
    if booking is not None and booking.status == "confirmed":
        parts.append(_("đơn vị trưng bày: %(name)s", name=booking.producer.name))
    elif booking is not None and show_pending:
        parts.append(_("đang chờ xác nhận: %(name)s", name=booking.producer.name))
    elif booking is not None:
        parts.append(_("đã có đơn vị đăng ký"))
    else:
        parts.append(_("còn trống"))
    return ", ".join(parts)


def render_svg(fair: Fair, booths: list[Booth], bookings: dict[int, Booking], *,
               href: Callable[[Booth], str], standalone: bool = False,
               selected: str | None = None, show_pending: bool = False) -> str:
    """The floor plan: `bookings` maps booth id → active booking; `href(booth)` is each
    booth's link (its exhibitor on the public page, its booking form for producers)."""
    width = max((b.x + b.w for b in booths), default=10.0) + 2 * PADDING_M
    height = max((b.y + b.h for b in booths), default=6.0) + 2 * PADDING_M
    title = _("Sơ đồ gian hàng: %(name)s", name=fair.name)
    out = []
    xmlns = ' xmlns="http://www.w3.org/2000/svg"'
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    out.append(
        f'{head}<svg{xmlns} class="fair-map" viewBox="0 0 {width:g} {height:g}" '
        f'role="group" aria-labelledby="fair-map-title" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="fair-map-title">{escape(title)}</title>'
        f'<rect x="0" y="0" width="{width:g}" height="{height:g}" fill="#fafafa" '
        f'stroke="#999" stroke-width="0.08"/>'
    )
    for booth in booths:
        booking = bookings.get(booth.id)
        state = "selected" if selected and booth.code == selected else booth_state(booking)
        label = booth_label(booth, booking, show_pending=show_pending)
        x, y = booth.x + PADDING_M, booth.y + PADDING_M
        # Text sized to the booth (at least readable when the plan fills a phone's width).
        size = max(min(booth.w / max(len(booth.code), 2) * 1.5, booth.h * 0.45, 1.6), 0.5)
        out.append(
            f'<a href={quoteattr(href(booth))} aria-label={quoteattr(label)} '
            f'class="booth booth-{state}" id="booth-{escape(booth.code)}" data-code={quoteattr(booth.code)}>'
            f'<title>{escape(label)}</title>'
            f'<rect x="{x:g}" y="{y:g}" width="{booth.w:g}" height="{booth.h:g}" '
            f'fill="{COLOURS.get(state, "#eee")}" stroke="{STROKES.get(state, "#333")}" '
            f'stroke-width="0.12"/>'
            f'<text x="{x + booth.w / 2:g}" y="{y + booth.h / 2:g}" font-size="{size:.2f}" '
            f'text-anchor="middle" dominant-baseline="central" font-family="sans-serif" '
            f'fill="#111" aria-hidden="true">{escape(booth.code)}</text>'
            f'</a>'
        )
    out.append("</svg>")
    return "".join(out)


def qr_poster_svg(url: str, title: str, subtitle: str) -> str:
    """An A4-proportioned poster for the fair's entrance: the fair's name and a QR code of
    its page (the same QR drawing as the stamps)."""
    from traceability.printing import _svg_qr_path, qr_matrix

    matrix = qr_matrix(url)
    n = len(matrix)
    scale = 150 / n
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 210 297" width="210mm" '
        f'height="297mm" role="img" aria-label={quoteattr(title)}>'
        '<rect width="210" height="297" fill="#fff"/>'
        f'<text x="105" y="40" font-size="11" text-anchor="middle" font-family="sans-serif" '
        f'font-weight="bold">{escape(title)}</text>'
        f'<text x="105" y="55" font-size="6" text-anchor="middle" font-family="sans-serif">'
        f'{escape(subtitle)}</text>'
        f'<g transform="translate(30 75) scale({scale:.4f})"><path d="{_svg_qr_path(matrix)}" '
        'fill="#000"/></g>'
        f'<text x="105" y="245" font-size="5" text-anchor="middle" font-family="monospace">'
        f'{escape(url)}</text>'
        '</svg>'
    )
