"""The demo catalogue (`seed-demo`): realistic, complete, idempotent, with its edge cases."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from PIL import Image
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.services import authenticate_password
from app.clock import LOCAL_TZ
from catalog import demo
from catalog.gate import (
    CERTIFICATE_EXPIRED,
    CERTIFICATE_REVOKED,
    NO_CERTIFICATE,
    PRODUCER_INACTIVE,
    UNPUBLISHED,
    default_valid_until,
    listability,
)
from catalog.models import GROUPS, LEVELS, PRODUCER_KINDS, Certificate, Producer, Product, ProductPhoto
from catalog.regions import validate_location
from catalog.services import validate_gtin, validate_tax_code
from catalog.text import fold
from tests.conftest import rolled_back_session

SEED_DAY = date(2026, 11, 23)
STATIC = Path(__file__).resolve().parents[2] / "app" / "static"
FOUNDING_PROVINCES = {15, 37, 51, 91, 92}


@pytest.fixture(scope="module")
def seeded(app):
    """The demo seeded once for this module (on SEED_DAY), rolled back at the end."""
    traveller = time_machine.travel(datetime.combine(SEED_DAY, time(12), tzinfo=LOCAL_TZ),
                                    tick=False)
    traveller.start()
    try:
        with rolled_back_session(app) as session:
            demo.seed(session)
            session.flush()
            yield session
    finally:
        traveller.stop()


def _product(session, name: str) -> Product:
    return session.scalars(select(Product).where(Product.name == name)).one()


def _counts(session) -> dict[str, int]:
    return {model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Producer, Product, Certificate, ProductPhoto, User)}


def test_seeding_twice_changes_nothing(seeded):
    before = _counts(seeded)
    decisions = set(seeded.execute(select(Certificate.product_id, Certificate.decision_number,
                                          Certificate.issued_on, Certificate.valid_until)).all())
    demo.seed(seeded)
    seeded.flush()
    assert _counts(seeded) == before
    assert set(seeded.execute(select(Certificate.product_id, Certificate.decision_number,
                                     Certificate.issued_on, Certificate.valid_until)).all()) == decisions


def test_catalogue_is_big_and_from_the_five_founding_provinces(seeded):
    producers = seeded.scalars(select(Producer)).all()
    products = seeded.scalars(select(Product)).all()
    assert len(producers) >= 30
    assert len(products) >= 60
    assert {p.province_code for p in producers} == FOUNDING_PROVINCES
    assert {p.kind for p in producers} == set(PRODUCER_KINDS)
    assert {p.group for p in products} == set(GROUPS)
    for producer in producers:
        validate_location(producer.province_code, producer.ward_code)  # raises if wrong
        assert validate_tax_code(producer.tax_code) == producer.tax_code
    for product in products:
        assert product.name_en and product.description and product.description_en
        assert product.unit and product.unit_en


def test_former_provinces_are_kept_as_historical_origin(seeded):
    origins = " ".join(p.historical_origin or "" for p in seeded.scalars(select(Producer)))
    for former in ("Kon Rẫy, tỉnh Kon Tum (cũ)", "Phú Quốc, tỉnh Kiên Giang (cũ)",
                   "tỉnh Yên Bái (cũ)", "tỉnh Nam Định (cũ)", "tỉnh Hà Nam (cũ)",
                   "tỉnh Sóc Trăng (cũ)", "tỉnh Hậu Giang (cũ)"):
        assert former in origins
    assert seeded.scalar(select(func.count()).where(Producer.craft_village.is_not(None))) >= 10


def test_signature_products_exist_with_vietnamese_and_english_names(seeded):
    names = {p.name: p for p in seeded.scalars(select(Product))}
    folded = {fold(name): p for name, p in names.items()}
    for wanted in ("nuoc mam phu quoc", "tieu den phu quoc", "ruou ngo bac ha",
                   "che shan tuyet", "sam ngoc linh", "ruou kim son", "tranh gao",
                   "com chay", "sam day kon ray", "hu tieu", "ngoc trai", "ruou sim",
                   "tho cam", "mat ong"):
        assert any(wanted in key for key in folded), wanted
    com_chay = [p for key, p in folded.items() if "com chay" in key]
    assert any(p.producer.province_code == 37 and listability(p, SEED_DAY) for p in com_chay)


def test_certificates_cover_every_star_and_level_with_real_issuers(seeded):
    certificates = seeded.scalars(select(Certificate)).all()
    assert {c.stars for c in certificates} == {3, 4, 5}
    # Since 1489/QĐ-TTg the commune issues no certificate (DOMAIN §2).
    assert {c.level for c in certificates} == set(LEVELS) - {"commune"}
    by_level = {c.level: c for c in certificates}
    assert by_level["central"].issuer.startswith("Bộ Nông nghiệp")
    assert by_level["province"].issuer.startswith("UBND tỉnh") or \
        by_level["province"].issuer == "UBND thành phố Cần Thơ"
    assert by_level["district"].issuer.startswith(("UBND huyện", "UBND thị xã", "UBND thành phố",
                                                    "UBND quận"))
    for cert in certificates:
        if cert.level == "district":
            assert cert.issued_on < demo.TWO_TIER_FROM, cert
        if cert.level == "central":
            assert cert.stars == 5, cert
        if cert.stars == 3 and cert.issued_on >= demo.TWO_TIER_FROM:
            assert cert.level == "province", cert
    issuers = {c.issuer for c in certificates}
    assert {"UBND tỉnh Lào Cai", "UBND thành phố Phú Quốc",
            "Bộ Nông nghiệp và Phát triển nông thôn"} <= issuers


@pytest.mark.parametrize(("stars", "issued_on", "expected"), [
    (3, date(2025, 6, 30), ("district", "UBND huyện Bắc Hà")),
    (3, date(2025, 7, 1), ("province", "UBND tỉnh Lào Cai")),
    (4, date(2024, 5, 2), ("province", "UBND tỉnh Lào Cai")),
    (5, date(2025, 2, 28), ("central", "Bộ Nông nghiệp và Phát triển nông thôn")),
    (5, date(2025, 3, 1), ("central", "Bộ Nông nghiệp và Môi trường")),
])
def test_level_and_issuer_follow_the_date_of_the_decision(stars, issued_on, expected):
    bac_ha = next(p for p in demo.PRODUCERS if p.key == "bac-ha")
    assert demo.level_and_issuer(stars, issued_on, bac_ha) == expected


def test_former_province_issued_provincial_decisions_before_the_merger():
    van_yen = next(p for p in demo.PRODUCERS if p.key == "van-yen")
    assert demo.level_and_issuer(4, date(2025, 6, 30), van_yen)[1] == "UBND tỉnh Yên Bái"
    assert demo.level_and_issuer(4, date(2025, 7, 1), van_yen)[1] == "UBND tỉnh Lào Cai"
    phu_quoc = next(p for p in demo.PRODUCERS if p.key == "pq-pepper")
    assert demo.level_and_issuer(3, date(2026, 1, 5), phu_quoc)[1] == "UBND tỉnh An Giang"


def test_every_non_listable_reason_is_present_and_most_products_are_listable(seeded):
    products = seeded.scalars(select(Product)).all()
    verdicts = Counter(listability(p, SEED_DAY).reason for p in products)
    for reason in (PRODUCER_INACTIVE, UNPUBLISHED, CERTIFICATE_REVOKED, CERTIFICATE_EXPIRED,
                   NO_CERTIFICATE):
        assert verdicts[reason] >= 1, reason
    assert verdicts[None] >= 0.85 * len(products)


def test_edge_case_dates_are_relative_to_the_seeding_day(seeded):
    tea = listability(_product(seeded, "Chè Shan tuyết Tả Củ Tỷ"), SEED_DAY)
    assert tea.listable and tea.certificate.valid_until == SEED_DAY + timedelta(days=52)
    ends_today = listability(_product(seeded, "Túi xách lục bình"), SEED_DAY)
    assert ends_today.listable and ends_today.certificate.valid_until == SEED_DAY
    assert not listability(_product(seeded, "Túi xách lục bình"), SEED_DAY + timedelta(days=1))
    ended = listability(_product(seeded, "Bánh tráng nướng mè đen"), SEED_DAY)
    assert ended.reason == CERTIFICATE_EXPIRED
    assert ended.certificate.valid_until == SEED_DAY - timedelta(days=1)
    revoked = listability(_product(seeded, "Rượu sim rừng ngâm mật ong"), SEED_DAY)
    assert revoked.reason == CERTIFICATE_REVOKED
    assert revoked.certificate.revoked_on == SEED_DAY - timedelta(days=1)
    assert revoked.certificate.revoke_reason
    ending_soon = seeded.scalars(select(Certificate).where(
        Certificate.revoked_on.is_(None),
        Certificate.valid_until.between(SEED_DAY, SEED_DAY + timedelta(days=60)))).all()
    assert len(ending_soon) >= 5


def test_a_product_upgraded_to_four_stars_shows_its_newer_certificate(seeded):
    com_chay = _product(seeded, "Cơm cháy chà bông Ninh Bình")
    assert sorted(c.stars for c in com_chay.certificates) == [3, 4]
    current = listability(com_chay, SEED_DAY).certificate
    assert current.stars == 4 and current.level == "province"
    older = next(c for c in com_chay.certificates if c.stars == 3)
    assert older.valid_until >= SEED_DAY  # the 3★ one has not ended: the upgrade wins


def test_demo_gtins_have_valid_check_digits(seeded):
    gtins = seeded.scalars(select(Product.gtin).where(Product.gtin.is_not(None))).all()
    assert len(gtins) >= 5
    for gtin in gtins:
        assert validate_gtin(gtin) == gtin and gtin.startswith("0893")


def test_every_product_has_a_small_shipped_photo(seeded):
    photos = seeded.scalars(select(ProductPhoto)).all()
    assert len(photos) == seeded.scalar(select(func.count()).select_from(Product))
    for photo in photos:
        path = STATIC / photo.path
        assert path.is_file(), photo.path
        assert path.stat().st_size <= 10 * 1024, photo.path
        with Image.open(path) as image:
            assert image.size == (photo.width, photo.height)
        assert photo.alt and photo.url == f"/static/{photo.path}"


def test_demo_users_log_in_with_the_demo_password(seeded):
    roles = {}
    for email, role, producer_key, _name in demo.DEMO_USERS:
        user = authenticate_password(seeded, email, demo.DEMO_PASSWORD)
        assert user is not None and user.role == role, email
        roles[role] = user
        if producer_key:
            assert user.producer.tax_code == next(
                p.tax_code for p in demo.PRODUCERS if p.key == producer_key)
    assert set(roles) >= {"admin", "organizer", "producer", "customer"}
    tuan = authenticate_password(seeded, "htx-bac-ha@ocop.local", demo.DEMO_PASSWORD)
    assert tuan.producer.province_code == 15


def test_public_api_lists_at_least_fifty_demo_products(seeded, app):
    with app.test_client() as client:
        body = client.get("/api/v1/products?per_page=10").get_json()
    assert body["total"] >= 50
    assert all(item["certificate"]["stars"] in (3, 4, 5) for item in body["items"])


@pytest.mark.parametrize("day", [date(2027, 8, 14), date(2029, 2, 28), date(2031, 12, 31)])
def test_edge_case_dates_stay_edge_cases_whatever_the_seeding_day(day):
    """Seeding is relative to today(): the specs give the same offsets on any day, with a
    default 36-month term, and recent 3★ decisions then come from the province."""
    specs = {(p.name, c.decision_number): (p, c) for p in demo.PRODUCTS for c in p.certificates}
    _, tea = specs[("Chè Shan tuyết Tả Củ Tỷ", "98/QĐ-UBND")]
    issued_on, valid_until = tea.dates(day)
    assert valid_until == day + timedelta(days=52)
    assert default_valid_until(issued_on) == valid_until
    assert specs[("Túi xách lục bình", "3158/QĐ-UBND")][1].dates(day)[1] == day
    assert specs[("Bánh tráng nướng mè đen", "2519/QĐ-UBND")][1].dates(day)[1] == \
        day - timedelta(days=1)
    product, homestay = specs[("Homestay Tam Cốc – trải nghiệm làng quê", "96/QĐ-UBND")]
    tam_coc = next(p for p in demo.PRODUCERS if p.key == product.producer)
    assert demo.level_and_issuer(3, homestay.dates(day)[0], tam_coc) == \
        ("province", "UBND tỉnh Ninh Bình")
    for product in demo.PRODUCTS:
        for cert in product.certificates:
            issued_on, valid_until = cert.dates(day)
            if cert.ends_in is None and cert.revoked_days_ago is None:
                assert issued_on <= day <= valid_until, (product.name, cert)
