"""Seller (producer) and admin (OCOP office) screens. Thin views: they parse forms, call the
catalog/showrooms/storefront services, commit once, and render."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from wtforms.fields import SelectChoice

from app.accounts.access import roles_required
from app.clock import today
from app.errors import DomainError
from app.extensions import db
from app.security import accepts_upload
from backoffice import dashboards
from backoffice.forms import (
    ImportForm,
    LotForm,
    PhotoForm,
    ProductForm,
    RevokeForm,
    ShipForm,
    StampsForm,
)
from catalog import services
from catalog.gate import listability
from catalog.models import Certificate, Producer, Product
from catalog.photos import add_photo

seller = Blueprint("seller", __name__, url_prefix="/seller", template_folder="templates")
admin = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
blueprints = [seller, admin]

PER_PAGE = 50
REFUSED = object()


def attempt(action):
    """Run one service call and commit; when a domain rule refuses, roll back and flash the
    reason. Returns the call's result, or REFUSED."""
    try:
        result = action()
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return REFUSED
    return result


# --- Seller -----------------------------------------------------------------------------------

def _producer() -> Producer:
    producer = current_user.producer
    if producer is None:
        abort(403)
    return producer


@seller.get("/")
@roles_required("producer", "sales_point")
def dashboard():
    if current_user.role == "sales_point":
        return render_template("backoffice/sales_point_home.html", point=current_user.sales_point)
    producer = _producer()
    return render_template("backoffice/seller_dashboard.html", producer=producer,
                           board=dashboards.seller_board(db.session, producer))


@seller.get("/products")
@roles_required("producer")
def products():
    producer = _producer()
    rows = db.session.scalars(
        select(Product).where(Product.producer_id == producer.id)
        .options(selectinload(Product.certificates), selectinload(Product.photos))
        .order_by(Product.name)
    ).all()
    on = today()
    return render_template("backoffice/seller_products.html", producer=producer,
                           rows=[(p, listability(p, on)) for p in rows])


def _form_values(form: ProductForm) -> dict:
    values = {field: getattr(form, field).data for field in
              ("name", "name_en", "group", "price_vnd", "unit", "unit_en", "description",
               "description_en", "gtin", "published")}
    for key in ("name_en", "unit_en", "description_en", "gtin"):
        values[key] = (values[key] or "").strip() or None
    values["description"] = values["description"] or ""
    return values


@seller.route("/products/new", methods=["GET", "POST"])
@roles_required("producer")
def new_product():
    form = ProductForm()
    if form.validate_on_submit():
        product = attempt(lambda: services.create_product(db.session, _producer(),
                                                          **_form_values(form)))
        if product is not REFUSED:
            flash(_("Đã tạo sản phẩm %(name)s.", name=product.name), "success")
            return redirect(url_for("seller.edit_product", slug=product.slug))
    return render_template("backoffice/product_form.html", form=form, product=None,
                           photo_form=None), 422 if form.errors else 200


@seller.route("/products/<slug>", methods=["GET", "POST"])
@roles_required("producer")
def edit_product(slug: str):
    product = services.get_product(db.session, slug, producer=_producer())
    form = ProductForm(obj=product)
    saved = form.validate_on_submit() and attempt(
        lambda: services.update_product(db.session, product, **_form_values(form))) is not REFUSED
    if saved:
        flash(_("Đã lưu."), "success")
        return redirect(url_for("seller.edit_product", slug=product.slug))
    return render_template("backoffice/product_form.html", form=form, product=product,
                           photo_form=PhotoForm(), verdict=listability(product)), \
        422 if form.errors else 200


