"""The embedded default (`make run`: one SQLite file, many threads): 60 counter sales and
online orders at once on the same products answer 201, 200 or 409 — never a 5xx — and no
unit is oversold."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from tests.conftest import test_config as base_config

pytestmark = pytest.mark.slow

UNITS = 10  # at the point, and again in the producer's warehouse
CLIENTS = 60


@pytest.fixture
def sqlite_app(tmp_path):
    app = create_app({**base_config(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'run.sqlite3'}"})
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_sixty_counter_sales_and_online_orders_at_once_never_5xx_never_oversell(sqlite_app):
    from showrooms.models import StockLevel
    from showrooms.stock import ledger_matches_levels, sales_point_location
    from tests.factories import (
        auth,
        make_product,
        make_sales_point,
        make_token,
        make_user,
        order_payload,
        receive_stock,
    )

    with sqlite_app.app_context():
        point = make_sales_point(code="PQ-55")
        token = make_token(make_user("sales_point", sales_point=point))
        products = [make_product(price_vnd=50_000), make_product(price_vnd=70_000)]
        for product in products:
            receive_stock(product, UNITS)
            receive_stock(product, UNITS, location=sales_point_location(db.session, point))
        orders = [order_payload((product, 1)) for product in products]
        slugs = [product.slug for product in products]
        db.session.commit()
        db.session.remove()

    requests = []
    for n in range(CLIENTS):
        which = n % 2
        if n % 4 < 2:
            requests.append(("/api/v1/sales-points/PQ-55/sales",
                             {"json": {"items": [{"product": slugs[which], "quantity": 1}]},
                              "headers": {**auth(token), "Idempotency-Key": f"run-sale-{n:04d}"}}))
        else:
            requests.append(("/api/v1/orders", {"json": orders[which]}))
    barrier = threading.Barrier(len(requests))

    def run(request):
        url, kwargs = request
        client = sqlite_app.test_client()
        barrier.wait()
        answer = client.post(url, **kwargs)
        return url, answer.status_code, answer.get_json()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        answers = list(pool.map(run, requests))
    statuses = {status for _, status, _ in answers}
    assert statuses <= {200, 201, 409}, [a for a in answers if a[1] not in (200, 201, 409)][:3]
    with sqlite_app.app_context():
        levels = db.session.scalars(select(StockLevel.on_hand)).all()
        assert min(levels) >= 0
        sold_at_point = sum(1 for url, status, _ in answers if "sales-points" in url and status == 201)
        ordered = sum(1 for url, status, _ in answers if url == "/api/v1/orders" and status == 201)
        # 15 asked per product and channel, 10 there: every unit sold once, the rest 409.
        assert sold_at_point == 2 * UNITS and ordered == 2 * UNITS
        assert db.session.scalar(select(func.sum(StockLevel.on_hand))) == 4 * UNITS - sold_at_point - ordered
        assert ledger_matches_levels(db.session)
        db.session.remove()
