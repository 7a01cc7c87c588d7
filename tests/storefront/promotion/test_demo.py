"""The promotion demo data: the Ninh Bình gift box (sellable, stocked at NB-01), two craft
villages with a bookable workshop, rates, a livestream; seeding twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

import catalog.demo
import showrooms.demo
import storefront.promotion.demo
from catalog.gate import listability
from storefront.promotion import boxes, villages
from storefront.promotion.models import CurrencyRate, GiftBox, Livestream, Village


def _seed(session) -> None:
    for module in (catalog.demo, showrooms.demo, storefront.promotion.demo):
        module.seed(session)
        session.flush()


def _counts(session) -> tuple:
    return tuple(session.scalar(select(func.count()).select_from(m))
                 for m in (GiftBox, Village, CurrencyRate, Livestream))


def test_the_demo_box_villages_rates_and_livestream_are_seeded_once(app, db_session):
    _seed(db_session)
    first = _counts(db_session)
    _seed(db_session)
    assert _counts(db_session) == first == (1, 2, 3, 1)
    box = boxes.get_box(db_session, "hop-qua-ninh-binh")
    assert box.sales_point.code == "NB-01"
    assert {i.product.slug for i in box.items} == {
        "com-chay-cha-bong-ninh-binh", "ruou-kim-son", "tranh-gao-cho-noi-cai-rang"}
    verdict = boxes.availability(db_session, [box])[box.id]
    assert verdict.sellable and verdict.available == 12
    tam_coc = villages.get_village(db_session, "tam-coc-hoa-lu")
    offer = villages.village_offer(db_session, tam_coc)
    workshop = [p for p, _ in offer.services if "bếp cố đô" in p.name]
    assert workshop and listability(workshop[0]).listable
