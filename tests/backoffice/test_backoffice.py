"""Seller and admin screens: what the producer and the OCOP office do through the UI."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from app.clock import today
from tests.factories import make_certificate, make_producer, make_product, make_user

D = date(2026, 11, 23)


def sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": "correct horse"})
    assert response.status_code == 302


@pytest.fixture
def producer_user(db_session):
    producer = make_producer(name="HTX Chè Shan Tuyết Bắc Hà")
    return make_user("producer", producer=producer)


def test_anonymous_is_sent_to_login_and_customers_are_refused(client):
    assert client.get("/seller/").status_code == 302
    sign_in(client, make_user("customer"))
    assert client.get("/seller/").status_code == 403
    assert client.get("/admin/").status_code == 403


def test_seller_dashboard_says_what_needs_doing(client, producer_user, freeze):
    freeze(D)
    tea = make_product(producer_user.producer, certified=False, name="Chè Shan tuyết")
    make_certificate(tea, issued_on=date(2024, 1, 15), valid_until=D + timedelta(days=52))
    far = make_product(producer_user.producer, certified=False, name="Mật ong bạc hà")
    make_certificate(far, issued_on=date(2025, 1, 15), valid_until=D + timedelta(days=200))
    sign_in(client, producer_user)
    html = client.get("/seller/").get_data(as_text=True)
    assert "Chè Shan tuyết" in html and "còn 52 ngày" in html and "14/01/2027" in html
    assert "Mật ong bạc hà (QĐ" not in html


def test_seller_creates_and_publishes_a_product_through_the_form(client, producer_user):
    sign_in(client, producer_user)
    response = client.post("/seller/products/new", data={
        "name": "Cơm cháy chà bông", "group": "food", "price_vnd": "65000", "unit": "gói 200g"})
    assert response.status_code == 302
    edit_url = response.headers["Location"]
    assert edit_url.endswith("/seller/products/com-chay-cha-bong")
    response = client.post(edit_url, data={"name": "Cơm cháy chà bông", "group": "food",
                                           "price_vnd": "70000", "unit": "gói 200g", "published": "y"})
    assert response.status_code == 302
    body = client.get("/api/v1/products/com-chay-cha-bong").get_json()
    assert body["price_vnd"] == 70000 and body["published"] is True


def test_seller_form_errors_are_shown_and_nothing_is_written(client, producer_user):
    sign_in(client, producer_user)
    response = client.post("/seller/products/new", data={"name": "", "group": "weapons",
                                                         "price_vnd": "-5", "unit": ""})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert client.get("/api/v1/seller/products").status_code == 401  # no token: API untouched
    assert producer_user.producer.products == []


def test_seller_cannot_open_another_producers_product(client, producer_user):
    other = make_product()
    sign_in(client, producer_user)
    assert client.get(f"/seller/products/{other.slug}").status_code == 404


def _png(width=1200, height=800) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (22, 121, 74)).save(buffer, "PNG")
    return buffer.getvalue()


def test_photo_upload_is_resized_and_served(client, producer_user):
    product = make_product(producer_user.producer)
    sign_in(client, producer_user)
    response = client.post(f"/seller/products/{product.slug}/photos", data={
        "photo": (io.BytesIO(_png()), "tea.png"), "alt": "Hộp chè"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    photo = product.photos[0]
    assert (photo.width, photo.height) == (960, 640)
    with client.get(photo.url) as served:
        assert served.status_code == 200 and served.data[:4] == b"RIFF"


def test_a_file_that_is_not_an_image_is_refused(client, producer_user):
    product = make_product(producer_user.producer)
    sign_in(client, producer_user)
    response = client.post(f"/seller/products/{product.slug}/photos", data={
        "photo": (io.BytesIO(b"<?php evil(); ?>"), "x.png")}, content_type="multipart/form-data",
        follow_redirects=True)
    assert "không phải là ảnh" in response.get_data(as_text=True) or "not a readable image" in \
        response.get_data(as_text=True)
    assert product.photos == []


def test_media_route_refuses_paths_outside_the_photo_folder(client):
    assert client.get("/media/../../etc/passwd").status_code == 404


# --- admin -----------------------------------------------------------------------------------

def test_expiry_board_lists_certificates_ending_within_the_window(client, freeze):
    freeze(D)
    soon = make_product(certified=False, name="Rượu ngô Bắc Hà")
    make_certificate(soon, issued_on=date(2024, 1, 1), valid_until=D + timedelta(days=52))
    later = make_product(certified=False, name="Tiêu Phú Quốc")
    make_certificate(later, issued_on=date(2024, 1, 1), valid_until=D + timedelta(days=120))
    sign_in(client, make_user("admin"))
    html = client.get("/admin/certificates").get_data(as_text=True)
    assert "Rượu ngô Bắc Hà" in html and "Tiêu Phú Quốc" not in html
    assert "Tiêu Phú Quốc" in client.get("/admin/certificates?days=180").get_data(as_text=True)
    csv_text = client.get("/admin/certificates?format=csv").get_data(as_text=True)
    assert "Rượu ngô Bắc Hà" in csv_text and ",52" in csv_text
    assert client.get("/admin/certificates?days=abc").status_code == 200


def test_office_revokes_a_certificate_and_the_product_leaves_the_store(client):
    product = make_product(name="Nước mắm nhĩ")
    cert = product.certificates[0]
    sign_in(client, make_user("admin"))
    assert client.get(f"/admin/products/{product.slug}").status_code == 200
    response = client.post(f"/admin/certificates/{cert.id}/revoke",
                           data={"reason": "Không đạt kiểm tra an toàn thực phẩm"})
    assert response.status_code == 302
    assert cert.revoked_on == today()
    body = client.get(f"/api/v1/products/{product.slug}").get_json()
    assert body["reason"] == "certificate_revoked"
    html = client.get(f"/admin/products/{product.slug}").get_data(as_text=True)
    assert "Không đạt kiểm tra an toàn thực phẩm" in html


def test_revoke_without_reason_changes_nothing(client):
    product = make_product()
    cert = product.certificates[0]
    sign_in(client, make_user("admin"))
    client.post(f"/admin/certificates/{cert.id}/revoke", data={"reason": ""})
    assert cert.revoked_on is None


def test_admin_dashboard_counts_listed_products(client):
    make_product(stars=5, group="beverage")
    make_product(stars=4, group="food")
    make_product(published=False)
    sign_in(client, make_user("admin"))
    html = client.get("/admin/").get_data(as_text=True)
    assert "2 sản phẩm OCOP đang được bán" in html


def test_office_sends_reminders_from_the_expiry_board(client, outbox, freeze):
    freeze(D)
    producer = make_producer(email="htx@example.com")
    soon = make_product(producer, certified=False, name="Chè Shan tuyết")
    make_certificate(soon, issued_on=date(2024, 1, 1), valid_until=D + timedelta(days=52))
    sign_in(client, make_user("admin"))
    response = client.post("/admin/certificates/remind", data={"days": "60"}, follow_redirects=True)
    assert "Đã gửi 1 thư nhắc cho 1 giấy chứng nhận" in response.get_data(as_text=True)
    mails = list(outbox.glob("*.eml"))
    assert len(mails) == 1 and "htx@example.com" in mails[0].read_text()


def _csv(rows: list[str]) -> bytes:
    header = ("decision_number,issued_on,issuer,level,product,producer,producer_kind,tax_code,"
              "province_code,ward_code,group,stars,score,valid_until")
    return ("\n".join([header, *rows]) + "\n").encode()


def test_office_imports_a_recognition_list_through_the_page(client):
    common = "2025-06-01,UBND tỉnh Lào Cai,province"
    good = f"12/QĐ-UBND,{common},Mật ong bạc hà,HTX Bắc Hà,cooperative,5300111222,15,2839,food,4,75,"
    bad = f"13/QĐ-UBND,{common},Rượu ngô,HTX Bắc Hà,cooperative,53OO111222,15,2839,beverage,4,75,"
    sign_in(client, make_user("admin"))
    refused = client.post("/admin/import", data={"file": (io.BytesIO(_csv([good, bad])), "list.csv")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "line 3" in refused.get_data(as_text=True)
    assert client.get("/api/v1/products/mat-ong-bac-ha").status_code == 404
    accepted = client.post("/admin/import", data={"file": (io.BytesIO(_csv([good])), "list.csv")},
                           content_type="multipart/form-data")
    assert accepted.status_code == 200
    assert "Đã nhập 1, cập nhật 0" in accepted.get_data(as_text=True)
    assert client.get("/api/v1/products/mat-ong-bac-ha").get_json()["reason"] == "unpublished"
