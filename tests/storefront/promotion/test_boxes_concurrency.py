"""Gift boxes never oversell, with real commits on PostgreSQL: 20 clients order a box at the
same moment while the point's shelves hold enough for 6: six orders, fourteen clean 409s."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.extensions import db
from showrooms.models import StockLevel
from showrooms.stock import ledger_matches_levels
from storefront.promotion import boxes
from storefront.promotion.models import GiftBoxOrderLine
from tests.factories import make_product, make_sales_point, order_payload
from tests.storefront.promotion.conftest import stock_point

pytestmark = pytest.mark.postgres

CLIENTS = 20


def test_twenty_clients_order_the_last_six_boxes(committed):
    with committed.app_context():
        point = make_sales_point(code="NB-C1", province_code=37, ward_code=14329)
        rice = make_product(name="Cơm cháy")
        wine = make_product(name="Rượu")
        stock_point(point, rice, 12)  # 2 per box → 6 boxes
        stock_point(point, wine, 9)
        box = boxes.create_box(db.session, point=point, name="Hộp quà đua", price_vnd=300_000,
                               items=[(rice.slug, 2), (wine.slug, 1)])
        db.session.commit()
        body = order_payload(fulfilment="pickup", pickup_point="NB-C1", payment="pay_at_pickup")
        body["items"] = [{"gift_box": box.slug, "quantity": 1}]
        rice_id, box_id = rice.id, box.id
    barrier = threading.Barrier(CLIENTS)

    def run(_):
        client = committed.test_client()
        barrier.wait()
        answer = client.post("/api/v1/orders", json=body)
        return answer.status_code, answer.get_json()

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = list(pool.map(run, range(CLIENTS)))
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] * 6 + [409] * (CLIENTS - 6), answers
    assert {a["error"]["code"] for s, a in answers if s == 409} == {"out_of_stock"}
    with committed.app_context():
        assert db.session.scalar(select(func.sum(GiftBoxOrderLine.quantity))
                                 .where(GiftBoxOrderLine.gift_box_id == box_id)) == 6
        levels = {lv.product_id: lv.on_hand for lv in db.session.scalars(select(StockLevel))}
        assert levels[rice_id] == 0
        assert ledger_matches_levels(db.session)
        db.session.remove()
