"""JSON API of the OCOP cycle (/api/v1, CONTRACT §4 "OCOP cycle")."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import request
from pydantic import Field

from app.api import Schema, api_blueprint, api_route, current_api_user
from app.errors import InvalidInput
from app.extensions import db
from app.security import accepts_upload
from evaluation import services, sheets
from evaluation.models import EVIDENCE_KINDS, Dossier

bp = api_blueprint("evaluation_api", __name__)

Text = Field(default=None, max_length=20_000)


class CycleIn(Schema):
    year: int = Field(ge=2020, le=2100)
    province_code: int
    registration_opens: date
    registration_closes: date
    council_from: date | None = None
    council_until: date | None = None
    name: str = Field(default="", max_length=200)
    publish: bool = Field(default=False, description="Publish at once (producers see it)")


class DossierIn(Schema):
    cycle: int
    kind: Literal["new", "reevaluation", "upgrade"]
    group: str = Field(min_length=1, max_length=20)
    product_set: str = Field(min_length=1, max_length=120, description="The name of a score sheet")
    product: str | None = Field(
        default=None, max_length=160, description="Your product's slug (reevaluation, upgrade)"
    )
    name: str | None = Field(default=None, max_length=200, description="A new product's name")
    description: str | None = Text
    raw_materials: str | None = Text
    labour: str | None = Text
    story: str | None = Text
    standards: str | None = Text
    self_assessment: dict[str, int] | None = None


class DossierPatch(Schema):
    description: str | None = Text
    raw_materials: str | None = Text
    labour: str | None = Text
    story: str | None = Text
    standards: str | None = Text
    self_assessment: dict[str, int] | None = Field(default=None, description="{criterion: points}")


class CommentIn(Schema):
    comment: str = Field(default="", max_length=5000)


class ForwardIn(CommentIn):
    checks: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="Confirmed: local_raw_materials, local_labour, idea_origin, complete",
    )


class CouncilIn(Schema):
    cycle: int
    members: list[str] = Field(min_length=1, max_length=50, description="E-mails of council members")
    dossiers: list[int] = Field(min_length=1, max_length=500)
    name: str = Field(default="", max_length=200)
    session_on: date | None = None


class ScoresIn(Schema):
    criteria: dict[str, int] = Field(min_length=1, max_length=200, description="{criterion: points}")


class DecisionIn(Schema):
    decision_number: str = Field(min_length=1, max_length=100)
    issued_on: date
    issuer: str = Field(min_length=1, max_length=300)
    level: Literal["district", "province", "central", "commune"]
    dossiers: list[int] = Field(min_length=1, max_length=500)


def cycle_json(cycle) -> dict:
    return {
        "id": cycle.id,
        "year": cycle.year,
        "province_code": cycle.province_code,
        "name": cycle.name,
        "status": cycle.status,
        "registration_opens": cycle.registration_opens.isoformat(),
        "registration_closes": cycle.registration_closes.isoformat(),
        "council_from": cycle.council_from.isoformat() if cycle.council_from else None,
        "council_until": cycle.council_until.isoformat() if cycle.council_until else None,
    }


def sheet_json(sheet) -> dict:
    return {
        "name": sheet.name,
        "sample": sheet.sample,
        "criteria": [
            {
                "part": c.part,
                "criterion": c.code,
                "mandatory": c.mandatory,
                "max_points": c.max_points,
                "levels": [{"level": lv.label, "points": lv.points} for lv in c.levels],
            }
            for c in sheet.criteria
        ],
    }


def dossier_json(dossier: Dossier, *, full: bool = True) -> dict:
    data = {
        "id": dossier.id,
        "cycle": dossier.cycle_id,
        "status": dossier.status,
        "kind": dossier.kind,
        "group": dossier.group,
        "product_set": dossier.sheet.name,
        "product": dossier.product.slug,
        "product_name": dossier.product.name,
        "producer": dossier.producer.name,
        "submitted_at": dossier.submitted_at.isoformat() if dossier.submitted_at else None,
    }
    if full:
        data.update({f: getattr(dossier, f) for f in services.DOSSIER_FIELDS})
        data["self_assessment"] = dossier.self_assessment or {}
        data["commune_comment"] = dossier.commune_comment
        data["commune_checks"] = dossier.commune_checks or []
        data["files"] = [
            {
                "id": f.id,
                "kind": f.kind,
                "filename": f.filename,
                "content_type": f.content_type,
                "size": f.size,
            }
            for f in dossier.files
        ]
        data["checklist"] = [{"kind": k, "present": ok} for k, ok in services.checklist(dossier)]
    return data


def result_json(res: services.Result) -> dict:
    return {
        "dossier": res.dossier.id,
        "product": res.dossier.product.slug,
        "score": float(res.shown) if res.shown else None,
        "score_rounded": res.score,
        "stars": res.stars,
        "band": res.band,
        "mandatory_failed": res.mandatory_failed,
        "members": res.members,
        "submitted": res.submitted,
        "totals": res.totals,
        "complete": res.complete,
    }


# --- Office ------------------------------------------------------------------------------------


@api_route(
    bp,
    "/admin/cycles",
    methods=["POST"],
    body=CycleIn,
    auth="admin",
    status=201,
    tags=["cycle"],
    summary="Open a province's OCOP cycle of a year",
    responses={409: "`cycle_exists`"},
)
def create_cycle(body: CycleIn):
    cycle = services.create_cycle(
        db.session,
        year=body.year,
        province_code=body.province_code,
        registration_opens=body.registration_opens,
        registration_closes=body.registration_closes,
        council_from=body.council_from,
        council_until=body.council_until,
        name=body.name,
    )
    if body.publish:
        services.publish_cycle(db.session, cycle)
    return {"id": cycle.id, "status": cycle.status}, 201


@api_route(
    bp,
    "/admin/cycles/<int:cycle_id>/publish",
    methods=["POST"],
    auth="admin",
    tags=["cycle"],
    summary="Publish a draft cycle to producers",
    responses={409: "`invalid_transition`"},
)
def publish_cycle(cycle_id: int):
    return cycle_json(services.publish_cycle(db.session, services.get_cycle(db.session, cycle_id)))


@api_route(
    bp,
    "/cycles",
    auth=("admin", "producer", "commune_officer", "council_member"),
    tags=["cycle"],
    summary="Cycles: a producer sees its province's open ones, the office every one",
)
def list_cycles():
    from sqlalchemy import select

    from evaluation.models import Cycle

    user = current_api_user()
    if user.role == "producer":
        cycles = services.open_cycles(db.session, user.producer.province_code)
    else:
        cycles = db.session.scalars(select(Cycle).order_by(Cycle.year.desc(), Cycle.id)).all()
    return {"items": [cycle_json(c) for c in cycles]}


@api_route(
    bp,
    "/admin/score-sheets",
    methods=["POST"],
    auth="admin",
    status=201,
    tags=["cycle"],
    summary="Import score sheets from CSV (sheet,part,criterion,level,points,mandatory)",
    responses={422: "`invalid_sheet`: every bad line as `line N: reason`; nothing imported"},
    consumes={"text/csv": {"type": "string"}},
)
@accepts_upload()
def import_sheets():
    """All or nothing. Each sheet's parts must reach A 40, B 25, C 35 (a criterion counts its
    highest level). Send the file as the request body (`Content-Type: text/csv`)."""
    created = sheets.import_sheets_bytes(db.session, request.get_data(cache=False))
    return {"sheets": [s.name for s in created]}, 201


@api_route(
    bp,
    "/score-sheets",
    auth=("admin", "producer", "commune_officer", "council_member"),
    tags=["cycle"],
    summary="The score sheets (product sets) with their criteria and levels",
)
def list_sheets():
    return {"items": [sheet_json(s) for s in services.sheets(db.session)]}


@api_route(
    bp,
    "/admin/councils",
    methods=["POST"],
    body=CouncilIn,
    auth="admin",
    status=201,
    tags=["cycle"],
    summary="Set up a council: members and the forwarded dossiers it scores",
    responses={404: "Unknown cycle, dossier or member"},
)
def create_council(body: CouncilIn):
    council = services.create_council(
        db.session,
        cycle_id=body.cycle,
        members=body.members,
        dossiers=body.dossiers,
        name=body.name,
        session_on=body.session_on,
    )
    return {"id": council.id}, 201


@api_route(
    bp,
    "/admin/councils/<int:council_id>/results",
    auth="admin",
    tags=["cycle"],
    summary="Each dossier's score (mean of the members' totals), stars and failed mandatory criteria",
)
def council_results(council_id: int):
    council = services.get_council(db.session, council_id)
    return {"council": council.id, "items": [result_json(r) for r in services.council_results(council)]}


@api_route(
    bp,
    "/admin/decisions",
    methods=["POST"],
    body=DecisionIn,
    auth="admin",
    status=201,
    tags=["cycle"],
    summary="Record a decision: certificates for ranked dossiers, in one transaction",
    responses={409: "`not_ranked`, `scoring_incomplete`, `invalid_transition`", 404: "Unknown dossier"},
)
def record_decision(body: DecisionIn):
    decision = services.record_decision(
        db.session,
        decision_number=body.decision_number,
        issued_on=body.issued_on,
        issuer=body.issuer,
        level=body.level,
        dossier_ids=body.dossiers,
        actor_id=current_api_user().id,
    )
    return {"id": decision.id, "certificates": [d.certificate_id for d in decision.dossiers]}, 201


@api_route(
    bp, "/admin/dossiers/<int:dossier_id>", auth="admin", tags=["cycle"], summary="A dossier, for the office"
)
def admin_dossier(dossier_id: int):
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        raise services.NotFound(f"No dossier {dossier_id}.")
    return dossier_json(dossier) | {"result": result_json(services.result(dossier))}


@api_route(
    bp,
    "/admin/dossiers/<int:dossier_id>/central-package",
    auth="admin",
    tags=["cycle"],
    summary="A provincial 5★ ranking proposed to the central level: dossier and scores",
)
def central_package(dossier_id: int):
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        raise services.NotFound(f"No dossier {dossier_id}.")
    return services.central_package(dossier)


@api_route(bp, "/decisions", tags=["cycle"], summary="Recent recognition decisions recorded from the cycle")
def decisions():
    return {
        "items": [
            {
                "decision_number": d.decision_number,
                "issued_on": d.issued_on.isoformat(),
                "issuer": d.issuer,
                "level": d.level,
                "products": [
                    {
                        "slug": x.product.slug,
                        "name": x.product.name,
                        "producer": x.producer.name,
                        "stars": x.certificate.stars if x.certificate else None,
                        "score": x.certificate.score if x.certificate else None,
                    }
                    for x in d.dossiers
                ],
            }
            for d in services.recent_decisions(db.session)
        ]
    }


# --- Producer ------------------------------------------------------------------------------------


def _own(dossier_id: int) -> Dossier:
    return services.get_own_dossier(db.session, current_api_user().producer, dossier_id)


@api_route(
    bp,
    "/seller/dossiers",
    methods=["POST"],
    body=DossierIn,
    auth="producer",
    status=201,
    tags=["cycle"],
    summary="Register a product in an open cycle (new, reevaluation, upgrade)",
    responses={409: "`registration_closed`, `already_registered`", 404: "Unknown cycle or product"},
)
def register(body: DossierIn):
    """A new product is created unpublished, as an import does; a reevaluation or upgrade
    dossier is pre-filled from the product's previous dossier."""
    user = current_api_user()
    dossier = services.register(
        db.session,
        user.producer,
        cycle_id=body.cycle,
        kind=body.kind,
        group=body.group,
        product_set=body.product_set,
        product_slug=body.product,
        name=body.name,
        actor_id=user.id,
    )
    fields = {f: getattr(body, f) for f in services.DOSSIER_FIELDS if getattr(body, f) is not None}
    if fields or body.self_assessment is not None:
        services.update_dossier(db.session, dossier, self_assessment=body.self_assessment, **fields)
    return {"id": dossier.id, "product": dossier.product.slug}, 201


