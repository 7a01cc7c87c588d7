"""The rules of the OCOP cycle (DOMAIN §11). Services flush, never commit.

cycle (draft → published → closed) · dossier (draft → submitted → returned ↔ submitted →
forwarded → in_council → decided) · commune pre-check by the officer of the producer's ward
· blind scoring by the council's members · decision creating certificates through
catalog.services.create_certificate, in one transaction · re-evaluation invitations.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.clock import now, today
from app.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from app.mail import send_mail
from catalog import services as catalog_services
from catalog.gate import add_months, current_certificate, latest_certificate
from catalog.models import GROUPS, Certificate, Producer, Product
from catalog.regions import province_name, validate_location
from evaluation import scoring
from evaluation.models import (
    COMMUNE_CHECKS,
    DOSSIER_KINDS,
    EVIDENCE_KINDS,
    Council,
    CouncilMember,
    Criterion,
    Cycle,
    Decision,
    Dossier,
    DossierEvent,
    DossierFile,
    ReevaluationInvite,
    Score,
    ScoreCard,
    ScoreSheet,
)

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_FILES = 20
INVITE_MONTHS = 6
DOSSIER_FIELDS = ("description", "raw_materials", "labour", "story", "standards")
REQUIRED_FIELDS = ("description", "raw_materials", "labour", "story")
# What each group's dossier must hold (evidence kinds); tourism and crafts have no food tests.
CHECKLIST = {
    "food": ("business_registration", "food_safety", "test_results", "standards", "labels"),
    "beverage": ("business_registration", "food_safety", "test_results", "standards", "labels"),
    "herbal": ("business_registration", "food_safety", "test_results", "standards", "labels"),
    "craft": ("business_registration", "standards", "labels"),
    "textile": ("business_registration", "standards", "labels"),
    "ornamental": ("business_registration", "standards", "labels"),
    "tourism": ("business_registration", "standards"),
}


class InvalidTransition(Conflict):
    code = "invalid_transition"


def _event(
    session: Session, dossier: Dossier, action: str, actor_id: int | None, comment: str | None = None
) -> None:
    session.add(DossierEvent(dossier=dossier, action=action, actor_id=actor_id, comment=comment))


def _require_status(dossier: Dossier, *allowed: str, doing: str) -> None:
    if dossier.status not in allowed:
        raise InvalidTransition(
            f"Dossier {dossier.id} is {dossier.status}: it cannot be {doing} now "
            f"(only when {' or '.join(allowed)})."
        )


# --- Cycles ------------------------------------------------------------------------------------


def create_cycle(
    session: Session,
    *,
    year: int,
    province_code: int,
    registration_opens: date,
    registration_closes: date,
    council_from: date | None = None,
    council_until: date | None = None,
    name: str = "",
) -> Cycle:
    """The office opens a province's cycle of a year (a draft until published)."""
    validate_location(province_code)
    if not 2020 <= year <= 2100:
        raise InvalidInput(f"Year {year} is out of range.", code="invalid_year")
    if registration_closes < registration_opens:
        raise InvalidInput("registration_closes cannot precede registration_opens.", code="invalid_dates")
    if council_from and council_until and council_until < council_from:
        raise InvalidInput("council_until cannot precede council_from.", code="invalid_dates")
    if session.scalar(select(Cycle.id).where(Cycle.province_code == province_code, Cycle.year == year)):
        raise Conflict(
            f"The {year} cycle of {province_name(province_code)} already exists.", code="cycle_exists"
        )
    cycle = Cycle(
        year=year,
        province_code=province_code,
        registration_opens=registration_opens,
        registration_closes=registration_closes,
        council_from=council_from,
        council_until=council_until,
        name=name.strip() or f"Chu trình OCOP {year} — {province_name(province_code)}",
    )
    session.add(cycle)
    session.flush()
    return cycle


