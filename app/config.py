"""Configuration from the environment (a `.env` file is read in development)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _database_url(url: str | None) -> str:
    if not url:
        return f"sqlite:///{INSTANCE / 'ocop.sqlite3'}"
    # Accept the URL forms Heroku-style platforms hand out and use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _replica_binds(url: str | None) -> dict:
    from app.replica import binds

    return binds(_database_url(url) if url else None)


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def from_environment() -> dict:
    """Every setting the application reads, with its development default."""
    from app.security import REQUEST_MAX_BYTES, UPLOAD_MAX_BYTES, read_secret_key

    env = os.environ
    # None when neither SECRET_KEY nor instance/secret_key is there: app.security refuses to
    # start outside development (where a public development key stands in).
    secret_key = read_secret_key(env, INSTANCE)
    return {
        "SECRET_KEY": secret_key,
        # production (the default) | development: the public development key is allowed only there.
        "OCOP_ENV": env.get("OCOP_ENV", "production"),
        # Bytes a request may send; routes marked @accepts_upload take UPLOAD_MAX_CONTENT_LENGTH.
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", REQUEST_MAX_BYTES),
        "UPLOAD_MAX_CONTENT_LENGTH": _int("UPLOAD_MAX_CONTENT_LENGTH", UPLOAD_MAX_BYTES),
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("DATABASE_URL")),
        # No pool_pre_ping: a closed PostgreSQL connection is found without a round trip
        # (app.database._drop_connections_the_server_closed).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # A read replica for the storefront's public pages (app/replica.py); none by default.
        "SQLALCHEMY_BINDS": _replica_binds(env.get("DATABASE_REPLICA_URL")),
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY", "sk_test_local"),
        "STRIPE_PUBLISHABLE_KEY": env.get("STRIPE_PUBLISHABLE_KEY", "pk_test_local"),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET", "whsec_local"),
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE", ""),
        "STRIPE_JS_URL": env.get("STRIPE_JS_URL", "https://js.stripe.com/v3/"),
        "REDIS_URL": env.get("REDIS_URL", ""),
        "PAGE_CACHE_SECONDS": _int("PAGE_CACHE_SECONDS", 60),
        "FAST_LANE_BYTES": _int("FAST_LANE_BYTES", 32 * 1024 * 1024),
        "SEARCH_BACKEND": env.get("SEARCH_BACKEND", "whoosh"),
        "SEARCH_INDEX_DIR": env.get("SEARCH_INDEX_DIR", str(INSTANCE / "search-index")),
        "MAIL_OUTBOX_DIR": env.get("MAIL_OUTBOX_DIR", str(INSTANCE / "outbox")),
        "MAIL_SMTP_HOST": env.get("MAIL_SMTP_HOST", ""),
        "MAIL_SMTP_PORT": _int("MAIL_SMTP_PORT", 25),
        "MAIL_FROM": env.get("MAIL_FROM", "OCOP Market <no-reply@ocop.local>"),
        "CERTIFICATE_REMINDER_DAYS": _int("CERTIFICATE_REMINDER_DAYS", 60),
        "SHIPPING_FEE_VND": _int("SHIPPING_FEE_VND", 30000),
        "CARD_RESERVATION_MINUTES": _int("CARD_RESERVATION_MINUTES", 30),
        "BANK_TRANSFER_RESERVATION_HOURS": _int("BANK_TRANSFER_RESERVATION_HOURS", 24),
        # Cash on delivery / pay at pickup (nothing paid up front): limits against draining
        # the stock, and the hours a producer has to confirm before the units come back.
        "COD_MAX_QUANTITY_PER_LINE": _int("COD_MAX_QUANTITY_PER_LINE", 10),
        "COD_MAX_OPEN_PER_PHONE": _int("COD_MAX_OPEN_PER_PHONE", 2),
        "COD_MAX_OPEN_PER_ADDRESS": _int("COD_MAX_OPEN_PER_ADDRESS", 3),
        "COD_CONFIRM_HOURS": _int("COD_CONFIRM_HOURS", 24),
        # VietQR bank transfers (NAPAS 247): the receiving account of the OCOP office.
        "VIETQR_BANK_BIN": env.get("VIETQR_BANK_BIN", "970436"),
        "VIETQR_BANK_NAME": env.get("VIETQR_BANK_NAME", "Vietcombank"),
        "VIETQR_ACCOUNT": env.get("VIETQR_ACCOUNT", "0071000123456"),
        "VIETQR_ACCOUNT_NAME": env.get("VIETQR_ACCOUNT_NAME", "VP DIEU PHOI OCOP"),
        "SUSPICIOUS_SCAN_CLIENTS": _int("SUSPICIOUS_SCAN_CLIENTS", 10),
        "SCAN_HASH_SALT": env.get("SCAN_HASH_SALT") or secret_key or "dev-only-salt",
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "LANGUAGES": ["vi", "en"],
        # Counters every worker shares: Redis, else one SQLite file (app/ratelimit.py).
        "RATELIMIT_STORAGE_URI": (env.get("RATELIMIT_STORAGE_URI") or env.get("REDIS_URL")
                                  or f"sqlite:///{INSTANCE / 'ratelimits.sqlite3'}"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down: limits go on from per-process memory, a storage error never becomes a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Behind nginx: how many proxies' X-Forwarded-* headers to trust (0 = none, direct).
        "PROXY_FIX_X_FOR": _int("PROXY_FIX_X_FOR", 0),
        "PROXY_FIX_X_PROTO": _int("PROXY_FIX_X_PROTO", 0),
        "PROXY_FIX_X_HOST": _int("PROXY_FIX_X_HOST", 0),
        "MAIL_RETRY_MAX_ATTEMPTS": _int("MAIL_RETRY_MAX_ATTEMPTS", 8),
        "WTF_CSRF_TIME_LIMIT": None,
        "PHOTO_DIR": env.get("PHOTO_DIR", str(INSTANCE / "photos")),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        # Village maps (Leaflet, served by the app): the tile server, empty for no tiles
        # (the pages stay useful: the list and the addresses are the content).
        "MAP_TILE_URL": env.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        "MAP_TILE_ATTRIBUTION": env.get("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors"),
    }