@api_route(bp, "/seller/dossiers", auth="producer", tags=["cycle"], summary="The producer's dossiers")
def seller_dossiers():
    return {
        "items": [
            dossier_json(d, full=False)
            for d in services.producer_dossiers(db.session, current_api_user().producer)
        ]
    }


@api_route(
    bp,
    "/seller/dossiers/<int:dossier_id>",
    auth="producer",
    tags=["cycle"],
    summary="One of the producer's dossiers",
    responses={404: "Not your dossier"},
)
def seller_dossier(dossier_id: int):
    return dossier_json(_own(dossier_id))


@api_route(
    bp,
    "/seller/dossiers/<int:dossier_id>",
    methods=["PATCH"],
    body=DossierPatch,
    auth="producer",
    tags=["cycle"],
    summary="Save the dossier's draft",
    responses={409: "`dossier_locked`: submitted, read-only until returned", 404: "Not your dossier"},
)
def patch_dossier(dossier_id: int, body: DossierPatch):
    dossier = _own(dossier_id)
    fields = {f: getattr(body, f) for f in services.DOSSIER_FIELDS}
    services.update_dossier(db.session, dossier, self_assessment=body.self_assessment, **fields)
    return dossier_json(dossier)


@api_route(
    bp,
    "/seller/dossiers/<int:dossier_id>/files",
    methods=["POST"],
    auth="producer",
    status=201,
    tags=["cycle"],
    summary="Upload evidence (multipart: `file`, `kind`): PDF or JPEG, at most 5 MB",
    responses={
        413: "`file_too_large`",
        415: "`unsupported_file`: not a PDF or JPEG",
        409: "`dossier_locked`",
        404: "Not your dossier",
    },
    consumes={"multipart/form-data": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"},
                       "kind": {"type": "string"}}}},
)
@accepts_upload()
def upload_file(dossier_id: int):
    dossier = _own(dossier_id)
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("Send the file as multipart field `file`.", code="file_required")
    kind = request.form.get("kind", "other")
    if kind not in EVIDENCE_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(EVIDENCE_KINDS)}.", code="invalid_kind")
    data = upload.stream.read(services.MAX_EVIDENCE_BYTES + 1)
    upload.close()  # a big upload is spooled to a temporary file: free it now
    row = services.add_file(db.session, dossier, kind=kind, filename=upload.filename or "", data=data)
    return {"id": row.id, "kind": row.kind, "content_type": row.content_type, "size": row.size}, 201


