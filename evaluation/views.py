"""Screens of the OCOP cycle, one per role: the producer's registrations and dossiers, the
commune officer's pre-check, the council member's (tablet) scoring, the office's cycles,
councils, results and decisions, and the public page of recent decisions. Thin views: parse
the form, call one service, commit through `attempt`, render."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.access import roles_required
from app.clock import today
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.security import accepts_upload
from backoffice.views import REFUSED, attempt
from catalog.models import GROUPS, Product
from catalog.regions import provinces
from evaluation import annex, services, sheets
from evaluation.models import COMMUNE_CHECKS, EVIDENCE_KINDS, Council, Cycle, Dossier, DossierFile

bp = Blueprint("evaluation", __name__, template_folder="templates")

EVIDENCE_LABELS = {
    "business_registration": _l("Giấy đăng ký kinh doanh"),
    "food_safety": _l("Giấy chứng nhận an toàn thực phẩm"),
    "test_results": _l("Phiếu kết quả kiểm nghiệm"),
    "standards": _l("Bản công bố tiêu chuẩn"),
    "labels": _l("Ảnh nhãn và bao bì"),
    "other": _l("Tài liệu khác"),
}
COMMUNE_CHECK_LABELS = {
    "local_raw_materials": _l("Nguyên liệu có nguồn gốc địa phương"),
    "local_labour": _l("Sử dụng lao động địa phương"),
    "idea_origin": _l("Ý tưởng sản phẩm của chủ thể, gắn với địa phương"),
    "complete": _l("Hồ sơ đầy đủ"),
}
STATUS_LABELS = {
    "draft": _l("Bản nháp"),
    "submitted": _l("Đã nộp — chờ xã/phường kiểm tra"),
    "returned": _l("Trả lại để bổ sung"),
    "forwarded": _l("Đã chuyển lên tỉnh"),
    "in_council": _l("Hội đồng đang chấm"),
    "decided": _l("Đã có quyết định"),
}


@bp.app_context_processor
def labels():
    return {
        "evidence_labels": EVIDENCE_LABELS,
        "dossier_status_labels": STATUS_LABELS,
        "commune_checks": COMMUNE_CHECKS,
        "commune_check_labels": COMMUNE_CHECK_LABELS,
    }


@bp.app_template_global()
def cycle_board_for(producer) -> dict:
    """The producer dashboard's part of the cycle: open cycles, invitations, returned dossiers."""
    return {
        "cycles": services.open_cycles(db.session, producer.province_code),
        "due": services.due_for_reevaluation(db.session, producer=producer),
        "returned": [d for d in services.producer_dossiers(db.session, producer) if d.status == "returned"],
    }


def _int(name: str) -> int:
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        raise InvalidInput(f"{name} must be a number.") from None


def _date(name: str, required: bool = True) -> date | None:
    value = (request.form.get(name) or "").strip()
    if not value and not required:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(_("Ngày không hợp lệ: %(name)s", name=name)) from None


def _producer():
    if current_user.producer is None:
        abort(403)
    return current_user.producer


# --- Producer --------------------------------------------------------------------------------------


@bp.get("/seller/dossiers")
@roles_required("producer")
def seller_dossiers():
    producer = _producer()
    products = db.session.scalars(
        select(Product).where(Product.producer_id == producer.id).order_by(Product.name)
    ).all()
    return render_template(
        "evaluation/seller_dossiers.html",
        producer=producer,
        cycles=services.open_cycles(db.session, producer.province_code),
        dossiers=services.producer_dossiers(db.session, producer),
        due=services.due_for_reevaluation(db.session, producer=producer),
        sheets=services.sheets(db.session),
        products=products,
        groups=[g for g in GROUPS if g != "textile"],
        today=today(),
    )


@bp.post("/seller/dossiers")
@roles_required("producer")
def seller_register():
    producer = _producer()
    dossier = attempt(
        lambda: services.register(
            db.session,
            producer,
            cycle_id=_int("cycle"),
            kind=request.form.get("kind", "new"),
            group=request.form.get("group", ""),
            product_set=request.form.get("product_set", ""),
            product_slug=request.form.get("product") or None,
            name=request.form.get("name") or None,
            actor_id=current_user.id,
        )
    )
    if dossier is REFUSED:
        return redirect(url_for("evaluation.seller_dossiers"))
    flash(_("Đã đăng ký. Hãy điền hồ sơ và nộp trước hạn."), "success")
    return redirect(url_for("evaluation.seller_dossier", dossier_id=dossier.id))


