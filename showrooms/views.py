"""HTML pages of the showrooms package."""

from flask import Blueprint

bp = Blueprint("showrooms", __name__, template_folder="templates")
