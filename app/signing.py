"""itsdangerous signing without its per-call fixed cost, for the two signatures a request may
make: the session cookie (app/sessions.py) and Flask-WTF's CSRF token (app/pagecache.py).

Signatures are byte for byte itsdangerous's own — same key derivation, same HMAC-SHA1, same
timestamp and separators — so what is signed here opens with a stock serializer (Flask's
`open_session`, Flask-WTF's `validate_csrf`) and the other way round. Only the work changes:
the derived key of a (secret, salt) pair is computed once per process instead of on every
signature, the HMAC runs in OpenSSL in one call (`hmac.digest`; itsdangerous's default
SHA-1 is a Python function, which sends `hmac.new` down its pure-Python path), and a
serializer is built once per set of keys instead of once per token.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os

from flask import current_app, g, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.signer import HMACAlgorithm, Signer
from itsdangerous.timed import TimestampSigner

CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's (flask_wtf.csrf.generate_csrf / validate_csrf)


class OpenSSLHMAC(HMACAlgorithm):
    """HMAC with a digest OpenSSL knows by name, computed in one C call."""

    def __init__(self, name: str = "sha1") -> None:
        super().__init__(getattr(hashlib, name))
        self.name = name

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, self.name)


def is_sha1(digest_method) -> bool:
    """SHA-1: none given, `hashlib.sha1`, or itsdangerous's or Flask's lazy SHA-1."""
    return digest_method is None or digest_method in (
        hashlib.sha1, Signer.default_digest_method, SecureCookieSessionInterface.digest_method)


@functools.lru_cache(maxsize=32)
def _derived_key(secret_key: bytes, salt: bytes, derivation: str) -> bytes:
    """itsdangerous's `Signer.derive_key` with SHA-1 (keys rotate rarely: a few entries)."""
    return Signer(secret_key, salt=salt, key_derivation=derivation,
                  digest_method=hashlib.sha1).derive_key()


class CachedKeySigner(TimestampSigner):
    """A TimestampSigner whose derived keys are computed once per (secret, salt)."""

    def __init__(self, secret_key, salt=b"itsdangerous.Signer", sep=b".", key_derivation=None,
                 digest_method=None, algorithm=None) -> None:
        if not is_sha1(digest_method):
            raise ValueError("CachedKeySigner signs with SHA-1 only")
        super().__init__(secret_key, salt=salt, sep=sep, key_derivation=key_derivation,
                         digest_method=hashlib.sha1, algorithm=algorithm or OpenSSLHMAC())

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = self.secret_keys[-1] if secret_key is None else secret_key
        if isinstance(key, str):
            key = key.encode("utf-8")
        if self.key_derivation == "none":
            return key
        return _derived_key(key, self.salt, self.key_derivation)


def timed_serializer(secret_keys, salt: str, **kwargs) -> URLSafeTimedSerializer:
    """A URLSafeTimedSerializer that signs with `CachedKeySigner`."""
    signer_kwargs = kwargs.pop("signer_kwargs", None) or {}
    return URLSafeTimedSerializer(secret_keys, salt=salt, signer=CachedKeySigner,
                                  signer_kwargs=signer_kwargs, **kwargs)


@functools.lru_cache(maxsize=8)
def _csrf_serializer(secret_key) -> URLSafeTimedSerializer:
    return timed_serializer(secret_key, CSRF_SALT)


def generate_csrf() -> str:
    """Flask-WTF's `generate_csrf()` (same session entry, same token, same per-request
    reuse on `g`) with a serializer built once per secret key."""
    config = current_app.config
    secret_key = config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
    if secret_key is None:
        raise RuntimeError("A secret key is required to use CSRF.")
    field_name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field_name not in g:
        raw = session.get(field_name)
        if not isinstance(raw, str):  # none yet, or not something a token can carry
            raw = session[field_name] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 -- Flask-WTF's own
        setattr(g, field_name, _csrf_serializer(secret_key).dumps(raw))
    return g.get(field_name)