def get_cycle(session: Session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(f"No cycle {cycle_id}.")
    return cycle


def publish_cycle(session: Session, cycle: Cycle) -> Cycle:
    if cycle.status != "draft":
        raise InvalidTransition(f"The cycle is {cycle.status}; only a draft is published.")
    cycle.status = "published"
    session.flush()
    return cycle


def close_cycle(session: Session, cycle: Cycle) -> Cycle:
    if cycle.status != "published":
        raise InvalidTransition(f"The cycle is {cycle.status}; only a published cycle is closed.")
    cycle.status = "closed"
    session.flush()
    return cycle


def open_cycles(session: Session, province_code: int, on: date | None = None) -> list[Cycle]:
    """Published cycles of the province whose registration has not closed yet."""
    on = on or today()
    return list(
        session.scalars(
            select(Cycle)
            .where(
                Cycle.province_code == province_code,
                Cycle.status == "published",
                Cycle.registration_closes >= on,
            )
            .order_by(Cycle.registration_opens)
        )
    )


def sheets(session: Session) -> list[ScoreSheet]:
    return list(session.scalars(select(ScoreSheet).order_by(ScoreSheet.name)))


def get_sheet(session: Session, name: str) -> ScoreSheet:
    sheet = session.scalar(select(ScoreSheet).where(ScoreSheet.name == name))
    if sheet is None:
        raise InvalidInput(
            f"Unknown product set {name!r}: name one of the office's score sheets.",
            code="unknown_product_set",
        )
    return sheet


# --- Registration and dossier (producer) -----------------------------------------------------


def _previous_dossier(session: Session, product: Product) -> Dossier | None:
    return session.scalar(
        select(Dossier).where(Dossier.product_id == product.id).order_by(Dossier.id.desc()).limit(1)
    )


def register(
    session: Session,
    producer: Producer,
    *,
    cycle_id: int,
    kind: str,
    group: str,
    product_set: str,
    product_slug: str | None = None,
    name: str | None = None,
    actor_id: int | None = None,
    on: date | None = None,
) -> Dossier:
    """Register a product in an open cycle of the producer's province: a new product (created
    unpublished through catalog.services), or an existing one for re-evaluation or upgrade.
    A re-evaluation or upgrade dossier is pre-filled from the product's previous dossier."""
    on = on or today()
    cycle = session.get(Cycle, cycle_id)
    if cycle is None or cycle.status == "draft" or cycle.province_code != producer.province_code:
        raise NotFound(f"No open cycle {cycle_id} for your province.")
    if cycle.status != "published" or not cycle.registration_opens <= on <= cycle.registration_closes:
        raise Conflict(
            f"Registration for this cycle is open from {cycle.registration_opens} to "
            f"{cycle.registration_closes}.",
            code="registration_closed",
        )
    if kind not in DOSSIER_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(DOSSIER_KINDS)}.", code="invalid_kind")
    if group not in GROUPS or group == "textile":
        raise InvalidInput(
            f"Unknown group {group!r}; new evaluations use one of "
            f"{', '.join(g for g in GROUPS if g != 'textile')}.",
            code="invalid_group",
        )
    sheet = get_sheet(session, product_set)
    previous_cert = None
    if kind == "new":
        if not (name or "").strip():
            raise InvalidInput("A new product needs its name.", code="invalid_name")
        if product_slug:
            raise InvalidInput(
                "A new registration names a new product; use reevaluation or upgrade for an existing one.",
                code="invalid_kind",
            )
        product = catalog_services.create_product(
            session, producer, name=name.strip(), group=group, published=False
        )
    else:
        if not product_slug:
            raise InvalidInput(f"A {kind} registration names your existing product.", code="product_required")
        product = catalog_services.get_product(session, product_slug, producer=producer)
        current = current_certificate(product.certificates, on)
        previous_cert = current or latest_certificate(product.certificates, on)
        if previous_cert is None:
            raise Conflict(
                f"{product.name} has no certificate to {kind}: register it as new.", code="no_certificate"
            )
        if kind == "upgrade" and (current is None or current.stars >= 5):
            raise Conflict(
                "An upgrade needs a current certificate of fewer than 5 stars.", code="cannot_upgrade"
            )
    if session.scalar(
        select(Dossier.id).where(Dossier.cycle_id == cycle.id, Dossier.product_id == product.id)
    ):
        raise Conflict(f"{product.name} is already registered in this cycle.", code="already_registered")
    before = _previous_dossier(session, product) if kind != "new" else None
    dossier = Dossier(
        cycle=cycle,
        producer_id=producer.id,
        product=product,
        sheet=sheet,
        kind=kind,
        group=group,
        previous_certificate=previous_cert,
        self_assessment={},
        description=product.description or "",
    )
    if before is not None:
        for name_ in DOSSIER_FIELDS:
            setattr(dossier, name_, getattr(before, name_))
    session.add(dossier)
    session.flush()
    _event(session, dossier, "registered", actor_id)
    session.flush()
    return dossier


