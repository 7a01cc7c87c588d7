"""Chị Lan at the Phú Quốc sales point: stock in, sell at the counter, and a product whose
certificate was revoked yesterday refuses to sell, with the reason."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.clock import today
from showrooms.stock import ledger_matches_levels
from tests.factories import auth, make_certificate, make_product, make_sales_point, make_token, make_user


@pytest.fixture
def point(db_session):
    return make_sales_point(code="PQ-99")


@pytest.fixture
def lan(point):
    return make_token(make_user("sales_point", sales_point=point))


def receive(client, token, product, quantity, code="PQ-99", reason="receive"):
    return client.post(f"/api/v1/sales-points/{code}/stock", headers=auth(token),
                       json={"product": product.slug, "quantity": quantity, "reason": reason})


def sell(client, token, *lines, code="PQ-99"):
    return client.post(f"/api/v1/sales-points/{code}/sales", headers=auth(token),
                       json={"items": [{"product": p.slug, "quantity": q} for p, q in lines]})


def level(client, token, product, code="PQ-99"):
    items = client.get(f"/api/v1/sales-points/{code}/stock", headers=auth(token)).get_json()["items"]
    return next((i["level"] for i in items if i["product"] == product.slug), 0)


def test_staff_receive_stock_and_sell_at_the_counter(client, lan, db_session):
    pepper = make_product(name="Tiêu đỏ Phú Quốc", price_vnd=180000)
    sauce = make_product(name="Nước mắm Phú Quốc", price_vnd=145000)
    assert receive(client, lan, pepper, 10).status_code == 201
    assert receive(client, lan, sauce, 30, reason="transfer_in").get_json()["level"] == 30
    response = sell(client, lan, (pepper, 2), (sauce, 1))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["total_vnd"] == 2 * 180000 + 145000
    assert level(client, lan, pepper) == 8 and level(client, lan, sauce) == 29
    assert ledger_matches_levels(db_session)


def test_a_product_revoked_yesterday_refuses_to_sell_with_the_reason(client, lan):
    fine = make_product(name="Ngọc trai Phú Quốc")
    revoked = make_product(certified=False, name="Rượu sim Phú Quốc")
    make_certificate(revoked, issued_on=date(2025, 1, 1), revoked_on=today() - timedelta(days=1))
    # Stock received before the revocation is still on the shelf.
    for product in (fine, revoked):
        assert receive(client, lan, product, 5).status_code == 201
    response = sell(client, lan, (fine, 1), (revoked, 1))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "not_listable"
    assert "Rượu sim Phú Quốc" in error["message"] and "thu hồi" in error["message"]
    assert error["details"]["products"][0]["reason"] == "certificate_revoked"
    assert level(client, lan, fine) == 5 and level(client, lan, revoked) == 5  # nothing sold


def test_selling_more_than_the_shelf_holds_is_out_of_stock_and_sells_nothing(client, lan):
    a, b = make_product(), make_product()
    receive(client, lan, a, 3)
    receive(client, lan, b, 3)
    response = sell(client, lan, (a, 1), (b, 4))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "out_of_stock"
    assert level(client, lan, a) == 3 and level(client, lan, b) == 3


def test_an_adjustment_never_takes_the_shelf_below_zero(client, lan):
    product = make_product()
    receive(client, lan, product, 2)
    assert receive(client, lan, product, -3, reason="adjust").status_code == 409
    assert receive(client, lan, product, -2, reason="adjust").get_json()["level"] == 0


@pytest.mark.parametrize(
    "body",
    [{"items": []}, {"items": [{"product": "x", "quantity": 0}]}, {"items": [{"product": "x"}]},
     {"items": "pepper"}, {}],
)
def test_bad_sale_input_is_422(client, lan, body):
    response = client.post("/api/v1/sales-points/PQ-99/sales", headers=auth(lan), json=body)
    assert response.status_code == 422


def test_unknown_product_is_404_and_tourism_is_not_sold_over_the_counter(client, lan):
    assert client.post("/api/v1/sales-points/PQ-99/sales", headers=auth(lan),
                       json={"items": [{"product": "no-such", "quantity": 1}]}).status_code == 404
    homestay = make_product(group="tourism")
    assert sell(client, lan, (homestay, 1)).status_code == 422


def test_staff_of_another_point_and_producers_cannot_touch_this_point(client, lan, point):
    other = make_token(make_user("sales_point", sales_point=make_sales_point(code="NB-99")))
    product = make_product()
    assert receive(client, other, product, 5).status_code == 404
    assert client.get("/api/v1/sales-points/PQ-99/stock", headers=auth(other)).status_code == 404
    producer = make_token(make_user("producer", producer=product.producer))
    assert client.get("/api/v1/sales-points/PQ-99/stock", headers=auth(producer)).status_code == 403
    assert client.get("/api/v1/sales-points/PQ-99/stock").status_code == 401
