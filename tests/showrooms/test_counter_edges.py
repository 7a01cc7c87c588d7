"""The counter's edges: bad transfer counts and destinations, pickups that are not paid at the
point, the command line (stamps to scan, the day report as CSV)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from showrooms import transfers
from showrooms.stock import sales_point_location, warehouse_of
from tests.factories import (
    auth,
    make_lot,
    make_product,
    make_sales_point,
    make_stamps,
    make_token,
    make_user,
    order_payload,
    receive_stock,
)


@pytest.fixture
def point(db_session):
    return make_sales_point(code="PQ-95")


def test_transfer_destinations_and_sources(db_session, point):
    from app.errors import InvalidInput, NotFound

    product = make_product()
    producer = product.producer
    home = warehouse_of(db_session, producer)
    assert transfers.resolve_destination(db_session, producer, "warehouse") == home
    assert transfers.resolve_destination(db_session, producer, "pq-95").code == "PQ-95"
    with pytest.raises(NotFound):
        transfers.resolve_destination(db_session, producer, "booth:tuan-le-ocop/B12")
    with pytest.raises(InvalidInput):
        transfers.resolve_source(db_session, producer, "PQ-95")
    receive_stock(product, 5)
    with pytest.raises(InvalidInput):  # to where the units already are
        transfers.dispatch(db_session, producer, to=warehouse_of(db_session, producer),
                           source=warehouse_of(db_session, producer), items=[(product.slug, 1)])
    with pytest.raises(InvalidInput):
        transfers.dispatch(db_session, producer, to=sales_point_location(db_session, point),
                           source=warehouse_of(db_session, producer), items=[(product.slug, 0)])
    homestay = make_product(producer, group="tourism")
    with pytest.raises(InvalidInput):
        transfers.dispatch(db_session, producer, to=sales_point_location(db_session, point),
                           source=warehouse_of(db_session, producer), items=[(homestay.slug, 1)])


@pytest.mark.parametrize("counts, problem", [
    ([], "count these too"),
    ([("nope", 1)], "is not in transfer"),
    ([("A", -1)], "cannot be negative"),
    ([("A", 1), ("A", 1)], "counted twice"),
])
def test_a_count_must_name_every_product_once(db_session, point, counts, problem):
    from app.errors import InvalidInput

    product = make_product()
    receive_stock(product, 5)
    location = sales_point_location(db_session, point)
    sent = transfers.dispatch(db_session, product.producer, to=location,
                              source=warehouse_of(db_session, product.producer), items=[(product.slug, 2)])
    counts = [(product.slug if slug == "A" else slug, n) for slug, n in counts]
    with pytest.raises(InvalidInput, match=problem):
        transfers.receive(db_session, location, sent.id, counts)


def test_only_pay_at_pickup_orders_are_paid_at_the_counter(client, point, db_session):
    lan = make_token(make_user("sales_point", sales_point=point))
    gift = make_product(price_vnd=100000)
    receive_stock(gift, 5)
    cod = client.post("/api/v1/orders", json=order_payload(
        (gift, 1), payment="cod", fulfilment="pickup", pickup_point="PQ-95")).json["number"]
    answer = client.post("/api/v1/sales-points/PQ-95/sales", json={"order": cod},
                         headers={**auth(lan), "Idempotency-Key": "pay-cod-0001"})
    assert answer.status_code == 409 and answer.json["error"]["code"] == "not_pay_at_pickup"
    unknown = client.post("/api/v1/sales-points/PQ-95/sales", json={"order": "NOPE1234"},
                          headers={**auth(lan), "Idempotency-Key": "pay-none-001"})
    assert unknown.status_code == 404
    with_items = client.post("/api/v1/sales-points/PQ-95/sales",
                             json={"order": cod, "items": [{"product": gift.slug, "quantity": 1}]},
                             headers={**auth(lan), "Idempotency-Key": "pay-items-01"})
    assert with_items.status_code == 422


def test_counter_commands_print_stamps_and_the_day_report(app, db_session, point):
    product = make_product(name="Tiêu Phú Quốc")
    stamp = make_stamps(make_lot(product), 1)[0]
    from showrooms.stock import record_movement

    record_movement(db_session, location=sales_point_location(db_session, point), product=product,
                    kind="receive", quantity=3)
    db_session.flush()
    runner = app.test_cli_runner()
    out = runner.invoke(args=["counter", "stamps", "PQ-95"])
    assert out.exit_code == 0 and f"/t/{stamp.code}" in out.output
    report = runner.invoke(args=["counter", "report", "PQ-95", "--date", "2026-11-30"])
    assert report.exit_code == 0 and report.output.startswith("receipt_number,")
    assert runner.invoke(args=["counter", "report", "XX-00"]).exit_code != 0
    assert runner.invoke(args=["counter", "stamps", "XX-00"]).exit_code != 0


def test_seller_transfers_api_refuses_a_sales_point_as_source(client, point, db_session):
    product = make_product()
    receive_stock(product, 5)
    seller = make_token(make_user("producer", producer=product.producer))
    answer = client.post("/api/v1/seller/transfers", headers=auth(seller), json={
        "to": "warehouse", "from": "PQ-95", "items": [{"product": product.slug, "quantity": 1}]})
    assert answer.status_code == 422
    from showrooms.counter_models import Transfer

    assert db_session.scalar(select(Transfer.id)) is None
