"""JSON API of the showrooms package (/api/v1): the producer's own stock."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.api import Schema, api_blueprint, api_route, current_api_user
from app.extensions import db
from catalog.services import get_product
from showrooms import counter, stock

bp = api_blueprint("showrooms_api", __name__)


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
