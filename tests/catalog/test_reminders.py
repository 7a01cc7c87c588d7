"""`certificates remind [--days 60]`: one e-mail per producer, before its certificates end."""

from __future__ import annotations

import email
import email.policy
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from catalog import reminders
from tests.factories import make_certificate, make_producer, make_product, make_user

D = date(2026, 11, 23)


@pytest.fixture
def frozen(freeze):
    freeze(D)
    return D


@pytest.fixture
def tea_cooperative(db_session):
    producer = make_producer(name="Hợp tác xã Chè Tả Củ Tỷ", tax_code="5300700001",
                             province_code=15, ward_code=2842, email="htx.tacuty@example.vn")
    make_user("producer", producer=producer)
    return producer


def certified(producer, name: str, *, ends_in: int, stars: int = 4, **cert) -> tuple:
    product = make_product(producer, certified=False, name=name, name_en=f"{name} (en)")
    cert = make_certificate(product, stars=stars, issued_on=D - timedelta(days=400),
                            valid_until=D + timedelta(days=ends_in), **cert)
    return product, cert


def read_outbox(outbox: Path) -> list[EmailMessage]:
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(outbox.glob("*.eml"))]


def body(message: EmailMessage) -> str:
    return message.get_content()


def subject(message: EmailMessage) -> str:
    return str(message["Subject"])


def mails_to(outbox: Path, address: str) -> list[EmailMessage]:
    return [m for m in read_outbox(outbox) if address in m["To"]]


def remind(app, *args: str):
    return app.test_cli_runner().invoke(args=["certificates", "remind", *args])


def test_a_certificate_ending_in_52_days_is_reminded(app, db_session, frozen, outbox,
                                                     tea_cooperative):
    certified(tea_cooperative, "Chè Shan tuyết Tả Củ Tỷ", ends_in=52,
              decision_number="98/QĐ-UBND")
    result = remind(app)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "sent 1 reminders for 1 certificates"
    [message] = mails_to(outbox, "htx.tacuty@example.vn")
    text = body(message)
    assert "Chè Shan tuyết Tả Củ Tỷ" in text
    assert "98/QĐ-UBND" in text
    assert "14/01/2027" in text  # D + 52 days, as Vietnamese dates are written
    assert "còn 52 ngày" in text and "52 days left" in text
    assert "đăng ký đánh giá, phân hạng lại" in text  # what to do, in Vietnamese…
    assert "register each product for re-evaluation" in text  # …and in English
    assert "Văn phòng Điều phối Chương trình OCOP tỉnh Lào Cai" in text
    assert "OCOP" in subject(message) and "Hợp tác xã Chè Tả Củ Tỷ" in subject(message)


def test_the_producer_users_receive_the_same_single_email(app, db_session, frozen, outbox,
                                                          tea_cooperative):
    second = make_user("producer", producer=tea_cooperative)
    other_producer_user = make_user("producer", producer=make_producer())
    certified(tea_cooperative, "Chè Shan tuyết", ends_in=10)
    certified(tea_cooperative, "Trà túi lọc Shan tuyết", ends_in=45, stars=3)
    assert remind(app).exit_code == 0
    [message] = mails_to(outbox, "htx.tacuty@example.vn")
    addresses = reminders.recipients(db_session, tea_cooperative)
    assert len(addresses) == 3 and addresses[0] == "htx.tacuty@example.vn"
    assert second.email in addresses and other_producer_user.email not in addresses
    assert message["To"] == ", ".join(addresses)
    text = body(message)
    assert "Chè Shan tuyết:" in text and "Trà túi lọc Shan tuyết:" in text
    assert text.index("Chè Shan tuyết:") < text.index("Trà túi lọc Shan tuyết:")  # soonest first


def test_61_days_is_outside_the_default_window_but_inside_90(app, db_session, frozen, outbox,
                                                             tea_cooperative):
    certified(tea_cooperative, "Mận tam hoa sấy", ends_in=61)
    result = remind(app)
    assert result.exit_code == 0
    assert mails_to(outbox, "htx.tacuty@example.vn") == []
    result = remind(app, "--days", "90")
    assert result.exit_code == 0
    [message] = mails_to(outbox, "htx.tacuty@example.vn")
    assert "Mận tam hoa sấy" in body(message) and "còn 61 ngày" in body(message)


def test_the_window_includes_its_last_day_and_today(db_session, frozen, tea_cooperative):
    certified(tea_cooperative, "Ends today", ends_in=0)
    certified(tea_cooperative, "Ends on day 60", ends_in=60)
    certified(tea_cooperative, "Ends on day 61", ends_in=61)
    due = {d.product.name: d.days_left for d in reminders.due_certificates(
        db_session, within_days=60, on=D) if d.product.producer_id == tea_cooperative.id}
    assert due == {"Ends today": 0, "Ends on day 60": 60}


def test_a_revoked_certificate_is_not_reminded(app, db_session, frozen, outbox, tea_cooperative):
    certified(tea_cooperative, "Mật ong rừng", ends_in=30, revoked_on=D - timedelta(days=3))
    assert remind(app).exit_code == 0
    assert mails_to(outbox, "htx.tacuty@example.vn") == []


