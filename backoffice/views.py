"""HTML pages of the backoffice package."""

from flask import Blueprint

bp = Blueprint("backoffice", __name__, template_folder="templates")
