"""A cached page answered before Flask (app.fastlane): the same request from a visitor without
a cookie is replayed byte for byte while the page's version, the local date and the page
cache's entry hold; anything else goes through Flask. An app whose requests commit for real,
on its own SQLite file, as in production (the catalogue version comes from its watch)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from app.clock import LOCAL_TZ
from app.extensions import db
from catalog.services import revoke_certificate
from tests.conftest import ON_POSTGRES, app_on_its_own_sqlite_file, requests_flask_handled
from tests.factories import make_product

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="its own SQLite file, committed for real")

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=LOCAL_TZ)


def _app(workdir, **overrides):
    return app_on_its_own_sqlite_file(workdir, "fast.sqlite3", **overrides)


@pytest.fixture
def fast_app(tmp_path):
    application = _app(tmp_path)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def flask_requests(fast_app):
    """How many requests Flask itself handled (a replayed one never reaches it)."""
    with requests_flask_handled(fast_app) as seen:
        yield seen


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def _product(app, name="Chè Shan tuyết Suối Giàng"):
    with app.app_context():
        product = make_product(name=name, stars=4)
        db.session.commit()
        return product.slug, product.certificates[0].id


def _get(app, url, **headers):
    return app.test_client(use_cookies=False).get(url, headers=headers)


def test_the_same_anonymous_request_is_replayed_without_flask(fast_app, flask_requests, clock):
    slug, _ = _product(fast_app)
    first = _get(fast_app, f"/products/{slug}")
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    assert len(flask_requests) == 1
    again = [_get(fast_app, f"/products/{slug}") for _ in range(3)]
    assert len(flask_requests) == 1  # none of the three reached Flask
    for answer in again:
        assert answer.status_code == 200 and answer.headers["X-Cache"] == "hit"
        assert answer.data == first.data
        for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Type", "Vary"):
            assert answer.headers[header] == first.headers[header], header
        assert "Set-Cookie" not in answer.headers


def test_what_keys_a_replay(fast_app, flask_requests, clock):
    slug, _ = _product(fast_app)
    url = f"/products/{slug}"
    _get(fast_app, url)
    english = _get(fast_app, url, **{"Accept-Language": "en"})  # another language: Flask
    assert len(flask_requests) == 2 and 'lang="en"' in english.text
    _get(fast_app, url, **{"Accept-Encoding": "gzip"})  # another encoding: Flask
    assert len(flask_requests) == 3
    _get(fast_app, url + "?lang=en")  # a language chosen in the query: always Flask
    _get(fast_app, url + "?lang=en")
    assert len(flask_requests) == 5
    _get(fast_app, url, Cookie="session=x")  # a cookie: always Flask
    assert len(flask_requests) == 6
    _get(fast_app, url, **{"Accept-Language": "en"})
    _get(fast_app, url, **{"Accept-Encoding": "gzip"})
    _get(fast_app, url)
    assert len(flask_requests) == 6  # each of the three kept its own replay


def test_a_committed_revocation_is_on_the_very_next_request(fast_app, flask_requests, clock):
    slug, cert_id = _product(fast_app)
    url = f"/products/{slug}"
    assert 'action="/cart/add"' in _get(fast_app, url).text
    _get(fast_app, url)
    assert len(flask_requests) == 1
    with fast_app.app_context():
        from catalog.models import Certificate

        revoke_certificate(db.session, db.session.get(Certificate, cert_id), reason="Vi phạm")
        db.session.commit()
    after = _get(fast_app, url)
    assert len(flask_requests) == 2  # the version changed: Flask answered
    assert 'action="/cart/add"' not in after.text
    assert "không được bán" in after.text


def test_the_local_date_and_the_page_cache_lifetime_end_a_replay(fast_app, flask_requests, clock):
    slug, _ = _product(fast_app)
    url = f"/products/{slug}"
    _get(fast_app, url)
    _get(fast_app, url)
    assert len(flask_requests) == 1
    seconds = fast_app.config.get("PAGE_CACHE_SECONDS", 60)
    clock.shift(timedelta(seconds=seconds + 1))  # the page cache's entry has expired
    _get(fast_app, url)
    assert len(flask_requests) == 2
    clock.move_to(NOON + timedelta(days=1))  # another local day
    _get(fast_app, url)
    assert len(flask_requests) == 3


def test_only_pages_from_the_page_cache_are_replayed(fast_app, flask_requests, clock):
    _get(fast_app, "/healthz")
    _get(fast_app, "/healthz")
    _get(fast_app, "/products/no-such-product")
    _get(fast_app, "/products/no-such-product")
    assert len(flask_requests) == 4
    assert not fast_app.extensions["fastlane"].entries


def test_the_entries_stay_within_their_byte_budget(tmp_path, clock):
    application = _app(tmp_path, FAST_LANE_BYTES=30_000)  # about five pages
    lane = application.extensions["fastlane"]
    for n in range(12):
        slug, _ = _product(application, name=f"Mật ong bạc hà {n}")
        _get(application, f"/products/{slug}")
        assert lane.size <= 30_000
    assert 0 < len(lane.entries) < 12
    assert lane.size == sum(len(entry.body) for entry in lane.entries.values())
    with application.app_context():
        db.engine.dispose()


def test_an_app_wide_rate_limit_turns_it_off(tmp_path, clock):
    from app.extensions import limiter

    try:
        application = _app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_APPLICATION="10000/hour",
                           RATELIMIT_STORAGE_URI=f"sqlite:///{tmp_path / 'limits.sqlite3'}")
        slug, _ = _product(application)
        _get(application, f"/products/{slug}")
        assert not application.extensions["fastlane"].enabled()
        assert not application.extensions["fastlane"].entries
        with application.app_context():
            db.engine.dispose()
    finally:
        limiter.limit_manager.set_application_limits([])  # the extension is global
        limiter.reset()
        limiter.enabled = False
