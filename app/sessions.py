"""Flask's signed-cookie sessions, without their fixed cost on requests that carry none:
a visitor without a session cookie gets an empty session without building a serializer,
an empty untouched session is not "saved", and the signing serializer is built once per
set of keys instead of twice per request and signs through app.signing (derived keys
computed once, HMAC in OpenSSL). Cookies, signatures and flags are Flask's own
(`SecureCookieSessionInterface`): a cookie signed before this change still opens."""

from __future__ import annotations

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer

from app.signing import is_sha1, timed_serializer


class CookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # Keyed by the keys themselves: a rotated SECRET_KEY (or fallbacks) gets a new one.
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        found = self._serializers.get(keys)
        if found is None:
            if len(self._serializers) > 8:  # keys rotate rarely; never let them pile up
                self._serializers.clear()
            found = self._serializers[keys] = self._build_serializer(app)
        return found

    def _build_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key or not is_sha1(self.digest_method):
            return super().get_signing_serializer(app)
        # Flask's own serializer (keys, salt, tagged JSON, HMAC key derivation), signing
        # through app.signing: the same cookie for a fraction of the cost.
        return timed_serializer(
            [*(app.config.get("SECRET_KEY_FALLBACKS") or ()), app.secret_key], self.salt,
            serializer=self.serializer, signer_kwargs={"key_derivation": self.key_derivation})

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified:  # nothing to set and nothing to delete
            if session.accessed and not varies_on_cookie(response):
                response.vary.add("Cookie")
            return
        if session and varies_on_cookie(response) and self.should_set_cookie(app, session):
            # Flask's own cookie, without parsing and rewriting a Vary header that already
            # names Cookie twice more (a cached page's answer: app/pagecache.py).
            response.set_cookie(
                self.get_cookie_name(app), self.get_signing_serializer(app).dumps(dict(session)),
                expires=self.get_expiration_time(app, session),
                httponly=self.get_cookie_httponly(app), domain=self.get_cookie_domain(app),
                path=self.get_cookie_path(app), secure=self.get_cookie_secure(app),
                partitioned=self.get_cookie_partitioned(app), samesite=self.get_cookie_samesite(app))
            return
        super().save_session(app, session, response)


def varies_on_cookie(response: Response) -> bool:
    vary = response.headers.get("Vary")
    return bool(vary) and "cookie" in (part.strip().lower() for part in vary.split(","))


def init_sessions(app: Flask) -> None:
    app.session_interface = CookieSessions()
