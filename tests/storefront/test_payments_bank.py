"""Bank transfer by VietQR: the office marks it paid (admin API, CLI) or imports the bank
statement; every path goes through the card webhook's confirmation (gate, reservation →
sale). And the tidy-up `orders expire`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.clock import today
from catalog.services import revoke_certificate
from showrooms.models import Reservation, StockMovement
from showrooms.services import online_availability
from storefront.models import Order, Payment
from tests.factories import (
    auth,
    make_certificate,
    make_product,
    make_token,
    make_user,
    order_payload,
    receive_stock,
)

NOON = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def _bank_order(client, *lines) -> dict:
    answer = client.post("/api/v1/orders", json=order_payload(*lines, payment="bank_transfer"))
    assert answer.status_code == 201, answer.json
    return answer.json


def _order(db_session, number) -> Order:
    db_session.expire_all()
    return db_session.scalar(select(Order).where(Order.number == number))


def _sales(db_session, number) -> list[int]:
    return sorted(m.quantity for m in db_session.scalars(select(StockMovement).where(
        StockMovement.kind == "sale", StockMovement.reference == number)))


def _admin(db_session) -> dict:
    return auth(make_token(make_user("admin")))


def test_the_office_marks_a_transfer_paid_once(client, db_session, outbox):
    product = make_product(price_vnd=100_000)
    receive_stock(product, 5)
    created = _bank_order(client, (product, 2))
    headers = _admin(db_session)
    url = f"/api/v1/admin/orders/{created['number']}/mark-paid"
    answer = client.post(url, headers=headers, json={"note": "VCB FT2632712345"})
    assert answer.status_code == 200, answer.json
    assert answer.json["payment_status"] == "paid" and answer.json["already_paid"] is False
    again = client.post(url, headers=headers, json={})
    assert again.json["already_paid"] is True
    order = _order(db_session, created["number"])
    assert (order.status, [s.status for s in order.shipments]) == ("confirmed", ["confirmed"])
    assert _sales(db_session, order.number) == [-2]
    assert db_session.scalar(select(func.count()).select_from(Payment)) == 1
    assert len(list(outbox.glob("*.eml"))) == 2


def test_mark_paid_refuses_a_wrong_amount_or_method_or_role(client, db_session):
    product = make_product(price_vnd=100_000)
    receive_stock(product, 5)
    created = _bank_order(client, (product, 1))
    url = f"/api/v1/admin/orders/{created['number']}/mark-paid"
    wrong = client.post(url, headers=_admin(db_session), json={"amount_vnd": 100_000})
    assert wrong.status_code == 409 and wrong.json["error"]["code"] == "amount_mismatch"
    cod = client.post("/api/v1/orders", json=order_payload((product, 1))).json
    refused = client.post(f"/api/v1/admin/orders/{cod['number']}/mark-paid",
                          headers=_admin(db_session), json={})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "not_bank_transfer"
    seller = auth(make_token(make_user("producer", producer=product.producer)))
    assert client.post(url, headers=seller, json={}).status_code == 403
    assert client.post("/api/v1/admin/orders/NOPE1234/mark-paid", headers=_admin(db_session),
                       json={}).status_code == 404
    assert _order(db_session, created["number"]).payment_status == "unpaid"


def test_marking_paid_runs_the_gate_again(client, db_session):
    honey = make_product(certified=False, price_vnd=200_000)
    cert = make_certificate(honey, issued_on=today() - timedelta(days=300))
    tea = make_product(price_vnd=50_000, producer=honey.producer)
    receive_stock(honey, 3)
    receive_stock(tea, 3)
    created = _bank_order(client, (honey, 1), (tea, 1))
    revoke_certificate(db_session, cert, reason="Vi phạm nhãn mác", revoked_on=today())
    answer = client.post(f"/api/v1/admin/orders/{created['number']}/mark-paid",
                         headers=_admin(db_session), json={})
    assert answer.json["refunded_vnd"] == 200_000
    order = _order(db_session, created["number"])
    assert order.payment_status == "partially_refunded"
    assert {line.product_id: line.status for line in order.lines} == {
        honey.id: "cancelled", tea.id: "active"}
    refund = db_session.scalar(select(Payment).where(Payment.kind == "refund"))
    assert refund.amount_vnd == 200_000 and refund.external_id.startswith("bank-refund:")
    assert _sales(db_session, order.number) == [-1]


def test_a_payment_the_next_morning_cancels_exactly_the_revoked_and_the_ended_lines(
        client, db_session, freeze):
    """One set-based gate over the order's lines (catalog.gate.refused_products): each
    refused line is cancelled with its own reason, the others are sold."""
    freeze(NOON)
    honey = make_product(certified=False, price_vnd=200_000)
    honey_cert = make_certificate(honey, issued_on=today() - timedelta(days=300))
    wine = make_product(certified=False, price_vnd=120_000, producer=honey.producer)
    make_certificate(wine, issued_on=today() - timedelta(days=300), valid_until=today())
    tea = make_product(price_vnd=50_000, producer=honey.producer)
    for product in (honey, wine, tea):
        receive_stock(product, 3)
    created = _bank_order(client, (honey, 1), (wine, 1), (tea, 2))
    revoke_certificate(db_session, honey_cert, reason="Vi phạm nhãn mác",
                       revoked_on=today() + timedelta(days=1))
    freeze(NOON + timedelta(hours=20))          # 08:00 the next day: the wine's certificate ended
    answer = client.post(f"/api/v1/admin/orders/{created['number']}/mark-paid",
                         headers=_admin(db_session), json={})
    assert answer.status_code == 200, answer.json
    assert answer.json["refunded_vnd"] == 200_000 + 120_000
    order = _order(db_session, created["number"])
    lines = {line.product_id: line for line in order.lines}
    assert {pid: line.status for pid, line in lines.items()} == {
        honey.id: "cancelled", wine.id: "cancelled", tea.id: "active"}
    assert "thu hồi" in lines[honey.id].cancel_reason
    assert "hết hạn" in lines[wine.id].cancel_reason
    assert (order.status, order.shipments[0].status) == ("confirmed", "confirmed")
    assert _sales(db_session, order.number) == [-2]


def test_cli_mark_paid(app, client, db_session):
    product = make_product(price_vnd=70_000)
    receive_stock(product, 2)
    created = _bank_order(client, (product, 1))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["orders", "mark-paid", created["number"]])
    assert result.exit_code == 0, result.output
    assert f"{created['number']} paid: confirmed/paid" in result.output
    assert "already paid" in runner.invoke(args=["orders", "mark-paid", created["number"]]).output
    result = runner.invoke(args=["orders", "mark-paid", "ZZZZ9999"])
    assert result.exit_code != 0 and "No order" in result.output


def test_a_bank_statement_pays_matching_orders(app, client, db_session, tmp_path):
    product = make_product(price_vnd=100_000)
    receive_stock(product, 10)
    first, second, third = (_bank_order(client, (product, n)) for n in (1, 2, 3))
    statement = tmp_path / "vcb-2026-11-23.csv"
    statement.write_text(
        "date,amount,description\n"
        f"2026-11-23,130.000,MBVCB.123 OCOP{first['number']} Emily Carter\n"
        "2026-11-23,500000,Chuyen tien tiet kiem\n"
        f"23/11/2026,230000,ocop {second['number'].lower()} chuyen khoan\n",
        encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["orders", "import-statement", str(statement)])
    assert result.exit_code == 0, result.output
    assert "paid 2, already paid 0, skipped 1" in result.output
    for created, paid in ((first, True), (second, True), (third, False)):
        assert _order(db_session, created["number"]).is_paid is paid
    result = app.test_cli_runner().invoke(args=["orders", "import-statement", str(statement)])
    assert "paid 0, already paid 2" in result.output


def test_a_statement_with_a_bad_line_imports_nothing_and_names_every_bad_line(
        app, client, db_session, tmp_path):
    product = make_product(price_vnd=100_000)
    receive_stock(product, 10)
    good, short = _bank_order(client, (product, 1)), _bank_order(client, (product, 1))
    statement = tmp_path / "bad.csv"
    statement.write_text(
        "date,amount,description\n"
        f"2026-11-23,130000,OCOP{good['number']}\n"
        f"2026-11-23,100000,OCOP{short['number']}\n"
        "2026-13-45,130000,OCOPABCDEFGH\n"
        "2026-11-23,mười,OCOPABCDEFGH\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["orders", "import-statement", str(statement)])
    assert result.exit_code != 0
    assert "line 4:" in result.output and "line 5:" in result.output
    statement.write_text(
        "date,amount,description\n"
        f"2026-11-23,130000,OCOP{good['number']}\n"
        f"2026-11-23,100000,OCOP{short['number']}\n"
        "2026-11-23,130000,OCOPABCDEFGH\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["orders", "import-statement", str(statement)])
    assert result.exit_code != 0
    assert "line 3: amount 100000" in result.output and "line 4: no order" in result.output
    assert "nothing imported" in result.output
    assert not _order(db_session, good["number"]).is_paid
    assert db_session.scalar(select(func.count()).select_from(Payment)) == 0


def test_expire_cancels_unpaid_orders_after_their_hold_and_nothing_before(
        app, client, db_session, freeze):
    freeze(NOON)
    product = make_product()
    receive_stock(product, 4)
    created = _bank_order(client, (product, 3))
    runner = app.test_cli_runner()
    assert "expired 0" in runner.invoke(args=["orders", "expire"]).output
    freeze(NOON + timedelta(hours=24, seconds=1))
    # Units are free already, before any tidy-up ran.
    assert online_availability(db_session, [product.id]) == {product.id: 4}
    result = runner.invoke(args=["orders", "expire"])
    assert f"cancelled {created['number']}" in result.output
    order = _order(db_session, created["number"])
    assert order.status == "cancelled" and order.shipments[0].status == "cancelled"
    assert {r.status for r in db_session.scalars(select(Reservation))} == {"released"}


def test_a_late_transfer_after_expiry_is_served_from_stock_if_any(client, db_session, freeze):
    freeze(NOON)
    product = make_product(price_vnd=100_000)
    receive_stock(product, 4)
    created = _bank_order(client, (product, 2))
    freeze(NOON + timedelta(days=2))
    from storefront.confirmation import expire_unpaid

    assert expire_unpaid(db_session) == [created["number"]]
    answer = client.post(f"/api/v1/admin/orders/{created['number']}/mark-paid",
                         headers=_admin(db_session), json={})
    assert answer.status_code == 200
    order = _order(db_session, created["number"])
    assert (order.status, order.payment_status) == ("confirmed", "paid")
    assert order.shipments[0].status == "confirmed"
    assert _sales(db_session, order.number) == [-2]


def test_the_order_page_shows_the_vietqr_with_the_bank_details(client, db_session):
    product = make_product(price_vnd=100_000)
    receive_stock(product, 2)
    created = _bank_order(client, (product, 1))
    page = client.get(f"/orders/{created['number']}?token={created['access_token']}")
    assert page.status_code == 200
    assert "<svg" in page.text and "0071000123456" in page.text
    assert created["payment"]["reference"] in page.text and "130.000 ₫" in page.text
