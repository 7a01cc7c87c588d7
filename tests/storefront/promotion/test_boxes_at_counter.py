"""Gift boxes sold at a sales point's counter (issue 14, DOMAIN §9 and §12): a ticket line at
the box's price, every item's units off the point's shelves in the same sale, the gate on
every item (409 naming it), idempotent like any ticket, counted by the day report."""

from __future__ import annotations

from sqlalchemy import func, select

from app.clock import today
from catalog.services import revoke_certificate
from showrooms.counter_models import CounterSale
from showrooms.models import StockLevel, StockMovement
from showrooms.stock import ledger_matches_levels, sales_point_location
from storefront.promotion import boxes
from tests.factories import auth, make_product, make_sales_point, make_token, make_user
from tests.storefront.promotion.conftest import stock_point


def _staff(point) -> str:
    return make_token(make_user("sales_point", sales_point=point))


def _sell(client, token, point, items, key="box-counter-0001", **extra):
    return client.post(f"/api/v1/sales-points/{point.code}/sales",
                       json={"items": items, "payment": "cash", **extra},
                       headers={**auth(token), "Idempotency-Key": key})


def _shelf(db_session, point) -> dict[int, int]:
    location = sales_point_location(db_session, point)
    return dict(db_session.execute(select(StockLevel.product_id, StockLevel.on_hand)
                                   .where(StockLevel.location_id == location.id)).all())


def test_a_box_sold_at_the_counter_is_one_ticket_and_takes_each_item_off_the_shelf(
        client, db_session, gift_box):
    token = _staff(gift_box.point)
    honey = make_product(gift_box.com_chay.producer, name="Mật ong Cúc Phương", price_vnd=120_000)
    stock_point(gift_box.point, honey, 3)
    before = _shelf(db_session, gift_box.point)
    items = [{"gift_box": gift_box.box.slug, "quantity": 2}, {"product": honey.slug, "quantity": 1}]
    first = _sell(client, token, gift_box.point, items)
    assert first.status_code == 201, first.json
    ticket = first.json
    assert ticket["total_vnd"] == 2 * 690_000 + 120_000
    assert ticket["gift_boxes"] == [{"gift_box": gift_box.box.slug, "name": "Hộp quà Ninh Bình",
                                     "quantity": 2, "unit_price_vnd": 690_000,
                                     "amount_vnd": 1_380_000}]
    assert [line["product"] for line in ticket["lines"]] == [honey.slug]
    after = _shelf(db_session, gift_box.point)
    assert {pid: before[pid] - after[pid] for pid in before} == {
        gift_box.com_chay.id: 4, gift_box.wine.id: 2, gift_box.painting.id: 2, honey.id: 1}
    moved = db_session.scalars(select(StockMovement.product_id).where(
        StockMovement.reference == ticket["receipt_number"])).all()
    assert sorted(moved) == sorted([gift_box.com_chay.id, gift_box.wine.id, gift_box.painting.id, honey.id])
    # The same key again: the same ticket, nothing moves twice.
    again = _sell(client, token, gift_box.point, items)
    assert again.status_code == 200 and again.json["id"] == ticket["id"]
    assert _shelf(db_session, gift_box.point) == after
    assert db_session.scalar(select(func.count()).select_from(CounterSale)) == 1
    # The day report counts the box; a void puts every item back on the shelf.
    report = client.get(f"/api/v1/sales-points/{gift_box.point.code}/reports/day",
                        headers=auth(token)).json
    assert report["gift_boxes_sold"] == 2 and report["total_vnd"] == ticket["total_vnd"]
    as_csv = client.get(f"/api/v1/sales-points/{gift_box.point.code}/reports/day?format=csv",
                        headers=auth(token)).get_data(as_text=True)
    assert "Hộp quà Ninh Bình,2,1380000,0,1380000" in as_csv
    void = client.post(f"/api/v1/sales-points/{gift_box.point.code}/sales/{ticket['id']}/void",
                       json={"reason": "Khách đổi ý"}, headers=auth(token))
    assert void.status_code == 200, void.json
    assert _shelf(db_session, gift_box.point) == before
    report = client.get(f"/api/v1/sales-points/{gift_box.point.code}/reports/day",
                        headers=auth(token)).json
    assert report["gift_boxes_sold"] == 0 and report["net_vnd"] == 0
    assert ledger_matches_levels(db_session)


