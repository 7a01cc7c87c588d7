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


# --- Found by the fuzzer (tests/app/test_api_fuzz.py) ---------------------------------------

def test_int_converter_matches_exactly_the_database_integer_range():
    import re

    from app.converters import MAX_DB_INT, at_most

    pattern = re.compile(at_most(MAX_DB_INT) + r"\Z")
    for number in (0, 7, 99, 10**9, 1_999_999_999, 2_147_483_639, MAX_DB_INT - 1, MAX_DB_INT):
        assert pattern.match(str(number)), number
    assert pattern.match("007")
    for number in (MAX_DB_INT + 1, 2_147_483_650, 2_200_000_000, 9_999_999_999, 2**63):
        assert not pattern.match(str(number)), number


def test_id_beyond_range_on_a_path_served_by_two_rules_is_404_not_405(client, db_session):
    token = make_token(make_user("council_member"))
    answer = client.get(f"/api/v1/council/dossiers/{2**31}/scores", headers=auth(token))
    assert _error(answer, 404)["code"] == "not_found"


def test_producer_patch_refuses_null_for_a_field_it_always_has(client, admin_token, db_session):
    producer = make_product().producer
    for field in ("province_code", "kind", "tax_code", "address", "name"):
        answer = client.patch(f"/api/v1/admin/producers/{producer.slug}", json={field: None},
                              headers=auth(admin_token))
        assert field in _error(answer, 422)["message"]


def test_fair_opening_hours_with_a_time_zone_are_refused(client, db_session):
    token = make_token(make_user("organizer"))
    body = {"name": "Hội chợ thử", "starts_on": "2030-01-01", "ends_on": "2030-01-03",
            "venue": "Nhà văn hoá", "province_code": 92, "closes_at": 0}
    answer = client.post("/api/v1/fairs", json=body, headers=auth(token))
    assert "closes_at" in _error(answer, 422)["message"]
    answer = client.post("/api/v1/fairs", json=body | {"closes_at": "21:00+07:00"},
                         headers=auth(token))
    assert "closes_at" in _error(answer, 422)["message"]
    answer = client.post("/api/v1/fairs", json=body | {"opens_at": "08:00", "closes_at": "21:00"},
                         headers=auth(token))
    assert answer.status_code == 201, answer.get_data(as_text=True)


def test_fair_with_a_latitude_but_no_longitude_is_refused(client, db_session):
    token = make_token(make_user("organizer"))
    body = {"name": "Hội chợ thử", "starts_on": "2030-01-01", "ends_on": "2030-01-03",
            "venue": "Nhà văn hoá", "province_code": 92, "latitude": 0, "longitude": None}
    answer = client.post("/api/v1/fairs", json=body, headers=auth(token))
    assert "latitude and longitude go together" in _error(answer, 422)["message"]


@pytest.mark.parametrize("field", ["province_code", "name", "starts_on", "opens_at", "venue"])
def test_fair_patch_refuses_null_for_a_field_a_fair_always_has(client, db_session, field):
    from tests.showrooms.fair_factories import make_fair

    organizer = make_user("organizer")
    fair = make_fair(organizer)
    answer = client.patch(f"/api/v1/fairs/{fair.slug}", json={field: None},
                          headers=auth(make_token(organizer)))
    assert field in _error(answer, 422)["message"]


@pytest.mark.parametrize("path", ["/api/v1/gift-boxes?province=11946900174",
                                  "/api/v1/gift-boxes?max_price=3000000000",
                                  "/api/v1/villages?province=568457521829",
                                  f"/api/v1/products?province={2**40}"])
def test_query_integers_beyond_the_database_range_are_invalid_input(client, db_session, path):
    assert _error(client.get(path), 422)["code"] == "invalid_input"


def test_body_integers_beyond_the_database_range_are_invalid_input(client, producer_token):
    _, token = producer_token
    body = {"name": "Trà", "group": "drink", "price_vnd": 1, "unit": "hộp", "gtin": None}
    for field, value in (("price_vnd", 2**31), ("price_vnd", 2**63)):
        answer = client.post("/api/v1/seller/products", json=body | {field: value}, headers=auth(token))
        assert field in _error(answer, 422)["message"]
