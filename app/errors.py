"""Typed domain errors and the handlers that turn every error into a clear 4xx/5xx answer.

Services raise DomainError subclasses carrying a `code`; API requests get
`{"error": {"code", "message"}}`, pages get a friendly error page. No traceback ever
reaches a user.
"""

from __future__ import annotations

import logging

from flask import Flask, flash, jsonify, make_response, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain said no. `code` is snake_case and part of the API contract."""

    code = "domain_error"
    status = 400

    def __init__(
        self, message: str, *, code: str | None = None, status: int | None = None, details: dict | None = None
    ):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details or {}


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class DatabaseBusy(DomainError):
    """The database stayed locked by other writers past the busy timeout, even on a retry."""

    status = 503
    code = "busy"
    retry_after = 2

    def __init__(self, message: str = "The shop is very busy right now; please try again in a moment."):
        super().__init__(message)


def wants_json() -> bool:
    """API paths and clients that ask for JSON get JSON errors."""
    path = request.path
    if path.startswith("/api/") or path.startswith("/stripe/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def json_error(status: int, code: str, message: str, details: dict | None = None):
    body: dict = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return jsonify(body), status


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
}


def _html_error(status: int, message: str):
    return render_template("errors/error.html", status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    from app.extensions import db

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        db.session.rollback()
        if wants_json():
            response = json_error(err.status, err.code, err.message, err.details or None)
        elif request.method == "POST" and err.status in (409, 422) and request.referrer:
            # A form that broke a rule goes back where it came from, with the reason.
            flash(err.message, "error")
            return redirect(request.referrer)
        else:
            response = _html_error(err.status, err.message)
        retry_after = getattr(err, "retry_after", None)
        if retry_after:
            response = make_response(response)
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        status = err.code or 500
        code = _HTTP_CODES.get(status, "http_error")
        message = err.description or err.name
        if wants_json():
            response = json_error(status, code, message)
            if status == 429 or status == 405:
                resp = err.get_response()
                for header in ("Retry-After", "Allow"):
                    if header in resp.headers:
                        response[0].headers[header] = resp.headers[header]
            return response
        return _html_error(status, message)

    @app.errorhandler(CSRFError)
    def csrf_refused(err: CSRFError):
        # Still a 400. Starting the session here means the page reloaded after it carries
        # its token inline (a visitor without JavaScript on a page from the page cache).
        generate_csrf()
        if wants_json():
            return json_error(400, "bad_request", err.description)
        return _html_error(400, _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                                  "Hãy tải lại trang rồi thử lại."))

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        message = "Something went wrong on our side; it has been logged."
        if wants_json():
            return json_error(500, "internal_error", message)
        return _html_error(500, message)
