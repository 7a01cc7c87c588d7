"""Reminding producers that their OCOP certificates end soon (DOMAIN §3, CONTRACT §2).

Producers must be told at least 30 days before `valid_until`; the default here is 60 days
(`CERTIFICATE_REMINDER_DAYS`), to leave time to register for re-evaluation. A certificate is
due when it is its product's current certificate today (so not revoked, not replaced by a
newer valid one) and ends within the window, and no newer certificate already takes over
after it (a decision recorded ahead of its start date counts). Each producer gets ONE e-mail,
in Vietnamese with an English part, at its own address and its producer users' addresses.
Inactive producers (deactivated by the office) are not reminded.

Used by `flask --app wsgi certificates remind [--days 60]` and the office's expiry board.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased, joinedload

from app.clock import today
from app.mail import send_mail
from catalog.gate import current_certificates
from catalog.models import Certificate, CertificateReminder, Producer, Product


@dataclass(frozen=True)
class DueCertificate:
    certificate: Certificate
    days_left: int

    @property
    def product(self) -> Product:
        return self.certificate.product


@dataclass
class Reminder:
    """One producer's e-mail: its certificates ending soon and where it goes."""

    producer: Producer
    due: list[DueCertificate]
    recipients: list[str] = field(default_factory=list)


@dataclass
class ReminderReport:
    sent: list[Reminder] = field(default_factory=list)
    # Producers with no e-mail address at all: the office must phone them.
    unreachable: list[Reminder] = field(default_factory=list)

    @property
    def certificates(self) -> int:
        return sum(len(r.due) for r in self.sent)

    def summary(self) -> str:
        return f"sent {len(self.sent)} reminders for {self.certificates} certificates"


def due_certificates(session: Session, *, within_days: int, on: date | None = None
                     ) -> list[DueCertificate]:
    """Current certificates of active producers' products ending within `within_days` of D
    (D itself included), with no newer certificate already lined up after them."""
    on = on or today()
    current = current_certificates(on)
    successor = aliased(Certificate)
    replaced = exists().where(
        successor.product_id == Certificate.product_id,
        successor.id != Certificate.id,
        successor.revoked_on.is_(None),
        successor.issued_on > Certificate.issued_on,
        successor.valid_until > Certificate.valid_until,
    )
    certificates = session.scalars(
        select(Certificate)
        .join(current, current.c.certificate_id == Certificate.id)
        .join(Product, Product.id == Certificate.product_id)
        .join(Producer, Producer.id == Product.producer_id)
        .where(Certificate.valid_until <= on + timedelta(days=within_days),
               Producer.active.is_(True), ~replaced)
        .options(joinedload(Certificate.product).joinedload(Product.producer))
        .order_by(Certificate.valid_until, Certificate.id)
    ).all()
    return [DueCertificate(c, (c.valid_until - on).days) for c in certificates]


def recipients(session: Session, producer: Producer) -> list[str]:
    """The producer's own address, then its active producer users' (no duplicates)."""
    from app.accounts.models import User

    addresses = [producer.email] if producer.email else []
    addresses += session.scalars(
        select(User.email).where(User.producer_id == producer.id, User.role == "producer",
                                 User.active.is_(True)).order_by(User.id))
    seen: dict[str, None] = {}
    for address in addresses:
        seen.setdefault(address.strip().lower(), None)
    return list(seen)


def plan_reminders(session: Session, *, within_days: int, on: date | None = None
                   ) -> list[Reminder]:
    """One reminder per producer with certificates due, in order of the earliest end."""
    by_producer: dict[int, list[DueCertificate]] = defaultdict(list)
    for due in due_certificates(session, within_days=within_days, on=on):
        by_producer[due.product.producer_id].append(due)
    plans = []
    for items in by_producer.values():
        producer = items[0].product.producer
        plans.append(Reminder(producer, items, recipients(session, producer)))
    return plans


def _province_vi(name: str) -> str:
    """'Lào Cai' → 'tỉnh Lào Cai', 'Thành phố Cần Thơ' → 'thành phố Cần Thơ'."""
    return "thành phố " + name[len("Thành phố "):] if name.startswith("Thành phố ") else f"tỉnh {name}"


