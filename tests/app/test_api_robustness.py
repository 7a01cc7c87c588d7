"""Inputs that once answered 500 from outside (issue 15, "API fuzzing in CI"): each now gets
a clear 4xx with `{"error": {"code", "message"}}` and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from catalog.models import Certificate
from tests.factories import auth, make_product, make_token, make_user

HUGE_IDS = ["10802117725154034319360", str(2**63), str(2**63 - 1), str(2**31)]


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body["error"]) >= {"code", "message"}
    return body["error"]


@pytest.fixture
def producer_token(db_session):
    product = make_product()
    token = make_token(make_user("producer", producer=product.producer))
    return product, token


@pytest.fixture
def admin_token(db_session):
    return make_token(make_user("admin"))


@pytest.mark.parametrize("huge", HUGE_IDS)
@pytest.mark.parametrize("method,template", [
    ("GET", "/api/v1/seller/lots/{}"),
    ("POST", "/api/v1/seller/lots/{}/void"),
    ("POST", "/api/v1/seller/shipments/{}/ship"),
    ("POST", "/api/v1/seller/shipments/{}/deliver"),
])
def test_ids_beyond_the_database_integer_range_are_not_found(client, producer_token, method, template,
                                                             huge):
    _, token = producer_token
    answer = client.open(template.format(huge), method=method, json={"reason": "x"},
                         headers=auth(token))
    assert _error(answer, 404)["code"] == "not_found"


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_certificate_ids_beyond_the_integer_range_are_not_found(client, admin_token, huge):
    for path in (f"/api/v1/admin/certificates/{huge}/revoke",
                 f"/api/v1/admin/certificates/{huge}/corrections"):
        answer = client.post(path, json={"reason": "x"}, headers=auth(admin_token))
        assert _error(answer, 404)["code"] == "not_found"


def test_the_largest_integer_id_is_still_routed(client, producer_token):
    _, token = producer_token
    answer = client.get(f"/api/v1/seller/lots/{2**31 - 1}", headers=auth(token))
    assert answer.status_code == 404  # routed to the view, which finds no such lot
    assert answer.get_json()["error"]["message"] != "The requested URL was not found on the server."


@pytest.mark.parametrize("field", ["description", "unit", "published", "name", "group"])
def test_patch_refuses_null_for_a_field_that_cannot_be_empty(client, producer_token, field):
    product, token = producer_token
    answer = client.patch(f"/api/v1/seller/products/{product.slug}", json={field: None},
                          headers=auth(token))
    error = _error(answer, 422)
    assert field in error["message"]


def test_patch_refuses_the_name_of_another_product_of_the_producer(client, producer_token, db_session):
    product, token = producer_token
    other = make_product(producer=product.producer, name="Mam ca linh Chau Doc")
    for name in (other.name, other.name.upper(), f"  {other.name} "):
        answer = client.patch(f"/api/v1/seller/products/{product.slug}", json={"name": name},
                              headers=auth(token))
        assert _error(answer, 409)["code"] == "name_taken"
    # Renaming to its own name (another case) is fine.
    answer = client.patch(f"/api/v1/seller/products/{product.slug}",
                          json={"name": product.name.upper()}, headers=auth(token))
    assert answer.status_code == 200


def test_certificate_whose_default_end_is_beyond_year_9999_is_refused(client, admin_token, db_session):
    product = make_product(certified=False)
    before = db_session.scalar(select(func.count(Certificate.id)))
    body = {"product": product.slug, "stars": 4, "score": 80, "level": "province",
            "decision_number": "1/QĐ-UBND", "issuer": "UBND", "issued_on": "9999-12-31"}
    answer = client.post("/api/v1/admin/certificates", json=body, headers=auth(admin_token))
    assert _error(answer, 422)["code"] == "invalid_dates"
    assert db_session.scalar(select(func.count(Certificate.id))) == before


@pytest.mark.parametrize("depth", [100_000, 2_000])
def test_deeply_nested_json_is_refused(client, producer_token, depth):
    _, token = producer_token
    payload = "[" * depth + "]" * depth
    answer = client.post("/api/v1/seller/products", data=payload, content_type="application/json",
                         headers=auth(token))
    assert _error(answer, 422)["code"] == "invalid_json"
    nested = '{"a":' * depth + "1" + "}" * depth
    answer = client.post("/api/v1/orders", data=nested, content_type="application/json")
    assert _error(answer, 422)["code"] == "invalid_json"


def test_reasonably_nested_json_is_read_and_judged_field_by_field(client, producer_token):
    _, token = producer_token
    nested: list = ["deep but fine"]
    for _ in range(100):
        nested = [nested]
    body = {"name": "Trà", "group": "drink", "price_vnd": 1, "unit": "hộp", "extra": nested}
    answer = client.post("/api/v1/seller/products", json=body, headers=auth(token))
    error = _error(answer, 422)
    assert error["code"] == "invalid_input" and "extra" in error["message"]