@api_route(
    bp,
    "/seller/dossiers/<int:dossier_id>/submit",
    methods=["POST"],
    auth="producer",
    tags=["cycle"],
    summary="Submit the dossier to the commune/ward",
    responses={409: "`invalid_transition`", 422: "`incomplete_dossier`"},
)
def submit(dossier_id: int):
    dossier = services.submit(db.session, _own(dossier_id), actor_id=current_api_user().id)
    return {"id": dossier.id, "status": dossier.status}


# --- Commune / ward officer ------------------------------------------------------------------------


@api_route(
    bp,
    "/commune/dossiers",
    auth="commune_officer",
    tags=["cycle"],
    summary="Dossiers of producers in the officer's ward",
)
def commune_dossiers():
    return {
        "items": [
            dossier_json(d, full=False) for d in services.officer_dossiers(db.session, current_api_user())
        ]
    }


@api_route(
    bp,
    "/commune/dossiers/<int:dossier_id>",
    auth="commune_officer",
    tags=["cycle"],
    summary="A dossier of the officer's ward",
    responses={404: "Another ward's dossier"},
)
def commune_dossier(dossier_id: int):
    return dossier_json(services.get_for_officer(db.session, current_api_user(), dossier_id))


@api_route(
    bp,
    "/commune/dossiers/<int:dossier_id>/forward",
    methods=["POST"],
    body=ForwardIn,
    auth="commune_officer",
    tags=["cycle"],
    summary="Forward the dossier to the province",
    responses={404: "Another ward's dossier", 409: "`invalid_transition`"},
)
def commune_forward(dossier_id: int, body: ForwardIn):
    user = current_api_user()
    dossier = services.forward(
        db.session,
        services.get_for_officer(db.session, user, dossier_id),
        actor_id=user.id,
        comment=body.comment,
        checks=body.checks,
    )
    return {"id": dossier.id, "status": dossier.status}


