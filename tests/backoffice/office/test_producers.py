"""The office's producers: list with filters, detail, create/edit, and deactivation with a
reason, which takes every product off sale at once through the gate (and back)."""

from __future__ import annotations

from datetime import timedelta

from app.clock import today
from app.extensions import db
from catalog import search
from showrooms.stock import sales_point_location
from tests.backoffice.office.conftest import audit_rows, read_outbox, sign_in
from tests.factories import (
    auth,
    make_certificate,
    make_producer,
    make_product,
    make_sales_point,
    make_token,
    make_user,
    order_payload,
    receive_stock,
)


def _slugs_listed(client, q: str | None = None) -> set[str]:
    url = "/api/v1/products?per_page=100" + (f"&q={q}" if q else "")
    return {item["slug"] for item in client.get(url).get_json()["items"]}


def test_deactivation_takes_every_product_off_sale_and_reactivation_brings_them_back(
        client, admin_headers, outbox, search_dir):
    producer = make_producer(name="HTX Tiêu Phú Quốc", email="tieu@example.com")
    pepper = make_product(producer, name="Tiêu đen Phú Quốc")
    salt = make_product(producer, name="Muối tiêu chanh")
    other = make_product(name="Nước mắm Phú Quốc")
    point = make_sales_point()
    lan = auth(make_token(make_user("sales_point", sales_point=point)))
    for product in (pepper, salt, other):
        receive_stock(product, 10)
    receive_stock(pepper, 5, location=sales_point_location(db.session, point))
    search.reindex(db.session)
    client.post("/cart/add", data={"product": pepper.slug, "quantity": "1"})
    assert {pepper.slug, salt.slug} <= _slugs_listed(client)
    assert pepper.slug in _slugs_listed(client, "tieu den")

    response = client.patch(f"/api/v1/admin/producers/{producer.slug}", headers=admin_headers,
                            json={"active": False, "reason": "Vi phạm quy định ghi nhãn"})
    assert response.status_code == 200
    assert response.get_json()["active"] is False
    # The same request cycle: gone from the API list, search, the product list, checkout.
    listed = _slugs_listed(client)
    assert pepper.slug not in listed and salt.slug not in listed and other.slug in listed
    assert _slugs_listed(client, "tieu den") == set()
    card = f'href="/products/{pepper.slug}"'
    assert card not in client.get("/products").get_data(as_text=True)
    assert card not in client.get("/products?q=tieu").get_data(as_text=True)
    detail = client.get(f"/api/v1/products/{pepper.slug}").get_json()
    assert detail["listable"] is False and detail["reason"] == "producer_inactive"
    order = client.post("/api/v1/orders", json=order_payload((pepper, 1)))
    assert order.status_code == 409 and order.get_json()["error"]["code"] == "not_listable"
    checkout = client.post("/checkout", data={
        "name": "Emily Carter", "phone": "0912 345 678", "email": "emily@example.com",
        "fulfilment": "delivery", "address": "12 Đường 30/4", "province": "92", "payment": "cod"})
    assert checkout.status_code in (302, 409, 422)
    assert "/orders/" not in checkout.headers.get("Location", "")
    from sqlalchemy import func, select

    from storefront.models import Order

    assert db.session.scalar(select(func.count(Order.id))) == 0
    counter = client.post(f"/api/v1/sales-points/{point.code}/sales", headers=lan,
                          json={"items": [{"product": pepper.slug, "quantity": 1}]})
    assert counter.status_code == 409 and counter.get_json()["error"]["code"] == "not_listable"
    [mail] = read_outbox(outbox)
    assert mail["To"] == "tieu@example.com" and "tạm ngừng" in mail["Subject"]
    assert "Vi phạm quy định ghi nhãn" in mail.get_content()

    response = client.patch(f"/api/v1/admin/producers/{producer.slug}", headers=admin_headers,
                            json={"active": True, "reason": "Đã khắc phục"})
    assert response.status_code == 200
    assert {pepper.slug, salt.slug} <= _slugs_listed(client)
    assert pepper.slug in _slugs_listed(client, "tieu den")
    assert card in client.get("/products?q=tieu").get_data(as_text=True)
    assert client.post("/api/v1/orders", json=order_payload((pepper, 1))).status_code == 201
    assert client.post(f"/api/v1/sales-points/{point.code}/sales", headers=lan,
                       json={"items": [{"product": pepper.slug, "quantity": 1}]}).status_code == 201
    assert len(read_outbox(outbox)) == 3  # reactivation mail + order confirmation


