"""`POST /api/v1/seller/stock` and `GET /api/v1/seller/stock` (CONTRACT §4)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.clock import now
from showrooms.models import StockMovement
from showrooms.stock import StockLine, reserve_stock, warehouse_of
from tests.factories import auth, make_product, make_token, make_user


def _seller(db_session, product):
    return auth(make_token(make_user("producer", producer=product.producer)))


def test_a_producer_receives_stock_into_their_warehouse(client, db_session):
    product = make_product()
    headers = _seller(db_session, product)
    answer = client.post("/api/v1/seller/stock", headers=headers,
                         json={"product": product.slug, "quantity": 40, "reason": "receive"})
    assert answer.status_code == 201, answer.json
    assert answer.json == {"product": product.slug, "location": f"KHO-{product.producer.tax_code}",
                           "level": 40}
    movement = db_session.scalar(select(StockMovement).where(StockMovement.product_id == product.id))
    assert movement.kind == "receive" and movement.quantity == 40 and movement.actor_id is not None


def test_an_adjustment_below_zero_is_refused_with_a_clear_error(client, db_session):
    product = make_product()
    headers = _seller(db_session, product)
    client.post("/api/v1/seller/stock", headers=headers,
                json={"product": product.slug, "quantity": 3, "reason": "receive"})
    answer = client.post("/api/v1/seller/stock", headers=headers,
                         json={"product": product.slug, "quantity": -5, "reason": "adjust"})
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "negative_stock"
    assert "3 on hand" in answer.json["error"]["message"]
    answer = client.post("/api/v1/seller/stock", headers=headers,
                         json={"product": product.slug, "quantity": -2, "reason": "adjust"})
    assert answer.status_code == 201 and answer.json["level"] == 1


def test_bad_stock_input_is_a_422_naming_the_field(client, db_session):
    product = make_product()
    headers = _seller(db_session, product)
    for body, field in (({"product": product.slug, "quantity": "4", "reason": "receive"}, "quantity"),
                        ({"product": product.slug, "quantity": 4, "reason": "sale"}, "reason"),
                        ({"product": product.slug, "quantity": 0, "reason": "receive"}, "quantity")):
        answer = client.post("/api/v1/seller/stock", headers=headers, json=body)
        assert answer.status_code == 422, body
        assert field in answer.json["error"]["message"]


def test_another_producers_product_or_location_is_not_found(client, db_session):
    mine, theirs = make_product(), make_product()
    headers = _seller(db_session, mine)
    answer = client.post("/api/v1/seller/stock", headers=headers,
                         json={"product": theirs.slug, "quantity": 4, "reason": "receive"})
    assert answer.status_code == 404
    answer = client.post("/api/v1/seller/stock", headers=headers,
                         json={"product": mine.slug, "quantity": 4, "reason": "receive",
                               "location": f"KHO-{theirs.producer.tax_code}"})
    assert answer.status_code == 404


def test_stock_list_shows_level_reserved_and_available_of_own_products_only(client, db_session):
    mine, theirs = make_product(), make_product()
    headers = _seller(db_session, mine)
    for product, units in ((mine, 10), (theirs, 7)):
        client.post("/api/v1/seller/stock", headers=auth(make_token(make_user(
            "producer", producer=product.producer))),
            json={"product": product.slug, "quantity": units, "reason": "receive"})
    warehouse = warehouse_of(db_session, mine.producer)
    reserve_stock(db_session, [StockLine(warehouse.id, mine.id, 4)], reference="ORDER1",
                  until=now() + timedelta(minutes=30))
    answer = client.get("/api/v1/seller/stock", headers=headers)
    assert answer.status_code == 200
    assert answer.json["items"] == [{
        "product": mine.slug, "name": mine.name, "location": warehouse.code,
        "location_kind": "warehouse", "level": 10, "reserved": 4, "available": 6}]


def test_stock_endpoints_need_a_producer_token(client, db_session):
    assert client.get("/api/v1/seller/stock").status_code == 401
    customer = auth(make_token(make_user("customer")))
    assert client.get("/api/v1/seller/stock", headers=customer).status_code == 403
