"""The OCOP cycle (DOMAIN §11): a province's yearly cycle, score sheets, producers'
dossiers with evidence, the commune's pre-check, the provincial council's blind scoring,
and the decisions that create certificates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import one_of
from app.extensions import db

CYCLE_STATUSES = ("draft", "published", "closed")
PARTS = ("A", "B", "C")
# DOMAIN §11: A. product and community strength 40, B. marketing 25, C. quality 35.
PART_MAXIMA = {"A": 40, "B": 25, "C": 35}
DOSSIER_KINDS = ("new", "reevaluation", "upgrade")
# draft → submitted → (returned → submitted) → forwarded → in_council → decided
DOSSIER_STATUSES = ("draft", "submitted", "returned", "forwarded", "in_council", "decided")
# What the commune/ward checks before forwarding (DOMAIN §11).
COMMUNE_CHECKS = ("local_raw_materials", "local_labour", "idea_origin", "complete")
EVIDENCE_KINDS = ("business_registration", "food_safety", "test_results", "standards", "labels", "other")


class Cycle(db.Model):
    """One province's OCOP cycle of a year: opened (draft) then published to producers."""

    __tablename__ = "evaluation_cycles"
    __table_args__ = (
        CheckConstraint(one_of("status", CYCLE_STATUSES), name="status"),
        CheckConstraint("registration_closes >= registration_opens", name="window"),
        UniqueConstraint("province_code", "year", name="uq_evaluation_cycles_province_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    registration_opens: Mapped[date] = mapped_column(Date)
    registration_closes: Mapped[date] = mapped_column(Date)
    council_from: Mapped[date | None] = mapped_column(Date)
    council_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    dossiers: Mapped[list[Dossier]] = relationship(back_populates="cycle")


class ScoreSheet(db.Model):
    """The score sheet of one product set (148/QĐ-TTg): criteria in parts A, B, C."""

    __tablename__ = "score_sheets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # A demo sheet is a sample for trying the system, never the official text.
    sample: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="sheet", order_by="Criterion.position", cascade="all, delete-orphan"
    )


class Criterion(db.Model):
    __tablename__ = "score_criteria"
    __table_args__ = (
        CheckConstraint(one_of("part", PARTS), name="part"),
        CheckConstraint("max_points > 0", name="max_points"),
        UniqueConstraint("sheet_id", "code", name="uq_score_criteria_sheet_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id", ondelete="CASCADE"), index=True)
    part: Mapped[str] = mapped_column(String(1))
    code: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    mandatory: Mapped[bool] = mapped_column(default=False)
    max_points: Mapped[int] = mapped_column(Integer)

    sheet: Mapped[ScoreSheet] = relationship(back_populates="criteria")
    levels: Mapped[list[CriterionLevel]] = relationship(
        back_populates="criterion", order_by="CriterionLevel.points", cascade="all, delete-orphan"
    )

    @property
    def allowed_points(self) -> list[int]:
        return [lv.points for lv in self.levels]


class CriterionLevel(db.Model):
    __tablename__ = "score_levels"
    __table_args__ = (
        CheckConstraint("points >= 0", name="points"),
        UniqueConstraint("criterion_id", "points", name="uq_score_levels_criterion_points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("score_criteria.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(300))
    points: Mapped[int] = mapped_column(Integer)

    criterion: Mapped[Criterion] = relationship(back_populates="levels")


class Council(db.Model):
    """The provincial council of a cycle's session: its members score its dossiers."""

    __tablename__ = "councils"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("evaluation_cycles.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    session_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    cycle: Mapped[Cycle] = relationship()
    members: Mapped[list[CouncilMember]] = relationship(back_populates="council", order_by="CouncilMember.id")
    dossiers: Mapped[list[Dossier]] = relationship(back_populates="council", order_by="Dossier.id")


class CouncilMember(db.Model):
    __tablename__ = "council_members"
    __table_args__ = (UniqueConstraint("council_id", "user_id", name="uq_council_members_council_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    council: Mapped[Council] = relationship(back_populates="members")
    user = relationship("User")


class Decision(db.Model):
    """A recognition decision recorded from the cycle (DOMAIN §2: level fits date and stars)."""

    __tablename__ = "evaluation_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_number: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date] = mapped_column(Date, index=True)
    issuer: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    dossiers: Mapped[list[Dossier]] = relationship(back_populates="decision", order_by="Dossier.id")


class Dossier(db.Model):
    """A producer's registration of one product in a cycle, with its dossier."""

    __tablename__ = "dossiers"
    __table_args__ = (
        CheckConstraint(one_of("kind", DOSSIER_KINDS), name="kind"),
        CheckConstraint(one_of("status", DOSSIER_STATUSES), name="status"),
        # One registration of a product per cycle.
        UniqueConstraint("cycle_id", "product_id", name="uq_dossiers_cycle_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("evaluation_cycles.id"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id"))
    kind: Mapped[str] = mapped_column(String(20))
    group: Mapped[str] = mapped_column("group", String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    description: Mapped[str] = mapped_column(Text, default="")
    raw_materials: Mapped[str] = mapped_column(Text, default="")
    labour: Mapped[str] = mapped_column(Text, default="")
    story: Mapped[str] = mapped_column(Text, default="")
    standards: Mapped[str] = mapped_column(Text, default="")
    # {criterion id (as text): points} — the producer's own estimate on the sheet.
    self_assessment: Mapped[dict] = mapped_column(JSON, default=dict)
    commune_comment: Mapped[str | None] = mapped_column(Text)
    # The commune's part (DOMAIN §11): the COMMUNE_CHECKS it confirmed when forwarding.
    commune_checks: Mapped[list] = mapped_column(JSON, default=list)
    previous_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    council_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_decisions.id"), index=True)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    forwarded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    cycle: Mapped[Cycle] = relationship(back_populates="dossiers")
    producer = relationship("Producer")
    product = relationship("Product")
    sheet: Mapped[ScoreSheet] = relationship()
    council: Mapped[Council | None] = relationship(back_populates="dossiers")
    decision: Mapped[Decision | None] = relationship(back_populates="dossiers")
    certificate = relationship("Certificate", foreign_keys=[certificate_id])
    previous_certificate = relationship("Certificate", foreign_keys=[previous_certificate_id])
    files: Mapped[list[DossierFile]] = relationship(back_populates="dossier", order_by="DossierFile.id")
    cards: Mapped[list[ScoreCard]] = relationship(back_populates="dossier", order_by="ScoreCard.id")
    events: Mapped[list[DossierEvent]] = relationship(back_populates="dossier", order_by="DossierEvent.id")

    @property
    def editable(self) -> bool:
        """A submitted dossier is read-only for the producer until it is returned."""
        return self.status in ("draft", "returned")


class DossierFile(db.Model):
    """An evidence file (PDF or JPEG, checked by its magic bytes), stored outside /static."""

    __tablename__ = "dossier_files"
    __table_args__ = (CheckConstraint(one_of("kind", EVIDENCE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(200))
    stored_as: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    dossier: Mapped[Dossier] = relationship(back_populates="files")


class DossierEvent(db.Model):
    """The dossier's history (registered, submitted, returned with a comment, forwarded…)."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    dossier: Mapped[Dossier] = relationship(back_populates="events")
    actor = relationship("User")


class ScoreCard(db.Model):
    """One council member's scores for one dossier; blind to the others until submitted."""

    __tablename__ = "score_cards"
    __table_args__ = (UniqueConstraint("dossier_id", "member_id", name="uq_score_cards_dossier_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    dossier: Mapped[Dossier] = relationship(back_populates="cards")
    member = relationship("User")
    scores: Mapped[list[Score]] = relationship(back_populates="card", cascade="all, delete-orphan")

    @property
    def total(self) -> int:
        return sum(s.points for s in self.scores)


class Score(db.Model):
    __tablename__ = "scores"
    __table_args__ = (
        CheckConstraint("points >= 0", name="points"),
        UniqueConstraint("card_id", "criterion_id", name="uq_scores_card_criterion"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("score_cards.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("score_criteria.id"))
    points: Mapped[int] = mapped_column(Integer)

    card: Mapped[ScoreCard] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class ReevaluationInvite(db.Model):
    """A certificate in its last 6 months whose producer was invited to re-register (once)."""

    __tablename__ = "reevaluation_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), unique=True
    )
    sent_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
