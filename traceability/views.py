"""HTML pages of the traceability package."""

from flask import Blueprint

bp = Blueprint("traceability", __name__, template_folder="templates")
