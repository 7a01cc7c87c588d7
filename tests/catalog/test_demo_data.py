"""The demo catalogue's data files (catalog/demo_data/): certificates.csv is the certificate
list of CONTRACT §5 once its relative dates are resolved, read by the same importer as
`certificates import`, with its line numbers; seeding again, even another day, changes nothing."""

from __future__ import annotations

import shutil
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.clock import LOCAL_TZ
from app.demo import DemoDataError
from catalog import demo, importer
from catalog.gate import listability
from catalog.models import Certificate, Producer, Product

SEED_DAY = date(2026, 11, 23)


def _at(day: date):
    return time_machine.travel(datetime.combine(day, time(12), tzinfo=LOCAL_TZ), tick=False)


def _lines() -> list[str]:
    return demo.CERTIFICATES_CSV.read_text(encoding="utf-8").splitlines()


def _line_of(product: str, decision: str) -> int:
    """The 1-based line of a decision in certificates.csv."""
    return next(n for n, text in enumerate(_lines(), start=1)
                if text.startswith(f"{decision},") and f",{product}," in text)


def _copy_with(tmp_path, edit) -> object:
    lines = _lines()
    edit(lines)
    path = tmp_path / "certificates.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _counts(session) -> tuple[int, ...]:
    return tuple(session.scalar(select(func.count()).select_from(m))
                 for m in (Producer, Product, Certificate))


def test_the_demo_file_resolves_to_a_contract_certificate_list_with_the_same_line_numbers():
    text, new_rows = demo.certificate_list(demo.CERTIFICATES_CSV.read_text(encoding="utf-8"),
                                           SEED_DAY)
    assert text.splitlines()[0] == ",".join(importer.COLUMNS)  # demo-only columns dropped
    rows, errors = importer.parse_csv(text)
    assert errors == []
    assert len(rows) == len(new_rows) == len(_lines()) - 1
    tea = next(r for r in rows if r.decision_number == "98/QĐ-UBND")
    assert tea.line == _line_of("Chè Shan tuyết Tả Củ Tỷ", "98/QĐ-UBND")
    assert tea.valid_until == SEED_DAY + timedelta(days=52)
    assert (tea.level, tea.issuer) == ("province", "UBND tỉnh Lào Cai")
    sim = next(r for r in new_rows if r["product"] == "Rượu sim rừng ngâm mật ong")
    assert sim["revoked_on"] == "-1d" and sim["revoke_reason"]


def test_relative_dates_and_the_default_term():
    assert demo.resolve_day("-400d", SEED_DAY) == SEED_DAY - timedelta(days=400)
    assert demo.resolve_day("+0d", SEED_DAY) == SEED_DAY
    assert demo.resolve_day("2024-02-29", SEED_DAY) == date(2024, 2, 29)
    # `end-36m`: the default term read backwards, so the certificate ends on that day.
    assert demo.resolve_dates("end-36m", "+52d", date(2026, 1, 7)) == (date(2023, 3, 1),
                                                                       date(2026, 2, 28))
    assert demo.resolve_dates("-10d", "", SEED_DAY) == (SEED_DAY - timedelta(days=10), None)
    with pytest.raises(DemoDataError, match="needs a valid_until"):
        demo.resolve_dates("end-36m", "", SEED_DAY)
    with pytest.raises(DemoDataError, match="neither a day offset"):
        demo.resolve_day("-4x0d", SEED_DAY)


@pytest.mark.parametrize(("product", "decision", "edit", "reason"), [
    ("Rượu ngô Bắc Hà", "2381/QĐ-UBND", (",4,81,", ",4,65,"), "needs a score of 70–89, not 65"),
    ("Tiêu đen Phú Quốc", "2245/QĐ-UBND", (",1700145678,", ",170014567,"), "Invalid tax code"),
    ("Gạo nếp Tú Lệ", "582/QĐ-UBND", (",-980d,", ",-98Od,"), "issued_on '-98Od' is not a date"),
])
def test_a_broken_line_in_a_copy_of_the_demo_file_is_refused_with_its_line_number(
        db_session, tmp_path, product, decision, edit, reason):
    line = _line_of(product, decision)

    def broken(lines):
        assert edit[0] in lines[line - 1]
        lines[line - 1] = lines[line - 1].replace(*edit)

    before = _counts(db_session)
    with pytest.raises(DemoDataError) as refused:
        demo.import_certificates(db_session, _copy_with(tmp_path, broken), on=SEED_DAY)
    message = str(refused.value)
    assert "refused by the certificate importer" in message
    assert f"line {line}: " in message and reason in message
    assert message.count("line ") == 1  # only the broken line
    assert _counts(db_session) == before  # all or nothing: not one producer written


