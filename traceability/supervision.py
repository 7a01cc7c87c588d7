"""The office's supervision of stamps (issue 12): consumers' counterfeit reports
(new → in_progress → closed, with notes and the officer who handled them), the board of
suspicious stamps (the distinct networks, days and provinces of their scans, first and last
scan: why each was flagged), void stamps that
are still being scanned, and flagging a stamp to its producer. Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Date, cast, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app.clock import now, today
from app.errors import Conflict, InvalidInput, NotFound
from catalog.models import Product
from traceability.models import REPORT_STATUSES, Lot, Report, ReportNote, Scan, Stamp, StampFlag

# Allowed moves of a report (a note alone never changes the status).
TRANSITIONS = {"new": {"in_progress", "closed"}, "in_progress": {"closed"}, "closed": set()}
MAX_NOTE = 4000


def _report_query():
    return select(Report).options(
        joinedload(Report.stamp).joinedload(Stamp.lot).joinedload(Lot.product)
        .joinedload(Product.producer),
        joinedload(Report.officer), selectinload(Report.notes).joinedload(ReportNote.author))


def list_reports(session: Session, *, status: str | None = None, page: int = 1,
                 per_page: int = 50) -> tuple[list[Report], int]:
    """Newest first; open ones (new, in progress) when no status is asked."""
    query = _report_query()
    count = select(func.count(Report.id))
    if status in REPORT_STATUSES:
        query, count = query.where(Report.status == status), count.where(Report.status == status)
    elif status != "all":
        open_ = Report.status != "closed"
        query, count = query.where(open_), count.where(open_)
    total = session.scalar(count) or 0
    rows = session.scalars(query.order_by(Report.created_at.desc(), Report.id.desc())
                           .limit(per_page).offset((page - 1) * per_page)).unique().all()
    return list(rows), total


def status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Report.status, func.count()).group_by(Report.status))
    counts = dict.fromkeys(REPORT_STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts


def get_report(session: Session, report_id: int) -> Report:
    report = session.scalars(_report_query().where(Report.id == report_id)).unique().first()
    if report is None:
        raise NotFound(f"No report {report_id}.", code="unknown_report")
    return report


def update_report(session: Session, report: Report, *, officer, status: str | None = None,
                  note: str | None = None) -> Report:
    """Move a report forward (new → in_progress → closed) and/or add a note. The officer who
    acts becomes the report's officer; closing records when it was handled."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"A note has at most {MAX_NOTE} characters.", code="note_too_long")
    if status is not None and status not in REPORT_STATUSES:
        raise InvalidInput(f"Unknown status {status!r}; use in_progress or closed.",
                           code="invalid_status")
    if status == report.status:
        status = None
    if status is None and not note:
        raise InvalidInput("Change the status or write a note.", code="nothing_to_do")
    if status is not None and status not in TRANSITIONS[report.status]:
        raise Conflict(f"Report {report.id} is {report.status}; it cannot become {status}.",
                       code="invalid_transition")
    if status is not None:
        report.status = status
        if status == "closed":
            report.handled_at = now()
    report.officer_id = officer.id if officer is not None else report.officer_id
    session.add(ReportNote(report=report, author_id=officer.id if officer else None,
                           status=status, body=note))
    session.flush()
    return report


def report_json(report: Report) -> dict:
    stamp = report.stamp
    product = stamp.lot.product if stamp else None
    return {
        "id": report.id, "code": report.code, "status": report.status,
        "message": report.message, "contact": report.contact,
        "created_at": report.created_at.isoformat() if report.created_at else None,
        "handled_at": report.handled_at.isoformat() if report.handled_at else None,
        "officer": report.officer.email if report.officer else None,
        "stamp": ({"code": stamp.code, "void": stamp.is_void, "lot": stamp.lot.lot_number,
                   "lot_id": stamp.lot_id, "scans": stamp.scan_count,
                   "distinct_clients": stamp.distinct_clients} if stamp else None),
        "product": ({"slug": product.slug, "name": product.name,
                     "producer": product.producer.slug} if product else None),
        "notes": [{"at": n.created_at.isoformat() if n.created_at else None,
                   "author": n.author.email if n.author else None, "status": n.status,
                   "body": n.body} for n in report.notes],
    }


# --- Suspicious and void stamps --------------------------------------------------------------

@dataclass
class StampWatch:
    stamp: Stamp
    scans: int
    distinct_clients: int
    provinces: list[int] = field(default_factory=list)
    days: list[date] = field(default_factory=list)
    last_scan_at: datetime | None = None
    first_scan_at: datetime | None = None
    scans_after_void: int = 0
    flag: StampFlag | None = None
    reports: int = 0

    @property
    def product(self):
        return self.stamp.lot.product


def _scan_spread(session: Session, stamp_ids: list[int]) -> dict[int, tuple[list, list]]:
    """stamp id → (distinct provinces, distinct local dates) of its scans."""
    if not stamp_ids:
        return {}
    local_day = cast(Scan.scanned_at + timedelta(hours=7), Date) \
        if session.get_bind().dialect.name == "postgresql" else \
        func.date(Scan.scanned_at, "+7 hours")
    spread: dict[int, tuple[set, set]] = {i: (set(), set()) for i in stamp_ids}
    rows = session.execute(select(Scan.stamp_id, Scan.province_code, local_day)
                           .where(Scan.stamp_id.in_(stamp_ids)).distinct())
    for stamp_id, province, day in rows:
        provinces, days = spread[stamp_id]
        if province is not None:
            provinces.add(province)
        if day is not None:
            days.add(day if isinstance(day, date) else date.fromisoformat(str(day)))
    return {i: (sorted(p), sorted(d)) for i, (p, d) in spread.items()}


