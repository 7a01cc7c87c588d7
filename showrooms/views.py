"""Public pages of the OCOP sales points (điểm giới thiệu và bán sản phẩm OCOP) and fairs."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.clock import today
from app.extensions import db
from catalog.gate import listable_products
from catalog.models import Product
from catalog.regions import province_name, provinces
from showrooms.models import Location, SalesPoint, StockLevel
from showrooms.points import get_sales_point

bp = Blueprint("showrooms", __name__, template_folder="templates")


@bp.get("/sales-points")
def sales_points():
    province = request.args.get("province", type=int)
    if province is not None and province not in provinces():
        province = None
    query = select(SalesPoint).where(SalesPoint.active.is_(True))
    if province is not None:
        query = query.where(SalesPoint.province_code == province)
    points = db.session.scalars(query.order_by(SalesPoint.province_code, SalesPoint.name)).all()
    by_province: dict[str, list[SalesPoint]] = {}
    for point in points:
        by_province.setdefault(province_name(point.province_code), []).append(point)
    return render_template("showrooms/sales_points.html", by_province=by_province,
                           province=province)


@bp.get("/sales-points/<code>")
def sales_point(code: str):
    if len(code) > 40:
        abort(404)
    point = get_sales_point(db.session, code)
    if not point.active:
        abort(404)
    # What is on the shelves today: listable products with units at this point (the gate
    # decides, so a product revoked yesterday is not shown even if units remain).
    rows = db.session.execute(
        listable_products(today())
        .add_columns(StockLevel.on_hand)
        .join(StockLevel, StockLevel.product_id == Product.id)
        .join(Location, Location.id == StockLevel.location_id)
        .where(Location.sales_point_id == point.id, StockLevel.on_hand > 0)
        .options(selectinload(Product.photos), selectinload(Product.producer))
        .order_by(Product.name)
    ).all()
    return render_template("showrooms/sales_point.html", point=point,
                           items=[(p, c) for p, c, _ in rows],
                           on_hand={p.id: n for p, _, n in rows})
