"""The stock ledger (DOMAIN §7): movements and levels in step, never below zero, shortfalls
collected and reported at once, reservations that expire by themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, InvalidInput
from showrooms.models import Location, StockLevel, StockMovement
from showrooms.services import online_availability
from showrooms.stock import (
    OutOfStock,
    StockLine,
    ledger_matches_levels,
    record_movement,
    release_reservations,
    reserve_stock,
    take_stock,
    warehouse_of,
)
from tests.factories import make_producer, make_product, receive_stock

NOON = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def test_a_producer_has_one_warehouse_created_on_first_use(db_session):
    producer = make_producer()
    first = warehouse_of(db_session, producer)
    second = warehouse_of(db_session, producer)
    assert first.id == second.id and first.kind == "warehouse"
    count = db_session.scalar(select(func.count()).select_from(Location)
                              .where(Location.producer_id == producer.id))
    assert count == 1


def test_received_units_are_a_movement_and_the_level_is_their_sum(db_session):
    product = make_product()
    receive_stock(product, 30)
    level = receive_stock(product, 12)
    assert level.on_hand == 42
    movements = db_session.scalars(select(StockMovement).where(
        StockMovement.product_id == product.id)).all()
    assert [(m.kind, m.quantity) for m in movements] == [("receive", 30), ("receive", 12)]
    assert ledger_matches_levels(db_session)


def test_an_adjustment_may_remove_units_but_never_below_zero(db_session):
    product = make_product()
    location = warehouse_of(db_session, product.producer)
    receive_stock(product, 5)
    level = record_movement(db_session, location=location, product=product, kind="adjust",
                            quantity=-3, reason="broken bottles")
    assert level.on_hand == 2
    with pytest.raises(Conflict) as refused:
        record_movement(db_session, location=location, product=product, kind="adjust",
                        quantity=-3, reason="recount")
    assert refused.value.code == "negative_stock"
    assert "2 on hand" in refused.value.message
    assert level.on_hand == 2


def test_a_receive_must_add_units(db_session):
    product = make_product()
    with pytest.raises(InvalidInput):
        record_movement(db_session, location=warehouse_of(db_session, product.producer),
                        product=product, kind="receive", quantity=-1)


def test_tourism_services_have_no_stock(db_session):
    homestay = make_product(group="tourism")
    with pytest.raises(InvalidInput) as refused:
        receive_stock(homestay, 1)
    assert refused.value.code == "service_has_no_stock"


def test_the_database_refuses_a_negative_level_whatever_the_code_does(db_session):
    product = make_product()
    level = receive_stock(product, 1)
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(StockLevel.__table__.update().where(StockLevel.id == level.id)
                           .values(on_hand=-1))


def test_every_shortfall_is_reported_in_one_error_and_nothing_is_taken(db_session):
    tea, wine, rice = make_product(name="Trà Shan tuyết"), make_product(name="Rượu Kim Sơn"), \
        make_product(name="Gạo ST25")
    for product, units in ((tea, 1), (wine, 10), (rice, 0)):
        if units:
            receive_stock(product, units)
    lines = [StockLine(warehouse_of(db_session, p.producer).id, p.id, q)
             for p, q in ((tea, 2), (wine, 3), (rice, 1))]
    with pytest.raises(OutOfStock) as refused:
        take_stock(db_session, lines, reference="T1")
    error = refused.value
    assert error.code == "out_of_stock" and error.status == 409
    assert {i["product"] for i in error.details["items"]} == {tea.slug, rice.slug}
    assert "Trà Shan tuyết" in error.message and "Gạo ST25" in error.message
    assert db_session.scalar(select(func.count()).select_from(StockMovement)
                             .where(StockMovement.kind == "sale")) == 0


def test_partial_take_sells_what_fits_and_returns_the_rest(db_session):
    tea, wine = make_product(), make_product()
    receive_stock(tea, 1)
    receive_stock(wine, 5)
    lines = [StockLine(warehouse_of(db_session, p.producer).id, p.id, 2) for p in (tea, wine)]
    result = take_stock(db_session, lines, reference="T2", partial=True)
    assert result.short_product_ids == {tea.id}
    assert [(m.product_id, m.quantity) for m in result.movements] == [(wine.id, -2)]
    assert online_availability(db_session, [tea.id, wine.id]) == {tea.id: 1, wine.id: 3}


def test_reservations_hold_units_until_they_expire_by_themselves(db_session, freeze):
    freeze(NOON)
    product = make_product()
    receive_stock(product, 5)
    warehouse = warehouse_of(db_session, product.producer)
    reserve_stock(db_session, [StockLine(warehouse.id, product.id, 4)], reference="R1",
                  until=NOON + timedelta(minutes=30))
    assert online_availability(db_session, [product.id]) == {product.id: 1}
    with pytest.raises(OutOfStock):
        reserve_stock(db_session, [StockLine(warehouse.id, product.id, 2)], reference="R2",
                      until=NOON + timedelta(minutes=30))
    # No job runs: 30 minutes later the units are simply available again.
    freeze(NOON + timedelta(minutes=30, seconds=1))
    assert online_availability(db_session, [product.id]) == {product.id: 5}
    reserve_stock(db_session, [StockLine(warehouse.id, product.id, 5)], reference="R3",
                  until=NOON + timedelta(hours=2))
    assert online_availability(db_session, [product.id]) == {product.id: 0}


def test_released_reservations_free_their_units_at_once(db_session, freeze):
    freeze(NOON)
    product = make_product()
    receive_stock(product, 3)
    warehouse = warehouse_of(db_session, product.producer)
    reserve_stock(db_session, [StockLine(warehouse.id, product.id, 3)], reference="R9",
                  until=NOON + timedelta(hours=24))
    assert online_availability(db_session, [product.id]) == {product.id: 0}
    assert release_reservations(db_session, "R9") == 1
    assert online_availability(db_session, [product.id]) == {product.id: 3}


def test_a_sale_of_reserved_units_by_their_owner_does_not_count_its_own_hold(db_session, freeze):
    freeze(NOON)
    product = make_product()
    receive_stock(product, 2)
    line = StockLine(warehouse_of(db_session, product.producer).id, product.id, 2)
    reserve_stock(db_session, [line], reference="R5", until=NOON + timedelta(minutes=30))
    with pytest.raises(OutOfStock):
        take_stock(db_session, [line], reference="someone-else")
    result = take_stock(db_session, [line], reference="R5", exclude_reference="R5")
    assert [m.quantity for m in result.movements] == [-2]


def test_online_availability_is_one_query_and_counts_only_the_producer_warehouse(
        db_session, count_queries):
    products = [make_product() for _ in range(5)]
    for n, product in enumerate(products):
        receive_stock(product, n + 1)
    with count_queries() as counter:
        stock = online_availability(db_session, [p.id for p in products] + [999_999])
    assert counter.count == 1
    assert stock == {p.id: n + 1 for n, p in enumerate(products)}


def test_stock_commands_receive_adjust_and_show(app, db_session):
    product = make_product(slug="ruou-ngo-bac-ha")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stock", "receive", product.slug, "12"])
    assert result.exit_code == 0 and result.output.strip().endswith(": 12")
    result = runner.invoke(args=["stock", "adjust", product.slug, "--by", "-20", "--reason", "count"])
    assert result.exit_code != 0 and "below zero" in result.output
    result = runner.invoke(args=["stock", "adjust", product.slug, "--by", "-2", "--reason", "broken"])
    assert result.output.strip().endswith(": 10")
    result = runner.invoke(args=["stock", "show", product.slug])
    assert "on hand 10, reserved 0, available 10" in result.output
    assert "receive" in result.output and "adjust" in result.output
