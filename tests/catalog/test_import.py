"""`certificates import FILE.csv` (CONTRACT §2, §5): all or nothing, every bad line named."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog import importer
from catalog.models import Certificate, Producer, Product
from tests.factories import make_certificate, make_producer, make_product

FIXTURE = Path(__file__).parent / "fixtures" / "decision_2150_ninh_binh.csv"
HEADER = ",".join(importer.COLUMNS)
ROWS_IN_FIXTURE = 24


def row(**changes) -> str:
    values = {
        "decision_number": "1520/QĐ-UBND", "issued_on": "2026-10-05", "issuer": "UBND tỉnh Lào Cai",
        "level": "province", "product": "Trà hoa vàng Bảo Thắng",
        "producer": "Hợp tác xã Nông sản Bảo Thắng", "producer_kind": "cooperative",
        "tax_code": "5300999001", "province_code": "15", "ward_code": "2905", "group": "beverage",
        "stars": "4", "score": "78", "valid_until": "",
    }
    values.update(changes)
    return ",".join(values[c] for c in importer.COLUMNS)


def csv_text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.fixture
def write_csv(tmp_path):
    def _write(content: str | bytes, name: str = "decisions.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path
    return _write


@pytest.fixture
def run_import(app, db_session):
    def _run(path: Path, *extra: str):
        return app.test_cli_runner().invoke(args=["certificates", "import", str(path), *extra])
    return _run


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def counts(session) -> tuple[int, int, int]:
    return count(session, Producer), count(session, Product), count(session, Certificate)


# --- Through the command line -------------------------------------------------------------

def test_a_good_decision_list_imports_producers_products_and_certificates(db_session, run_import):
    before = counts(db_session)
    result = run_import(FIXTURE)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"imported {ROWS_IN_FIXTURE}, updated 0"
    producers, products, certificates = counts(db_session)
    assert certificates - before[2] == ROWS_IN_FIXTURE
    assert products - before[1] == ROWS_IN_FIXTURE
    assert producers - before[0] == 21  # Nho Quan, Cúc Phương and Tam Điệp have two products
    tea = db_session.scalars(select(Product).where(Product.name == "Trà giảo cổ lam Cúc Phương")).one()
    assert tea.producer.tax_code == "2701234503" and tea.producer.kind == "cooperative"
    assert tea.producer.province_code == 37 and tea.producer.ward_code == 14404
    assert tea.group == "herbal"
    assert tea.published is False and tea.price_vnd is None  # waits for its seller to price it
    cert = tea.certificates[0]
    assert (cert.decision_number, cert.stars, cert.score, cert.level, cert.issuer) == \
        ("2150/QĐ-UBND", 4, 81, "province", "UBND tỉnh Ninh Bình")
    assert cert.issued_on == date(2026, 10, 15)
    assert cert.valid_until == date(2029, 10, 14)  # default term: 36 months − 1 day
    eel = db_session.scalars(select(Product).where(Product.name == "Miến lươn Tràng An")).one()
    assert eel.certificates[0].valid_until == date(2029, 12, 31)  # explicit date wins


def test_reimporting_the_same_file_updates_instead_of_duplicating(db_session, run_import):
    assert run_import(FIXTURE).exit_code == 0
    after_first = counts(db_session)
    result = run_import(FIXTURE)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"imported 0, updated {ROWS_IN_FIXTURE}"
    assert counts(db_session) == after_first


def test_one_typo_in_a_tax_code_refuses_the_whole_file_and_names_line_17(
        db_session, run_import, write_csv):
    """Ông Minh's journey: the council's list has a typo on line 17; nothing is written."""
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    assert "0601234514" in lines[16]
    lines[16] = lines[16].replace("0601234514", "060123451")
    before = counts(db_session)

    result = run_import(write_csv("\n".join(lines) + "\n"))

    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert len(errors) == 1
    assert errors[0].startswith("line 17: ") and "060123451" in errors[0]
    assert "nothing imported" in result.stderr
    assert "imported" not in result.stdout
    assert counts(db_session) == before
    assert db_session.scalar(select(Producer).where(Producer.tax_code == "2701234501")) is None

    lines[16] = lines[16].replace("060123451", "0601234514")  # he fixes it and imports again
    fixed = run_import(write_csv("\n".join(lines) + "\n", "fixed.csv"))
    assert fixed.exit_code == 0, fixed.output
    assert fixed.stdout.strip() == f"imported {ROWS_IN_FIXTURE}, updated 0"


def test_every_bad_line_is_reported_in_file_order(db_session, run_import, write_csv):
    content = csv_text(
        row(),
        row(product="Miến dong Bảo Thắng", group="fod"),
        row(product="Mật ong Bảo Thắng", group="food"),
        row(product="Chè Bảo Thắng", stars="4", score="65"),
    )
    result = run_import(write_csv(content))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert [e.split(":")[0] for e in errors] == ["line 3", "line 5"]
    assert "unknown group 'fod'" in errors[0]
    assert "score of 70–89, not 65" in errors[1]
    assert db_session.scalar(select(Producer).where(Producer.tax_code == "5300999001")) is None


def test_a_file_with_a_bom_and_crlf_line_ends_imports(db_session, run_import, write_csv):
    content = ("\ufeff" + csv_text(row(), row(product="Miến dong Bảo Thắng", group="food"))
               ).replace("\n", "\r\n")
    result = run_import(write_csv(content.encode("utf-8")))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "imported 2, updated 0"


def test_dry_run_validates_and_writes_nothing(db_session, run_import):
    before = counts(db_session)
    result = run_import(FIXTURE, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"would import {ROWS_IN_FIXTURE}, update 0" in result.stdout
    assert counts(db_session) == before


def test_a_file_that_is_not_utf8_is_refused(db_session, run_import, write_csv):
    legacy = csv_text(row()).encode("cp1258", errors="replace")  # saved as Windows Vietnamese
    result = run_import(write_csv(legacy))
    assert result.exit_code == 1
    assert "line 2: the file is not UTF-8" in result.stderr


# --- Every rule, at the service level -----------------------------------------------------

@pytest.mark.parametrize(("changes", "reason"), [
    ({"group": "souvenir"}, "unknown group 'souvenir'"),
    ({"stars": "4", "score": "65"}, "A 4★ certificate needs a score of 70–89, not 65"),
    ({"stars": "2", "score": "40"}, "Only 3★, 4★ and 5★"),
    ({"stars": "four"}, "stars 'four' is not a whole number"),
    ({"issued_on": "2026-02-30"}, "issued_on '2026-02-30' is not a date (YYYY-MM-DD)"),
    ({"issued_on": "05/10/2026"}, "issued_on '05/10/2026' is not a date (YYYY-MM-DD)"),
    ({"valid_until": "20291004"}, "valid_until '20291004' is not a date"),
    ({"valid_until": "2026-10-04"}, "valid_until cannot precede issued_on"),
    ({"level": "ministry"}, "Unknown level 'ministry'"),
    ({"producer_kind": "company"}, "unknown producer_kind 'company'"),
    ({"tax_code": "53009990"}, "Invalid tax code '53009990'"),
    ({"province_code": "27"}, "Unknown province code 27"),
    ({"ward_code": "31135"}, "Ward 31135 is not in province 15"),
    ({"ward_code": "99999"}, "Unknown ward code 99999"),
    ({"product": ""}, "product is empty"),
    ({"decision_number": ""}, "decision_number is empty"),
])
def test_a_bad_value_is_reported_with_its_line_and_reason(db_session, changes, reason):
    outcome = importer.import_csv_text(db_session, csv_text(row(product="Miến dong"), row(**changes)))
    assert outcome.errors and len(outcome.errors) == 1
    assert outcome.errors[0].startswith("line 3: ")
    assert reason in outcome.errors[0]
    assert outcome.imported == 0
    assert db_session.scalar(select(Producer).where(Producer.tax_code == "5300999001")) is None


def test_several_problems_of_one_line_are_reported_together(db_session):
    outcome = importer.import_csv_text(
        db_session, csv_text(row(group="x", tax_code="1", issued_on="yesterday")))
    assert len(outcome.errors) == 1
    message = outcome.errors[0]
    assert message.startswith("line 2: ")
    for part in ("unknown group 'x'", "Invalid tax code '1'", "issued_on 'yesterday'"):
        assert part in message


@pytest.mark.parametrize(("content", "reason"), [
    ("", "the file is empty"),
    ("   \n\n", "the file is empty"),
    (HEADER + "\n", "the file has a header but no decisions"),
    (row() + "\n", "the header row is missing or wrong"),
    (HEADER.replace("score,", "points,") + "\n" + row() + "\n", "missing column(s) score"),
    (HEADER + ",notes\n" + row() + ",x\n", "unknown column(s) 'notes'"),
])
def test_a_missing_or_wrong_header_or_an_empty_file_is_one_clear_error(db_session, content, reason):
    outcome = importer.import_csv_text(db_session, content)
    assert len(outcome.errors) == 1
    assert reason in outcome.errors[0]


def test_header_columns_may_come_in_any_order_and_case(db_session):
    columns = list(reversed(importer.COLUMNS))
    values = dict(zip(importer.COLUMNS, row().split(","), strict=True))
    content = ",".join(c.upper() for c in columns) + "\n" + ",".join(values[c] for c in columns)
    outcome = importer.import_csv_text(db_session, content)
    assert outcome.ok and outcome.imported == 1


def test_a_line_with_the_wrong_number_of_fields_is_reported(db_session):
    outcome = importer.import_csv_text(db_session, csv_text(row(), row() + ",extra"))
    assert outcome.errors == ["line 3: expected 14 fields, found 15"]


def test_blank_lines_are_skipped_and_line_numbers_stay_physical(db_session):
    outcome = importer.import_csv_text(db_session, csv_text(row(), "", row(group="nope")))
    assert outcome.errors[0].startswith("line 4: ")


def test_same_tax_code_with_another_producer_name_in_the_file_is_refused(db_session):
    outcome = importer.import_csv_text(db_session, csv_text(
        row(), row(product="Miến dong", group="food", producer="Công ty Bảo Thắng Xanh")))
    assert len(outcome.errors) == 1
    assert outcome.errors[0].startswith("line 3: tax code 5300999001 is given to")
    assert "on line 2" in outcome.errors[0]


def test_same_tax_code_with_another_kind_in_the_file_is_refused(db_session):
    outcome = importer.import_csv_text(db_session, csv_text(
        row(), row(product="Miến dong", group="food", producer_kind="enterprise")))
    assert outcome.errors and outcome.errors[0].startswith("line 3: tax code 5300999001")


def test_same_producer_name_with_another_tax_code_in_the_file_is_refused(db_session):
    outcome = importer.import_csv_text(db_session, csv_text(
        row(), row(product="Miến dong", group="food", tax_code="5300999010")))
    assert outcome.errors == [
        "line 3: producer 'Hợp tác xã Nông sản Bảo Thắng' has tax code 5300999010 here but "
        "5300999001 on line 2"]


def test_a_tax_code_registered_to_another_producer_is_refused(db_session):
    make_producer(tax_code="5300999001", name="Hợp tác xã Chè Bảo Thắng", province_code=15,
                  ward_code=2905)
    outcome = importer.import_csv_text(db_session, csv_text(row()))
    assert len(outcome.errors) == 1
    assert "tax code 5300999001 belongs to 'Hợp tác xã Chè Bảo Thắng'" in outcome.errors[0]


def test_a_registered_producer_under_a_mistyped_tax_code_is_refused(db_session):
    make_producer(tax_code="5300999001", name="Hợp tác xã Nông sản Bảo Thắng", province_code=15,
                  ward_code=2905)
    outcome = importer.import_csv_text(db_session, csv_text(row(tax_code="5300999100")))
    assert outcome.errors == [
        "line 2: producer 'Hợp tác xã Nông sản Bảo Thắng' is registered with tax code "
        "5300999001, not 5300999100"]


def test_duplicate_rows_inside_the_file_are_refused(db_session):
    outcome = importer.import_csv_text(db_session, csv_text(row(), row(), row(decision_number="9/QĐ")))
    assert outcome.errors == [
        "line 3: duplicate of line 2 (same tax code, product and decision 1520/QĐ-UBND)"]


def test_a_product_listed_in_two_groups_is_refused(db_session):
    outcome = importer.import_csv_text(db_session, csv_text(
        row(), row(decision_number="2/QĐ-UBND", group="food")))
    assert outcome.errors == [
        "line 3: product 'Trà hoa vàng Bảo Thắng' is in group food here but in group beverage "
        "on line 2"]


def test_existing_producer_and_product_are_matched_by_tax_code_and_name(db_session):
    producer = make_producer(tax_code="5300999001", name="Hợp tác xã Nông sản Bảo Thắng",
                             province_code=15, ward_code=2905, kind="cooperative")
    product = make_product(producer, certified=False, name="Trà hoa vàng Bảo Thắng",
                           group="beverage", price_vnd=150_000)
    old = make_certificate(product, stars=3, issued_on=date(2023, 5, 2),
                           decision_number="1520/QĐ-UBND", level="district", score=60)
    before = counts(db_session)
    # Decomposed Unicode (as some spreadsheets save) and other case still match.
    nfd = unicodedata.normalize("NFD", "TRÀ HOA VÀNG BẢO THẮNG")
    outcome = importer.import_csv_text(db_session, csv_text(row(product=nfd)))
    assert outcome.ok, outcome.errors
    assert (outcome.imported, outcome.updated) == (0, 1)
    assert counts(db_session) == before
    db_session.refresh(old)
    assert (old.stars, old.score, old.level, old.issued_on) == (4, 78, "province", date(2026, 10, 5))
    assert product.price_vnd == 150_000 and product.published  # the seller's data is untouched


def test_a_new_decision_for_a_known_product_adds_a_certificate(db_session):
    producer = make_producer(tax_code="5300999001", name="Hợp tác xã Nông sản Bảo Thắng",
                             province_code=15, ward_code=2905)
    product = make_product(producer, name="Trà hoa vàng Bảo Thắng", group="beverage")
    outcome = importer.import_csv_text(db_session, csv_text(row()))
    assert (outcome.imported, outcome.updated, outcome.products_created) == (1, 0, 0)
    db_session.refresh(product, ["certificates"])
    assert len(product.certificates) == 2


def test_an_existing_product_in_another_group_is_refused(db_session):
    producer = make_producer(tax_code="5300999001", name="Hợp tác xã Nông sản Bảo Thắng",
                             province_code=15, ward_code=2905)
    make_product(producer, name="Trà hoa vàng Bảo Thắng", group="herbal")
    outcome = importer.import_csv_text(db_session, csv_text(row()))
    assert outcome.errors and "is in group herbal, not beverage" in outcome.errors[0]


def test_errors_leave_the_database_untouched_even_for_the_good_rows(db_session):
    before = counts(db_session)
    outcome = importer.import_csv_text(db_session, csv_text(
        row(), row(product="Miến dong", group="food"), row(product="X", score="10")))
    assert not outcome.ok
    assert counts(db_session) == before


def test_a_decision_revoked_before_its_new_issue_date_cannot_be_rewritten(db_session):
    producer = make_producer(tax_code="5300999001", name="Hợp tác xã Nông sản Bảo Thắng",
                             province_code=15, ward_code=2905)
    product = make_product(producer, certified=False, name="Trà hoa vàng Bảo Thắng",
                           group="beverage")
    make_certificate(product, issued_on=date(2024, 1, 10), revoked_on=date(2025, 3, 1),
                     decision_number="1520/QĐ-UBND")
    outcome = importer.import_csv_text(db_session, csv_text(row()))
    assert outcome.errors and "was revoked on 2025-03-01" in outcome.errors[0]
