"""Certificates by hand (the same validation as the import and the API), corrections kept as
old → new, history per product, and the export in the import format (a round trip)."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from catalog import services
from catalog.exporter import export_csv
from catalog.importer import COLUMNS, import_csv_text
from catalog.models import Certificate, CertificateCorrection
from tests.backoffice.office.conftest import audit_rows, sign_in
from tests.factories import make_certificate, make_producer, make_product


def _certificate_count() -> int:
    return db.session.scalar(select(func.count(Certificate.id)))


def test_the_office_records_one_decision_by_hand(client, officer):
    product = make_product(certified=False, name="Bánh tráng Thuận Hưng")
    sign_in(client, officer)
    assert client.get(f"/admin/certificates/new?product={product.slug}").status_code == 200
    response = client.post("/admin/certificates/new", data={
        "product": product.slug, "decision_number": "123/QĐ-UBND", "issuer": "UBND TP Cần Thơ",
        "level": "province", "stars": "4", "score": "78", "issued_on": "2025-03-15"})
    assert response.status_code == 302
    [cert] = product.certificates
    assert cert.valid_until == date(2028, 3, 14)  # the default 36-month term
    assert cert.decision_number == "123/QĐ-UBND"
    [row] = audit_rows("certificates", cert.id)
    assert row.action == "insert" and row.after["stars"] == 4


def test_the_form_refuses_what_the_import_refuses(client, officer):
    product = make_product(certified=False)
    sign_in(client, officer)
    base = {"product": product.slug, "decision_number": "9/QĐ", "issuer": "UBND",
            "level": "province", "stars": "4", "score": "65", "issued_on": "2025-03-15"}
    response = client.post("/admin/certificates/new", data=base)
    assert response.status_code == 422
    assert "4★ certificate needs a score of 70–89" in response.get_data(as_text=True)
    response = client.post("/admin/certificates/new", data={**base, "score": "80",
                                                            "valid_until": "2024-01-01"})
    assert response.status_code == 422 and "valid_until cannot precede" in response.get_data(as_text=True)
    assert _certificate_count() == 0
    response = client.post("/admin/certificates/new", data={**base, "product": "nope", "score": "80"})
    assert response.status_code == 422 and "No product &#39;nope&#39;" in response.get_data(as_text=True)
    assert _certificate_count() == 0


def test_a_correction_is_recorded_old_to_new_never_silent(client, officer):
    product = make_product(certified=False)
    cert = make_certificate(product, stars=4, issued_on=date(2025, 3, 15), decision_number="12/QĐ")
    sign_in(client, officer)
    response = client.post(f"/admin/certificates/{cert.id}/correct", data={
        "decision_number": "21/QĐ", "score": "", "reason": "Số quyết định gõ nhầm"})
    assert response.status_code == 302
    db.session.refresh(cert)
    assert cert.decision_number == "21/QĐ"
    [correction] = db.session.scalars(select(CertificateCorrection)).all()
    assert correction.before == {"decision_number": "12/QĐ"}
    assert correction.after == {"decision_number": "21/QĐ"}
    assert correction.corrected_by_id == officer.id and correction.reason == "Số quyết định gõ nhầm"
    html = client.get(f"/admin/products/{product.slug}").get_data(as_text=True)
    assert "Số quyết định gõ nhầm" in html and "<del>12/QĐ</del>" in html


def test_a_correction_is_validated_like_a_new_certificate(db_session, officer):
    product = make_product(certified=False)
    cert = make_certificate(product, stars=4, issued_on=date(2025, 3, 15))
    other = make_certificate(product, stars=4, issued_on=date(2025, 6, 1))
    import pytest

    from app.errors import DomainError

    for changes in ({"score": 65}, {"stars": 5}, {"valid_until": date(2024, 1, 1)},
                    {"decision_number": other.decision_number}, {}, {"score": cert.score}):
        with pytest.raises(DomainError):
            services.correct_certificate(db_session, cert, reason="x", **changes)
    with pytest.raises(DomainError):
        services.correct_certificate(db_session, cert, reason=" ", score=75)
    assert db_session.scalar(select(func.count(CertificateCorrection.id))) == 0
    services.correct_certificate(db_session, cert, reason="Ngày ký sai", issued_on=date(2025, 3, 16))
    assert cert.valid_until == date(2028, 3, 15)  # the default term follows the corrected date


def test_corrections_through_the_api(client, admin_headers):
    cert = make_certificate(make_product(certified=False), stars=3, issued_on=date(2025, 3, 15))
    response = client.post(f"/api/v1/admin/certificates/{cert.id}/corrections", headers=admin_headers,
                           json={"reason": "Điểm gõ nhầm", "stars": 4, "score": 72})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["before"] == {"stars": 3, "score": 60}
    assert response.get_json()["after"] == {"stars": 4, "score": 72}
    bad = client.post(f"/api/v1/admin/certificates/{cert.id}/corrections", headers=admin_headers,
                      json={"reason": "x", "score": 95})
    assert bad.status_code == 422
    assert client.post("/api/v1/admin/certificates/999999/corrections", headers=admin_headers,
                       json={"reason": "x", "score": 75}).status_code == 404


def test_export_then_import_changes_nothing(db_session):
    producer = make_producer(name="HTX Nước mắm Phú Quốc", tax_code="1700123456", province_code=91,
                             ward_code=31078)
    make_certificate(make_product(producer, certified=False, name="Nước mắm 40 độ đạm"),
                     stars=5, issued_on=date(2024, 5, 2), level="central", issuer="Bộ NN&PTNT")
    revoked = make_product(producer, certified=False, name="Nước mắm nhĩ")
    make_certificate(revoked, stars=3, issued_on=date(2023, 1, 31), valid_until=date(2026, 1, 30),
                     revoked_on=date(2024, 2, 1), level="district", issuer="UBND huyện Phú Quốc")
    make_certificate(make_product(make_producer(ward_code=None), certified=False), stars=4,
                     issued_on=date(2025, 2, 28))
    exported = export_csv(db_session)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert list(rows[0]) == list(COLUMNS) and len(rows) == 3
    before = [(c.id, c.decision_number, c.stars, c.score, c.level, c.issuer, c.issued_on,
               c.valid_until, c.revoked_on, c.product_id) for c in
              db_session.scalars(select(Certificate).order_by(Certificate.id))]
    outcome = import_csv_text(db_session, exported)
    assert outcome.errors == [] and outcome.imported == 0 and outcome.updated == 3
    assert outcome.producers_created == 0 and outcome.products_created == 0
    db_session.expire_all()
    after = [(c.id, c.decision_number, c.stars, c.score, c.level, c.issuer, c.issued_on,
              c.valid_until, c.revoked_on, c.product_id) for c in
             db_session.scalars(select(Certificate).order_by(Certificate.id))]
    assert after == before
    assert export_csv(db_session) == exported
    only = list(csv.DictReader(io.StringIO(export_csv(db_session, province_code=91))))
    assert {r["tax_code"] for r in only} == {"1700123456"}


def test_the_export_endpoints(client, officer, admin_headers):
    make_certificate(make_product(certified=False, name='=cmd|"/c calc"!A1'), issued_on=date(2025, 1, 2))
    api = client.get("/api/v1/admin/certificates/export", headers=admin_headers)
    assert api.status_code == 200 and api.mimetype == "text/csv"
    assert api.get_data(as_text=True).splitlines()[0] == ",".join(COLUMNS)
    assert "'=cmd" in api.get_data(as_text=True)
    sign_in(client, officer)
    page = client.get("/admin/certificates/export?province=92")
    assert page.status_code == 200 and "attachment" in page.headers["Content-Disposition"]


def test_an_import_that_changes_a_recorded_decision_records_a_correction(db_session):
    make_certificate(make_product(make_producer(tax_code="1700999999"), certified=False,
                                  name="Mắm cá linh"), stars=4, issued_on=date(2025, 2, 28))
    exported = export_csv(db_session)
    changed = exported.replace(",4,80,", ",4,82,")
    assert changed != exported
    outcome = import_csv_text(db_session, changed)
    assert outcome.errors == [] and outcome.updated == 1
    [correction] = db_session.scalars(select(CertificateCorrection)).all()
    assert correction.before == {"score": 80} and correction.after == {"score": 82}
    assert correction.reason == "certificate list import, line 2"
