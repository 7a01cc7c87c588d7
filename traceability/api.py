"""JSON API of the traceability package (/api/v1)."""

from app.api import api_blueprint

bp = api_blueprint("traceability_api", __name__)
