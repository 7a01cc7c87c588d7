"""JSON API of the showrooms package (/api/v1)."""

from app.api import api_blueprint

bp = api_blueprint("showrooms_api", __name__)