def test_a_product_already_recertified_is_not_reminded(app, db_session, frozen, outbox,
                                                       tea_cooperative):
    product, _old = certified(tea_cooperative, "Rượu ngô Bắc Hà", ends_in=30)
    make_certificate(product, stars=4, issued_on=D - timedelta(days=20))  # the new decision
    assert remind(app).exit_code == 0
    assert mails_to(outbox, "htx.tacuty@example.vn") == []


def test_a_decision_recorded_ahead_of_its_start_counts_as_recertified(db_session, frozen,
                                                                      tea_cooperative):
    product, old = certified(tea_cooperative, "Cốm Tú Lệ", ends_in=30)
    make_certificate(product, stars=4, issued_on=D + timedelta(days=31))  # starts after the old
    due = reminders.due_certificates(db_session, within_days=60, on=D)
    assert old.id not in {d.certificate.id for d in due}


def test_an_upgrade_that_is_itself_revoked_does_not_hide_the_old_certificate(
        db_session, frozen, tea_cooperative):
    product, old = certified(tea_cooperative, "Quế thanh", ends_in=30, stars=3)
    make_certificate(product, stars=4, issued_on=D - timedelta(days=20),
                     revoked_on=D - timedelta(days=2))
    due = reminders.due_certificates(db_session, within_days=60, on=D)
    assert old.id in {d.certificate.id for d in due}


def test_an_inactive_producer_is_not_reminded(app, db_session, frozen, outbox):
    closed = make_producer(tax_code="2700600001", email="closed@example.vn", active=False)
    certified(closed, "Chè lam", ends_in=20)
    assert remind(app).exit_code == 0
    assert mails_to(outbox, "closed@example.vn") == []


def test_a_producer_without_any_address_is_reported_not_mailed(app, db_session, frozen, outbox):
    household = make_producer(name="Cơ sở Mắm Châu Đốc", tax_code="1600600001", email=None,
                              phone="0296 3866 145")
    certified(household, "Mắm cá linh", ends_in=25)
    result = remind(app)
    assert result.exit_code == 0
    assert "skipped Cơ sở Mắm Châu Đốc (tax code 1600600001): no e-mail address" in result.stderr
    assert "0296 3866 145" in result.stderr
    assert all("Mắm cá linh" not in body(m) for m in read_outbox(outbox))


def test_dry_run_lists_and_sends_nothing(app, db_session, frozen, outbox, tea_cooperative):
    certified(tea_cooperative, "Chè Shan tuyết", ends_in=52)
    result = remind(app, "--dry-run")
    assert result.exit_code == 0
    assert "would remind Hợp tác xã Chè Tả Củ Tỷ" in result.stdout
    assert read_outbox(outbox) == []


def test_negative_days_are_refused(app, db_session):
    result = remind(app, "--days", "-1")
    assert result.exit_code == 2 and "-1" in result.output


def test_the_default_window_comes_from_the_configuration(app, db_session, frozen, outbox,
                                                         tea_cooperative, monkeypatch):
    certified(tea_cooperative, "Chè Shan tuyết", ends_in=52)
    monkeypatch.setitem(app.config, "CERTIFICATE_REMINDER_DAYS", 30)
    with app.app_context():
        report = reminders.send_reminders(db_session, dry_run=True)
    assert tea_cooperative.id not in {r.producer.id for r in report.sent}


def test_a_daily_run_does_not_repeat_itself_but_reminds_again_at_30_and_7_days(
        app, db_session, freeze, outbox, tea_cooperative):
    freeze(D)
    certified(tea_cooperative, "Chè Shan tuyết", ends_in=52)
    assert remind(app).stdout.splitlines()[-1] == "sent 1 reminders for 1 certificates"
    assert remind(app).stdout.splitlines()[-1] == "sent 0 reminders for 0 certificates"
    freeze(D + timedelta(days=10))  # 42 days left: same stage
    assert remind(app).stdout.splitlines()[-1] == "sent 0 reminders for 0 certificates"
    freeze(D + timedelta(days=22))  # 30 days left: the legal minimum notice
    assert remind(app).stdout.splitlines()[-1] == "sent 1 reminders for 1 certificates"
    freeze(D + timedelta(days=45))  # 7 days left
    assert remind(app).stdout.splitlines()[-1] == "sent 1 reminders for 1 certificates"
    assert remind(app, "--again").stdout.splitlines()[-1] == "sent 1 reminders for 1 certificates"
    assert len(mails_to(outbox, "htx.tacuty@example.vn")) == 4


def test_a_dry_run_records_nothing(app, db_session, frozen, outbox, tea_cooperative):
    certified(tea_cooperative, "Chè Shan tuyết", ends_in=52)
    assert "would send 1 reminders" in remind(app, "--dry-run").stdout
    assert remind(app).stdout.splitlines()[-1] == "sent 1 reminders for 1 certificates"
