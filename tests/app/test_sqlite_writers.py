"""The embedded default holds concurrent writers: on SQLite, a transaction that will write
takes the write lock when it begins (BEGIN IMMEDIATE) and waits for it, so 60 clients
ordering at once queue instead of failing with `database is locked` (app/database.py)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.database import is_lock_error, write_intent
from app.extensions import db
from showrooms.models import StockLevel, StockMovement
from showrooms.stock import ledger_matches_levels
from storefront.models import Order
from tests.conftest import ON_POSTGRES, app_on_its_own_sqlite_file
from tests.factories import make_product, order_payload, receive_stock

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the embedded SQLite default's own discipline")

CLIENTS = 60
UNITS = 20


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    """An app on its own SQLite file whose requests commit for real."""
    application = app_on_its_own_sqlite_file(tmp_path_factory.mktemp("sqlite-writers"),
                                             "writers.sqlite3")
    yield application
    with application.app_context():
        db.engine.dispose()


def _all_at_once(app, method: str, url: str, bodies: list) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(bodies))

    def run(body):
        client = app.test_client()
        barrier.wait()
        answer = getattr(client, method)(url, json=body)
        return answer.status_code, answer.get_json()

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(run, bodies))


def test_sixty_concurrent_orders_queue_on_sqlite_and_never_oversell(sqlite_app):
    with sqlite_app.app_context():
        product = make_product(price_vnd=40_000)
        receive_stock(product, UNITS)
        db.session.commit()
        product_id = product.id
        body = order_payload((product, 1))
    answers = _all_at_once(sqlite_app, "post", "/api/v1/orders", [body] * CLIENTS)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] * UNITS + [409] * (CLIENTS - UNITS), statuses
    assert {a["error"]["code"] for s, a in answers if s == 409} == {"out_of_stock"}
    with sqlite_app.app_context():
        level = db.session.scalar(select(StockLevel).where(StockLevel.product_id == product_id))
        assert level.on_hand == 0
        sold = db.session.scalar(select(func.sum(StockMovement.quantity)).where(
            StockMovement.kind == "sale", StockMovement.product_id == product_id))
        assert sold == -UNITS
        assert db.session.scalar(select(func.count()).select_from(Order)) == UNITS
        assert ledger_matches_levels(db.session)


def test_reading_requests_begin_deferred_and_writing_ones_immediate(sqlite_app):
    seen: list[bool] = []
    with sqlite_app.test_request_context("/", method="GET"):
        sqlite_app.preprocess_request()
        seen.append(write_intent.get())
    with sqlite_app.test_request_context("/api/v1/orders", method="POST"):
        sqlite_app.preprocess_request()
        seen.append(write_intent.get())
    with sqlite_app.test_request_context("/t/ABCDEFGHJKMNPQRS", method="GET"):
        sqlite_app.preprocess_request()  # the trace page records a scan: a GET that writes
        seen.append(write_intent.get())
    assert seen == [False, True, True]
    assert write_intent.get() is False  # nothing leaks out of a request


def test_a_lock_that_outlasts_the_retry_is_a_503_with_retry_after(sqlite_app, monkeypatch):
    calls = []

    def locked(*_args, **_kwargs):
        calls.append(1)
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr("storefront.checkout.place_order", locked)
    with sqlite_app.app_context():
        body = order_payload((make_product(price_vnd=10_000), 1))
        db.session.commit()
    answer = sqlite_app.test_client().post("/api/v1/orders", json=body)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "2"
    assert answer.get_json()["error"]["code"] == "busy"
    assert len(calls) == 2  # tried, retried once, then refused


def test_only_lock_errors_count_as_lock_errors():
    assert is_lock_error(OperationalError("x", {}, Exception("database is locked")))
    assert not is_lock_error(OperationalError("x", {}, Exception("no such table: x")))
    assert not is_lock_error(ValueError("database is locked"))
