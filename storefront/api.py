"""JSON API of the storefront package (/api/v1)."""

from app.api import api_blueprint

bp = api_blueprint("storefront_api", __name__)
