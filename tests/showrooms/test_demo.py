"""The showrooms and storefront demo data: sales points of the five provinces with their
staff, opening stock in every producer warehouse, a few orders; seeding twice changes
nothing."""

from __future__ import annotations

from sqlalchemy import func, select

import catalog.demo
import showrooms.demo
import storefront.demo
from app.accounts.models import User
from app.accounts.services import authenticate_password
from catalog.models import Product
from showrooms.models import Location, SalesPoint, StockLevel, StockMovement
from showrooms.stock import ledger_matches_levels
from storefront.models import Order, Shipment


def _counts(session) -> tuple:
    return tuple(session.scalar(select(func.count()).select_from(m))
                 for m in (SalesPoint, User, Location, StockMovement, StockLevel, Order, Shipment))


def _seed(session) -> None:
    for module in (catalog.demo, showrooms.demo, storefront.demo):
        module.seed(session)
        session.flush()


def test_demo_sales_points_stock_and_orders_are_seeded_once(app, db_session):
    _seed(db_session)
    first = _counts(db_session)
    _seed(db_session)
    assert _counts(db_session) == first

    points = {p.code: p for p in db_session.scalars(select(SalesPoint))}
    assert {"PQ-01", "NB-01", "CT-01", "LC-01", "QN-01"} <= set(points)
    assert {points[c].province_code for c in ("PQ-01", "NB-01", "CT-01", "LC-01", "QN-01")} == {
        91, 37, 92, 15, 51}
    assert points["PQ-01"].ward_code == 31078 and points["CT-01"].ward_code == 31135
    assert all(p.opening_hours and p.operator and p.latitude for p in points.values())
    staff = authenticate_password(db_session, "sp-pq01@ocop.local", "ocop-demo-2026")
    assert staff is not None and staff.role == "sales_point" and staff.sales_point.code == "PQ-01"

    goods = db_session.scalars(select(Product).where(Product.group != "tourism")).all()
    received = set(db_session.scalars(select(StockMovement.product_id).where(
        StockMovement.kind == "receive")))
    assert goods and {p.id for p in goods} <= received
    services = db_session.scalars(select(Product.id).where(Product.group == "tourism")).all()
    assert not set(services) & received
    levels = [lv.on_hand for lv in db_session.scalars(select(StockLevel))]
    assert min(levels) < 5 and max(levels) <= 200
    assert ledger_matches_levels(db_session)

    to_ship = db_session.scalar(select(func.count()).select_from(Shipment).where(
        Shipment.status == "confirmed"))
    assert to_ship >= 3