def test_reactivation_respects_the_certificates(client, admin_headers):
    producer = make_producer(active=False)
    expired = make_product(producer, certified=False)
    make_certificate(expired, issued_on=today() - timedelta(days=2000),
                     valid_until=today() - timedelta(days=1))
    client.patch(f"/api/v1/admin/producers/{producer.slug}", headers=admin_headers,
                 json={"active": True, "reason": "Đã khắc phục"})
    detail = client.get(f"/api/v1/products/{expired.slug}").get_json()
    assert detail["listable"] is False and detail["reason"] == "certificate_expired"


def test_deactivating_twice_changes_nothing_and_needs_a_reason(client, admin_headers, outbox):
    producer = make_producer(email="a@example.com")
    url = f"/api/v1/admin/producers/{producer.slug}"
    assert client.patch(url, headers=admin_headers, json={"active": False}).status_code == 422
    assert client.patch(url, headers=admin_headers, json={"active": False, "reason": " "}).status_code == 422
    assert client.patch(url, headers=admin_headers, json={"active": False, "reason": "x"}).status_code == 200
    assert client.patch(url, headers=admin_headers, json={"active": False, "reason": "x"}).status_code == 200
    assert len(read_outbox(outbox)) == 1
    assert len(audit_rows("producers", producer.id)) == 1
    assert client.patch("/api/v1/admin/producers/nobody", headers=admin_headers,
                        json={"active": False, "reason": "x"}).status_code == 404
    assert client.patch(url, headers=admin_headers, json={"province_code": 999}).status_code == 422
    assert client.patch(url, headers=admin_headers, json={"colour": "red"}).status_code == 422


def test_patch_refuses_what_registration_refuses_with_the_same_message(client, admin_headers):
    """ProducerPatch is made from ProducerIn: each limit is written once and both answer alike."""
    producer = make_producer()
    too_long = {"name": "x" * 201, "tax_code": "12345", "address": "a" * 301,
                "phone": "0" * 21, "description": "d" * 5001, "kind": "company"}
    base = {"name": "HTX Mới", "kind": "cooperative", "tax_code": "0312345678",
            "province_code": 92}
    for field, value in too_long.items():
        patched = client.patch(f"/api/v1/admin/producers/{producer.slug}", headers=admin_headers,
                               json={field: value})
        created = client.post("/api/v1/admin/producers", headers=admin_headers,
                              json=base | {field: value})
        assert patched.status_code == created.status_code == 422, field
        assert patched.get_json()["error"]["message"] == created.get_json()["error"]["message"]
        assert patched.get_json()["error"]["message"].startswith(f"{field}: "), field
    answer = client.patch(f"/api/v1/admin/producers/{producer.slug}", headers=admin_headers,
                          json={"name": "x" * 200, "address": "a" * 300})
    assert answer.status_code == 200, answer.get_json()


def test_a_producer_user_cannot_patch_producers(client):
    from tests.factories import make_token

    producer = make_producer()
    token = make_token(make_user("producer", producer=producer))
    response = client.patch(f"/api/v1/admin/producers/{producer.slug}",
                            headers={"Authorization": f"Bearer {token}"},
                            json={"active": False, "reason": "x"})
    assert response.status_code == 403


def test_the_list_filters_by_search_province_kind_activity_and_ending_soon(client, officer):
    make_producer(name="HTX Chè Bắc Hà", province_code=15, ward_code=None, kind="cooperative")
    make_producer(name="Công ty Nước mắm", province_code=91, ward_code=None, kind="enterprise",
                  active=False)
    ending = make_producer(name="Hộ Mật ong", province_code=92, kind="household")
    product = make_product(ending, certified=False)
    make_certificate(product, issued_on=today() - timedelta(days=1000),
                     valid_until=today() + timedelta(days=30))
    sign_in(client, officer)

    def names(query: str) -> set[str]:
        html = client.get("/admin/producers?" + query).get_data(as_text=True)
        return {n for n in ("HTX Chè Bắc Hà", "Công ty Nước mắm", "Hộ Mật ong") if n in html}

    assert names("") == {"HTX Chè Bắc Hà", "Công ty Nước mắm", "Hộ Mật ong"}
    assert names("q=bắc") == {"HTX Chè Bắc Hà"}
    assert names("province=91") == {"Công ty Nước mắm"}
    assert names("kind=household") == {"Hộ Mật ong"}
    assert names("active=no") == {"Công ty Nước mắm"}
    assert names("ending=1") == {"Hộ Mật ong"}
    assert "Không tìm thấy chủ thể nào" in client.get("/admin/producers?q=zzz").get_data(as_text=True)


