"""HTML pages of the storefront package."""

from flask import Blueprint

bp = Blueprint("storefront", __name__, template_folder="templates")
