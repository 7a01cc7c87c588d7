"""Charts drawn on the server as SVG (no JavaScript, no CDN): accessible (`role="img"`, a
title and a description; the page puts the data table beside each chart) and printable."""

from __future__ import annotations

from markupsafe import Markup, escape

PALETTE = ("#1b6e3a", "#c7861b", "#b3261e", "#2e5e9e", "#6b4c9a", "#4d7c80")


def _fmt(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def bar_chart(title: str, items: list[tuple[str, int]], *, chart_id: str,
              color: str = PALETTE[0], width: int = 560) -> Markup:
    """A horizontal bar chart of (label, value) pairs."""
    bar, gap, label_w, top = 22, 8, 170, 8
    height = top + max(1, len(items)) * (bar + gap) + 8
    peak = max([v for _, v in items] + [1])
    room = width - label_w - 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {width} {height}" width="100%" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape("; ".join(f"{k}: {_fmt(v)}" for k, v in items))}'
             '</desc>']
    if not items:
        parts.append(f'<text x="8" y="24" font-size="14">{escape("—")}</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * (bar + gap)
        w = 0 if peak == 0 else max(1, round(room * value / peak)) if value else 0
        parts.append(f'<text x="{label_w - 6}" y="{y + bar - 6}" text-anchor="end" '
                     f'font-size="13" fill="#222">{escape(str(label)[:28])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar}" fill="{color}" rx="2"/>')
        parts.append(f'<text x="{label_w + w + 6}" y="{y + bar - 6}" font-size="13" '
                     f'fill="#222">{_fmt(value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 — every text piece was escaped above


def paired_bar_chart(title: str, items: list[tuple[str, int, int]], *, chart_id: str,
                     legend: tuple[str, str], width: int = 560) -> Markup:
    """Two bars per label (e.g. target against actual)."""
    bar, gap, label_w, top = 14, 10, 170, 28
    height = top + max(1, len(items)) * (2 * bar + gap) + 8
    peak = max([max(a, b) for _, a, b in items] + [1])
    room = width - label_w - 70
    colors = (PALETTE[3], PALETTE[0])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {width} {height}" width="100%" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">' + escape("; ".join(
                 f"{k}: {legend[0]} {_fmt(a)}, {legend[1]} {_fmt(b)}" for k, a, b in items))
             + '</desc>']
    for j, name in enumerate(legend):
        x = label_w + j * 150
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colors[j]}"/>'
                     f'<text x="{x + 16}" y="15" font-size="12">{escape(name)}</text>')
    for i, (label, a, b) in enumerate(items):
        y = top + i * (2 * bar + gap)
        parts.append(f'<text x="{label_w - 6}" y="{y + bar + 4}" text-anchor="end" '
                     f'font-size="13">{escape(str(label)[:28])}</text>')
        for j, value in enumerate((a, b)):
            w = round(room * value / peak) if value else 0
            yy = y + j * bar
            parts.append(f'<rect x="{label_w}" y="{yy}" width="{w}" height="{bar - 2}" '
                         f'fill="{colors[j]}"/><text x="{label_w + w + 4}" y="{yy + bar - 4}" '
                         f'font-size="11">{_fmt(value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 — every text piece was escaped above
