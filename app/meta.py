"""Operational endpoints: health check, the OpenAPI document, and the visitor's CSRF token
for forms of pages served from the whole-page cache (app.pagecache)."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from flask_wtf.csrf import generate_csrf
from sqlalchemy import text

from app.api import API_PREFIX, openapi_document
from app.extensions import db

bp = Blueprint("meta", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means the database is not usable
        log.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.get("/csrf-token")
def csrf_token():
    """`{"csrf_token": …}` bound to the caller's session (started here when it has none)."""
    response = jsonify({"csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get(f"{API_PREFIX}/openapi.json")
def openapi():
    return jsonify(openapi_document(current_app))
