"""Demo data for the counter of the Phú Quốc sales point PQ-01, loaded by `seed-demo` after
the stamps (chị Lan's journey, JOURNEYS.md): the shelf filled by received two-step
transfers from the Phú Quốc producers' warehouses, one more transfer still in transit for
her to count, low-stock thresholds, and a lot of stamps per product on the shelf to scan
(`flask --app wsgi counter stamps PQ-01` prints their URLs). Idempotent: nothing is done
when PQ-01 already received a transfer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.clock import today
from catalog.gate import listability
from catalog.models import Producer, Product
from showrooms import reports, transfers
from showrooms.counter_models import Transfer
from showrooms.models import SalesPoint
from showrooms.stock import sales_point_location, warehouse_of

POINT = "PQ-01"
ON_SHELF = 12
IN_TRANSIT = 6
STAMPS = 5


def seed(session: Session) -> None:
    from traceability import services as trace_services

    point = session.scalar(select(SalesPoint).where(SalesPoint.code == POINT))
    if point is None:
        return
    location = sales_point_location(session, point)
    if session.scalar(select(Transfer.id).where(Transfer.to_location_id == location.id).limit(1)):
        return
    # The producers of the point's own ward (Phú Quốc) consign their goods to it.
    producers = session.scalars(select(Producer).where(Producer.ward_code == point.ward_code,
                                                       Producer.active.is_(True))
                                .order_by(Producer.id)).all()
    on = today()
    for producer in producers:
        products = session.scalars(
            select(Product).where(Product.producer_id == producer.id)
            .options(selectinload(Product.certificates), selectinload(Product.producer))
            .order_by(Product.id)).all()
        sellable = [p for p in products if not p.is_service and listability(p, on).listable]
        if not sellable:
            continue
        warehouse = warehouse_of(session, producer)
        sent = transfers.dispatch(session, producer, to=location, source=warehouse,
                                  items=[(p.slug, ON_SHELF) for p in sellable],
                                  note="Hàng ký gửi đầu tháng (dữ liệu mẫu)")
        transfers.receive(session, location, sent.id, [(p.slug, ON_SHELF) for p in sellable])
        for product in sellable:
            lot = trace_services.create_lot(session, product, lot_number=f"PQ{on:%Y%m}",
                                            produced_on=on.replace(day=1), quantity=ON_SHELF * 10)
            trace_services.insert_stamps(session, lot, STAMPS)
        reports.set_threshold(session, location, sellable[0], ON_SHELF // 2)
    if producers:
        # Chị Lan's morning: one more box on its way, to count and receive.
        first = producers[0]
        product = session.scalar(select(Product).where(Product.producer_id == first.id)
                                 .order_by(Product.id))
        if product is not None and listability(product, on).listable:
            transfers.dispatch(session, first, to=location, source=warehouse_of(session, first),
                               items=[(product.slug, IN_TRANSIT)], note="Bổ sung (dữ liệu mẫu)")
    session.flush()