@api_route(
    bp,
    "/commune/dossiers/<int:dossier_id>/return",
    methods=["POST"],
    body=CommentIn,
    auth="commune_officer",
    tags=["cycle"],
    summary="Return the dossier for completion, with a comment",
    responses={404: "Another ward's dossier", 409: "`invalid_transition`", 422: "`comment_required`"},
)
def commune_return(dossier_id: int, body: CommentIn):
    user = current_api_user()
    dossier = services.return_for_completion(
        db.session,
        services.get_for_officer(db.session, user, dossier_id),
        actor_id=user.id,
        comment=body.comment,
    )
    return {"id": dossier.id, "status": dossier.status}


# --- Council member --------------------------------------------------------------------------------


def _member_dossier(dossier_id: int) -> Dossier:
    return services.get_for_member(db.session, current_api_user(), dossier_id)


def _own_card_json(dossier: Dossier) -> dict:
    card = services.own_card(db.session, dossier, current_api_user())
    by_id = {c.id: c.code for c in dossier.sheet.criteria}
    return {
        "criteria": {by_id[s.criterion_id]: s.points for s in card.scores} if card else {},
        "total": card.total if card else 0,
        "submitted": bool(card and card.submitted_at),
    }


@api_route(
    bp,
    "/council/dossiers",
    auth="council_member",
    tags=["cycle"],
    summary="The dossiers of the councils the member sits on",
)
def council_dossiers():
    user = current_api_user()
    items = []
    for d in services.member_dossiers(db.session, user):
        card = next((c for c in d.cards if c.member_id == user.id), None)
        items.append(dossier_json(d, full=False) | {"my_scores_submitted": bool(card and card.submitted_at)})
    return {"items": items}


