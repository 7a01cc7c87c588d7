"""Counter sales under concurrency, with real commits on PostgreSQL: the same
Idempotency-Key sent ten times at once is one ticket; twenty sales of the last five units
sell exactly five; receipt numbers run without gaps; a transfer cannot oversell a warehouse."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.extensions import db
from showrooms.counter_models import CounterSale
from showrooms.models import StockLevel, StockMovement
from showrooms.stock import ledger_matches_levels
from tests.factories import auth, make_product, make_sales_point, make_token, make_user, receive_stock

pytestmark = pytest.mark.postgres


def _arrange(app, units: int):
    """A point with `units` of one product on its shelf, and a staff token."""
    with app.app_context():
        point = make_sales_point(code="PQ-77")
        token = make_token(make_user("sales_point", sales_point=point))
        product = make_product(price_vnd=100_000)
        from showrooms.stock import sales_point_location

        receive_stock(product, units, location=sales_point_location(db.session, point))
        db.session.commit()
        return token, product.slug, product.id


def _all_at_once(app, requests: list) -> list:
    barrier = threading.Barrier(len(requests))

    def run(request):
        method, url, kwargs = request
        client = app.test_client()
        barrier.wait()
        answer = getattr(client, method)(url, **kwargs)
        return answer.status_code, answer.get_json()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(run, requests))


def _sale(token: str, slug: str, key: str, quantity: int = 1):
    return ("post", "/api/v1/sales-points/PQ-77/sales",
            {"json": {"items": [{"product": slug, "quantity": quantity}], "payment": "cash"},
             "headers": {**auth(token), "Idempotency-Key": key}})


def test_the_same_key_ten_times_at_once_is_one_ticket(committed):
    token, slug, product_id = _arrange(committed, 10)
    answers = _all_at_once(committed, [_sale(token, slug, "same-key-at-once-1", 2)] * 10)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 9 + [201], answers
    assert len({a["receipt_number"] for _, a in answers}) == 1
    with committed.app_context():
        assert db.session.scalar(select(func.count()).select_from(CounterSale)) == 1
        moves = db.session.scalars(select(StockMovement.quantity).where(
            StockMovement.kind == "sale", StockMovement.product_id == product_id)).all()
        assert moves == [-2]
        assert db.session.scalar(select(StockLevel.on_hand).where(StockLevel.product_id == product_id)) == 8


def test_twenty_sales_of_the_last_five_units_sell_exactly_five_with_gapless_numbers(committed):
    token, slug, product_id = _arrange(committed, 5)
    answers = _all_at_once(committed, [_sale(token, slug, f"last-five-{n:04d}") for n in range(20)])
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] * 5 + [409] * 15, answers
    assert {a["error"]["code"] for s, a in answers if s == 409} == {"out_of_stock"}
    numbers = sorted(a["receipt_number"] for s, a in answers if s == 201)
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3, 4, 5]
    with committed.app_context():
        assert db.session.scalar(select(StockLevel.on_hand).where(StockLevel.product_id == product_id)) == 0
        assert ledger_matches_levels(db.session)


def test_receipt_numbers_have_no_gaps_when_sales_and_refusals_interleave(committed):
    token, slug, _ = _arrange(committed, 100)
    requests = []
    for n in range(24):
        if n % 3 == 2:  # a refused sale (too much cash owed) in between
            body = {"items": [{"product": slug, "quantity": 1}], "payment": "cash", "cash_received_vnd": 1}
            headers = {**auth(token), "Idempotency-Key": f"gapless-{n:04d}"}
            requests.append(("post", "/api/v1/sales-points/PQ-77/sales", {"json": body, "headers": headers}))
        else:
            requests.append(_sale(token, slug, f"gapless-{n:04d}"))
    answers = _all_at_once(committed, requests)
    assert sorted(s for s, _ in answers) == [201] * 16 + [422] * 8
    with committed.app_context():
        seqs = sorted(db.session.scalars(select(CounterSale.seq)))
        assert seqs == list(range(1, 17))


def test_concurrent_transfers_never_take_more_than_the_warehouse(committed):
    with committed.app_context():
        make_sales_point(code="PQ-77")
        product = make_product()
        receive_stock(product, 10)
        seller = make_token(make_user("producer", producer=product.producer))
        slug, product_id = product.slug, product.id
        db.session.commit()
    body = {"to": "PQ-77", "items": [{"product": slug, "quantity": 3}]}
    answers = _all_at_once(committed, [("post", "/api/v1/seller/transfers",
                                        {"json": body, "headers": auth(seller)})] * 8)
    assert sorted(s for s, _ in answers) == [201] * 3 + [409] * 5
    with committed.app_context():
        levels = db.session.scalars(select(StockLevel.on_hand).where(StockLevel.product_id == product_id))
        assert levels.all() == [1]
        assert ledger_matches_levels(db.session)
