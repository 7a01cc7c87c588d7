"""The province's periodic reports: products by stars × group × province, targets against
recognitions, sales by month × province × channel × payment, scans by month × province ×
verdict, expiries per month — as JSON, CSV, and a printable page of SVG charts with tables."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from app.clock import today
from app.extensions import db
from backoffice.office import reports
from showrooms.stock import sales_point_location
from tests.backoffice.office.conftest import sign_in
from tests.factories import (
    auth,
    make_certificate,
    make_lot,
    make_producer,
    make_product,
    make_sales_point,
    make_stamps,
    make_token,
    make_user,
    order_payload,
    receive_stock,
)
from tests.traceability.conftest import scan


def _rows(client, headers, name, **params) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(f"/api/v1/admin/reports/{name}?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_products_by_stars_group_and_province(client, admin_headers):
    lao_cai = make_producer(province_code=15, ward_code=None)
    make_product(lao_cai, stars=4, group="beverage")
    make_product(lao_cai, stars=4, group="beverage")
    make_product(lao_cai, stars=5, group="food")
    make_product(make_producer(province_code=92), stars=3, group="food")
    expired = make_product(lao_cai, certified=False, group="food")
    make_certificate(expired, issued_on=date(2020, 1, 1), valid_until=today() - timedelta(days=1))
    rows = _rows(client, admin_headers, "products")
    got = {(r["province_code"], r["group"], r["stars"]): r["count"] for r in rows}
    assert got == {(15, "beverage", 4): 2, (15, "food", 5): 1, (92, "food", 3): 1}
    assert next(r for r in rows if r["province_code"] == 15)["province"] == "Lào Cai"
    text = client.get("/api/v1/admin/reports/products?format=csv", headers=admin_headers)
    assert text.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(text.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(table) == 3 and set(table[0]) == {"province_code", "province", "group", "stars", "count"}


def test_targets_against_recognitions(client, admin_headers, db_session):
    year = today().year
    producer = make_producer(province_code=37, ward_code=None)
    new = make_product(producer, certified=False)
    make_certificate(new, stars=5, issued_on=date(year, 1, 10), level="central")
    old = make_product(producer, certified=False)
    make_certificate(old, stars=4, issued_on=date(year - 2, 1, 10))
    make_certificate(old, stars=4, issued_on=date(year, 1, 11))  # re-evaluated: not new
    response = client.put("/api/v1/admin/targets", headers=admin_headers, json={
        "year": year, "province_code": 37, "new_products": 8, "four_star": 10, "five_star": 2})
    assert response.status_code == 200
    [row] = _rows(client, admin_headers, "targets", year=year)
    assert (row["new_products_target"], row["new_products"]) == (8, 1)
    assert (row["four_star_target"], row["four_star"]) == (10, 1)
    assert (row["five_star_target"], row["five_star"]) == (2, 1)
    client.put("/api/v1/admin/targets", headers=admin_headers, json={
        "year": year, "province_code": 37, "new_products": 9, "four_star": 10, "five_star": 2})
    assert _rows(client, admin_headers, "targets", year=year)[0]["new_products_target"] == 9
    assert client.put("/api/v1/admin/targets", headers=admin_headers, json={
        "year": year, "province_code": 999, "new_products": 1}).status_code == 422
    assert client.put("/api/v1/admin/targets", headers=admin_headers, json={
        "year": year, "province_code": 37, "new_products": -1}).status_code == 422


def test_sales_by_month_province_channel_and_payment(client, admin_headers):
    producer = make_producer(province_code=92)
    rice = make_product(producer, price_vnd=100_000)
    receive_stock(rice, 10)
    assert client.post("/api/v1/orders", json=order_payload((rice, 2))).status_code == 201
    point = make_sales_point()
    receive_stock(rice, 5, location=sales_point_location(db.session, point))
    staff = auth(make_token(make_user("sales_point", sales_point=point)))
    assert client.post(f"/api/v1/sales-points/{point.code}/sales", headers=staff,
                       json={"items": [{"product": rice.slug, "quantity": 3}]}).status_code == 201
    rows = _rows(client, admin_headers, "sales", year=today().year)
    got = {(r["channel"], r["payment_method"]): (r["units"], r["value_vnd"]) for r in rows}
    assert got == {("online", "cod"): (2, 200_000), ("counter", "at_counter"): (3, 300_000)}
    assert {r["month"] for r in rows} == {today().strftime("%Y-%m")}
    assert _rows(client, admin_headers, "sales", year=2019) == []


def test_scans_by_month_and_verdict_and_expiries_by_month(client, admin_headers):
    stamp = make_stamps(make_lot(make_product()), 1)[0]
    scan(client, stamp.code)
    scan(client, stamp.code, ua="other")
    [row] = _rows(client, admin_headers, "scans")
    assert row["verdict"] == "genuine" and row["count"] == 2 and row["month"] == today().strftime("%Y-%m")
    ending = make_product(certified=False)
    make_certificate(ending, issued_on=date(2020, 1, 1), valid_until=today() + timedelta(days=40))
    rows = _rows(client, admin_headers, "expiries")
    assert len(rows) == 12 and rows[0]["month"] == today().strftime("%Y-%m")
    month = (today() + timedelta(days=40)).strftime("%Y-%m")
    assert next(r["count"] for r in rows if r["month"] == month) >= 1


def test_unknown_report_and_bad_year(client, admin_headers):
    assert client.get("/api/v1/admin/reports/nope", headers=admin_headers).status_code == 404
    assert client.get("/api/v1/admin/reports/sales?year=1900", headers=admin_headers).status_code == 422
    assert client.get("/api/v1/admin/reports/sales?format=xml", headers=admin_headers).status_code == 422


def test_the_reports_page_draws_accessible_svg_charts_beside_tables(client, officer):
    make_product(make_producer(province_code=91), stars=5)
    sign_in(client, officer)
    html = client.get("/admin/reports").get_data(as_text=True)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 8
    assert 'aria-labelledby="chart-stars-title chart-stars-desc"' in html
    assert "<table>" in html and "An Giang" in html and "<script" not in html
    assert 'href="/admin/reports/products.csv"' in html
    response = client.get("/admin/reports/sales.csv?year=2026")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert client.get("/admin/reports/nope.csv").status_code == 404
    response = client.post("/admin/targets", data={"year": str(today().year), "province_code": "91",
                                                   "new_products": "8", "four_star": "3",
                                                   "five_star": "25"})
    assert response.status_code == 302
    assert "Mục tiêu và kết quả" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_chart_is_safe_and_scales():
    from backoffice.office.charts import bar_chart

    svg = bar_chart("<b>x</b>", [("<script>", 10), ("b", 0)], chart_id="c")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'width="0"' in svg
    assert reports.Report("x", ("a",), [{"a": "=1+1"}]).csv().splitlines()[1] == "'=1+1"


def test_products_by_commune_and_the_compact_tables(client, admin_headers, officer):
    make_product(make_producer(province_code=92, ward_code=31135), stars=4, group="food")
    rows = _rows(client, admin_headers, "products", by="ward")
    assert rows == [{"province_code": 92, "province": rows[0]["province"], "ward_code": 31135,
                     "ward": rows[0]["ward"], "group": "food", "stars": 4, "count": 1}]
    assert rows[0]["ward"] and "Ninh Kiều" in rows[0]["ward"]
    sign_in(client, officer)
    html = client.get("/admin/reports").get_data(as_text=True)
    assert '<th scope="col">4★</th>' in html and "<strong>1</strong>" in html
    csv_text = client.get("/admin/reports/products.csv?by=ward").get_data(as_text=True)
    assert csv_text.lstrip("\ufeff").startswith("province_code,province,ward_code,ward,")
