"""The catalog JSON API (CONTRACT §4): public products, admin, seller; errors are JSON 4xx."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.clock import today
from tests.factories import auth, make_certificate, make_producer, make_product, make_token, make_user


@pytest.fixture
def admin_token(db_session):
    return make_token(make_user("admin"))


@pytest.fixture
def seller(db_session):
    producer = make_producer()
    return producer, make_token(make_user("producer", producer=producer))


def error_code(response):
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert body["error"]["message"]
    return body["error"]["code"]


# --- public --------------------------------------------------------------------------------

def test_product_list_shows_only_listable_products_with_contract_fields(client):
    listed = make_product(stars=5, name="Nước mắm Phú Quốc")
    expired = make_product(certified=False)
    make_certificate(expired, issued_on=date(2022, 1, 1), valid_until=today() - timedelta(days=1))
    make_product(published=False)
    body = client.get("/api/v1/products?per_page=100").get_json()
    slugs = [item["slug"] for item in body["items"]]
    assert listed.slug in slugs and expired.slug not in slugs
    assert body["total"] == len(slugs) and body["page"] == 1
    item = next(i for i in body["items"] if i["slug"] == listed.slug)
    for key in ("slug", "name", "stars", "group", "province", "price_vnd", "in_stock", "producer",
                "certificate"):
        assert key in item
    assert item["stars"] == 5
    assert item["producer"] == {"slug": listed.producer.slug, "name": listed.producer.name}
    assert set(item["certificate"]) >= {"number", "stars", "valid_until"}


def test_product_list_filters_by_stars_group_and_province(client):
    a = make_product(stars=5, group="beverage", producer=make_producer(province_code=15, ward_code=2839))
    b = make_product(stars=4, group="beverage")
    c = make_product(stars=5, group="food")
    slugs = lambda q: {i["slug"] for i in client.get(f"/api/v1/products?{q}").get_json()["items"]}  # noqa: E731
    assert a.slug in slugs("stars=5") and b.slug not in slugs("stars=5")
    assert slugs("stars=5&group=beverage") >= {a.slug} and c.slug not in slugs("group=beverage")
    assert slugs("province=15") == {a.slug}


def test_product_list_pagination(client):
    for _ in range(5):
        make_product()
    first = client.get("/api/v1/products?per_page=2&page=1").get_json()
    second = client.get("/api/v1/products?per_page=2&page=2").get_json()
    assert len(first["items"]) == 2 and second["page"] == 2
    assert not {i["slug"] for i in first["items"]} & {i["slug"] for i in second["items"]}
    assert client.get("/api/v1/products?per_page=100000").get_json()["per_page"] == 100


@pytest.mark.parametrize("query", ["page=0", "page=abc", "stars=2", "stars=x", "group=weapons",
                                   "province=99", "province=abc", "per_page=0"])
def test_bad_list_filters_are_422_json(client, query):
    response = client.get(f"/api/v1/products?{query}")
    assert response.status_code == 422
    assert error_code(response) == "invalid_input"


def test_product_detail_says_listable(client):
    product = make_product(stars=4)
    body = client.get(f"/api/v1/products/{product.slug}").get_json()
    assert body["listable"] is True and "reason" not in body
    assert body["certificate"]["status"] == "valid"
    assert set(body["certificate"]) >= {"number", "stars", "issuer", "issued_on", "valid_until", "status"}


@pytest.mark.parametrize(
    ("setup", "reason", "status"),
    [
        ("expired", "certificate_expired", "expired"),
        ("revoked", "certificate_revoked", "revoked"),
        ("none", "no_certificate", None),
        ("unpublished", "unpublished", "valid"),
        ("inactive", "producer_inactive", "valid"),
    ],
)
def test_product_detail_gives_the_reason_when_not_listable(client, setup, reason, status):
    if setup == "inactive":
        product = make_product(make_producer(active=False))
    elif setup == "unpublished":
        product = make_product(published=False)
    else:
        product = make_product(certified=False)
    if setup == "expired":
        make_certificate(product, issued_on=date(2022, 1, 1), valid_until=today() - timedelta(days=1))
    if setup == "revoked":
        make_certificate(product, issued_on=date(2025, 1, 1), revoked_on=today())
    body = client.get(f"/api/v1/products/{product.slug}").get_json()
    assert body["listable"] is False
    assert body["reason"] == reason
    assert (body["certificate"] or {}).get("status") == status


def test_unknown_product_is_404_json(client):
    response = client.get("/api/v1/products/no-such-thing")
    assert response.status_code == 404
    assert error_code(response) == "not_found"


# --- admin ---------------------------------------------------------------------------------

def test_admin_registers_a_producer(client, admin_token):
    response = client.post("/api/v1/admin/producers", headers=auth(admin_token), json={
        "name": "HTX Chè Shan Tuyết Bản Liền", "kind": "cooperative", "tax_code": "5300123456",
        "province_code": 15, "ward_code": 2839, "address": "Bắc Hà, Lào Cai"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["slug"] == "htx-che-shan-tuyet-ban-lien"
    again = client.post("/api/v1/admin/producers", headers=auth(admin_token), json={
        "name": "Khác", "kind": "household", "tax_code": "5300123456", "province_code": 15})
    assert again.status_code == 409


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "company"},
        {"tax_code": "12345"},
        {"tax_code": 5300123456},
        {"province_code": 99},
        {"province_code": "15"},
        {"ward_code": 31135},  # a Cần Thơ ward, not in Lào Cai
        {"name": ""},
        {"unexpected": 1},
    ],
)
def test_admin_producer_bad_input_is_422(client, admin_token, change):
    body = {"name": "HTX A", "kind": "cooperative", "tax_code": "5300123457", "province_code": 15}
    body.update(change)
    response = client.post("/api/v1/admin/producers", headers=auth(admin_token), json=body)
    assert response.status_code == 422, response.get_json()


def test_admin_certificate_gets_the_default_term_and_can_be_revoked(client, admin_token):
    product = make_product(certified=False)
    response = client.post("/api/v1/admin/certificates", headers=auth(admin_token), json={
        "product": product.slug, "stars": 4, "score": 78, "level": "province",
        "decision_number": "1234/QĐ-UBND", "issuer": "UBND tỉnh An Giang", "issued_on": "2024-03-15"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["valid_until"] == "2027-03-14"
    cert_id = response.get_json()["id"]
    assert client.get(f"/api/v1/products/{product.slug}").get_json()["listable"] is True

    revoked = client.post(f"/api/v1/admin/certificates/{cert_id}/revoke", headers=auth(admin_token),
                          json={"reason": "Không đạt kiểm tra an toàn thực phẩm"})
    assert revoked.status_code == 200
    assert revoked.get_json()["status"] == "revoked"
    body = client.get(f"/api/v1/products/{product.slug}").get_json()
    assert body["listable"] is False and body["reason"] == "certificate_revoked"
    slugs = [i["slug"] for i in client.get("/api/v1/products?per_page=100").get_json()["items"]]
    assert product.slug not in slugs


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"stars": 4, "score": 65}, "score_mismatch"),
        ({"stars": 2, "score": 40}, "invalid_input"),
        ({"level": "national"}, "invalid_input"),
        ({"issued_on": "2024-02-30"}, "invalid_input"),
        ({"issued_on": "15/03/2024"}, "invalid_input"),
        ({"valid_until": "2023-01-01"}, "invalid_dates"),
        ({"stars": "4"}, "invalid_input"),
    ],
)
def test_admin_certificate_bad_input_is_422(client, admin_token, change, code):
    product = make_product(certified=False)
    body = {"product": product.slug, "stars": 4, "score": 78, "level": "province",
            "decision_number": "1/QĐ", "issuer": "UBND tỉnh", "issued_on": "2024-03-15"}
    body.update(change)
    response = client.post("/api/v1/admin/certificates", headers=auth(admin_token), json=body)
    assert response.status_code == 422
    assert error_code(response) == code


def test_revocation_cannot_precede_issue_and_unknown_certificate_is_404(client, admin_token):
    product = make_product(certified=False)
    cert = make_certificate(product, issued_on=date(2025, 5, 1))
    early = client.post(f"/api/v1/admin/certificates/{cert.id}/revoke", headers=auth(admin_token),
                        json={"reason": "x", "revoked_on": "2025-04-30"})
    assert early.status_code == 422
    missing = client.post("/api/v1/admin/certificates/999999/revoke", headers=auth(admin_token),
                          json={"reason": "x"})
    assert missing.status_code == 404


# --- auth ------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer "}])
def test_missing_or_wrong_token_is_401(client, headers):
    response = client.post("/api/v1/seller/products", headers=headers, json={})
    assert response.status_code == 401
    assert error_code(response) == "unauthorized"


def test_seller_token_cannot_use_admin_endpoints(client, seller):
    _, token = seller
    response = client.post("/api/v1/admin/producers", headers=auth(token), json={})
    assert response.status_code == 403


# --- seller ----------------------------------------------------------------------------------

def test_seller_creates_prices_and_publishes_a_product(client, seller):
    producer, token = seller
    response = client.post("/api/v1/seller/products", headers=auth(token), json={
        "name": "Cơm cháy chà bông", "group": "food", "description": "Giòn rụm",
        "price_vnd": 65000, "unit": "gói 200g", "name_en": "Crispy rice with pork floss",
        "gtin": "8935049500018"})
    assert response.status_code == 201, response.get_json()
    slug = response.get_json()["slug"]
    assert slug == "com-chay-cha-bong"
    patched = client.patch(f"/api/v1/seller/products/{slug}", headers=auth(token),
                           json={"price_vnd": 70000, "published": True})
    assert patched.status_code == 200
    body = client.get(f"/api/v1/products/{slug}").get_json()
    assert body["price_vnd"] == 70000 and body["published"] is True
    assert body["gtin"] == "08935049500018"
    assert body["listable"] is False and body["reason"] == "no_certificate"


@pytest.mark.parametrize(
    "change",
    [
        {"group": "weapons"},
        {"price_vnd": -1},
        {"price_vnd": "65000"},
        {"price_vnd": 65000.5},
        {"gtin": "8935049500017"},  # wrong check digit
        {"gtin": "abc"},
        {"name": ""},
        {"unit": None},
    ],
)
def test_seller_product_bad_input_is_422(client, seller, change):
    _, token = seller
    body = {"name": "Mật ong", "group": "food", "price_vnd": 1000, "unit": "hũ"}
    body.update(change)
    response = client.post("/api/v1/seller/products", headers=auth(token), json=body)
    assert response.status_code == 422, response.get_json()


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\"text\"", b"\xff\xfe"])
def test_malformed_json_is_422(client, seller, raw):
    _, token = seller
    headers = {**auth(token), "Content-Type": "application/json"}
    response = client.post("/api/v1/seller/products", headers=headers,
                           data=raw)
    assert response.status_code == 422
    assert error_code(response) == "invalid_json"


def test_producer_cannot_touch_another_producers_product(client, seller):
    _, token = seller
    other = make_product()
    response = client.patch(f"/api/v1/seller/products/{other.slug}", headers=auth(token),
                            json={"price_vnd": 1})
    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert other.price_vnd == 120000


def test_seller_lists_only_own_products(client, seller):
    producer, token = seller
    own = make_product(producer)
    make_product()
    items = client.get("/api/v1/seller/products", headers=auth(token)).get_json()["items"]
    assert [i["slug"] for i in items] == [own.slug]


def test_publishing_without_a_price_is_refused(client, seller):
    producer, token = seller
    product = make_product(producer, price_vnd=None, published=False)
    response = client.patch(f"/api/v1/seller/products/{product.slug}", headers=auth(token),
                            json={"published": True})
    assert response.status_code == 422
    assert error_code(response) == "price_required"
