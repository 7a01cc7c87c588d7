"""Cart, checkout and order pages (HTML)."""

from flask import Blueprint

bp = Blueprint("shop", __name__, template_folder="templates")
