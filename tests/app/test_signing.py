"""app.signing signs exactly as itsdangerous, Flask and Flask-WTF do: the same bytes for the
same keys and second, what one signs the other opens, and a tampered or foreign value is
refused by both."""

from __future__ import annotations

import pytest
from flask import Flask, g, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect, ValidationError, validate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.sessions import CookieSessions
from app.signing import CachedKeySigner, generate_csrf, timed_serializer

NOW = 1_800_000_000


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr("itsdangerous.timed.TimestampSigner.get_timestamp", lambda self: NOW)


@pytest.mark.parametrize("derivation", [None, "concat", "django-concat", "hmac", "none"])
def test_same_bytes_as_itsdangerous(frozen, derivation):
    kwargs = {"signer_kwargs": {"key_derivation": derivation}} if derivation else {}
    stock = URLSafeTimedSerializer("k" * 40, salt="some-salt", **kwargs)
    ours = timed_serializer("k" * 40, "some-salt", **kwargs)
    value = {"csrf_token": "ab" * 20, "n": [1, 2]}
    assert ours.dumps(value) == stock.dumps(value)
    assert stock.loads(ours.dumps("x")) == ours.loads(stock.dumps("x")) == "x"


def test_tampered_or_foreign_values_are_refused():
    ours = timed_serializer("k" * 40, "some-salt")
    token = ours.dumps("value")
    with pytest.raises(BadSignature):
        ours.loads(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    with pytest.raises(BadSignature):
        ours.loads(URLSafeTimedSerializer("j" * 40, salt="some-salt").dumps("value"))
    with pytest.raises(BadSignature):  # another salt is another key
        ours.loads(timed_serializer("k" * 40, "other-salt").dumps("value"))


def test_key_rotation_opens_values_of_the_fallback_key():
    old = timed_serializer("old" * 12, "s").dumps("v")
    assert timed_serializer(["old" * 12, "new" * 12], "s").loads(old) == "v"


def test_only_sha1():
    import hashlib

    with pytest.raises(ValueError):
        CachedKeySigner("k" * 40, digest_method=hashlib.sha256)


@pytest.fixture
def app():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="s" * 40, WTF_CSRF_TIME_LIMIT=None)
    app.session_interface = CookieSessions()
    CSRFProtect(app)
    return app


def test_session_cookie_opens_with_flask_and_back(app, frozen):
    stock = SecureCookieSessionInterface()
    ours = app.session_interface
    data = {"csrf_token": "cd" * 20, "lang": "en"}
    assert ours.get_signing_serializer(app).dumps(data) == stock.get_signing_serializer(app).dumps(data)
    cookie = ours.get_signing_serializer(app).dumps(data)
    assert stock.get_signing_serializer(app).loads(cookie) == data
    with app.test_request_context(headers={"Cookie": f"session={cookie}"}):
        assert dict(ours.open_session(app, __import__("flask").request)) == data


def test_csrf_token_is_flask_wtfs(app):
    with app.test_request_context():
        token = generate_csrf()
        raw = session["csrf_token"]
        assert generate_csrf() == token  # reused within the request, like Flask-WTF's
        validate_csrf(token)  # Flask-WTF's own check accepts it
        session["csrf_token"] = "ef" * 20  # another visitor's session
        with pytest.raises(ValidationError):
            validate_csrf(token)
        session["csrf_token"] = raw
        g.pop("csrf_token")
        validate_csrf(generate_csrf())  # a new token of the same session is valid too
        assert session["csrf_token"] == raw  # and did not replace the session's secret
    with app.test_request_context(), pytest.raises(ValidationError):  # no session entry: refused
        validate_csrf(token)


@pytest.mark.parametrize("vary", [None, "Cookie, Accept-Language", "Accept-Language"])
def test_saved_cookie_and_vary_are_flasks(app, frozen, vary):
    from flask.sessions import SecureCookieSession

    answers = []
    for interface in (SecureCookieSessionInterface(), app.session_interface):
        data = SecureCookieSession()
        data["csrf_token"] = "ab" * 20  # as generate_csrf does: modified, accessed
        response = app.response_class("x", headers={"Vary": vary} if vary else {})
        with app.test_request_context():
            interface.save_session(app, data, response)
        answers.append((response.headers.getlist("Set-Cookie"), sorted(response.vary)))
    assert answers[0] == answers[1]
    assert answers[0][0] and "Cookie" in answers[0][1]
