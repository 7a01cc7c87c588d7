"""Promotion fixtures: a Ninh Bình-style gift box of three products of two producers,
assembled by a sales point with its shelves stocked."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.extensions import db
from showrooms.models import SalesPoint
from showrooms.stock import record_movement, sales_point_location
from storefront.promotion import boxes
from storefront.promotion.models import GiftBox
from tests.factories import make_producer, make_product, make_sales_point


@dataclass
class BoxSetup:
    point: SalesPoint
    box: GiftBox
    com_chay: object
    wine: object
    painting: object


def stock_point(point, product, quantity):
    return record_movement(db.session, location=sales_point_location(db.session, point),
                           product=product, kind="receive", quantity=quantity, reason="test")


@pytest.fixture
def gift_box(db_session) -> BoxSetup:
    point = make_sales_point(code="NB-T1", name="Điểm bán OCOP Hoa Lư (thử)", province_code=37,
                             ward_code=14329, address="Số 2 đường Tràng An, phường Hoa Lư")
    hoa_lu = make_producer(province_code=37, ward_code=14329, name="Cố đô Hoa Lư (thử)")
    kim_son = make_producer(province_code=37, ward_code=14638, name="HTX Rượu Kim Sơn (thử)")
    com_chay = make_product(hoa_lu, name="Cơm cháy chà bông", name_en="Crispy rice with pork floss",
                            price_vnd=85_000)
    wine = make_product(kim_son, name="Rượu Kim Sơn", name_en="Kim Sơn rice wine", price_vnd=140_000)
    painting = make_product(hoa_lu, name="Tranh gạo Tam Cốc", name_en="Tam Cốc rice painting",
                            price_vnd=250_000, group="craft")
    stock_point(point, com_chay, 9)   # 9 // 2 = 4 boxes
    stock_point(point, wine, 6)       # 6 boxes
    stock_point(point, painting, 5)   # 5 boxes
    box = boxes.create_box(db_session, point=point, name="Hộp quà Ninh Bình", name_en="Ninh Bình gift box",
                           price_vnd=690_000, story="Ba món quà của cố đô.",
                           story_en="Three gifts of the old capital.",
                           items=[(com_chay.slug, 2), (wine.slug, 1), (painting.slug, 1)])
    return BoxSetup(point, box, com_chay, wine, painting)