def _vn(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _days_vi(days: int) -> str:
    return "hết hiệu lực cuối ngày hôm nay" if days == 0 else f"còn {days} ngày"


def _days_en(days: int) -> str:
    if days == 0:
        return "ends at the end of today"
    return f"{days} day{'s' if days != 1 else ''} left"


def compose(reminder: Reminder) -> tuple[str, str]:
    """(subject, plain-text body): Vietnamese first, then English."""
    producer, due = reminder.producer, reminder.due
    first_end = min(d.certificate.valid_until for d in due)
    province = producer.province_name
    count_en = (f"{len(due)} of your OCOP product certificates end" if len(due) > 1
                else "one of your OCOP product certificates ends")
    lines_vi = [
        f"- {d.product.name}: Quyết định số {d.certificate.decision_number} "
        f"({d.certificate.issuer}), {d.certificate.stars} sao, hiệu lực đến hết ngày "
        f"{_vn(d.certificate.valid_until)} ({_days_vi(d.days_left)})"
        for d in due
    ]
    lines_en = [
        f"- {d.product.name_en or d.product.name} ({d.product.name}): decision "
        f"{d.certificate.decision_number} ({d.certificate.issuer}), {d.certificate.stars} stars, "
        f"valid until {_vn(d.certificate.valid_until)} ({_days_en(d.days_left)})"
        for d in due
    ]
    subject = (f"Nhắc đánh giá lại OCOP: {len(due)} giấy chứng nhận sắp hết hiệu lực / "
               f"OCOP certificates ending soon — {producer.name}")
    text = "\n".join([
        f"Kính gửi {producer.name},",
        "",
        f"OCOP Market xin nhắc: {len(due)} giấy chứng nhận sản phẩm OCOP của quý đơn vị sắp "
        "hết hiệu lực:",
        "",
        *lines_vi,
        "",
        "Việc cần làm: đăng ký đánh giá, phân hạng lại từng sản phẩm với Văn phòng Điều phối "
        f"Chương trình OCOP {_province_vi(province)} trước ngày hết hiệu lực của giấy chứng nhận (sớm nhất: "
        f"{_vn(first_end)}). Hết ngày đó, sản phẩm sẽ ngừng bán trên OCOP Market (cửa hàng "
        "trực tuyến, điểm bán OCOP và hội chợ) cho đến khi có quyết định công nhận mới; trang "
        "truy xuất nguồn gốc vẫn hiển thị, với trạng thái hết hiệu lực.",
        "",
        "Trân trọng,",
        "OCOP Market",
        "",
        "-- English --",
        "",
        f"Dear {producer.name_en or producer.name},",
        "",
        f"A reminder from OCOP Market: {count_en} soon:",
        "",
        *lines_en,
        "",
        "What to do: register each product for re-evaluation with the OCOP coordination office "
        f"of {province.removeprefix('Thành phố ')} before its certificate ends (the first one: "
        f"{_vn(first_end)}). From the "
        "next day the product is no longer sold on OCOP Market (online shop, OCOP sales points "
        "and fairs) until a new recognition decision is recorded; its trace page still shows "
        "it, as expired.",
        "",
        "Kind regards,",
        "OCOP Market",
    ])
    return subject, text


# A certificate is reminded once per stage, so a daily run does not repeat itself: when it
# enters the window, again 30 days before its end (the legal minimum notice), again 7 days
# before.
STAGE_DAYS = (30, 7)


def stage(days_left: int) -> int:
    return sum(days_left <= limit for limit in STAGE_DAYS)


def _already_told(session: Session, due: list[DueCertificate]) -> set[int]:
    """Ids of the certificates whose last reminder was at their current stage already."""
    ids = [d.certificate.id for d in due]
    if not ids:
        return set()
    last: dict[int, int] = {}
    rows = session.execute(
        select(CertificateReminder.certificate_id, CertificateReminder.days_left)
        .where(CertificateReminder.certificate_id.in_(ids))
        .order_by(CertificateReminder.sent_on)
    )
    for cert_id, days_left in rows:
        last[cert_id] = days_left
    return {d.certificate.id for d in due
            if d.certificate.id in last and stage(last[d.certificate.id]) >= stage(d.days_left)}


def send_reminders(session: Session, *, within_days: int | None = None, on: date | None = None,
                   dry_run: bool = False, again: bool = False) -> ReminderReport:
    """Send one e-mail per producer with certificates due (nothing with `dry_run`). A
    certificate already reminded at its current stage is left out unless `again`."""
    if within_days is None:
        within_days = current_app.config["CERTIFICATE_REMINDER_DAYS"]
    on = on or today()
    report = ReminderReport()
    for reminder in plan_reminders(session, within_days=within_days, on=on):
        if not again:
            told = _already_told(session, reminder.due)
            reminder.due = [d for d in reminder.due if d.certificate.id not in told]
            if not reminder.due:
                continue
        if not reminder.recipients:
            report.unreachable.append(reminder)
            continue
        if not dry_run:
            subject, text = compose(reminder)
            send_mail(reminder.recipients, subject, text)
            for d in reminder.due:
                if session.scalar(select(CertificateReminder.id).where(
                        CertificateReminder.certificate_id == d.certificate.id,
                        CertificateReminder.sent_on == on)) is None:
                    session.add(CertificateReminder(certificate_id=d.certificate.id, sent_on=on,
                                                    days_left=d.days_left))
            session.flush()
        report.sent.append(reminder)
    return report
