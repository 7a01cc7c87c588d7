"""DOMAIN §2 levels since 1489/QĐ-TTg and §4 groups of 148/QĐ-TTg, wherever a certificate or
a product enters: the office's API, the CSV import, and the cycle's decisions."""

from __future__ import annotations

import pytest

from app.clock import today
from app.extensions import db
from catalog import listing
from catalog.importer import import_csv_text
from evaluation import services
from tests.factories import auth, make_product, make_token, make_user


@pytest.fixture
def admin_headers(db_session):
    return auth(make_token(make_user("admin")))


@pytest.mark.parametrize(
    ("stars", "score", "level", "issued_on", "ok"),
    [
        (3, 60, "commune", "2025-08-01", False),  # a commune issues no certificate
        (3, 60, "district", "2025-06-30", True),  # the last day of districts
        (3, 60, "district", "2025-07-01", False),
        (4, 78, "district", "2024-01-10", False),  # districts only ever gave 3★
        (3, 60, "province", "2025-08-01", True),
        (4, 78, "province", "2023-05-01", True),
        (5, 95, "province", "2025-08-01", False),  # 5★ only from the central level
        (5, 95, "central", "2024-01-10", True),
        (4, 78, "central", "2025-08-01", False),  # and the central level gives only 5★
    ],
)
def test_a_decisions_level_must_fit_its_date_and_stars(
    client, admin_headers, stars, score, level, issued_on, ok
):
    product = make_product(certified=False)
    r = client.post(
        "/api/v1/admin/certificates",
        headers=admin_headers,
        json={
            "product": product.slug,
            "stars": stars,
            "score": score,
            "level": level,
            "decision_number": "9/QĐ",
            "issuer": "UBND",
            "issued_on": issued_on,
        },
    )
    assert r.status_code == (201 if ok else 422), r.json
    if not ok:
        assert r.json["error"]["code"] == "invalid_level"
        if level == "commune":
            assert "issues no OCOP certificate" in r.json["error"]["message"]


def test_the_csv_import_refuses_a_commune_certificate_with_the_line(db_session):
    header = (
        "decision_number,issued_on,issuer,level,product,producer,producer_kind,tax_code,"
        "province_code,ward_code,group,stars,score,valid_until"
    )
    rows = [
        header,
        "12/QĐ-UBND,2025-09-01,UBND phường Ninh Kiều,commune,Bánh pía,HTX A,cooperative,1801234567,92,,"
        "food,3,60,",
        "13/QĐ-UBND,2025-09-01,UBND thành phố Cần Thơ,province,Lan hồ điệp,HTX A,cooperative,1801234567,92,,"
        "ornamental,4,75,",
    ]
    outcome = import_csv_text(db.session, "\n".join(rows) + "\n")
    assert len(outcome.errors) == 1 and outcome.errors[0].startswith("line 2:")
    assert "commune" in outcome.errors[0]


def test_ornamental_is_a_group_and_craft_also_finds_older_textile_products(client, db_session):
    orchid = make_product(group="ornamental", name="Lan hồ điệp Cái Răng")
    brocade = make_product(group="textile", name="Khăn thổ cẩm")
    basket = make_product(group="craft", name="Giỏ lục bình")
    craft = {p.id for p, _ in db.session.execute(listing.filtered(today(), group="craft")).all()}
    assert {brocade.id, basket.id} <= craft and orchid.id not in craft
    items = client.get("/api/v1/products", query_string={"group": "ornamental"}).json["items"]
    assert [i["slug"] for i in items] == [orchid.slug]


def test_new_cycle_registrations_use_the_groups_of_148(world):
    with pytest.raises(services.InvalidInput) as err:
        services.register(
            db.session,
            world.producer,
            cycle_id=world.cycle.id,
            kind="new",
            group="textile",
            product_set=world.sheet.name,
            name="Khăn lụa",
        )
    assert err.value.code == "invalid_group"
    dossier = services.register(
        db.session,
        world.producer,
        cycle_id=world.cycle.id,
        kind="new",
        group="ornamental",
        product_set=world.sheet.name,
        name="Mai vàng",
    )
    assert dossier.product.group == "ornamental" and dossier.product.published is False
