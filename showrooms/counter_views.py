"""The counter screen and the sales point's own screens (HTML)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("counter", __name__, template_folder="templates")