def producer_dossiers(session: Session, producer: Producer) -> list[Dossier]:
    return list(
        session.scalars(
            select(Dossier)
            .where(Dossier.producer_id == producer.id)
            .options(selectinload(Dossier.product), selectinload(Dossier.cycle))
            .order_by(Dossier.id.desc())
        )
    )


def get_own_dossier(session: Session, producer: Producer, dossier_id: int) -> Dossier:
    dossier = session.get(Dossier, dossier_id)
    if dossier is None or dossier.producer_id != producer.id:
        raise NotFound(f"No dossier {dossier_id}.")
    return dossier


def _check_points(sheet: ScoreSheet, criteria: dict[str, int]) -> dict[Criterion, int]:
    """Each score names a criterion of the sheet and is one of its levels' points (else 422)."""
    by_code = {c.code: c for c in sheet.criteria}
    checked = {}
    for code, points in criteria.items():
        criterion = by_code.get(code)
        if criterion is None:
            raise InvalidInput(
                f"{code!r} is not a criterion of the sheet {sheet.name!r}.", code="unknown_criterion"
            )
        if isinstance(points, bool) or not isinstance(points, int) or points not in criterion.allowed_points:
            raise InvalidInput(
                f"{points!r} is not a level of {code!r}: use one of "
                f"{', '.join(map(str, criterion.allowed_points))} "
                f"(at most {criterion.max_points}).",
                code="invalid_points",
            )
        checked[criterion] = points
    return checked


def update_dossier(
    session: Session, dossier: Dossier, *, self_assessment: dict | None = None, **fields
) -> Dossier:
    """Save the draft (also after a return); a submitted dossier is read-only."""
    if not dossier.editable:
        raise Conflict(
            "The dossier was submitted: it is read-only until returned for completion.", code="dossier_locked"
        )
    unknown = set(fields) - set(DOSSIER_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown dossier fields: {', '.join(sorted(unknown))}.")
    for key, value in fields.items():
        if value is not None:
            if len(value) > 20_000:
                raise InvalidInput(f"{key} is too long (at most 20,000 characters).", code="too_long")
            setattr(dossier, key, value.strip())
    if self_assessment is not None:
        checked = _check_points(dossier.sheet, self_assessment)
        dossier.self_assessment = {c.code: p for c, p in checked.items()}
    session.flush()
    return dossier


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def evidence_dir() -> Path:
    config = current_app.config
    return Path(config.get("EVIDENCE_DIR") or Path(config["PHOTO_DIR"]).parent / "evidence")


def add_file(session: Session, dossier: Dossier, *, kind: str, filename: str, data: bytes) -> DossierFile:
    """Evidence: PDF or JPEG only (checked by the file's first bytes, not its name), ≤ 5 MB."""
    if not dossier.editable:
        raise Conflict(
            "The dossier was submitted: it is read-only until returned for completion.", code="dossier_locked"
        )
    if kind not in EVIDENCE_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(EVIDENCE_KINDS)}.", code="invalid_kind")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise DomainError(
            f"A file may be at most {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB.",
            code="file_too_large",
            status=413,
        )
    if not data:
        raise InvalidInput("The file is empty.", code="empty_file")
    content_type = _sniff(data)
    if content_type is None:
        raise DomainError(
            "Only PDF or JPEG files are accepted as evidence.", code="unsupported_file", status=415
        )
    if len(dossier.files) >= MAX_FILES:
        raise Conflict(f"A dossier holds at most {MAX_FILES} files.", code="too_many_files")
    folder = evidence_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored_as = f"{dossier.id}-{secrets.token_hex(12)}" + (".pdf" if content_type.endswith("pdf") else ".jpg")
    (folder / stored_as).write_bytes(data)
    clean_name = Path(filename or "").name[:200] or stored_as
    row = DossierFile(
        dossier=dossier,
        kind=kind,
        filename=clean_name,
        stored_as=stored_as,
        content_type=content_type,
        size=len(data),
    )
    session.add(row)
    session.flush()
    return row


def checklist(dossier: Dossier) -> list[tuple[str, bool]]:
    """(evidence kind, present?) for what the dossier's group requires."""
    present = {f.kind for f in dossier.files}
    return [(kind, kind in present) for kind in CHECKLIST.get(dossier.group, ())]