@bp.route("/seller/dossiers/<int:dossier_id>", methods=["GET", "POST"])
@roles_required("producer")
def seller_dossier(dossier_id: int):
    dossier = services.get_own_dossier(db.session, _producer(), dossier_id)
    if request.method == "POST":
        action = request.form.get("action", "save")
        fields = {f: request.form.get(f, "") for f in services.DOSSIER_FIELDS}
        assessment = {}
        for criterion in dossier.sheet.criteria:
            value = request.form.get(f"c{criterion.id}", "")
            if value.strip():
                # A tampered value is refused by the service with the criterion's levels.
                assessment[criterion.code] = int(value) if value.strip().isdigit() else -1
        saved = attempt(
            lambda: services.update_dossier(db.session, dossier, self_assessment=assessment, **fields)
        )
        if saved is not REFUSED:
            if action == "submit":
                if (
                    attempt(lambda: services.submit(db.session, dossier, actor_id=current_user.id))
                    is not REFUSED
                ):
                    flash(_("Đã nộp hồ sơ cho UBND xã/phường."), "success")
            else:
                flash(_("Đã lưu bản nháp."), "success")
        return redirect(url_for("evaluation.seller_dossier", dossier_id=dossier.id))
    return render_template(
        "evaluation/seller_dossier.html",
        dossier=dossier,
        checklist=services.checklist(dossier),
        kinds=EVIDENCE_KINDS,
        max_mb=services.MAX_EVIDENCE_BYTES // (1024 * 1024),
    )


