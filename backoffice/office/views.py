"""The OCOP office's screens (issue 12): producers, certificates by hand and their corrections,
the audit log, supervision of reports and stamps, and the periodic reports. Thin views:
parse a form, call one service, commit at the boundary (`attempt`), render."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import audit
from app.accounts.access import roles_required
from app.clock import today
from app.extensions import db
from backoffice.office import charts, reports
from backoffice.office.forms import (
    ActivityForm,
    CertificateForm,
    CorrectionForm,
    FlagForm,
    ProducerForm,
    ReportUpdateForm,
    TargetForm,
    VoidForm,
)
from backoffice.office.queries import producer_query
from backoffice.views import REFUSED, attempt
from catalog import services
from catalog.exporter import export_csv
from catalog.gate import listability
from catalog.models import PRODUCER_KINDS, Certificate, CertificateCorrection, Producer, Product
from catalog.regions import provinces

bp = Blueprint("office", __name__, url_prefix="/admin", template_folder="templates",
               static_folder="static", static_url_path="/office-static")
PER_PAGE = 50


def _page() -> int:
    return max(1, min(request.args.get("page", default=1, type=int) or 1, 100_000))


def _csv(text: str, filename: str) -> Response:
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


# --- Producers -------------------------------------------------------------------------------

@bp.get("/producers")
@roles_required("admin")
def producers():
    q = (request.args.get("q") or "").strip()[:100]
    province = request.args.get("province", type=int)
    kind = request.args.get("kind") or None
    active = request.args.get("active") or None
    ending = request.args.get("ending") == "1"
    page = _page()
    query = producer_query(q=q, province=province, kind=kind, active=active, ending=ending)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(Producer.name).limit(PER_PAGE)
                              .offset((page - 1) * PER_PAGE)).all()
    counts = dict(db.session.execute(
        select(Product.producer_id, func.count(Product.id))
        .where(Product.producer_id.in_([p.id for p in rows])).group_by(Product.producer_id)).all()) \
        if rows else {}
    return render_template("office/producers.html", rows=rows, counts=counts, total=total,
                           page=page, pages=max(1, -(-total // PER_PAGE)), q=q, province=province,
                           kind=kind, active=active, ending=ending, provinces=provinces(),
                           kinds=PRODUCER_KINDS)


def _producer_form(obj=None) -> ProducerForm:
    form = ProducerForm(obj=obj)
    form.province_code.choices = list(provinces().items())
    return form


def _producer_values(form: ProducerForm) -> dict:
    values = {name: getattr(form, name).data for name in (
        "name", "kind", "tax_code", "province_code", "ward_code", "address", "craft_village",
        "historical_origin", "phone", "email")}
    for key in ("craft_village", "historical_origin", "phone", "email"):
        values[key] = (values[key] or "").strip() or None
    values["address"] = (values["address"] or "").strip()
    return values


@bp.route("/producers/new", methods=["GET", "POST"])
@roles_required("admin")
def new_producer():
    form = _producer_form()
    if form.validate_on_submit():
        producer = attempt(lambda: services.create_producer(db.session, **_producer_values(form)))
        if producer is not REFUSED:
            flash(_("Đã đăng ký chủ thể %(name)s.", name=producer.name), "success")
            return redirect(url_for("office.producer", slug=producer.slug))
        return render_template("office/producer_form.html", form=form, producer=None), 422
    return render_template("office/producer_form.html", form=form, producer=None), \
        422 if form.errors else 200


@bp.route("/producers/<slug>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit_producer(slug: str):
    producer = services.get_producer(db.session, slug)
    form = _producer_form(producer)
    if form.validate_on_submit():
        if attempt(lambda: services.update_producer(db.session, producer,
                                                    **_producer_values(form))) is not REFUSED:
            flash(_("Đã lưu."), "success")
            return redirect(url_for("office.producer", slug=slug))
        return render_template("office/producer_form.html", form=form, producer=producer), 422
    return render_template("office/producer_form.html", form=form, producer=producer), \
        422 if form.errors else 200


@bp.get("/producers/<slug>")
@roles_required("admin")
def producer(slug: str):
    from app.accounts.models import User
    from showrooms.models import Location
    from storefront.models import Shipment

    producer = services.get_producer(db.session, slug)
    products = db.session.scalars(
        select(Product).where(Product.producer_id == producer.id)
        .options(selectinload(Product.certificates)).order_by(Product.name)).all()
    on = today()
    shipments = db.session.scalars(
        select(Shipment).where(Shipment.producer_id == producer.id)
        .options(selectinload(Shipment.order)).order_by(Shipment.id.desc()).limit(20)).all()
    return render_template(
        "office/producer.html", producer=producer,
        products=[(p, listability(p, on)) for p in products],
        users=db.session.scalars(select(User).where(User.producer_id == producer.id)).all(),
        locations=db.session.scalars(select(Location).where(Location.producer_id == producer.id)).all(),
        shipments=shipments, activity_form=ActivityForm(),
        history=audit.object_history(db.session, "producers", producer.id))


@bp.post("/producers/<slug>/active")
@roles_required("admin")
def set_active(slug: str):
    producer = services.get_producer(db.session, slug)
    form = ActivityForm()
    active = request.form.get("active") == "1"
    if not form.validate_on_submit():
        flash(_("Hãy ghi lý do."), "error")
        return redirect(url_for("office.producer", slug=slug))
    reason = form.reason.data
    changed = attempt(lambda: services.set_producer_active(db.session, producer, active=active,
                                                           reason=reason))
    if changed is True:
        services.producer_activity_mail(producer, active=active, reason=reason)
        flash(_("Đã kích hoạt lại chủ thể.") if active else
              _("Đã tạm ngừng chủ thể: mọi sản phẩm của chủ thể đã ngừng bán."), "success")
    elif changed is False:
        flash(_("Không có gì thay đổi."), "info")
    return redirect(url_for("office.producer", slug=slug))


# --- Certificates -------------------------------------------------------------------------------

@bp.route("/certificates/new", methods=["GET", "POST"])
@roles_required("admin")
def new_certificate():
    form = CertificateForm(product=request.args.get("product"))
    if form.validate_on_submit():
        def create():
            product = services.get_product(db.session, form.product.data.strip())
            return services.create_certificate(
                db.session, product, stars=form.stars.data, score=form.score.data,
                level=form.level.data, decision_number=form.decision_number.data,
                issuer=form.issuer.data, issued_on=form.issued_on.data,
                valid_until=form.valid_until.data)

        cert = attempt(create)
        if cert is not REFUSED:
            flash(_("Đã ghi nhận quyết định %(number)s.", number=cert.decision_number), "success")
            return redirect(url_for("admin.admin_product", slug=cert.product.slug))
        return render_template("office/certificate_form.html", form=form), 422
    return render_template("office/certificate_form.html", form=form), 422 if form.errors else 200


@bp.post("/certificates/<int:cert_id>/correct")
@roles_required("admin")
def correct_certificate(cert_id: int):
    cert = db.session.get(Certificate, cert_id) or abort(404)
    form = CorrectionForm()
    if not form.validate_on_submit():
        flash(_("Hãy ghi sai sót được sửa."), "error")
    else:
        changes = {k: getattr(form, k).data for k in services.CORRECTABLE}
        changes = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()
                   if v not in (None, "")}
        if attempt(lambda: services.correct_certificate(
                db.session, cert, reason=form.reason.data, corrected_by=current_user,
                **changes)) is not REFUSED:
            flash(_("Đã ghi nhận đính chính giấy chứng nhận %(number)s.",
                    number=cert.decision_number), "success")
    return redirect(url_for("admin.admin_product", slug=cert.product.slug))


@bp.get("/certificates/export")
@roles_required("admin")
def export_certificates():
    province = request.args.get("province", type=int)
    return _csv(export_csv(db.session, province_code=province),
                f"ocop-certificates{'-' + str(province) if province else ''}.csv")


def product_office_context(product: Product) -> dict:
    """What the office's product page adds: corrections, audit of the product and its
    certificates, the correction form."""
    cert_ids = [str(c.id) for c in product.certificates]
    history = audit.object_history(db.session, "products", product.id)
    if cert_ids:
        history += list(db.session.scalars(
            select(audit.AuditEntry).where(audit.AuditEntry.object_type == "certificates",
                                           audit.AuditEntry.object_id.in_(cert_ids))
            .order_by(audit.AuditEntry.at.desc()).limit(100)))
        history.sort(key=lambda e: (e.at, e.id), reverse=True)
    corrections = db.session.scalars(
        select(CertificateCorrection).where(CertificateCorrection.certificate_id.in_(
            [c.id for c in product.certificates]))
        .order_by(CertificateCorrection.id.desc())).all() if product.certificates else []
    from app.accounts.models import User

    ids = {c.corrected_by_id for c in corrections if c.corrected_by_id}
    officers = dict(db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all()) \
        if ids else {}
    return {"history": history, "corrections": corrections, "officers": officers,
            "correction_form": CorrectionForm()}


# --- Audit log --------------------------------------------------------------------------------

def _date_arg(name: str) -> date | None:
    raw = request.args.get(name) or ""
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        flash(_("Ngày không hợp lệ: %(value)s", value=raw[:20]), "error")
        return None


@bp.get("/audit")
@roles_required("admin")
def audit_log():
    filters = audit.AuditFilter(
        actor=(request.args.get("actor") or "").strip()[:254] or None,
        object_type=request.args.get("object_type") or None,
        object_id=(request.args.get("object_id") or "").strip()[:64] or None,
        action=request.args.get("action") if request.args.get("action") in audit.ACTIONS else None,
        since=_date_arg("since"), until=_date_arg("until"))
    if request.args.get("format") == "csv":
        entries = db.session.scalars(audit.audit_query(filters)
                                     .order_by(audit.AuditEntry.at.desc()).limit(100_000))
        return _csv(audit.entries_csv(entries), "ocop-audit.csv")
    page = _page()
    entries, total = audit.find_entries(db.session, filters, page=page, per_page=PER_PAGE)
    return render_template("office/audit.html", entries=entries, total=total, page=page,
                           pages=max(1, -(-total // PER_PAGE)), filters=filters,
                           object_types=audit.object_types(db.session), actions=audit.ACTIONS)


# --- Supervision: reports and stamps ------------------------------------------------------------

@bp.get("/trace-reports")
@roles_required("admin")
def trace_reports():
    from traceability import supervision

    status = request.args.get("status") or None
    page = _page()
    rows, total = supervision.list_reports(db.session, status=status, page=page, per_page=PER_PAGE)
    return render_template("office/trace_reports.html", rows=rows, total=total, status=status,
                           page=page, pages=max(1, -(-total // PER_PAGE)),
                           counts=supervision.status_counts(db.session))


@bp.route("/trace-reports/<int:report_id>", methods=["GET", "POST"])
@roles_required("admin")
def trace_report(report_id: int):
    from traceability import supervision

    report = supervision.get_report(db.session, report_id)
    form = ReportUpdateForm()
    if form.validate_on_submit() and attempt(lambda: supervision.update_report(
            db.session, report, officer=current_user, status=form.status.data or None,
            note=form.note.data)) is not REFUSED:
        flash(_("Đã cập nhật báo cáo."), "success")
        return redirect(url_for("office.trace_report", report_id=report_id))
    return render_template("office/trace_report.html", report=report, form=form,
                           void_form=VoidForm(), flag_form=FlagForm())


@bp.get("/stamps")
@roles_required("admin")
def stamps_board():
    from traceability import supervision

    threshold = current_app.config["SUSPICIOUS_SCAN_CLIENTS"]
    return render_template("office/stamps.html", threshold=threshold,
                           suspicious=supervision.suspicious_stamps(db.session, threshold=threshold),
                           void_scanned=supervision.void_stamps_still_scanned(db.session),
                           void_form=VoidForm(), flag_form=FlagForm())


def _back(default: str) -> str:
    target = request.form.get("next") or ""
    return target if target.startswith("/admin/") else default


@bp.post("/stamps/<code>/void")
@roles_required("admin")
def void_stamp(code: str):
    from traceability import services as trace_services

    form = VoidForm()
    if not form.validate_on_submit():
        flash(_("Hãy ghi lý do huỷ."), "error")
    elif attempt(lambda: trace_services.void_stamp(
            db.session, trace_services.get_stamp(db.session, code), reason=form.reason.data)) \
            is not REFUSED:
        flash(_("Đã huỷ tem %(code)s: trang truy xuất báo tem đã huỷ.", code=code), "success")
    return redirect(_back(url_for("office.stamps_board")))


@bp.post("/lots/<int:lot_id>/void")
@roles_required("admin")
def void_lot(lot_id: int):
    from traceability import services as trace_services

    form = VoidForm()
    if not form.validate_on_submit():
        flash(_("Hãy ghi lý do huỷ."), "error")
    elif attempt(lambda: trace_services.void_lot(
            db.session, trace_services.get_lot(db.session, lot_id), reason=form.reason.data)) \
            is not REFUSED:
        flash(_("Đã huỷ cả lô: mọi tem của lô báo đã huỷ."), "success")
    return redirect(_back(url_for("office.stamps_board")))


@bp.post("/stamps/<code>/flag")
@roles_required("admin")
def flag_stamp(code: str):
    from traceability import services as trace_services
    from traceability import supervision

    form = FlagForm()
    if form.validate_on_submit():
        flag = attempt(lambda: supervision.flag_stamp(
            db.session, trace_services.get_stamp(db.session, code), officer=current_user,
            note=form.note.data or ""))
        if flag is not REFUSED:
            supervision.flag_mail(flag)
            flash(_("Đã báo cho chủ thể qua email.") if flag.mailed_to else
                  _("Đã đánh dấu; chủ thể chưa có email, cần gọi điện."), "success")
    return redirect(_back(url_for("office.stamps_board")))


# --- Reports ---------------------------------------------------------------------------------

@bp.get("/reports")
@roles_required("admin")
def reports_page():
    year = request.args.get("year", type=int) or today().year
    year = max(2018, min(year, 2100))
    data = {name: reports.build(db.session, name, year=year) for name in reports.REPORTS}
    products = data["products"]
    from backoffice.forms import GROUP_CHOICES

    group_names = {choice.value: str(choice.label) for choice in GROUP_CHOICES}
    chart = {
        "stars": charts.bar_chart(_("Sản phẩm OCOP theo số sao"),
                                  [(f"{k}★", v) for k, v in sorted(
                                      products.totals("stars"), reverse=True)],
                                  chart_id="chart-stars"),
        "group": charts.bar_chart(_("Sản phẩm OCOP theo nhóm"),
                                  [(group_names.get(k, k), v) for k, v in products.totals("group")],
                                  chart_id="chart-group", color=charts.PALETTE[1]),
        "province": charts.bar_chart(_("Sản phẩm OCOP theo tỉnh"), products.totals("province"),
                                     chart_id="chart-province", color=charts.PALETTE[3]),
        "sales": charts.bar_chart(_("Doanh số theo tháng (đồng)"),
                                  data["sales"].totals("month", "value_vnd"),
                                  chart_id="chart-sales", color=charts.PALETTE[0]),
        "channels": charts.bar_chart(_("Doanh số theo kênh (đồng)"),
                                     data["sales"].totals("channel", "value_vnd"),
                                     chart_id="chart-channels", color=charts.PALETTE[4]),
        "scans": charts.bar_chart(_("Lượt quét theo kết quả"), data["scans"].totals("verdict"),
                                  chart_id="chart-scans", color=charts.PALETTE[5]),
        "expiries": charts.bar_chart(_("Giấy chứng nhận hết hạn theo tháng"),
                                     data["expiries"].totals("month"), chart_id="chart-expiries",
                                     color=charts.PALETTE[2]),
        "targets": charts.paired_bar_chart(
            _("Mục tiêu và kết quả: sản phẩm OCOP mới"),
            [(r["province"], r["new_products_target"], r["new_products"])
             for r in data["targets"].rows], chart_id="chart-targets",
            legend=(_("Mục tiêu"), _("Đạt được"))),
    }
    form = TargetForm(year=year)
    form.province_code.choices = list(provinces().items())
    return render_template("office/reports.html", data=data, chart=chart, year=year,
                           target_form=form, by_stars=products.pivot("province", "stars"),
                           by_group=products.pivot("province", "group"), group_names=group_names)


@bp.get("/reports/<name>.csv")
@roles_required("admin")
def report_csv(name: str):
    year = request.args.get("year", type=int)
    report = reports.build(db.session, name, year=year, by_ward=request.args.get("by") == "ward")
    return _csv(report.csv(), f"ocop-{name}{'-' + str(year) if year else ''}.csv")


@bp.post("/targets")
@roles_required("admin")
def set_target():
    form = TargetForm()
    form.province_code.choices = list(provinces().items())
    if not form.validate_on_submit():
        flash(_("Mục tiêu không hợp lệ."), "error")
        return redirect(url_for("office.reports_page"))
    if attempt(lambda: reports.set_target(
            db.session, year=form.year.data, province_code=form.province_code.data,
            new_products=form.new_products.data or 0, four_star=form.four_star.data or 0,
            five_star=form.five_star.data or 0)) is not REFUSED:
        flash(_("Đã lưu mục tiêu."), "success")
    return redirect(url_for("office.reports_page", year=form.year.data))


@bp.app_template_filter("province_label")
def province_label(code) -> str:
    from catalog.regions import province_name

    return province_name(code)