@api_route(
    bp,
    "/council/dossiers/<int:dossier_id>",
    auth="council_member",
    tags=["cycle"],
    summary="A dossier to score, its sheet, and the member's own scores",
)
def council_dossier(dossier_id: int):
    dossier = _member_dossier(dossier_id)
    return dossier_json(dossier) | {"sheet": sheet_json(dossier.sheet), "my_scores": _own_card_json(dossier)}


@api_route(
    bp,
    "/council/dossiers/<int:dossier_id>/scores",
    methods=["PUT"],
    body=ScoresIn,
    auth="council_member",
    tags=["cycle"],
    summary="Save the member's scores (one level's points each)",
    responses={
        422: "`invalid_points`: not one of the criterion's levels; `unknown_criterion`",
        409: "`scores_submitted`",
    },
)
def put_scores(dossier_id: int, body: ScoresIn):
    dossier = _member_dossier(dossier_id)
    services.save_scores(db.session, dossier, current_api_user(), body.criteria)
    return _own_card_json(dossier)


@api_route(
    bp,
    "/council/dossiers/<int:dossier_id>/scores",
    auth="council_member",
    tags=["cycle"],
    summary="The member's own scores",
)
def get_scores(dossier_id: int):
    return _own_card_json(_member_dossier(dossier_id))


@api_route(
    bp,
    "/council/dossiers/<int:dossier_id>/scores/submit",
    methods=["POST"],
    auth="council_member",
    tags=["cycle"],
    summary="Submit the member's scores (final)",
    responses={422: "`scores_incomplete`", 409: "`scores_submitted`"},
)
def submit_scores(dossier_id: int):
    dossier = _member_dossier(dossier_id)
    services.submit_scores(db.session, dossier, current_api_user())
    return _own_card_json(dossier)


@api_route(
    bp,
    "/council/dossiers/<int:dossier_id>/panel",
    auth="council_member",
    tags=["cycle"],
    summary="Every member's totals and the result — only after submitting one's own",
    responses={403: "`scores_hidden`: submit your own scores first"},
)
def panel(dossier_id: int):
    dossier = _member_dossier(dossier_id)
    res, cards = services.panel(dossier, current_api_user())
    return {
        "result": result_json(res),
        "members": [{"member": c.member.name or c.member.email, "total": c.total} for c in cards],
    }