@seller.post("/products/<slug>/photos")
@roles_required("producer")
@accepts_upload()
def upload_photo(slug: str):
    product = services.get_product(db.session, slug, producer=_producer())
    form = PhotoForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("seller.edit_product", slug=slug))
    if attempt(lambda: add_photo(db.session, product, form.photo.data.stream,
                                 current_app.config["PHOTO_DIR"], alt=form.alt.data or "")) is REFUSED:
        # The product page again, with the reason flashed above, answered 422 (nothing stored).
        product = services.get_product(db.session, slug, producer=_producer())
        return render_template("backoffice/product_form.html", form=ProductForm(obj=product),
                               product=product, photo_form=PhotoForm(formdata=None),
                               verdict=listability(product)), 422
    flash(_("Đã thêm ảnh."), "success")
    return redirect(url_for("seller.edit_product", slug=slug))


@seller.get("/orders")
@roles_required("producer")
def orders():
    from storefront.shipments import seller_shipments

    status = request.args.get("status") or None
    if status not in (None, "confirmed", "shipped", "delivered", "cancelled", "pending"):
        status = None
    shipments = seller_shipments(db.session, _producer(), status=status)
    return render_template("backoffice/seller_orders.html", shipments=shipments, status=status,
                           ship_form=ShipForm())


@seller.post("/orders/<int:shipment_id>/ship")
@roles_required("producer")
def ship(shipment_id: int):
    from storefront.shipments import ship as ship_shipment

    form = ShipForm()
    if not form.validate_on_submit():
        flash(_("Hãy nhập đơn vị vận chuyển và mã vận đơn."), "error")
        return redirect(url_for("seller.orders"))
    shipment = attempt(lambda: _mailing_cancelled(ship_shipment(
        db.session, _producer(), shipment_id, carrier=form.carrier.data.strip(),
        tracking=form.tracking.data.strip())))
    if shipment is not REFUSED:
        _tell_cancelled(shipment)
        if shipment.status == "shipped":
            flash(_("Đã ghi nhận giao hàng. Khách hàng sẽ thấy mã vận đơn."), "success")
    return redirect(url_for("seller.orders"))


@seller.post("/orders/<int:shipment_id>/deliver")
@roles_required("producer")
def deliver(shipment_id: int):
    from storefront.shipments import deliver as deliver_shipment

    shipment = attempt(lambda: _mailing_cancelled(deliver_shipment(db.session, _producer(),
                                                                   shipment_id)))
    if shipment is not REFUSED:
        _tell_cancelled(shipment)
        if shipment.status == "delivered":
            flash(_("Đã đánh dấu là đã giao."), "success")
    return redirect(url_for("seller.orders"))


@seller.post("/orders/<int:shipment_id>/confirm")
@roles_required("producer")
def confirm_order(shipment_id: int):
    """A cash order's shipment: the producer will send it (else it expires)."""
    from storefront.shipments import confirm_shipment

    if attempt(lambda: confirm_shipment(db.session, _producer(), shipment_id)) is not REFUSED:
        flash(_("Đã xác nhận đơn hàng. Hãy chuẩn bị và gửi hàng."), "success")
    return redirect(url_for("seller.orders"))


@seller.post("/orders/<int:shipment_id>/cancel")
@roles_required("producer")
def cancel_order(shipment_id: int):
    """The producer cancels its shipment of a cash order, saying why (units back to stock;
    the customer is mailed after the commit)."""
    from storefront import order_mail
    from storefront.shipments import cancel_shipment

    reason = (request.form.get("reason") or "").strip()
    if len(reason) < 3:
        flash(_("Hãy ghi lý do huỷ để báo cho khách hàng."), "error")
        return redirect(url_for("seller.orders"))

    def cancel():
        shipment = cancel_shipment(db.session, _producer(), shipment_id, reason=reason[:300])
        order_mail.send_after_commit(db.session, order_mail.lines_cancelled_mail(
            shipment.order, [(line, line.cancel_reason) for line in shipment.lines
                             if line.cancel_reason == shipment.cancel_reason],
            headline=order_mail.BY_SELLER))
        return shipment

    if attempt(cancel) is not REFUSED:
        flash(_("Đã huỷ kiện hàng; sản phẩm đã được trả lại kho và khách hàng đã được báo."),
              "success")
    return redirect(url_for("seller.orders"))