def submit(session: Session, dossier: Dossier, *, actor_id: int | None = None) -> Dossier:
    """Submit to the commune/ward: needs the written parts; read-only from now on."""
    _require_status(dossier, "draft", "returned", doing="submitted")
    missing = [f for f in REQUIRED_FIELDS if not (getattr(dossier, f) or "").strip()]
    if missing:
        raise InvalidInput(
            f"Fill in before submitting: {', '.join(missing)}.",
            code="incomplete_dossier",
            details={"missing": missing},
        )
    dossier.status = "submitted"
    dossier.submitted_at = now()
    _event(session, dossier, "submitted", actor_id)
    session.flush()
    return dossier


# --- Commune / ward pre-check ------------------------------------------------------------------


def officer_dossiers(session: Session, officer) -> list[Dossier]:
    """The dossiers (not drafts) of producers located in the officer's ward."""
    return list(
        session.scalars(
            select(Dossier)
            .join(Producer, Producer.id == Dossier.producer_id)
            .where(Producer.ward_code == officer.ward_code, Dossier.status != "draft")
            .options(selectinload(Dossier.product), selectinload(Dossier.producer))
            .order_by(Dossier.status != "submitted", Dossier.id.desc())
        )
    )


def get_for_officer(session: Session, officer, dossier_id: int) -> Dossier:
    """Another ward's dossier (or a draft) answers 404."""
    dossier = session.get(Dossier, dossier_id)
    if (
        dossier is None
        or officer.ward_code is None
        or dossier.producer.ward_code != officer.ward_code
        or dossier.status == "draft"
    ):
        raise NotFound(f"No dossier {dossier_id}.")
    return dossier


def forward(
    session: Session,
    dossier: Dossier,
    *,
    actor_id: int | None = None,
    comment: str | None = None,
    checks: list[str] | None = None,
    require_checks: bool = False,
) -> Dossier:
    """Forward to the province, recording which of the commune's checks were confirmed (local
    raw materials, local labour, origin of the idea, completeness); the screen asks for all."""
    _require_status(dossier, "submitted", doing="forwarded")
    checks = list(dict.fromkeys(checks or []))
    unknown = [c for c in checks if c not in COMMUNE_CHECKS]
    if unknown:
        raise InvalidInput(
            f"Unknown check {unknown[0]!r}; use {', '.join(COMMUNE_CHECKS)}.", code="invalid_check"
        )
    missing = [c for c in COMMUNE_CHECKS if c not in checks]
    if require_checks and missing:
        raise InvalidInput(
            f"Confirm every check before forwarding, or return the dossier; missing: {', '.join(missing)}.",
            code="checks_incomplete",
        )
    dossier.commune_checks = checks
    dossier.status = "forwarded"
    dossier.forwarded_at = now()
    dossier.commune_comment = (comment or "").strip() or None
    _event(session, dossier, "forwarded", actor_id, dossier.commune_comment)
    session.flush()
    return dossier


def return_for_completion(
    session: Session, dossier: Dossier, *, comment: str, actor_id: int | None = None
) -> Dossier:
    """Back to the producer with what to complete; the producer is told by e-mail."""
    _require_status(dossier, "submitted", doing="returned")
    comment = (comment or "").strip()
    if not comment:
        raise InvalidInput("Say what the producer must complete.", code="comment_required")
    dossier.status = "returned"
    dossier.commune_comment = comment
    _event(session, dossier, "returned", actor_id, comment)
    session.flush()
    _mail_producer(
        session,
        dossier.producer,
        f"Hồ sơ OCOP của {dossier.product.name} cần bổ sung",
        f"Hồ sơ đăng ký đánh giá OCOP của sản phẩm {dossier.product.name} đã được UBND "
        f"xã/phường trả lại để bổ sung:\n\n{comment}\n\nHãy bổ sung và nộp lại hồ sơ.\n\n"
        f"Your OCOP dossier for {dossier.product.name} was returned for completion: {comment}",
    )
    return dossier


def _mail_producer(session: Session, producer: Producer, subject: str, text: str) -> None:
    from catalog.reminders import recipients

    to = recipients(session, producer)
    if to:
        send_mail(to, subject, text)


# --- Councils and blind scoring ----------------------------------------------------------------