def test_a_box_with_a_revoked_item_is_refused_naming_the_item_and_nothing_moves(
        client, db_session, gift_box):
    token = _staff(gift_box.point)
    revoke_certificate(db_session, gift_box.painting.certificates[-1],
                       reason="Vi phạm an toàn thực phẩm", revoked_on=today())
    before = _shelf(db_session, gift_box.point)
    refused = _sell(client, token, gift_box.point, [{"gift_box": gift_box.box.slug, "quantity": 1}])
    assert refused.status_code == 409
    error = refused.json["error"]
    assert error["code"] == "not_listable"
    assert "Tranh gạo Tam Cốc" in error["message"] and "Hộp quà Ninh Bình" in error["message"]
    assert error["details"]["gift_boxes"][0]["product"] == gift_box.painting.slug
    assert error["details"]["gift_boxes"][0]["reason"] == "certificate_revoked"
    assert _shelf(db_session, gift_box.point) == before
    assert db_session.scalar(select(func.count()).select_from(CounterSale)) == 0
    # Sold offline before the counter knew: the replay goes to the needs-attention list.
    from datetime import datetime, time

    from app.clock import LOCAL_TZ

    sold_at = datetime.combine(today(), time(0, 5), tzinfo=LOCAL_TZ).isoformat()
    replay = _sell(client, token, gift_box.point, [{"gift_box": gift_box.box.slug, "quantity": 1}],
                   key="box-replay-0001", sold_at=sold_at)
    assert replay.status_code == 202 and replay.json["reason"] == "not_listable"
    assert _shelf(db_session, gift_box.point) == before


def test_a_box_of_another_point_and_bad_lines_are_refused_clearly(client, db_session, gift_box):
    other = make_sales_point(code="HN-T9")
    token = _staff(other)
    elsewhere = _sell(client, token, other, [{"gift_box": gift_box.box.slug, "quantity": 1}])
    assert elsewhere.status_code == 409
    assert elsewhere.json["error"]["code"] == "gift_box_elsewhere"
    assert gift_box.point.code in elsewhere.json["error"]["message"]
    mine = _staff(gift_box.point)
    both = _sell(client, mine, gift_box.point,
                 [{"gift_box": gift_box.box.slug, "product": gift_box.wine.slug, "quantity": 1}])
    assert both.status_code == 422
    unknown = _sell(client, mine, gift_box.point, [{"gift_box": "hop-khong-co", "quantity": 1}])
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "unknown_gift_box"
    too_many = _sell(client, mine, gift_box.point, [{"gift_box": gift_box.box.slug, "quantity": 5}])
    assert too_many.status_code == 409 and too_many.json["error"]["code"] == "out_of_stock"
    assert db_session.scalar(select(func.count()).select_from(CounterSale)) == 0


def test_the_counter_catalogue_lists_the_point_boxes_with_what_the_shelves_allow(
        client, db_session, gift_box):
    token = _staff(gift_box.point)
    catalogue = client.get(f"/api/v1/sales-points/{gift_box.point.code}/catalogue",
                           headers=auth(token)).json
    [box] = catalogue["gift_boxes"]
    assert box["gift_box"] == gift_box.box.slug and box["price_vnd"] == 690_000
    assert box["available"] == 4 and box["listable"] is True
    assert today().isoformat() in box["sellable_days"]
    assert {i["product"]: i["quantity"] for i in box["items"]} == {
        gift_box.com_chay.slug: 2, gift_box.wine.slug: 1, gift_box.painting.slug: 1}
    assert boxes.availability(db_session, [gift_box.box])[gift_box.box.id].available == 4