@bp.post("/seller/dossiers/<int:dossier_id>/files")
@roles_required("producer")
@accepts_upload()
def seller_upload(dossier_id: int):
    dossier = services.get_own_dossier(db.session, _producer(), dossier_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Hãy chọn một tệp PDF hoặc JPEG."), "error")
    else:
        data = upload.stream.read(services.MAX_EVIDENCE_BYTES + 1)
        upload.close()  # a big upload is spooled to a temporary file: free it now
        if (
            attempt(
                lambda: services.add_file(
                    db.session,
                    dossier,
                    kind=request.form.get("kind", "other"),
                    filename=upload.filename,
                    data=data,
                )
            )
            is not REFUSED
        ):
            flash(_("Đã tải lên %(name)s.", name=upload.filename), "success")
    return redirect(url_for("evaluation.seller_dossier", dossier_id=dossier.id))


def _can_read(dossier: Dossier) -> bool:
    role = current_user.role
    if role == "admin":
        return True
    if role == "producer":
        return dossier.producer_id == current_user.producer_id
    if role == "commune_officer":
        return dossier.producer.ward_code == current_user.ward_code and dossier.status != "draft"
    if role == "council_member":
        return dossier.council is not None and any(
            m.user_id == current_user.id for m in dossier.council.members
        )
    return False


@bp.get("/dossiers/<int:dossier_id>/files/<int:file_id>")
@roles_required("producer", "commune_officer", "council_member", "admin")
def evidence(dossier_id: int, file_id: int):
    """Evidence is served only to those who may read the dossier; others get 404."""
    row = db.session.get(DossierFile, file_id)
    if row is None or row.dossier_id != dossier_id or not _can_read(row.dossier):
        raise NotFound(_("Không có tệp này."))
    data = (services.evidence_dir() / row.stored_as).read_bytes()  # ≤ 5 MB by the upload rule
    disposition = "inline" if row.content_type == "application/pdf" else "attachment"
    return Response(
        data,
        mimetype=row.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(row.filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )


# --- Commune / ward officer ----------------------------------------------------------------------------


@bp.get("/commune/")
@roles_required("commune_officer")
def commune_home():
    from catalog.regions import ward_name

    return render_template(
        "evaluation/commune_dossiers.html",
        dossiers=services.officer_dossiers(db.session, current_user),
        ward=ward_name(current_user.ward_code) if current_user.ward_code else "",
    )


@bp.route("/commune/dossiers/<int:dossier_id>", methods=["GET", "POST"])
@roles_required("commune_officer")
def commune_dossier(dossier_id: int):
    dossier = services.get_for_officer(db.session, current_user, dossier_id)
    if request.method == "POST":
        comment = request.form.get("comment", "")
        if request.form.get("action") == "return":
            done = attempt(
                lambda: services.return_for_completion(
                    db.session, dossier, comment=comment, actor_id=current_user.id
                )
            )
            message = _("Đã trả hồ sơ để bổ sung; chủ thể được báo qua e-mail.")
        else:
            done = attempt(
                lambda: services.forward(
                    db.session,
                    dossier,
                    comment=comment,
                    actor_id=current_user.id,
                    checks=request.form.getlist("checks"),
                    require_checks=True,
                )
            )
            message = _("Đã chuyển hồ sơ lên tỉnh.")
        if done is not REFUSED:
            flash(message, "success")
            return redirect(url_for("evaluation.commune_home"))
        return redirect(url_for("evaluation.commune_dossier", dossier_id=dossier.id))
    return render_template(
        "evaluation/commune_dossier.html", dossier=dossier, checklist=services.checklist(dossier)
    )


# --- Council member -----------------------------------------------------------------------------------


@bp.get("/council/")
@roles_required("council_member")
def council_home():
    rows = []
    for d in services.member_dossiers(db.session, current_user):
        card = next((c for c in d.cards if c.member_id == current_user.id), None)
        rows.append((d, card))
    return render_template("evaluation/council_dossiers.html", rows=rows)


@bp.route("/council/dossiers/<int:dossier_id>", methods=["GET", "POST"])
@roles_required("council_member")
def council_dossier(dossier_id: int):
    dossier = services.get_for_member(db.session, current_user, dossier_id)
    if request.method == "POST":
        scores = {}
        for criterion in dossier.sheet.criteria:
            value = request.form.get(f"c{criterion.id}", "")
            if value.strip():
                try:
                    scores[criterion.code] = int(value)
                except ValueError:
                    scores[criterion.code] = -1  # refused by the service with the criterion's levels
        saved = (
            attempt(lambda: services.save_scores(db.session, dossier, current_user, scores))
            if scores
            else None
        )
        if saved is not REFUSED:
            if request.form.get("action") == "submit":
                if attempt(lambda: services.submit_scores(db.session, dossier, current_user)) is not REFUSED:
                    flash(_("Đã nộp phiếu chấm."), "success")
            else:
                flash(_("Đã lưu phiếu chấm (chưa nộp)."), "success")
        return redirect(url_for("evaluation.council_dossier", dossier_id=dossier.id))
    card = services.own_card(db.session, dossier, current_user)
    given = {s.criterion_id: s.points for s in card.scores} if card else {}
    panel = None
    if card is not None and card.submitted_at is not None:
        panel = services.panel(dossier, current_user)
    return render_template(
        "evaluation/council_dossier.html", dossier=dossier, card=card, given=given, panel=panel
    )


# --- Office -------------------------------------------------------------------------------------------


@bp.route("/admin/cycles", methods=["GET", "POST"])
@roles_required("admin")
def admin_cycles():
    if request.method == "POST":
        cycle = attempt(
            lambda: services.create_cycle(
                db.session,
                year=_int("year"),
                province_code=_int("province_code"),
                registration_opens=_date("registration_opens"),
                registration_closes=_date("registration_closes"),
                council_from=_date("council_from", False),
                council_until=_date("council_until", False),
                name=request.form.get("name", ""),
            )
        )
        if cycle is not REFUSED:
            flash(_("Đã mở chu trình (bản nháp). Công bố để chủ thể đăng ký."), "success")
            return redirect(url_for("evaluation.admin_cycle", cycle_id=cycle.id))
        return redirect(url_for("evaluation.admin_cycles"))
    cycles = db.session.scalars(select(Cycle).order_by(Cycle.year.desc(), Cycle.id.desc())).all()
    return render_template(
        "evaluation/admin_cycles.html",
        due=services.due_for_reevaluation(db.session),
        cycles=cycles,
        provinces=provinces(),
        sheets=services.sheets(db.session),
        today=today(),
    )


@bp.post("/admin/cycle/invites")
@roles_required("admin")
def admin_send_invites():
    """The same invitations as `flask cycle invite`: once per certificate in its last 6 months."""
    count = attempt(lambda: services.send_invites(db.session))
    if count is not REFUSED:
        flash(_("Đã gửi %(n)d lời mời đánh giá lại.", n=count), "success")
    return redirect(url_for("evaluation.admin_cycles"))


@bp.post("/admin/score-sheets")
@roles_required("admin")
@accepts_upload()
def admin_import_sheets():
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    try:
        created = sheets.import_sheets_bytes(db.session, data)
        db.session.commit()
        flash(
            _(
                "Đã nhập %(n)d phiếu chấm: %(names)s",
                n=len(created),
                names=", ".join(s.name for s in created),
            ),
            "success",
        )
    except sheets.SheetImportError as err:
        db.session.rollback()
        for line in err.errors[:50]:
            flash(line, "error")
    return redirect(url_for("evaluation.admin_cycles"))


@bp.route("/admin/cycles/<int:cycle_id>", methods=["GET", "POST"])
@roles_required("admin")
def admin_cycle(cycle_id: int):
    cycle = services.get_cycle(db.session, cycle_id)
    if request.method == "POST":
        action = request.form.get("action")
        if action == "publish":
            if attempt(lambda: services.publish_cycle(db.session, cycle)) is not REFUSED:
                flash(_("Đã công bố chu trình."), "success")
        elif action == "close":
            if attempt(lambda: services.close_cycle(db.session, cycle)) is not REFUSED:
                flash(_("Đã đóng chu trình."), "success")
        elif action == "council":
            council = attempt(
                lambda: services.create_council(
                    db.session,
                    cycle_id=cycle.id,
                    members=request.form.getlist("members"),
                    dossiers=[int(x) for x in request.form.getlist("dossiers") if x.isdigit()],
                    name=request.form.get("name", ""),
                    session_on=_date("session_on", False),
                )
            )
            if council is not REFUSED:
                flash(_("Đã lập hội đồng."), "success")
                return redirect(url_for("evaluation.admin_council", council_id=council.id))
        return redirect(url_for("evaluation.admin_cycle", cycle_id=cycle.id))
    from app.accounts.models import User

    dossiers = db.session.scalars(
        select(Dossier)
        .where(Dossier.cycle_id == cycle.id)
        .options(selectinload(Dossier.product), selectinload(Dossier.producer))
        .order_by(Dossier.id)
    ).all()
    councils = db.session.scalars(
        select(Council).where(Council.cycle_id == cycle.id).order_by(Council.id)
    ).all()
    members = db.session.scalars(
        select(User)
        .where(User.role == "council_member", User.active.is_(True))
        .order_by(User.name, User.email)
    ).all()
    return render_template(
        "evaluation/admin_cycle.html", cycle=cycle, dossiers=dossiers, councils=councils, members=members
    )


@bp.route("/admin/councils/<int:council_id>", methods=["GET", "POST"])
@roles_required("admin")
def admin_council(council_id: int):
    council = services.get_council(db.session, council_id)
    if request.method == "POST":
        decision = attempt(
            lambda: services.record_decision(
                db.session,
                decision_number=request.form.get("decision_number", ""),
                issued_on=_date("issued_on"),
                issuer=request.form.get("issuer", ""),
                level=request.form.get("level", ""),
                dossier_ids=[int(x) for x in request.form.getlist("dossiers") if x.isdigit()],
                actor_id=current_user.id,
            )
        )
        if decision is not REFUSED:
            flash(
                _("Đã ghi quyết định %(n)s; giấy chứng nhận đã được tạo.", n=decision.decision_number),
                "success",
            )
        return redirect(url_for("evaluation.admin_council", council_id=council.id))
    return render_template(
        "evaluation/admin_council.html",
        council=council,
        results=services.council_results(council),
        today=today(),
    )


@bp.get("/admin/dossiers/<int:dossier_id>/central-package.json")
@roles_required("admin")
def central_package(dossier_id: int):
    """A provincial 5★ ranking proposed to the central level, as a JSON package to send."""
    import json

    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        raise NotFound(_("Không có hồ sơ này."))
    body = json.dumps(services.central_package(dossier), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="ocop-5-sao-ho-so-{dossier.id}.json"'},
    )


@bp.get("/admin/cycle/products/<slug>")
@roles_required("admin")
def admin_timeline(slug: str):
    from catalog.services import get_product

    product = get_product(db.session, slug)
    return render_template(
        "evaluation/admin_timeline.html", product=product, entries=services.timeline(db.session, product)
    )


@bp.get("/admin/decisions/<int:decision_id>/annex.pdf")
@roles_required("admin")
def decision_annex(decision_id: int):
    from evaluation.models import Decision

    decision = db.session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(_("Không có quyết định này."))
    return Response(
        annex.render(decision),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="annex-{decision.id}.pdf"'},
    )


# --- Public -------------------------------------------------------------------------------------------


@bp.get("/ocop/decisions")
def public_decisions():
    return render_template(
        "evaluation/public_decisions.html", decisions=services.recent_decisions(db.session, 30)
    )
