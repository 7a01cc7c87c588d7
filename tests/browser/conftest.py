"""Browser fixtures, shared by every package's browser tests.

`live_server`: the real application served over HTTP on a free 127.0.0.1 port from a
thread, with its OWN SQLite database (migrated, the demo data set seeded, the search index
built) and CSRF protection on — what a visitor's browser meets after `make run`.
`chromium`: Debian's chromium driven by Playwright (tests marked `browser` are skipped when
it is missing). `phone`: a new page at phone size (390×844), Vietnamese by default; pass
`locale="en-US"` through `new_phone()` for an English-speaking browser.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.conftest import test_config

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@dataclass
class LiveServer:
    url: str
    app: Flask

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    from app.demo import seed_all
    from catalog import search

    workdir = tmp_path_factory.mktemp("live-server")
    config = test_config(workdir) | {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'live.sqlite3'}",
        "WTF_CSRF_ENABLED": True,
        "TESTING": False,
        "SECRET_KEY": secrets.token_urlsafe(32),  # a production app refuses a weak key
    }
    app = create_app(config)
    with app.app_context():
        upgrade()
        seed_all(db.session)
        db.session.commit()
        search.reindex(db.session)
        db.session.remove()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_phone(chromium):
    """`new_phone(locale="en-US", java_script_enabled=False)` → a Playwright page."""
    contexts = []

    def _new(locale: str = "vi-VN", **options):
        context = chromium.new_context(**PHONE, locale=locale, **options)
        contexts.append(context)
        return context.new_page()

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_phone):
    return new_phone()