def _mailing_cancelled(shipment):
    """Lines the gate cancelled at shipping or hand-over: the customer is mailed after the
    commit (never for a rolled-back change)."""
    from storefront import order_mail

    order_mail.send_after_commit(db.session, order_mail.lines_cancelled_mail(
        shipment.order, getattr(shipment, "gate_cancelled", [])))
    return shipment


def _tell_cancelled(shipment) -> None:
    """Lines the gate cancelled at shipping or hand-over: tell the seller."""
    cancelled = getattr(shipment, "gate_cancelled", [])
    if cancelled:
        flash(_("Không giao %(names)s: sản phẩm không còn được bán; dòng hàng đã huỷ và "
                "khách hàng đã được báo.", names=", ".join(line.product_name
                                                        for line, _why in cancelled)), "error")


def _lot_form(producer: Producer) -> LotForm:
    form = LotForm()
    products = db.session.scalars(select(Product).where(
        Product.producer_id == producer.id, Product.group != "tourism").order_by(Product.name)).all()
    form.product.choices = [SelectChoice(p.slug, p.name) for p in products]
    return form


@seller.route("/lots", methods=["GET", "POST"])
@roles_required("producer")
def lots():
    from traceability import services as trace_services
    from traceability.models import Lot

    producer = _producer()
    form = _lot_form(producer)
    if form.validate_on_submit():
        def create():
            product = services.get_product(db.session, form.product.data, producer=producer)
            lot = trace_services.create_lot(
                db.session, product, lot_number=form.lot_number.data,
                produced_on=form.produced_on.data, best_before=form.best_before.data,
                quantity=form.quantity.data)
            if form.stamps.data:
                trace_services.issue_stamps(db.session, lot, form.stamps.data)
            return lot

        lot = attempt(create)
        if lot is not REFUSED:
            flash(_("Đã tạo lô %(lot)s.", lot=lot.lot_number), "success")
            return redirect(url_for("seller.lots"))
    rows = db.session.scalars(
        select(Lot).join(Lot.product).where(Product.producer_id == producer.id)
        .options(selectinload(Lot.product)).order_by(Lot.produced_on.desc(), Lot.id.desc()).limit(200)
    ).all()
    counts = trace_services.lot_stamp_counts(db.session, [lot.id for lot in rows])
    return render_template("backoffice/seller_lots.html", form=form, lots=rows, counts=counts,
                           stamps_form=StampsForm()), 422 if form.errors else 200


@seller.post("/lots/<int:lot_id>/stamps")
@roles_required("producer")
def issue_stamps(lot_id: int):
    from traceability import services as trace_services

    form = StampsForm()
    if not form.validate_on_submit():
        flash(_("Số tem phải từ 1 đến 10.000."), "error")
        return redirect(url_for("seller.lots"))
    def issue():
        lot = trace_services.get_lot(db.session, lot_id, producer=_producer())
        trace_services.issue_stamps(db.session, lot, form.count.data)
        return lot

    lot = attempt(issue)
    if lot is not REFUSED:
        flash(_("Đã tạo %(n)d tem cho lô %(lot)s.", n=form.count.data, lot=lot.lot_number), "success")
    return redirect(url_for("seller.lots"))


