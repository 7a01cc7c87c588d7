"""Bad logins are limited per address AND per account (10 a minute each), in a storage every
gunicorn worker shares: Redis when REDIS_URL is set, else one SQLite file (app/ratelimit.py).
Memory storage would count per worker: with 2 workers, 15 bad logins got one 429."""

from __future__ import annotations

import http.cookiejar
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade

from app import create_app
from app.extensions import db, limiter
from app.ratelimit import SQLiteStorage
from tests import conftest
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


@pytest.fixture
def limited_app(workdir, tmp_path, db_session):
    """A second app with the limits on, counting in a fresh SQLite file (the shared test app
    runs without limits; the extension is global, so it is switched off afterwards)."""
    application = create_app(conftest.test_config(workdir) | {
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'limits.sqlite3'}"})
    yield application
    limiter.reset()
    limiter.enabled = False


def _bad_login(client, email: str, address: str, **headers):
    return client.post("/login", data={"email": email, "password": "not the password"},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_the_11th_bad_login_for_one_account_is_refused_whatever_the_address(limited_app):
    client = limited_app.test_client()
    email = f"victim-{uuid.uuid4().hex[:8]}@example.com"
    statuses = [_bad_login(client, email, f"198.51.100.{i}").status_code for i in range(1, 11)]
    assert statuses == [200] * 10
    refused = _bad_login(client, email, "203.0.113.77")  # an address never seen
    assert refused.status_code == 429
    assert "Quá nhiều lần đăng nhập sai" in refused.get_data(as_text=True)
    english = _bad_login(client, email.upper(), "203.0.113.78", **{"Accept-Language": "en"})
    assert english.status_code == 429  # the account, whatever its case
    assert "Too many failed logins" in english.get_data(as_text=True)
    # Another account from those addresses is not blocked.
    assert _bad_login(client, "someone-else@example.com", "198.51.100.1").status_code == 200


def test_the_11th_login_from_one_address_is_refused_whatever_the_account(limited_app):
    client = limited_app.test_client()
    statuses = [_bad_login(client, f"a{i}-{uuid.uuid4().hex[:6]}@example.com", "192.0.2.9").status_code
                for i in range(11)]
    assert statuses == [200] * 10 + [429]


def test_a_successful_login_does_not_count_against_the_account(limited_app):
    with limited_app.app_context():
        email = make_user("customer").email
        db.session.commit()  # to the test's savepoint (rolled back at the end)
    client = limited_app.test_client()
    for i in range(10):
        good = client.post("/login", data={"email": email, "password": "correct horse"},
                           environ_base={"REMOTE_ADDR": f"198.51.100.{i + 1}"})
        assert good.status_code == 302
        client.post("/logout", environ_base={"REMOTE_ADDR": f"198.51.100.{i + 1}"})
    assert _bad_login(client, email, "198.51.100.50").status_code == 200


def test_the_sqlite_storage_counts_fixed_windows(tmp_path):
    storage = SQLiteStorage(f"sqlite:///{tmp_path / 'limits.sqlite3'}")
    assert storage.check()
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get("other") == 0
    assert time.time() < storage.get_expiry("k") <= time.time() + 60
    assert storage.incr("gone", 0) == 1  # a window of 0 s is over at once
    assert storage.get("gone") == 0 and storage.incr("gone", 60) == 1
    storage.clear("k")
    assert storage.get("k") == 0
    assert storage.reset() >= 1 and storage.get("gone") == 0


# --- Under gunicorn, 2 workers ----------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:  # noqa: S310
            return r.status == 200
    except OSError:
        return False


class Browser:
    """A client with its own cookies (the session holds the CSRF token of the form)."""

    def __init__(self, base: str, address: str):
        self.base, self.address = base, address
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def bad_login(self, email: str) -> int:
        headers = {"X-Forwarded-For": self.address}
        page = self.opener.open(urllib.request.Request(f"{self.base}/login", headers=headers),  # noqa: S310
                                timeout=30).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, "email": email,
                                       "password": "not the password"}).encode()
        try:
            with self.opener.open(urllib.request.Request(f"{self.base}/login", data=data,  # noqa: S310
                                                         headers=headers), timeout=30) as r:
                return r.status
        except urllib.error.HTTPError as err:
            return err.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}"
    application = create_app(conftest.test_config(tmp_path) | {"SQLALCHEMY_DATABASE_URI": url})
    with application.app_context():
        upgrade()
        db.engine.dispose()
    limiter.enabled = False
    return url


