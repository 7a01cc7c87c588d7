"""Chị Lan's other work at the point: two-step transfers from producers' warehouses,
pickups handed over (a pay-at-pickup order paid by a ticket), the day report and close,
scanned stamps and low stock (DOMAIN §9, CONTRACT §4)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from showrooms.models import StockMovement
from showrooms.stock import ledger_matches_levels, warehouse_of
from storefront.shipments import confirm_shipment, ship
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

DAY = date(2026, 11, 30)


@pytest.fixture
def point(db_session):
    return make_sales_point(code="PQ-97", name="Điểm bán OCOP Phú Quốc")


@pytest.fixture
def lan(point):
    return make_token(make_user("sales_point", sales_point=point))


def level_at(db_session, product, location_code):
    from showrooms.models import Location, StockLevel

    return db_session.scalar(select(StockLevel.on_hand).join(Location)
                             .where(Location.code == location_code,
                                    StockLevel.product_id == product.id)) or 0


# --- Transfers -----------------------------------------------------------------------------

def test_a_transfer_waits_in_transit_until_counted_and_a_difference_needs_a_reason(
        client, lan, db_session):
    pepper = make_product(name="Tiêu Phú Quốc")
    receive_stock(pepper, 30)
    seller = make_token(make_user("producer", producer=pepper.producer))
    warehouse = warehouse_of(db_session, pepper.producer).code
    sent = client.post("/api/v1/seller/transfers", headers=auth(seller),
                       json={"to": "PQ-97", "items": [{"product": pepper.slug, "quantity": 20}]})
    assert sent.status_code == 201, sent.json
    assert sent.json["status"] == "in_transit"
    assert level_at(db_session, pepper, warehouse) == 10 and level_at(db_session, pepper, "PQ-97") == 0
    incoming = client.get("/api/v1/sales-points/PQ-97/transfers", headers=auth(lan)).json["items"]
    assert [(t["id"], t["status"], t["items"][0]["sent"]) for t in incoming] == [
        (sent.json["id"], "in_transit", 20)]
    url = f"/api/v1/sales-points/PQ-97/transfers/{sent.json['id']}/receive"
    counted = {"items": [{"product": pepper.slug, "quantity": 18}]}
    no_reason = client.post(url, headers=auth(lan), json=counted)
    assert no_reason.status_code == 422 and no_reason.json["error"]["code"] == "note_required"
    received = client.post(url, headers=auth(lan), json={**counted, "note": "2 chai vỡ khi vận chuyển"})
    assert received.status_code == 200
    assert received.json["difference"] is True and received.json["items"][0]["received"] == 18
    assert level_at(db_session, pepper, "PQ-97") == 18
    again = client.post(url, headers=auth(lan), json={**counted, "note": "x"})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_received"
    # The producer sees what the point counted, and why it differs.
    mine = client.get("/api/v1/seller/transfers", headers=auth(seller)).json["items"][0]
    assert mine["receive_note"] == "2 chai vỡ khi vận chuyển" and mine["items"][0]["received"] == 18
    kinds = {m.kind: m.quantity for m in db_session.scalars(
        select(StockMovement).where(StockMovement.reference == f"transfer:{sent.json['id']}"))}
    assert kinds == {"transfer_out": -20, "transfer_in": 18}
    assert ledger_matches_levels(db_session)


def test_a_transfer_larger_than_the_warehouse_moves_nothing(client, lan, db_session):
    a, b = make_product(), None
    b = make_product(a.producer)
    receive_stock(a, 5)
    receive_stock(b, 50)
    seller = make_token(make_user("producer", producer=a.producer))
    answer = client.post("/api/v1/seller/transfers", headers=auth(seller), json={
        "to": "PQ-97", "items": [{"product": b.slug, "quantity": 10}, {"product": a.slug, "quantity": 6}]})
    assert answer.status_code == 409 and answer.json["error"]["code"] == "out_of_stock"
    warehouse = warehouse_of(db_session, a.producer).code
    assert level_at(db_session, a, warehouse) == 5 and level_at(db_session, b, warehouse) == 50
    assert db_session.scalar(select(StockMovement.id).where(StockMovement.kind == "transfer_out")) is None
    assert client.get("/api/v1/sales-points/PQ-97/transfers", headers=auth(lan)).json["items"] == []


def test_transfers_are_only_for_ones_own_products_and_points(client, lan):
    product, other = make_product(), make_product()
    receive_stock(product, 5)
    seller = make_token(make_user("producer", producer=product.producer))
    theirs = client.post("/api/v1/seller/transfers", headers=auth(seller),
                         json={"to": "PQ-97", "items": [{"product": other.slug, "quantity": 1}]})
    assert theirs.status_code == 404
    nowhere = client.post("/api/v1/seller/transfers", headers=auth(seller),
                          json={"to": "XX-00", "items": [{"product": product.slug, "quantity": 1}]})
    assert nowhere.status_code == 404
    sent = client.post("/api/v1/seller/transfers", headers=auth(seller),
                       json={"to": "PQ-97", "items": [{"product": product.slug, "quantity": 1}]}).json
    other_staff = make_token(make_user("sales_point", sales_point=make_sales_point(code="CT-97")))
    url = f"/api/v1/sales-points/CT-97/transfers/{sent['id']}/receive"
    answer = client.post(url, headers=auth(other_staff),
                         json={"items": [{"product": product.slug, "quantity": 1}]})
    assert answer.status_code == 404


# --- Pickups -------------------------------------------------------------------------------

def test_a_pay_at_pickup_order_is_ready_paid_by_a_ticket_then_handed_over(client, lan, db_session, freeze):
    freeze(DAY)
    gift = make_product(name="Ngọc trai Phú Quốc", price_vnd=350000)
    receive_stock(gift, 5)
    placed = client.post("/api/v1/orders", json=order_payload(
        (gift, 1), payment="pay_at_pickup", fulfilment="pickup", pickup_point="PQ-97"))
    assert placed.status_code == 201, placed.json
    number = placed.json["number"]
    from storefront.models import Order

    order = db_session.scalar(select(Order).where(Order.number == number))
    # Queued at the point once its producer has confirmed it (issue 12).
    assert client.get("/api/v1/sales-points/PQ-97/pickups", headers=auth(lan)).json["items"] == []
    confirm_shipment(db_session, gift.producer, order.shipments[0].id)
    queue = client.get("/api/v1/sales-points/PQ-97/pickups", headers=auth(lan)).json["items"]
    assert [(p["number"], p["ready"], p["paid"]) for p in queue] == [(number, False, False)]
    handover = f"/api/v1/sales-points/PQ-97/pickups/{number}/handover"
    early = client.post(handover, headers=auth(lan), json={"customer_name": "Emily Carter"})
    assert early.status_code == 409 and early.json["error"]["code"] == "not_ready"
    ship(db_session, gift.producer, order.shipments[0].id, carrier="Xe nhà", tracking="PQ-97")
    queue = client.get("/api/v1/sales-points/PQ-97/pickups", headers=auth(lan)).json["items"]
    assert queue[0]["ready"] is True
    order_page = client.get(f"/orders/{number}?token={placed.json['access_token']}").get_data(as_text=True)
    assert "Đơn hàng đã sẵn sàng tại điểm bán" in order_page and "350.000 ₫ tại quầy" in order_page
    unpaid = client.post(handover, headers=auth(lan), json={"customer_name": "Emily Carter"})
    assert unpaid.status_code == 409 and unpaid.json["error"]["code"] == "payment_required"
    paid = client.post("/api/v1/sales-points/PQ-97/sales", json={"order": number, "payment": "cash",
                                                                "cash_received_vnd": 400000},
                       headers={**auth(lan), "Idempotency-Key": "pickup-pay-01"})
    assert paid.status_code == 201, paid.json
    assert paid.json["order"] == number and paid.json["change_vnd"] == 50000
    assert level_at(db_session, gift, "PQ-97") == 0  # nothing moved at the point
    twice = client.post("/api/v1/sales-points/PQ-97/sales", json={"order": number},
                        headers={**auth(lan), "Idempotency-Key": "pickup-pay-02"})
    assert twice.status_code == 409 and twice.json["error"]["code"] == "already_paid"
    wrong = client.post(handover, headers=auth(lan), json={"customer_name": "Someone Else"})
    assert wrong.status_code == 409 and wrong.json["error"]["code"] == "identity_mismatch"
    assert client.post(handover, headers=auth(lan), json={}).status_code == 422
    done = client.post(handover, headers=auth(lan), json={"customer_name": "emily  carter"})
    assert done.status_code == 200 and done.json["handed_over"] is True
    db_session.refresh(order)
    assert order.payment_status == "paid" and order.shipments[0].status == "delivered"
    assert client.get("/api/v1/sales-points/PQ-97/pickups", headers=auth(lan)).json["items"] == []
    order_page = client.get(f"/orders/{number}?token={placed.json['access_token']}").get_data(as_text=True)
    assert "Bạn đã nhận đơn hàng tại điểm bán" in order_page
    report = client.get("/api/v1/sales-points/PQ-97/reports/day?date=2026-11-30", headers=auth(lan)).json
    assert report["cash_expected_vnd"] == 350000
    assert report["by_producer"] == []  # not consignment: the goods came from the warehouse


def test_the_pickup_point_confirms_a_pay_at_pickup_order_of_its_own_and_hands_it_over(
        client, lan, db_session, freeze):
    from storefront.cash_orders import expire_unconfirmed
    from storefront.models import Order

    freeze(DAY)
    pearl = make_product(name="Ngọc trai Phú Quốc", price_vnd=350000)
    pepper = make_product(name="Tiêu Phú Quốc", price_vnd=90000)     # another producer
    for product in (pearl, pepper):
        receive_stock(product, 5)
    placed = client.post("/api/v1/orders", json=order_payload(
        (pearl, 1), (pepper, 2), payment="pay_at_pickup", fulfilment="pickup", pickup_point="PQ-97"))
    assert placed.status_code == 201, placed.json
    number = placed.json["number"]
    queue_url = "/api/v1/sales-points/PQ-97/pickups"
    listed = client.get(queue_url, headers=auth(lan)).json
    assert listed["items"] == []
    assert [(p["number"], p["awaiting_confirmation"]) for p in listed["to_confirm"]] == [(number, True)]

    confirm = f"/api/v1/sales-points/PQ-97/pickups/{number}/confirm"
    other_point = make_sales_point(code="PQ-98")
    other_staff = make_token(make_user("sales_point", sales_point=other_point))
    assert client.get("/api/v1/sales-points/PQ-98/pickups", headers=auth(other_staff)).json == {
        "items": [], "to_confirm": []}
    assert client.post(f"/api/v1/sales-points/PQ-98/pickups/{number}/confirm",
                       headers=auth(other_staff)).status_code == 404
    assert client.post(confirm, headers=auth(other_staff)).status_code == 404
    seller = make_token(make_user("producer", producer=pearl.producer))
    assert client.post(confirm, headers=auth(seller)).status_code == 403
    order = db_session.scalar(select(Order).where(Order.number == number))
    assert order.status == "pending"

    answer = client.post(confirm, headers=auth(lan))
    assert answer.status_code == 200, answer.json
    assert answer.json["awaiting_confirmation"] is False
    assert client.post(confirm, headers=auth(lan)).status_code == 200   # twice: nothing changes
    db_session.refresh(order)
    assert order.status == "confirmed" and order.reserved_until is None
    assert sorted(s.status for s in order.shipments) == ["confirmed", "confirmed"]
    listed = client.get(queue_url, headers=auth(lan)).json
    assert [p["number"] for p in listed["items"]] == [number] and listed["to_confirm"] == []
    freeze(datetime(2026, 12, 2, 12, 0, tzinfo=UTC))              # long after COD_CONFIRM_HOURS
    assert expire_unconfirmed(db_session) == []

    for shipment in order.shipments:
        ship(db_session, shipment.producer, shipment.id, carrier="Xe nhà", tracking="PQ-97")
    paid = client.post("/api/v1/sales-points/PQ-97/sales", json={"order": number, "payment": "cash"},
                       headers={**auth(lan), "Idempotency-Key": "pickup-confirmed-01"})
    assert paid.status_code == 201, paid.json
    done = client.post(f"/api/v1/sales-points/PQ-97/pickups/{number}/handover", headers=auth(lan),
                       json={"customer_name": "Emily Carter"})
    assert done.status_code == 200 and done.json["handed_over"] is True


def test_the_point_confirms_only_pay_at_pickup_orders_still_alive(client, lan, db_session):
    gift = make_product(price_vnd=100000)
    receive_stock(gift, 5)
    cod = client.post("/api/v1/orders", json=order_payload(
        (gift, 1), payment="cod", fulfilment="pickup", pickup_point="PQ-97")).json
    answer = client.post(f"/api/v1/sales-points/PQ-97/pickups/{cod['number']}/confirm",
                         headers=auth(lan))
    assert answer.status_code == 409 and answer.json["error"]["code"] == "not_pay_at_pickup"
    placed = client.post("/api/v1/orders", json=order_payload(
        (gift, 1), payment="pay_at_pickup", fulfilment="pickup", pickup_point="PQ-97")).json
    cancelled = client.post(f"/api/v1/orders/{placed['number']}/cancel?token={placed['access_token']}")
    assert cancelled.status_code == 200, cancelled.json
    answer = client.post(f"/api/v1/sales-points/PQ-97/pickups/{placed['number']}/confirm",
                         headers=auth(lan))
    assert answer.status_code == 409 and answer.json["error"]["code"] == "order_cancelled"
    assert "không phải" not in answer.json["error"]["message"]
    assert client.post("/api/v1/sales-points/PQ-97/pickups/NOPE1234/confirm",
                       headers=auth(lan)).status_code == 404


def test_the_hand_over_refusals_speak_the_staffs_language(client, lan, db_session):
    gift = make_product(price_vnd=100000)
    receive_stock(gift, 5)
    number = client.post("/api/v1/orders", json=order_payload(
        (gift, 1), payment="cod", fulfilment="pickup", pickup_point="PQ-97")).json["number"]
    url = f"/api/v1/sales-points/PQ-97/pickups/{number}/handover"
    english = {**auth(lan), "Accept-Language": "en"}
    early = client.post(url, headers=auth(lan), json={"customer_name": "Emily Carter"})
    assert early.json["error"] == {"code": "not_ready", "message":
                                   f"Đơn {number} chưa về tới điểm: còn chủ thể chưa gửi hàng."}
    early = client.post(url, headers=english, json={"customer_name": "Emily Carter"})
    assert early.json["error"]["message"] == (f"Order {number} is not here yet: a producer has "
                                              "not sent its part.")
    unknown = client.post("/api/v1/sales-points/PQ-97/pickups/nope1234/handover", headers=english,
                          json={"customer_name": "Emily Carter"})
    assert unknown.status_code == 404
    assert unknown.json["error"]["message"] == "No pickup order nope1234 at this point."


def test_the_confirmation_token_also_checks_the_customer(client, lan, db_session):
    gift = make_product(price_vnd=100000)
    receive_stock(gift, 5)
    placed = client.post("/api/v1/orders", json=order_payload(
        (gift, 1), payment="cod", fulfilment="pickup", pickup_point="PQ-97"))
    assert placed.status_code == 201, placed.json
    number, token = placed.json["number"], placed.json["access_token"]
    from storefront.models import Order

    order = db_session.scalar(select(Order).where(Order.number == number))
    ship(db_session, gift.producer, order.shipments[0].id, carrier="Xe nhà", tracking="PQ-97")
    url = f"/api/v1/sales-points/PQ-97/pickups/{number}/handover"
    assert client.post(url, headers=auth(lan), json={"token": "wrong"}).status_code == 409
    assert client.post(url, headers=auth(lan), json={"token": token}).status_code == 200


# --- The day report and close --------------------------------------------------------------

def test_the_day_report_adds_up_and_the_close_keeps_the_cash_counted(client, lan, db_session, freeze):
    freeze(DAY)
    pepper = make_product(name="Tiêu", price_vnd=100000)
    salt = make_product(name="Muối", price_vnd=20000)
    for product in (pepper, salt):
        client.post("/api/v1/sales-points/PQ-97/stock", headers=auth(lan),
                    json={"product": product.slug, "quantity": 10, "reason": "receive"})

    def sale(key, *lines, **extra):
        headers = {**auth(lan), "Idempotency-Key": key}
        answer = client.post("/api/v1/sales-points/PQ-97/sales", headers=headers,
                             json={"items": [{"product": p.slug, "quantity": q} for p, q in lines], **extra})
        assert answer.status_code == 201, answer.json
        return answer.json

    sale("day-0001-key", (pepper, 2), (salt, 1))                      # cash 220.000
    sale("day-0002-key", (salt, 3), payment="vietqr")                  # vietqr 60.000
    voided = sale("day-0003-key", (pepper, 1))                         # cash 100.000, voided
    client.post(f"/api/v1/sales-points/PQ-97/sales/{voided['id']}/void", headers=auth(lan),
                json={"reason": "Nhầm"})
    report = client.get("/api/v1/sales-points/PQ-97/reports/day?date=2026-11-30", headers=auth(lan)).json
    assert report["ticket_count"] == 3
    assert report["total_vnd"] == 380000 and report["refunded_vnd"] == 100000
    assert report["by_method"] == {"cash": 220000, "card_terminal": 0, "vietqr": 60000}
    assert report["cash_expected_vnd"] == 220000
    by_product = {r["name"]: (r["quantity"], r["net_vnd"]) for r in report["by_product"]}
    assert by_product == {"Tiêu": (2, 200000), "Muối": (4, 80000)}
    assert sum(r["owed_vnd"] for r in report["by_producer"]) == 280000
    closed = client.post("/api/v1/sales-points/PQ-97/close", headers=auth(lan),
                         json={"date": "2026-11-30", "cash_counted_vnd": 215000, "note": "Thiếu 5.000"})
    assert closed.status_code == 200
    assert closed.json["cash_counted_vnd"] == 215000 and closed.json["cash_difference_vnd"] == -5000
    again = client.post("/api/v1/sales-points/PQ-97/close", headers=auth(lan),
                        json={"date": "2026-11-30", "cash_counted_vnd": 220000})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_closed"
    csv_text = client.get("/api/v1/sales-points/PQ-97/reports/day?date=2026-11-30&format=csv",
                          headers=auth(lan))
    assert csv_text.mimetype == "text/csv"
    body = csv_text.get_data(as_text=True)
    assert "PQ97-20261130-0001" in body and "cash_difference_vnd,-5000" in body
    by_accept = client.get("/api/v1/sales-points/PQ-97/reports/day?date=2026-11-30",
                           headers={**auth(lan), "Accept": "text/csv"})
    assert by_accept.mimetype == "text/csv"


def test_low_stock_uses_the_points_threshold(client, lan):
    a, b = make_product(name="A hàng"), make_product(name="B hàng")
    for product, units in ((a, 2), (b, 8)):
        client.post("/api/v1/sales-points/PQ-97/stock", headers=auth(lan),
                    json={"product": product.slug, "quantity": units, "reason": "receive"})
    low = client.get("/api/v1/sales-points/PQ-97/low-stock", headers=auth(lan)).json["items"]
    assert [i["name"] for i in low] == ["A hàng"]
    assert client.post("/api/v1/sales-points/PQ-97/thresholds", headers=auth(lan),
                       json={"product": b.slug, "threshold": 10}).status_code == 200
    low = client.get("/api/v1/sales-points/PQ-97/low-stock", headers=auth(lan)).json["items"]
    assert [i["name"] for i in low] == ["A hàng", "B hàng"]


# --- Stamps scanned at the counter ---------------------------------------------------------

def test_a_scanned_stamp_url_names_its_product_and_a_void_stamp_warns(client, lan, db_session):
    from traceability.services import void_stamp

    lot = make_lot(make_product(name="Nước mắm Phú Quốc"))
    genuine, voided = make_stamps(lot, 2)
    void_stamp(db_session, voided, reason="Tem bị đánh cắp")
    url = f"/api/v1/sales-points/PQ-97/stamps/http://ocop.test/t/{genuine.code}"
    answer = client.get(url, headers=auth(lan))
    assert answer.status_code == 200, answer.json
    assert answer.json["product"] == lot.product.slug and answer.json["verdict"] == "genuine"
    link = f"/api/v1/sales-points/PQ-97/stamps/https://ocop.test/01/08930000000012/10/L1/21/{voided.code}"
    bad = client.get(link, headers=auth(lan)).json
    assert bad["verdict"] == "void" and bad["void_reason"] == "Tem bị đánh cắp"
    assert genuine.scan_count == 0  # a counter lookup is not a consumer's scan
    unknown = client.get("/api/v1/sales-points/PQ-97/stamps/NOTASTAMP", headers=auth(lan))
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "unknown_code"


def test_the_day_report_costs_the_same_queries_for_few_or_many_tickets(client, lan, count_queries, freeze):
    freeze(DAY)
    products = [make_product(price_vnd=10000) for _ in range(4)]
    for product in products:
        client.post("/api/v1/sales-points/PQ-97/stock", headers=auth(lan),
                    json={"product": product.slug, "quantity": 50, "reason": "receive"})

    def sell_round(tag):
        for n in range(len(products)):
            headers = {**auth(lan), "Idempotency-Key": f"{tag}-{n:06d}"}
            client.post("/api/v1/sales-points/PQ-97/sales", headers=headers,
                        json={"items": [{"product": p.slug, "quantity": 1} for p in products[: n + 1]]})

    def report_queries():
        with count_queries() as counter:
            assert client.get("/api/v1/sales-points/PQ-97/reports/day", headers=auth(lan)).status_code == 200
        return counter.count

    sell_round("few")
    few = report_queries()
    for tag in ("more", "many", "lots"):
        sell_round(tag)
    assert report_queries() == few


def test_a_cash_pickup_whose_product_became_unlistable_is_not_handed_over(client, lan, db_session):
    """The counter re-checks the gate like shipping does: the line whose certificate ended
    after the producer sent the parcel is cancelled (units back to the warehouse), the
    hand-over is refused with the reason, and the rest is handed over on the next try."""
    from datetime import timedelta

    from app.clock import today
    from storefront.models import Order
    from tests.factories import make_certificate

    rice = make_product(price_vnd=100000)
    wine = make_product(rice.producer, certified=False, price_vnd=200000)
    cert = make_certificate(wine, issued_on=today() - timedelta(days=30))
    for product in (rice, wine):
        receive_stock(product, 3)
    warehouse = warehouse_of(db_session, rice.producer).code
    placed = client.post("/api/v1/orders", json=order_payload(
        (rice, 1), (wine, 1), payment="cod", fulfilment="pickup", pickup_point="PQ-97"))
    assert placed.status_code == 201, placed.json
    number = placed.json["number"]
    order = db_session.scalar(select(Order).where(Order.number == number))
    ship(db_session, rice.producer, order.shipments[0].id, carrier="Xe nhà", tracking="PQ-97")
    cert.valid_until = today() - timedelta(days=1)
    db_session.commit()
    url = f"/api/v1/sales-points/PQ-97/pickups/{number}/handover"
    refused = client.post(url, headers=auth(lan), json={"customer_name": "Emily Carter"})
    assert refused.status_code == 409, refused.json
    assert refused.json["error"]["code"] == "no_longer_listable"
    assert wine.name in refused.json["error"]["message"]
    assert refused.json["error"]["message"].startswith(f"Đơn {number} không giao được")
    db_session.expire_all()
    order = db_session.scalar(select(Order).where(Order.number == number))
    lines = {line.product_id: line.status for line in order.lines}
    assert lines == {rice.id: "active", wine.id: "cancelled"}
    assert order.shipments[0].status == "shipped" and order.total_vnd < 300000
    assert level_at(db_session, wine, warehouse) == 3  # the unit came back
    assert ledger_matches_levels(db_session)
    done = client.post(url, headers=auth(lan), json={"customer_name": "Emily Carter"})
    assert done.status_code == 200 and done.json["handed_over"] is True
