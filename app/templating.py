"""Jinja filters and globals shared by every package's templates."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request
from flask_babel import get_locale

from app.clock import local


def vnd(amount: int | None) -> str:
    """125000 → '125.000 ₫' (VND has no minor unit; Vietnamese groups with dots)."""
    if amount is None:
        return "—"
    return f"{amount:,}".replace(",", ".") + " ₫"


def vn_date(value: date | datetime | None) -> str:
    """Dates as Vietnamese and most English readers here expect: 23/11/2026."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return local(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def localized(obj, field: str) -> str:
    """`obj.<field>_en` on English pages when it exists, else the Vietnamese `obj.<field>`."""
    if str(get_locale()) == "en":
        english = getattr(obj, f"{field}_en", None)
        if english:
            return english
    return getattr(obj, field) or ""


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    from urllib.parse import urlencode

    query = urlencode(args, doseq=True)
    return request.path + ("?" + query if query else "")


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(vnd, "vnd")
    app.add_template_filter(vn_date, "vn_date")
    app.add_template_global(localized, "localized")
    app.add_template_global(url_with, "url_with")
    app.add_template_global(lambda: str(get_locale()), "current_locale")
    # The certificate gate's reasons, one wording everywhere (catalog.gate.REASON_TEXT).
    from catalog.gate import reason_text, reason_texts

    app.add_template_global(reason_text, "gate_reason")
    app.add_template_global(reason_texts, "gate_reason_texts")
    from app.pagecache import csrf_field

    app.add_template_global(csrf_field, "csrf_field")