def test_the_office_registers_edits_and_deactivates_a_producer_through_the_forms(
        client, officer, outbox):
    sign_in(client, officer)
    response = client.post("/admin/producers/new", data={
        "name": "HTX Gạo Tám Xoan", "kind": "cooperative", "tax_code": "0601234567",
        "province_code": "37", "address": "Hải Hậu", "email": "gao@example.com"})
    assert response.status_code == 302
    url = response.headers["Location"]
    duplicate = client.post("/admin/producers/new", data={
        "name": "Trùng", "kind": "cooperative", "tax_code": "0601234567", "province_code": "37"})
    assert duplicate.status_code == 422 and "already exists" in duplicate.get_data(as_text=True)
    bad = client.post("/admin/producers/new", data={"name": "X", "kind": "cooperative",
                                                    "tax_code": "12", "province_code": "37"})
    assert bad.status_code == 422
    page = client.get(url).get_data(as_text=True)
    assert "HTX Gạo Tám Xoan" in page and "Đang hoạt động" in page and "tạo" in page
    slug = url.rsplit("/", 1)[1]
    edit = client.post(f"/admin/producers/{slug}/edit", data={
        "name": "HTX Gạo Tám Xoan Hải Hậu", "kind": "cooperative", "tax_code": "0601234567",
        "province_code": "37", "address": "Hải Hậu, Ninh Bình", "email": "gao@example.com"})
    assert edit.status_code == 302
    no_reason = client.post(f"/admin/producers/{slug}/active", data={"active": "0", "reason": ""})
    assert no_reason.status_code == 302 and read_outbox(outbox) == []
    client.post(f"/admin/producers/{slug}/active", data={"active": "0", "reason": "Giải thể"})
    page = client.get(url).get_data(as_text=True)
    assert "Đã tạm ngừng" in page and "Giải thể" in page and "HTX Gạo Tám Xoan Hải Hậu" in page
    assert len(read_outbox(outbox)) == 1
    client.post(f"/admin/producers/{slug}/active", data={"active": "1", "reason": "Thành lập lại"})
    assert "Đang hoạt động" in client.get(url).get_data(as_text=True)


def test_the_detail_page_shows_products_users_and_orders(client, officer):
    producer = make_producer(name="HTX Rượu Kim Sơn")
    make_product(producer, name="Rượu nếp Kim Sơn")
    make_user("producer", producer=producer)
    sign_in(client, officer)
    html = client.get(f"/admin/producers/{producer.slug}").get_data(as_text=True)
    assert "Rượu nếp Kim Sơn" in html and "Đang bán" in html and "@example.com" in html
    assert client.get("/admin/producers/nobody").status_code == 404


def test_other_roles_cannot_open_the_office_screens(client):
    producer = make_producer()
    sign_in(client, make_user("producer", producer=producer))
    for url in ("/admin/producers", f"/admin/producers/{producer.slug}", "/admin/audit",
                "/admin/reports", "/admin/stamps", "/admin/trace-reports",
                "/admin/certificates/export"):
        assert client.get(url).status_code == 403, url


def test_the_api_lists_producers_with_filters(client, admin_headers):
    make_producer(name="HTX Chè Bắc Hà", province_code=15, ward_code=None)
    make_producer(name="Công ty Nước mắm", province_code=91, ward_code=None, active=False,
                  kind="enterprise")

    def names(query: str) -> list[str]:
        body = client.get(f"/api/v1/admin/producers?{query}", headers=admin_headers).get_json()
        return [item["name"] for item in body["items"]]

    assert names("q=bắc") == ["HTX Chè Bắc Hà"]
    assert names("active=no") == ["Công ty Nước mắm"]
    assert names("kind=enterprise&province=91") == ["Công ty Nước mắm"]
    assert client.get("/api/v1/admin/producers?kind=alien", headers=admin_headers).status_code == 422
