"""Public sales-point and fair pages."""

from datetime import date

from showrooms.stock import record_movement, sales_point_location
from tests.factories import make_certificate, make_product, make_sales_point


def test_sales_points_are_listed_by_province(client):
    point = make_sales_point(name="Điểm bán OCOP Dương Đông")
    html = client.get("/sales-points").get_data(as_text=True)
    assert "Điểm bán OCOP Dương Đông" in html and "An Giang" in html
    assert client.get("/sales-points?province=abc").status_code == 200
    assert client.get(f"/sales-points/{point.code}").status_code == 200


def test_sales_point_page_shows_only_listable_products_on_its_shelves(client, db_session):
    point = make_sales_point()
    location = sales_point_location(db_session, point)
    on_shelf = make_product(name="Tiêu đỏ Phú Quốc")
    revoked = make_product(certified=False, name="Nước mắm bị thu hồi")
    make_certificate(revoked, issued_on=date(2025, 1, 1), revoked_on=date(2025, 6, 1))
    make_product(name="Không có ở quầy")
    for product in (on_shelf, revoked):
        record_movement(db_session, location=location, product=product, kind="receive", quantity=12,
                        reason="test")
    html = client.get(f"/sales-points/{point.code}").get_data(as_text=True)
    assert "Tiêu đỏ Phú Quốc" in html
    assert "Nước mắm bị thu hồi" not in html and "Không có ở quầy" not in html


def test_unknown_sales_point_and_fair_are_friendly_404s(client):
    assert client.get("/sales-points/NOPE").status_code == 404
    assert client.get("/sales-points/" + "x" * 500).status_code == 404
    assert client.get("/fairs").status_code == 200
    assert client.get("/fairs/tuan-le-ocop").status_code == 404  # no such fair
