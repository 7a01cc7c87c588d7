"""At most one active booking per booth — with real commits on PostgreSQL: 20 producers
book the same booth at the same instant; exactly one 201, nineteen clean 409 `booth_taken`,
one row in the database, no 500."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.extensions import db
from showrooms.fair_models import Booking
from tests.factories import auth, make_producer, make_product, make_token, make_user
from tests.showrooms.fair_factories import make_fair

pytestmark = pytest.mark.postgres

PRODUCERS = 20


def test_twenty_producers_book_one_booth_at_once(committed):
    with committed.app_context():
        fair = make_fair()
        tokens = []
        for n in range(PRODUCERS):
            producer = make_producer(name=f"HTX Đua {n}")
            make_product(producer)
            tokens.append(make_token(make_user("producer", producer=producer)))
        slug = fair.slug
        db.session.commit()

    barrier = threading.Barrier(PRODUCERS)

    def book(token: str):
        client = committed.test_client()
        barrier.wait()
        answer = client.post(f"/api/v1/fairs/{slug}/bookings", json={"booth": "B2"},
                             headers=auth(token))
        return answer.status_code, answer.get_json()

    with ThreadPoolExecutor(max_workers=PRODUCERS) as pool:
        answers = list(pool.map(book, tokens))

    statuses = sorted(code for code, _ in answers)
    assert statuses == [201] + [409] * (PRODUCERS - 1), answers
    assert {body["error"]["code"] for code, body in answers if code == 409} == {"booth_taken"}
    with committed.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
        winner = next(body for code, body in answers if code == 201)
        assert db.session.get(Booking, winner["id"]).status == "pending"
        db.session.remove()