def _extras(session: Session, stamp_ids: list[int]):
    flags = {f.stamp_id: f for f in session.scalars(
        select(StampFlag).where(StampFlag.stamp_id.in_(stamp_ids)))} if stamp_ids else {}
    reports = dict(session.execute(select(Report.stamp_id, func.count()).where(
        Report.stamp_id.in_(stamp_ids)).group_by(Report.stamp_id)).all()) if stamp_ids else {}
    return flags, reports


def suspicious_stamps(session: Session, *, threshold: int, limit: int = 200) -> list[StampWatch]:
    """Stamps scanned from more distinct networks (IPv4 /24, IPv6 /48) than the threshold
    (the trace page's `suspicious` rule), most networks first, with why: on how many days,
    in which provinces, first and last scan."""
    stamps = session.scalars(
        select(Stamp).where(Stamp.distinct_clients > threshold, Stamp.voided_at.is_(None))
        .join(Stamp.lot).where(Lot.voided_at.is_(None))
        .options(joinedload(Stamp.lot).joinedload(Lot.product).joinedload(Product.producer))
        .order_by(Stamp.distinct_clients.desc(), Stamp.id).limit(limit)).all()
    ids = [s.id for s in stamps]
    spread = _scan_spread(session, ids)
    flags, reports = _extras(session, ids)
    return [StampWatch(s, s.scan_count, s.distinct_clients, *spread.get(s.id, ([], [])),
                       last_scan_at=s.last_scan_at, first_scan_at=s.first_scan_at,
                       flag=flags.get(s.id),
                       reports=reports.get(s.id, 0)) for s in stamps]


def void_stamps_still_scanned(session: Session, *, within_days: int = 90,
                              limit: int = 200) -> list[StampWatch]:
    """Void stamps (or stamps of a void lot) scanned after they were voided, in the last N
    days: a recalled product still on shelves, or a stolen roll in use."""
    since = now() - timedelta(days=within_days)
    voided_at = func.coalesce(Stamp.voided_at, Lot.voided_at)
    rows = session.execute(
        select(Stamp.id, func.count(Scan.id)).join(Stamp.lot).join(Scan, Scan.stamp_id == Stamp.id)
        .where(or_(Stamp.voided_at.is_not(None), Lot.voided_at.is_not(None)),
               Scan.scanned_at > voided_at, Scan.scanned_at >= since)
        .group_by(Stamp.id).order_by(func.count(Scan.id).desc()).limit(limit)).all()
    counts = dict(rows)
    stamps = {s.id: s for s in session.scalars(
        select(Stamp).where(Stamp.id.in_(counts))
        .options(joinedload(Stamp.lot).joinedload(Lot.product).joinedload(Product.producer)))}
    spread = _scan_spread(session, list(counts))
    flags, reports = _extras(session, list(counts))
    return [StampWatch(stamps[i], stamps[i].scan_count, stamps[i].distinct_clients,
                       *spread.get(i, ([], [])), last_scan_at=stamps[i].last_scan_at,
                       first_scan_at=stamps[i].first_scan_at,
                       scans_after_void=n, flag=flags.get(i), reports=reports.get(i, 0))
            for i, n in counts.items()]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def watch_json(watch: StampWatch, threshold: int | None = None) -> dict:
    """A watched stamp; `why` is what made it suspicious (networks over the threshold, on
    how many days, where, since when)."""
    stamp, product = watch.stamp, watch.product
    return {
        "code": stamp.code, "lot": stamp.lot.lot_number, "lot_id": stamp.lot_id,
        "product": {"slug": product.slug, "name": product.name},
        "producer": {"slug": product.producer.slug, "name": product.producer.name},
        "scans": watch.scans, "distinct_clients": watch.distinct_clients,
        "provinces": watch.provinces, "dates": [d.isoformat() for d in watch.days],
        "last_scan_at": watch.last_scan_at.isoformat() if watch.last_scan_at else None,
        "void": stamp.is_void, "scans_after_void": watch.scans_after_void,
        "flagged": watch.flag is not None, "reports": watch.reports,
        "why": {"networks": watch.distinct_clients, "threshold": threshold,
                "days": len(watch.days), "provinces": len(watch.provinces),
                "first_scan_at": _iso(watch.first_scan_at),
                "last_scan_at": _iso(watch.last_scan_at)},
    }


def flag_stamp(session: Session, stamp: Stamp, *, officer, note: str = "") -> StampFlag:
    """Flag a stamp to its producer (once per stamp); the caller mails after the commit.
    Two flags of one stamp at once (the daily job and an officer, two officers) make one:
    the unique stamp id makes the second wait for the first and then refuses it, so only
    one producer mail is ever sent."""
    already = Conflict(f"Stamp {stamp.code} was already flagged to its producer.",
                       code="already_flagged")
    if session.scalar(select(StampFlag.id).where(StampFlag.stamp_id == stamp.id)):
        raise already
    producer = stamp.lot.product.producer
    flag = StampFlag(stamp=stamp, note=(note or "").strip()[:2000],
                     flagged_by_id=officer.id if officer else None, mailed_to=producer.email)
    try:
        with session.begin_nested():
            session.add(flag)
    except IntegrityError:
        raise already from None
    return flag


def flag_mail(flag: StampFlag) -> None:
    """Tell the producer their stamp is flagged (after the commit)."""
    from flask import render_template
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from app.mail import send_mail

    if not flag.mailed_to:
        return
    stamp = flag.stamp
    with force_locale("vi"):
        subject = _("Tem OCOP %(code)s của quý vị bị nghi làm giả", code=stamp.code)
        text = render_template("office/email/stamp_flagged.txt", stamp=stamp,
                               product=stamp.lot.product, note=flag.note, on=today())
    send_mail(flag.mailed_to, subject, text)
