"""JSON API of the showrooms package (/api/v1): OCOP sales points registered by the office,
the producer's own stock."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.api import Schema, api_blueprint, api_route, current_api_user
from app.extensions import db
from catalog.services import get_product
from showrooms import counter, stock

bp = api_blueprint("showrooms_api", __name__)


class SalesPointIn(Schema):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{2,40}$")
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=300)
    province_code: int
    ward_code: int | None = None
    opening_hours: str | None = Field(None, max_length=200)
    operator: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=20)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    name_en: str | None = Field(None, max_length=200)


@api_route(bp, "/admin/sales-points", methods=["POST"], body=SalesPointIn, auth="admin",
           status=201, tags=["admin"], summary="Register an OCOP sales point",
           responses={409: "Code already used"})
def create_sales_point(body: SalesPointIn):
    from showrooms.points import create_sales_point as create

    point = create(db.session, **body.model_dump(exclude_none=True))
    return {"code": point.code}, 201


class StockIn(Schema):
    product: str = Field(min_length=1, max_length=160, description="Product slug (your own)")
    quantity: int = Field(ge=-100_000, le=100_000,
                          description="Units: positive to receive; an adjust may be negative")
    reason: Literal["receive", "adjust"]
    location: str | None = Field(default=None, max_length=60,
                                 description="`warehouse` (default): your own warehouse")
    note: str | None = Field(default=None, max_length=300)


@api_route(bp, "/seller/stock", methods=["POST"], body=StockIn, auth="producer", status=201,
           tags=["seller"], summary="Receive or adjust stock (a movement in the ledger)",
           responses={404: "Not your product or location",
                      409: "`negative_stock`: the level would go below zero"})
def seller_record_stock(body: StockIn):
    """`receive` adds units (quantity > 0); `adjust` corrects a count (± units) but the level
    never goes below zero. The default location is the producer's own warehouse, which
    serves online orders."""
    user = current_api_user()
    product = get_product(db.session, body.product, producer=user.producer)
    location = stock.location_for_producer(db.session, user.producer, body.location)
    level = stock.record_movement(db.session, location=location, product=product,
                                  kind=body.reason, quantity=body.quantity, actor_id=user.id,
                                  reason=body.note or body.reason, reference=f"api:{user.id}")
    return {"product": product.slug, "location": location.code, "level": level.on_hand}, 201


@api_route(bp, "/seller/stock", auth="producer", tags=["seller"],
           summary="Levels of the producer's products: on hand, reserved, available")
def seller_stock():
    levels = stock.levels_of_producer(db.session, current_api_user().producer)
    return {"items": [{"product": lv.product.slug, "name": lv.product.name,
                       "location": lv.location.code, "location_kind": lv.location.kind,
                       "level": lv.on_hand, "reserved": lv.reserved, "available": lv.available}
                      for lv in levels]}


# --- Sales points: their own stock and counter sales ----------------------------------------

class PointStockIn(Schema):
    product: str = Field(min_length=1, max_length=160, description="Product slug")
    quantity: int = Field(ge=-100_000, le=100_000, description="Units; an adjust may be negative")
    reason: Literal["receive", "adjust", "transfer_in"]
    note: str | None = Field(default=None, max_length=300)


def _point(code: str):
    return counter.point_for_user(db.session, current_api_user(), code)


@api_route(bp, "/sales-points/<code>/stock", auth=("sales_point", "admin"), tags=["sales points"],
           summary="Levels per product at this sales point", responses={404: "Not your sales point"})
def point_stock(code: str):
    point = _point(code)
    return {"sales_point": point.code,
            "items": [{"product": p.slug, "name": p.name, "level": on_hand}
                      for p, on_hand in counter.point_levels(db.session, point)]}


@api_route(bp, "/sales-points/<code>/stock", methods=["POST"], body=PointStockIn,
           auth=("sales_point", "admin"), status=201, tags=["sales points"],
           summary="Receive, adjust or take in a transfer at this sales point",
           responses={404: "Not your sales point, or unknown product",
                      409: "`negative_stock`: the level would go below zero"})
def point_record_stock(code: str, body: PointStockIn):
    point = _point(code)
    product = get_product(db.session, body.product)
    location = stock.sales_point_location(db.session, point)
    level = stock.record_movement(db.session, location=location, product=product,
                                  kind=body.reason, quantity=body.quantity,
                                  actor_id=current_api_user().id,
                                  reason=body.note or body.reason, reference=f"point:{point.code}")
    return {"product": product.slug, "location": location.code, "level": level.on_hand}, 201