@pytest.mark.slow
@pytest.mark.parametrize("storage", ["shared-default", "redis"])
def test_under_gunicorn_with_two_workers_the_11th_bad_login_is_refused(tmp_path, storage):
    env = dict(os.environ, SECRET_KEY=secrets.token_urlsafe(32), LOG_LEVEL="WARNING",
               DATABASE_URL=_database(tmp_path), MAIL_OUTBOX_DIR=str(tmp_path / "outbox"),
               SEARCH_INDEX_DIR=str(tmp_path / "search-index"), PHOTO_DIR=str(tmp_path / "photos"),
               PROXY_FIX_X_FOR="1", WEB_CONCURRENCY="2", THREADS="4", GUNICORN_LOG_LEVEL="warning")
    env.pop("RATELIMIT_STORAGE_URI", None)
    if storage == "redis":
        if not os.environ.get("REDIS_URL"):
            pytest.skip("needs REDIS_URL")
    else:
        # The default storage when REDIS_URL is unset: a SQLite file (instance/ in production).
        env.pop("REDIS_URL", None)
        env["RATELIMIT_STORAGE_URI"] = f"sqlite:///{tmp_path / 'ratelimits.sqlite3'}"
    port = _free_port()
    access_log = tmp_path / "access.log"
    env.update(PORT=str(port), HOST="127.0.0.1", GUNICORN_ACCESS_LOG=str(access_log))
    errors = tmp_path / "gunicorn.err"
    with errors.open("wb") as stderr:
        server = subprocess.Popen(  # noqa: S603 - our gunicorn, the deployed config
            # Each worker process serves a few requests, then another takes its place: counts
            # kept in one process's memory could not reach the 11th login.
            [GUNICORN, "-w", "2", "-c", "deploy/gunicorn.conf.py",
             "--max-requests", "6", "--max-requests-jitter", "0",
             "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _healthy(port):
            assert server.poll() is None, errors.read_text(errors="replace")
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        base, run = f"http://127.0.0.1:{port}", uuid.uuid4().hex[:8]
        # Addresses of this run only (Redis keeps the counts of an earlier run for a minute).
        net = f"10.{random.randrange(256)}.{random.randrange(256)}"
        # One account, eleven addresses: the account's limit.
        account = f"target-{run}@example.com"
        by_account = [Browser(base, f"{net}.{i}").bad_login(account) for i in range(1, 12)]
        # One address, eleven accounts: the address's limit.
        browser = Browser(base, f"{net}.200")
        by_address = [browser.bad_login(f"user{i}-{run}@example.com") for i in range(11)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = f"{errors.read_text(errors='replace')[-3000:]}\n{access_log.read_text()[-2000:]}"
    assert by_account == [200] * 10 + [429], (by_account, by_address, log)
    assert by_address == [200] * 10 + [429], (by_address, log)
    # Several worker processes answered the logins: the counts were shared, not kept per process.
    workers = {line.split()[0] for line in access_log.read_text().splitlines()
               if " POST /login " in line}
    assert len(workers) >= 3, workers


def test_a_limit_on_every_route_still_applies_when_one_is_configured(workdir, tmp_path, db_session):
    """The app's limits decorate a few views, so other routes skip Flask-Limiter's per-request
    check (app.ratelimit.check_only_limited_routes); a default limit for every route, if one
    is ever configured, keeps that check."""
    try:
        application = create_app(conftest.test_config(workdir) | {
            "RATELIMIT_ENABLED": True, "RATELIMIT_DEFAULT": "2/minute",
            "RATELIMIT_STORAGE_URI": f"sqlite:///{tmp_path / 'limits.sqlite3'}"})
        client = application.test_client()
        statuses = [client.get("/api/v1/openapi.json").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
    finally:
        limiter.limit_manager.set_default_limits([])  # the extension is global
        limiter.reset()
        limiter.enabled = False


def test_routes_without_a_limit_skip_the_limiter(limited_app):
    client = limited_app.test_client()
    assert limiter._check_request_limit not in limited_app.before_request_funcs[None]
    assert [client.get("/api/v1/openapi.json").status_code for _ in range(30)] == [200] * 30
