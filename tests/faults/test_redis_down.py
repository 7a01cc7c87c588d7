"""Redis down while REDIS_URL is set: the rate limits go on from memory (with a warning),
no request ever answers 500."""

from __future__ import annotations

import logging
import socket

from flask_migrate import upgrade

from app import create_app
from app.extensions import db, limiter
from tests import conftest


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nobody listens there once the socket is closed


def test_login_limit_still_applies_from_memory_when_redis_is_down(tmp_path, caplog):
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    with caplog.at_level(logging.WARNING):
        app = create_app(conftest.test_config(tmp_path) | {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'redis-down.sqlite3'}",
            "REDIS_URL": url, "RATELIMIT_STORAGE_URI": url, "RATELIMIT_ENABLED": True,
        })
    assert "Redis does not answer" in caplog.text
    with app.app_context():
        upgrade()
    try:
        client = app.test_client()
        statuses = [client.post("/login", data={"email": "a@example.com", "password": "x"}).status_code
                    for _ in range(12)]
        assert 500 not in statuses
        assert statuses[:10] == [200] * 10, statuses  # wrong password: the form again
        assert statuses[10:] == [429, 429]  # the 10/minute limit, counted in memory
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 200
    finally:
        limiter.enabled = False  # the extension is global; the shared test app runs without
        with app.app_context():
            db.engine.dispose()