@seller.get("/lots/<int:lot_id>/stamps.pdf")
@roles_required("producer")
def stamps_pdf(lot_id: int):
    from traceability import services as trace_services

    lot = trace_services.get_lot(db.session, lot_id, producer=_producer())
    pdf, filename = trace_services.lot_sheet_pdf(db.session, lot, current_app.config["BASE_URL"])
    return current_app.response_class(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"'})


# --- Admin (the OCOP office) ----------------------------------------------------------------------

@admin.get("/")
@roles_required("admin", "organizer")
def admin_dashboard():
    watch = None
    if current_user.role == "admin":
        from traceability import supervision

        watch = {"reports": supervision.status_counts(db.session),
                 "suspicious": len(supervision.suspicious_stamps(
                     db.session, threshold=current_app.config["SUSPICIOUS_SCAN_CLIENTS"]))}
    return render_template("backoffice/admin_dashboard.html",
                           stats=dashboards.office_stats(db.session), watch=watch,
                           expiring=dashboards.expiring_certificates(db.session, within_days=90))


@admin.get("/certificates")
@roles_required("admin")
def expiry_board():
    days = request.args.get("days", default=90, type=int)
    days = max(1, min(days or 90, 730))
    rows = dashboards.expiring_certificates(db.session, within_days=days)
    if request.args.get("format") == "csv":
        return dashboards.expiry_csv_response(rows)
    return render_template("backoffice/expiry_board.html", rows=rows, days=days)


@admin.post("/certificates/remind")
@roles_required("admin")
def send_reminders():
    from catalog.reminders import send_reminders as send

    days = request.form.get("days", type=int) or current_app.config["CERTIFICATE_REMINDER_DAYS"]
    report = send(db.session, within_days=max(1, min(days, 365)))
    db.session.commit()
    flash(_("Đã gửi %(n)d thư nhắc cho %(m)d giấy chứng nhận.", n=len(report.sent),
            m=report.certificates), "success")
    if report.unreachable:
        flash(_("Không có email, cần gọi điện: %(names)s",
                names=", ".join(r.producer.name for r in report.unreachable)), "error")
    return redirect(url_for("admin.expiry_board", days=days))


@admin.get("/products")
@roles_required("admin")
def admin_products():
    q = (request.args.get("q") or "").strip()[:100]
    page = max(1, request.args.get("page", default=1, type=int) or 1)
    query = select(Product).join(Product.producer)
    if q:
        pattern = f"%{q}%"
        query = query.where(or_(Product.name.ilike(pattern), Producer.name.ilike(pattern),
                                Producer.tax_code.ilike(pattern), Product.slug.ilike(pattern)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    products = db.session.scalars(
        query.options(selectinload(Product.certificates), selectinload(Product.producer))
        .order_by(Product.name).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    on = today()
    return render_template("backoffice/admin_products.html", q=q, page=page, total=total,
                           pages=max(1, -(-total // PER_PAGE)),
                           rows=[(p, listability(p, on)) for p in products])


@admin.get("/products/<slug>")
@roles_required("admin")
def admin_product(slug: str):
    from backoffice.office.views import product_office_context

    product = services.get_product(db.session, slug)
    return render_template("backoffice/admin_product.html", product=product,
                           verdict=listability(product), revoke_form=RevokeForm(),
                           **product_office_context(product))


@admin.post("/certificates/<int:cert_id>/revoke")
@roles_required("admin")
def revoke(cert_id: int):
    cert = db.session.get(Certificate, cert_id) or abort(404)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Hãy ghi lý do thu hồi."), "error")
    else:
        if attempt(lambda: services.revoke_certificate(
                db.session, cert, reason=form.reason.data, revoked_on=form.revoked_on.data)) is not REFUSED:
            flash(_("Đã thu hồi giấy chứng nhận %(number)s.", number=cert.decision_number), "success")
    return redirect(url_for("admin.admin_product", slug=cert.product.slug))


@admin.route("/import", methods=["GET", "POST"])
@roles_required("admin")
@accepts_upload()
def import_certificates():
    form = ImportForm()
    result = errors = None
    if form.validate_on_submit():
        from catalog.importer import import_csv_bytes

        outcome = import_csv_bytes(db.session, form.file.data.read())
        if outcome.errors:
            db.session.rollback()
            errors = outcome.errors
        else:
            db.session.commit()
            result = outcome
    return render_template("backoffice/import.html", form=form, result=result, errors=errors), \
        422 if errors else 200