def create_council(
    session: Session,
    *,
    cycle_id: int,
    members: list[str],
    dossiers: list[int],
    name: str = "",
    session_on: date | None = None,
) -> Council:
    """The provincial council of a session: its members (`council_member` users) and the
    forwarded dossiers of the cycle it scores."""
    from app.accounts.models import User

    cycle = get_cycle(session, cycle_id)
    if not members:
        raise InvalidInput("A council needs members.", code="members_required")
    if not dossiers:
        raise InvalidInput("A council needs dossiers to score.", code="dossiers_required")
    council = Council(cycle=cycle, name=name.strip() or f"Hội đồng OCOP {cycle.year}", session_on=session_on)
    seen = set()
    for email in members:
        key = email.strip().lower()
        user = session.scalar(select(User).where(User.email == key))
        if user is None or user.role != "council_member" or not user.active:
            raise InvalidInput(f"{email} is not a council member's account.", code="invalid_member")
        if user.id not in seen:
            seen.add(user.id)
            council.members.append(CouncilMember(user=user))
    rows = session.scalars(
        select(Dossier)
        .where(Dossier.id.in_(dossiers))
        .order_by(Dossier.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    found = {d.id for d in rows}
    missing = [i for i in dossiers if i not in found]
    if missing:
        raise NotFound(f"No dossier {missing[0]}.")
    for dossier in rows:
        if dossier.cycle_id != cycle.id:
            raise InvalidInput(f"Dossier {dossier.id} belongs to another cycle.", code="wrong_cycle")
        _require_status(dossier, "forwarded", doing="put before a council")
        dossier.status = "in_council"
        council.dossiers.append(dossier)
        _event(session, dossier, "in_council", None)
    session.add(council)
    session.flush()
    return council


def get_council(session: Session, council_id: int) -> Council:
    council = session.get(Council, council_id)
    if council is None:
        raise NotFound(f"No council {council_id}.")
    return council


def member_dossiers(session: Session, member) -> list[Dossier]:
    return list(
        session.scalars(
            select(Dossier)
            .join(CouncilMember, CouncilMember.council_id == Dossier.council_id)
            .where(CouncilMember.user_id == member.id)
            .options(selectinload(Dossier.product), selectinload(Dossier.cards))
            .order_by(Dossier.id)
        )
    )


def get_for_member(session: Session, member, dossier_id: int) -> Dossier:
    """A dossier of a council the member sits on; anything else answers 404."""
    dossier = session.get(Dossier, dossier_id)
    if (
        dossier is None
        or dossier.council is None
        or not any(m.user_id == member.id for m in dossier.council.members)
    ):
        raise NotFound(f"No dossier {dossier_id}.")
    return dossier


def own_card(
    session: Session, dossier: Dossier, member, *, create: bool = False, lock: bool = False
) -> ScoreCard | None:
    """The member's card for the dossier; with `create`, made if missing (the unique
    (dossier, member) index settles two first saves at once); with `lock`, row-locked and
    reloaded, so concurrent saves of one card apply one after the other."""
    query = select(ScoreCard).where(ScoreCard.dossier_id == dossier.id, ScoreCard.member_id == member.id)
    card = session.scalar(query)
    if card is None and create:
        try:
            with session.begin_nested():
                session.add(ScoreCard(dossier_id=dossier.id, member_id=member.id))
        except IntegrityError:
            pass  # created by a concurrent request: read it below
        session.expire(dossier, ["cards"])
        card = session.scalar(query)
    if card is not None and lock:
        card = session.scalar(query.with_for_update().execution_options(populate_existing=True))
        session.expire(card, ["scores"])
    return card


def save_scores(session: Session, dossier: Dossier, member, criteria: dict[str, int]) -> ScoreCard:
    """A member's scores (a draft until submitted): each is one of the criterion's levels' points."""
    if dossier.status != "in_council":
        raise InvalidTransition("This dossier is no longer being scored.")
    checked = _check_points(dossier.sheet, criteria)
    card = own_card(session, dossier, member, create=True, lock=True)
    if card.submitted_at is not None:
        raise Conflict("You submitted your scores; they can no longer change.", code="scores_submitted")
    by_criterion = {s.criterion_id: s for s in card.scores}
    for criterion, points in checked.items():
        if criterion.id in by_criterion:
            by_criterion[criterion.id].points = points
        else:
            card.scores.append(Score(criterion=criterion, points=points))
    session.flush()
    return card


def submit_scores(session: Session, dossier: Dossier, member) -> ScoreCard:
    if dossier.status != "in_council":
        raise InvalidTransition("This dossier is no longer being scored.")
    card = own_card(session, dossier, member, lock=True)
    if card is not None and card.submitted_at is not None:
        raise Conflict("You already submitted your scores.", code="scores_submitted")
    scored = {s.criterion_id for s in card.scores} if card else set()
    missing = [c.code for c in dossier.sheet.criteria if c.id not in scored]
    if missing:
        raise InvalidInput(
            f"Score every criterion before submitting; missing: {', '.join(missing)}.",
            code="scores_incomplete",
            details={"missing": missing},
        )
    card.submitted_at = now()
    session.flush()
    return card


@dataclass
class Result:
    """A dossier's ranking from the submitted score cards (DOMAIN §11)."""

    dossier: Dossier
    members: int
    totals: list[int] = field(default_factory=list)
    mean: Fraction | None = None
    mandatory_failed: list[str] = field(default_factory=list)

    @property
    def submitted(self) -> int:
        return len(self.totals)

    @property
    def complete(self) -> bool:
        return self.members > 0 and self.submitted == self.members

    @property
    def shown(self) -> str | None:
        return scoring.shown(self.mean) if self.mean is not None else None

    @property
    def score(self) -> int | None:
        return scoring.whole(self.mean) if self.mean is not None else None

    @property
    def band(self) -> int | None:
        return scoring.band(self.score) if self.score is not None else None

    @property
    def stars(self) -> int | None:
        """The stars a certificate may carry: None unless ranked 3★ or more."""
        if self.score is None:
            return None
        return scoring.ranked_stars(self.score, self.mandatory_failed)


def result(dossier: Dossier) -> Result:
    members = len(dossier.council.members) if dossier.council else 0
    cards = [c for c in dossier.cards if c.submitted_at is not None]
    res = Result(dossier=dossier, members=members, totals=[c.total for c in cards])
    if cards:
        res.mean = scoring.mean(res.totals)
        zeros = {c.code: 0 for c in dossier.sheet.criteria if c.mandatory}
        names = {c.id: c.code for c in dossier.sheet.criteria if c.mandatory}
        for card in cards:
            given = {s.criterion_id: s.points for s in card.scores}
            for cid, code in names.items():
                if given.get(cid, 0) == 0:
                    zeros[code] += 1
        res.mandatory_failed = scoring.failed_mandatory(zeros, len(cards))
    return res


def panel(dossier: Dossier, member) -> tuple[Result, list[ScoreCard]]:
    """The other members' scores: hidden (403) until the member has submitted their own."""
    card = next((c for c in dossier.cards if c.member_id == member.id), None)
    if card is None or card.submitted_at is None:
        raise Forbidden("Submit your own scores first: members score independently.", code="scores_hidden")
    return result(dossier), [c for c in dossier.cards if c.submitted_at is not None]


def council_results(council: Council) -> list[Result]:
    return [result(d) for d in council.dossiers]


# --- Decision ------------------------------------------------------------------------------------


def record_decision(
    session: Session,
    *,
    decision_number: str,
    issued_on: date,
    issuer: str,
    level: str,
    dossier_ids: list[int],
    actor_id: int | None = None,
) -> Decision:
    """Record the People's Committee's (or the central level's) decision for dossiers the
    council ranked 3★ or more: one certificate per dossier through the catalogue's certificate
    service, all in one transaction (any refusal writes nothing). A 5★ ranking is proposed to
    the central level and only a `central` decision gives it; `central` gives only 5★."""
    if not dossier_ids:
        raise InvalidInput("Name the dossiers the decision recognises.", code="dossiers_required")
    if len(set(dossier_ids)) != len(dossier_ids):
        raise InvalidInput("A dossier is named twice.", code="duplicate_dossier")
    rows = session.scalars(
        select(Dossier)
        .where(Dossier.id.in_(dossier_ids))
        .order_by(Dossier.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    found = {d.id for d in rows}
    missing = [i for i in dossier_ids if i not in found]
    if missing:
        raise NotFound(f"No dossier {missing[0]}.")
    decision = Decision(
        decision_number=decision_number.strip(),
        issued_on=issued_on,
        issuer=issuer.strip(),
        level=level,
        province_code=rows[0].cycle.province_code,
    )
    session.add(decision)
    planned = []
    for dossier in rows:
        _require_status(dossier, "in_council", doing="decided")
        res = result(dossier)
        if not res.complete:
            raise Conflict(
                f"Dossier {dossier.id}: {res.submitted} of {res.members} members have submitted "
                "their scores.",
                code="scoring_incomplete",
            )
        if res.stars is None:
            why = (
                f"a mandatory criterion failed ({', '.join(res.mandatory_failed)})"
                if res.mandatory_failed
                else f"its score {res.score} is below 3★"
            )
            raise Conflict(f"Dossier {dossier.id} is not ranked 3★ or more: {why}.", code="not_ranked")
        if res.stars == 5 and level != "central":
            raise InvalidInput(
                f"Dossier {dossier.id} is ranked 5★: it is proposed to the central level, "
                "and only a central decision gives 5★.",
                code="invalid_level",
            )
        if level == "central" and res.stars != 5:
            raise InvalidInput(
                f"Dossier {dossier.id} is ranked {res.stars}★: the central level decides "
                "only 5★; 3★ and 4★ come from the province.",
                code="invalid_level",
            )
        planned.append((dossier, res))
    catalog_services.check_decision_level(stars=planned[0][1].stars, level=level, issued_on=issued_on)
    for dossier, res in planned:
        cert = catalog_services.create_certificate(
            session,
            dossier.product,
            stars=res.stars,
            score=res.score,
            level=level,
            decision_number=decision.decision_number,
            issuer=decision.issuer,
            issued_on=issued_on,
        )
        dossier.certificate = cert
        dossier.decision = decision
        dossier.status = "decided"
        _event(
            session, dossier, "decided", actor_id, f"{decision.decision_number}: {res.stars}★, {res.score}"
        )
    session.flush()
    for dossier, res in planned:
        product = dossier.product
        _mail_producer(
            session,
            dossier.producer,
            f"{product.name} được công nhận OCOP {res.stars} sao",
            f"Chúc mừng! Sản phẩm {product.name} được công nhận OCOP {res.stars} sao ({res.score} điểm) "
            f"theo quyết định {decision.decision_number} ngày {issued_on:%d/%m/%Y}.\n\n"
            "Các bước tiếp theo: đặt giá bán và đăng bán sản phẩm, nhập hàng vào kho, in tem OCOP cho "
            "từng lô. Sản phẩm được bán trên OCOP Market ngay khi bạn đăng bán.\n\n"
            f"{product.name} was recognised as a {res.stars}-star OCOP product. Next steps: set a price "
            "and publish it, receive stock, print OCOP stamps for each lot.",
        )
    return decision


def recent_decisions(session: Session, limit: int = 20) -> list[Decision]:
    return list(
        session.scalars(
            select(Decision)
            .options(selectinload(Decision.dossiers))
            .order_by(Decision.issued_on.desc(), Decision.id.desc())
            .limit(limit)
        )
    )


def central_package(dossier: Dossier) -> dict:
    """A provincial 5★ ranking proposed to the central council: the dossier and its scores."""
    res = result(dossier)
    if res.stars != 5:
        raise Conflict(
            "Only a product ranked 5★ by the province is proposed to the central level.",
            code="not_five_stars",
        )
    return {
        "dossier": dossier.id,
        "product": dossier.product.name,
        "producer": dossier.producer.name,
        "tax_code": dossier.producer.tax_code,
        "group": dossier.group,
        "product_set": dossier.sheet.name,
        "cycle": {"year": dossier.cycle.year, "province_code": dossier.cycle.province_code},
        "fields": {f: getattr(dossier, f) for f in DOSSIER_FIELDS},
        "files": [{"kind": f.kind, "filename": f.filename, "size": f.size} for f in dossier.files],
        "score": res.shown,
        "stars": res.stars,
        "totals": res.totals,
        "scores": [
            {"criterion": s.criterion.code, "part": s.criterion.part, "points": s.points, "member": i + 1}
            for i, card in enumerate(c for c in dossier.cards if c.submitted_at)
            for s in card.scores
        ],
    }


# --- Re-evaluation invitations -------------------------------------------------------------------


def due_for_reevaluation(
    session: Session, on: date | None = None, producer: Producer | None = None
) -> list[Certificate]:
    """Current certificates in their last 6 months (DOMAIN §11: invite from 6 months before
    valid_until) whose product has no newer certificate taking over."""
    on = on or today()
    query = (
        select(Certificate)
        .join(Product)
        .where(Certificate.valid_until >= on, Certificate.valid_until <= add_months(on, INVITE_MONTHS))
        .options(selectinload(Certificate.product).selectinload(Product.certificates))
        .order_by(Certificate.valid_until, Certificate.id)
    )
    if producer is not None:
        query = query.where(Product.producer_id == producer.id)
    due = []
    for cert in session.scalars(query):
        if current_certificate(cert.product.certificates, on) is not cert:
            continue
        if any(c.issued_on > cert.issued_on and c.revoked_on is None for c in cert.product.certificates):
            continue
        if add_months(cert.valid_until, -INVITE_MONTHS) <= on:
            due.append(cert)
    return due


def send_invites(session: Session, on: date | None = None) -> int:
    """E-mail each producer once per certificate entering its last 6 months; running it
    again the same day (or any later day) sends nothing new."""
    on = on or today()
    sent = 0
    already = set(session.scalars(select(ReevaluationInvite.certificate_id)))
    for cert in due_for_reevaluation(session, on):
        if cert.id in already or not cert.product.producer.active:
            continue
        product = cert.product
        _mail_producer(
            session,
            product.producer,
            f"Mời đăng ký đánh giá lại OCOP: {product.name}",
            f"Giấy chứng nhận OCOP {cert.stars} sao của {product.name} (QĐ {cert.decision_number}) hết hạn "
            f"ngày {cert.valid_until:%d/%m/%Y}. Hãy đăng ký đánh giá lại trong chu trình OCOP của tỉnh: "
            "hồ sơ được điền sẵn từ hồ sơ hiện tại.\n\n"
            f"The OCOP certificate of {product.name} ends on {cert.valid_until.isoformat()}: register it for "
            "re-evaluation in the province's OCOP cycle (the dossier is pre-filled).",
        )
        session.add(ReevaluationInvite(certificate_id=cert.id, sent_on=on))
        sent += 1
    session.flush()
    return sent


# --- The product's timeline (office) ---------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    kind: str
    text: str


TIMELINE_ORDER = (
    "registered",
    "submitted",
    "returned",
    "forwarded",
    "in_council",
    "scored",
    "decided",
    "certificate",
    "revoked",
)


def timeline(session: Session, product: Product) -> list[TimelineEntry]:
    """Registrations, dossier steps, scores, decisions, certificates and revocations, by date
    (steps of one day in the order of the cycle)."""
    from app.clock import local

    entries = []
    dossiers = session.scalars(
        select(Dossier)
        .where(Dossier.product_id == product.id)
        .options(selectinload(Dossier.events), selectinload(Dossier.cycle))
    ).all()
    for dossier in dossiers:
        for ev in dossier.events:
            at = local(ev.at).date() if ev.at else today()
            entries.append(
                TimelineEntry(at, ev.action, dossier.cycle.name + (f" — {ev.comment}" if ev.comment else ""))
            )
        res = result(dossier)
        if res.complete:
            entries.append(
                TimelineEntry(
                    local(max(c.submitted_at for c in dossier.cards if c.submitted_at)).date(),
                    "scored",
                    f"{res.shown} ({', '.join(map(str, res.totals))})"
                    + (f" → {res.stars}★" if res.stars else " → not ranked")
                    + (
                        f"; mandatory failed: {', '.join(res.mandatory_failed)}"
                        if res.mandatory_failed
                        else ""
                    ),
                )
            )
    for cert in product.certificates:
        entries.append(
            TimelineEntry(
                cert.issued_on,
                "certificate",
                f"{cert.decision_number} · {cert.stars}★ · {cert.score} · {cert.issuer} "
                f"({cert.level}) → {cert.valid_until.isoformat()}",
            )
        )
        if cert.revoked_on:
            entries.append(
                TimelineEntry(
                    cert.revoked_on, "revoked", f"{cert.decision_number}: {cert.revoke_reason or ''}"
                )
            )
    rank = {kind: i for i, kind in enumerate(TIMELINE_ORDER)}
    return sorted(entries, key=lambda e: (e.on, rank.get(e.kind, len(rank))))


def days_ahead(on: date, days: int) -> date:
    return on + timedelta(days=days)