@pytest.fixture
def seeded(db_session):
    with _at(SEED_DAY):
        demo.seed(db_session)
        db_session.flush()
    return db_session


def test_seeding_again_another_day_changes_nothing(seeded):
    before = _counts(seeded)
    dates = set(seeded.execute(select(Certificate.id, Certificate.issued_on,
                                      Certificate.valid_until, Certificate.revoked_on)))
    with _at(SEED_DAY + timedelta(days=40)):
        demo.seed(seeded)
        assert demo.import_certificates(seeded) == []
    seeded.flush()
    assert _counts(seeded) == before
    assert set(seeded.execute(select(Certificate.id, Certificate.issued_on,
                                     Certificate.valid_until, Certificate.revoked_on))) == dates


def test_a_decision_added_to_the_file_is_imported_next_time_and_keeps_its_line(seeded, tmp_path):
    last = len(_lines())
    bac_ha = "Hợp tác xã Nông nghiệp Bắc Hà,cooperative,5300812345,15,2839,food"
    added = [f"77/QĐ-UBND,-5d,,,Mận tam hoa sấy dẻo,{bac_ha},3,62,,-2d,Nhãn sai quy định.,",
             f"78/QĐ-UBND,-5d,,,Mận tam hoa sấy dẻo,{bac_ha},3,49,,,,"]
    with pytest.raises(DemoDataError, match=rf"line {last + 2}: A 3★ certificate needs"):
        demo.import_certificates(seeded, _copy_with(tmp_path, lambda lines: lines.extend(added)),
                                 on=SEED_DAY)

    path = _copy_with(tmp_path, lambda lines: lines.append(added[0]))
    (cert,) = demo.import_certificates(seeded, path, on=SEED_DAY)
    assert (cert.decision_number, cert.product.name) == ("77/QĐ-UBND", "Mận tam hoa sấy dẻo")
    assert cert.issued_on == SEED_DAY - timedelta(days=5)
    assert (cert.level, cert.issuer) == ("province", "UBND tỉnh Lào Cai")
    assert cert.revoked_on == SEED_DAY - timedelta(days=2)
    assert cert.revoke_reason == "Nhãn sai quy định."
    # Revoked, its product still sells on its older decision 845/QĐ-UBND.
    assert listability(cert.product, SEED_DAY).certificate.decision_number == "845/QĐ-UBND"
    assert demo.import_certificates(seeded, path, on=SEED_DAY) == []


def test_products_are_priced_and_stocked_from_the_file(seeded):
    specs = {spec.name: spec for spec in demo.PRODUCTS}
    for product in seeded.scalars(select(Product)):
        spec = specs[product.name]
        assert (product.price_vnd, product.published, product.unit) == \
            (spec.price_vnd, spec.published, spec.unit)
        assert product.photos[0].path == spec.photo
        assert (spec.stock is None) == (product.group == "tourism")


def test_a_copied_demo_directory_with_a_broken_producer_names_file_and_line(tmp_path):
    path = tmp_path / "producers.csv"
    shutil.copy(demo.PRODUCERS_CSV, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",15,", ",fifteen,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DemoDataError, match=r"producers.csv line 4: .*fifteen"):
        demo.read_producers(path)


def test_a_revocation_before_the_decision_or_a_short_line_is_refused_with_its_line(
        seeded, tmp_path):
    last = len(_lines())
    bac_ha = "Hợp tác xã Nông nghiệp Bắc Hà,cooperative,5300812345,15,2839,food"
    early = f"79/QĐ-UBND,-5d,,,Mận tam hoa sấy dẻo,{bac_ha},3,62,,-9d,Sai nhãn.,"
    with pytest.raises(DemoDataError, match=rf"line {last + 1}: revoked_on: revoked_on cannot "
                                            "precede the certificate's issued_on"):
        demo.import_certificates(seeded, _copy_with(tmp_path, lambda lines: lines.append(early)),
                                 on=SEED_DAY)
    short = early.rsplit(",", 1)[0]
    with pytest.raises(DemoDataError, match=rf"certificates.csv line {last + 1}: not as many"):
        demo.import_certificates(seeded, _copy_with(tmp_path, lambda lines: lines.append(short)),
                                 on=SEED_DAY)
