"""Operational endpoints: health check and the OpenAPI document."""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from app.api import API_PREFIX, openapi_document
from app.extensions import db

bp = Blueprint("meta", __name__)
log = logging.getLogger(__name__)

# A load balancer may ask many times a second: a database that answered is trusted for this
# long per worker, so a failing one still answers 503 within a second.
HEALTH_CHECK_SECONDS = 1.0
HEALTHY_BODY = b'{"database":"ok","status":"ok"}\n'
clock = time.monotonic  # replaced by tests to move time without waiting


def database_answers() -> bool:
    """`SELECT 1` on the app's database, remembered for HEALTH_CHECK_SECONDS when it answered
    (per app, per worker process); a failure is never remembered."""
    state = current_app.extensions.setdefault("ocop.health", {"ok_until": float("-inf")})
    if clock() < state["ok_until"]:
        return True
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means the database is not usable
        log.exception("health check: database unreachable")
        db.session.rollback()
        return False
    state["ok_until"] = clock() + HEALTH_CHECK_SECONDS
    return True


def forget_health(app) -> None:
    """The next health check asks the database again."""
    app.extensions.pop("ocop.health", None)


@bp.get("/healthz")
def healthz():
    if not database_answers():
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return Response(HEALTHY_BODY, mimetype="application/json")


@bp.get(f"{API_PREFIX}/openapi.json")
def openapi():
    return jsonify(openapi_document(current_app))
