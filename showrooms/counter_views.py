"""The counter screen `/counter/<point code>` (tablet first, USB scanner, offline queue) and
the point's own screens: tickets and receipts, transfers in, pickups, the needs-attention
list, stock and low stock, the day report and close. The producer's transfer screen and the
office's sales-point screens live here too. Thin views: they call the same services as
the JSON API (showrooms.counter, transfers, pickups, reports)."""

from __future__ import annotations

import uuid
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import ValidationError
from sqlalchemy import func, select

from app.accounts.access import roles_required
from app.clock import today
from app.errors import DomainError, InvalidInput
from app.extensions import db
from catalog.models import Product
from showrooms import counter, pickups, reports, transfers
from showrooms.catalogue import catalogue, stamp_lookup
from showrooms.counter_api import SaleIn, record_sale
from showrooms.counter_models import AttentionItem, CounterSale
from showrooms.models import SalesPoint
from showrooms.stock import sales_point_location, warehouse_of
from storefront.payments import vietqr

bp = Blueprint("counter", __name__, template_folder="templates", static_folder="static",
               static_url_path="/counter-static")
office = Blueprint("point_office", __name__, template_folder="templates")
blueprints = [bp, office]


@bp.app_template_global("pickup_of")
def pickup_of(order) -> pickups.Pickup:
    """The order page asks whether a pickup order is ready at the point (one rule: Pickup)."""
    return pickups.Pickup(order)


def _point(code: str) -> SalesPoint:
    return counter.point_for_user(db.session, current_user, code)


def _attempt(action):
    """Run a service call and commit; a refusal is rolled back and flashed (the lines the
    gate cancelled at a pickup's hand-over stay cancelled)."""
    try:
        result = action()
        db.session.commit()
    except pickups.NoLongerListable as refused:
        pickups.keep_gate_cancellation(db.session, refused)
        flash(refused.message, "error")
        return None
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return None
    return result


def day_arg() -> date:
    """The `date` query argument (today when absent), for the counter's and booths' reports."""
    raw = request.args.get("date")
    if not raw:
        return today()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_("Ngày không hợp lệ (YYYY-MM-DD)."), code="invalid_date") from None


def bank_account(point: SalesPoint) -> dict:
    """The account the point's VietQR pays: its own when set, else the office's."""
    config = current_app.config
    return {"bank_bin": point.bank_bin or config["VIETQR_BANK_BIN"],
            "account": point.bank_account or config["VIETQR_ACCOUNT"],
            "account_name": point.bank_account_name or config["VIETQR_ACCOUNT_NAME"]}


# --- The counter screen ----------------------------------------------------------------------

@bp.get("/counter/<code>")
@roles_required("sales_point", "admin")
def screen(code: str):
    point = _point(code)
    location = sales_point_location(db.session, point)
    waiting = db.session.scalar(select(func.count()).select_from(AttentionItem).where(
        AttentionItem.location_id == location.id, AttentionItem.status == "open"))
    desk = {"label": point.code, "code": point.code, "name": point.name, "address": point.address,
            "phone": point.phone, "nav": "showrooms/_point_nav.html",
            "catalogue_url": url_for("counter.catalogue_json", code=point.code),
            "sale_url": url_for("counter.sale_json", code=point.code),
            "stamp_url": url_for("counter.stamp_json", code=point.code),
            "attention_url": url_for("counter.attention", code=point.code)}
    return render_template("showrooms/counter.html", point=point, desk=desk, attention_count=waiting,
                           low_count=len(reports.low_stock(db.session, location)), bank=bank_account(point))


@bp.get("/counter/<code>/catalogue.json")
@roles_required("sales_point", "admin")
def catalogue_json(code: str):
    return jsonify(catalogue(db.session, sales_point_location(db.session, _point(code))))


@bp.get("/counter/<code>/stamp")
@roles_required("sales_point", "admin")
def stamp_json(code: str):
    _point(code)
    return jsonify(stamp_lookup(db.session, request.args.get("scan", "")[:300]))


@bp.post("/counter/<code>/sales")
@roles_required("sales_point", "admin")
def sale_json(code: str):
    """The counter page's sale (session + CSRF header): the same service and answers as the
    API — 201 a new ticket, 200 the same key again, 202 needs attention."""
    point = _point(code)
    try:
        body = SaleIn.model_validate_json(request.get_data() or b"{}")
    except ValidationError as err:
        raise InvalidInput("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                     for e in err.errors())) from None
    key = counter.check_key(request.headers.get("Idempotency-Key"))
    payload, status = record_sale(sales_point_location(db.session, point), body, key, current_user.id)
    db.session.commit()
    if status in (200, 201) and payload["payment"] == "vietqr":
        account = bank_account(point)
        reference = payload["receipt_number"].replace("-", " ")[:25]
        data = vietqr.payload(bank_bin=account["bank_bin"], account=account["account"],
                              amount_vnd=max(payload["total_vnd"], 1), reference=reference)
        payload["vietqr"] = {"payload": data, "svg": vietqr.qr_svg(data), **account,
                             "reference": reference}
    payload["receipt_url"] = url_for("counter.receipt", code=point.code, sale_id=payload["id"]) \
        if "id" in payload else None
    return jsonify(payload), status


@bp.get("/counter/<code>/tickets/<int:sale_id>")
@roles_required("sales_point", "admin")
def receipt(code: str, sale_id: int):
    point = _point(code)
    sale = counter.get_sale(db.session, sales_point_location(db.session, point), sale_id)
    return render_template("showrooms/receipt.html", point=point, sale=sale,
                           returned=counter.returned_quantities(sale), today=today())


@bp.post("/counter/<code>/tickets/<int:sale_id>/void")
@roles_required("sales_point", "admin")
def void(code: str, sale_id: int):
    point = _point(code)
    location = sales_point_location(db.session, point)
    sale = _attempt(lambda: counter.void_sale(db.session, location, sale_id,
                                              reason=request.form.get("reason", ""),
                                              staff_id=current_user.id))
    if sale is not None:
        flash(_("Đã huỷ hoá đơn %(number)s; hàng đã trả về kệ.", number=sale.receipt_number), "success")
    return redirect(url_for("counter.receipt", code=point.code, sale_id=sale_id))


@bp.post("/counter/<code>/tickets/<int:sale_id>/return")
@roles_required("sales_point", "admin")
def return_items(code: str, sale_id: int):
    point = _point(code)
    location = sales_point_location(db.session, point)
    items = []
    for key, value in request.form.items():
        if key.startswith("qty-") and value.strip():
            try:
                quantity = int(value)
            except ValueError:
                quantity = 0
            if quantity:
                items.append((key.removeprefix("qty-"), quantity))
    refund = _attempt(lambda: counter.return_items(db.session, location, sale_id, items,
                                                   reason=request.form.get("reason", ""),
                                                   staff_id=current_user.id))
    if refund is not None:
        from app.templating import vnd

        flash(_("Đã nhận lại hàng, hoàn %(amount)s.", amount=vnd(refund.amount_vnd)), "success")
    return redirect(url_for("counter.receipt", code=point.code, sale_id=sale_id))


# --- The day report and close ----------------------------------------------------------------

@bp.get("/counter/<code>/report")
@roles_required("sales_point", "admin")
def report(code: str):
    point = _point(code)
    location = sales_point_location(db.session, point)
    day = day_arg()
    result = reports.day_report(db.session, location, day)
    if request.args.get("format") == "csv":
        return Response("\ufeff" + reports.report_csv(result), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{location.code}-{day}.csv"'})
    return render_template("showrooms/day_report.html", point=point, report=result, day=day,
                           today=today(), low=reports.low_stock(db.session, location))


@bp.post("/counter/<code>/close")
@roles_required("sales_point", "admin")
def close(code: str):
    point = _point(code)
    location = sales_point_location(db.session, point)
    try:
        day = date.fromisoformat(request.form.get("date", ""))
        counted = int((request.form.get("cash_counted_vnd") or "").replace(".", "").replace(",", ""))
    except ValueError:
        flash(_("Hãy nhập số tiền mặt đếm được (đồng)."), "error")
        return redirect(url_for("counter.report", code=point.code))
    if day > today():
        flash(_("Chưa thể chốt một ngày chưa đến."), "error")
    elif _attempt(lambda: reports.close_day(db.session, location, day, cash_counted_vnd=counted,
                                            note=request.form.get("note"), staff_id=current_user.id)):
        flash(_("Đã chốt ca ngày %(day)s.", day=day.strftime("%d/%m/%Y")), "success")
    return redirect(url_for("counter.report", code=point.code, date=day.isoformat()))


# --- Transfers in ----------------------------------------------------------------------------

@bp.get("/counter/<code>/transfers")
@roles_required("sales_point", "admin")
def transfers_in(code: str):
    point = _point(code)
    return render_template("showrooms/point_transfers.html", point=point,
                           transfers=transfers.incoming(db.session, sales_point_location(db.session, point)))


@bp.post("/counter/<code>/transfers/<int:transfer_id>/receive")
@roles_required("sales_point", "admin")
def receive(code: str, transfer_id: int):
    point = _point(code)
    location = sales_point_location(db.session, point)
    counts = []
    for key, value in request.form.items():
        if key.startswith("count-"):
            try:
                counts.append((key.removeprefix("count-"), int(value)))
            except ValueError:
                flash(_("Số đếm phải là số nguyên."), "error")
                return redirect(url_for("counter.transfers_in", code=point.code))
    if _attempt(lambda: transfers.receive(db.session, location, transfer_id, counts,
                                          actor_id=current_user.id, note=request.form.get("note"))):
        flash(_("Đã nhận hàng chuyển #%(id)d.", id=transfer_id), "success")
    return redirect(url_for("counter.transfers_in", code=point.code))


# --- Pickups ---------------------------------------------------------------------------------

@bp.get("/counter/<code>/pickups")
@roles_required("sales_point", "admin")
def pickup_queue(code: str):
    point = _point(code)
    return render_template("showrooms/pickups.html", point=point,
                           pickups=pickups.pickup_queue(db.session, point),
                           to_confirm=pickups.pickups_to_confirm(db.session, point),
                           new_key=uuid.uuid4().hex)


@bp.post("/counter/<code>/pickups/<number>/pay")
@roles_required("sales_point", "admin")
def pickup_pay(code: str, number: str):
    point = _point(code)
    location = sales_point_location(db.session, point)
    method = request.form.get("payment", "cash")
    raw_cash = (request.form.get("cash_received_vnd") or "").replace(".", "").strip()
    sale_request = counter.SaleRequest(
        payment_method=method, cash_received_vnd=int(raw_cash) if raw_cash.isdigit() else None,
        payment_reference=request.form.get("payment_reference"), order_number=number)
    outcome = _attempt(lambda: counter.sell(db.session, location, sale_request,
                                            key=request.form.get("key", ""), staff_id=current_user.id))
    if outcome is not None and outcome.sale is not None:
        flash(_("Đã thu tiền đơn %(number)s: hoá đơn %(receipt)s.", number=number,
                receipt=outcome.sale.receipt_number), "success")
    return redirect(url_for("counter.pickup_queue", code=point.code))


@bp.post("/counter/<code>/pickups/<number>/confirm")
@roles_required("sales_point", "admin")
def pickup_confirm(code: str, number: str):
    point = _point(code)
    if _attempt(lambda: pickups.confirm_pickup_order(db.session, point, number)):
        flash(_("Đã xác nhận đơn %(number)s.", number=number), "success")
    return redirect(url_for("counter.pickup_queue", code=point.code))


@bp.post("/counter/<code>/pickups/<number>/handover")
@roles_required("sales_point", "admin")
def pickup_handover(code: str, number: str):
    point = _point(code)
    check = (request.form.get("check") or "").strip()
    # The QR of the confirmation e-mail carries the order link with its token.
    token = check.split("token=", 1)[1].split("&")[0] if "token=" in check else None
    if _attempt(lambda: pickups.handover(db.session, point, number, token=token,
                                         customer_name=None if token else check)):
        flash(_("Đã giao đơn %(number)s cho khách.", number=number), "success")
    return redirect(url_for("counter.pickup_queue", code=point.code))


# --- Needs attention, stock -------------------------------------------------------------------

@bp.get("/counter/<code>/attention")
@roles_required("sales_point", "admin")
def attention(code: str):
    point = _point(code)
    location = sales_point_location(db.session, point)
    return render_template("showrooms/attention.html", point=point,
                           items=counter.attention_items(db.session, location, status=None))


@bp.post("/counter/<code>/attention/<int:item_id>/resolve")
@roles_required("sales_point", "admin")
def resolve(code: str, item_id: int):
    point = _point(code)
    location = sales_point_location(db.session, point)
    if _attempt(lambda: counter.resolve_attention(db.session, location, item_id,
                                                  note=request.form.get("note", ""),
                                                  staff_id=current_user.id)):
        flash(_("Đã ghi nhận cách xử lý."), "success")
    return redirect(url_for("counter.attention", code=point.code))


@bp.route("/counter/<code>/stock", methods=["GET", "POST"])
@roles_required("sales_point", "admin")
def stock(code: str):
    point = _point(code)
    location = sales_point_location(db.session, point)
    if request.method == "POST":
        product = db.session.scalar(select(Product).where(Product.slug == request.form.get("product", "")))
        try:
            threshold = int(request.form.get("threshold", ""))
        except ValueError:
            threshold = -1
        if product is None:
            abort(404)
        if _attempt(lambda: reports.set_threshold(db.session, location, product, threshold)):
            flash(_("Đã lưu ngưỡng cảnh báo cho %(name)s.", name=product.name), "success")
        return redirect(url_for("counter.stock", code=point.code))
    thresholds = {row["product"]: row for row in reports.low_stock(db.session, location)}
    return render_template("showrooms/point_stock.html", point=point,
                           levels=counter.point_levels(db.session, point), low=thresholds,
                           default_threshold=reports.DEFAULT_LOW_STOCK)


# --- The producer's transfers ----------------------------------------------------------------

@office.route("/seller/transfers", methods=["GET", "POST"])
@roles_required("producer")
def seller_transfers():
    producer = current_user.producer
    if request.method == "POST":
        items = []
        for slug, raw in zip(request.form.getlist("product"), request.form.getlist("quantity"), strict=False):
            if slug and raw.strip():
                try:
                    items.append((slug, int(raw)))
                except ValueError:
                    items.append((slug, 0))
        destination = request.form.get("to", "")
        transfer = _attempt(lambda: transfers.dispatch(
            db.session, producer, to=transfers.resolve_destination(db.session, producer, destination),
            source=warehouse_of(db.session, producer), items=items, actor_id=current_user.id,
            note=request.form.get("note")))
        if transfer is not None:
            flash(_("Đã gửi hàng (phiếu chuyển #%(id)d). Điểm bán sẽ đếm và xác nhận khi nhận.",
                    id=transfer.id), "success")
        return redirect(url_for("point_office.seller_transfers"))
    products = db.session.scalars(select(Product).where(
        Product.producer_id == producer.id, Product.group != "tourism").order_by(Product.name)).all()
    points = db.session.scalars(select(SalesPoint).where(SalesPoint.active.is_(True))
                                .order_by(SalesPoint.code)).all()
    return render_template("showrooms/seller_transfers.html", products=products, points=points,
                           transfers=transfers.of_producer(db.session, producer))


# --- The office: sales points ----------------------------------------------------------------

@office.get("/admin/sales-points")
@roles_required("admin")
def admin_points():
    points = db.session.scalars(select(SalesPoint).order_by(SalesPoint.province_code, SalesPoint.code)).all()
    day = today()
    rows = []
    for point in points:
        location = sales_point_location(db.session, point)
        sold = db.session.execute(select(func.count(), func.coalesce(func.sum(CounterSale.total_vnd), 0))
                                  .where(CounterSale.location_id == location.id,
                                         CounterSale.business_date == day)).one()
        open_items = db.session.scalar(select(func.count()).select_from(AttentionItem).where(
            AttentionItem.location_id == location.id, AttentionItem.status == "open"))
        rows.append((point, sold[0], sold[1], open_items))
    db.session.commit()  # locations created on first sight
    return render_template("showrooms/admin_points.html", rows=rows, day=day)


POINT_FIELDS = ("name", "name_en", "address", "opening_hours", "operator", "phone", "standard",
                "bank_bin", "bank_account", "bank_account_name", "description")


def _point_values(form) -> dict:
    values = {f: (form.get(f) or "").strip() or None for f in POINT_FIELDS}
    errors = []
    labels = {"name": _("Tên"), "address": _("Địa chỉ"), "province_code": _("Mã tỉnh/thành (2025)"),
              "ward_code": _("Mã phường/xã"), "latitude": _("Vĩ độ"), "longitude": _("Kinh độ")}
    for f in ("name", "address"):
        if not values[f]:
            errors.append(_("Hãy nhập %(field)s.", field=labels[f]))
    for f, kind in (("province_code", int), ("ward_code", int), ("latitude", float), ("longitude", float)):
        raw = (form.get(f) or "").strip()
        try:
            values[f] = kind(raw) if raw else None
        except ValueError:
            errors.append(_("%(field)s không hợp lệ.", field=labels[f]))
    if values.get("province_code") is None:
        errors.append(_("Hãy chọn tỉnh/thành."))
    if values["bank_bin"] and not (values["bank_bin"].isdigit() and len(values["bank_bin"]) == 6):
        errors.append(_("Mã BIN ngân hàng có 6 chữ số."))
    if values["bank_account"] and not values["bank_account"].isalnum():
        errors.append(_("Số tài khoản chỉ gồm chữ và số."))
    lat, lng = values.get("latitude"), values.get("longitude")
    if (lat is not None and not -90 <= lat <= 90) or (lng is not None and not -180 <= lng <= 180):
        errors.append(_("Toạ độ bản đồ không hợp lệ."))
    if errors:
        raise InvalidInput("; ".join(errors), code="invalid_point")
    values["active"] = form.get("active") == "on"
    return values


@office.route("/admin/sales-points/new", methods=["GET", "POST"])
@roles_required("admin")
def admin_new_point():
    from catalog.regions import validate_location
    from showrooms.points import create_sales_point

    if request.method == "POST":
        def create():
            values = _point_values(request.form)
            values.pop("active")
            code = (request.form.get("code") or "").strip()
            if not code or len(code) > 40:
                raise InvalidInput(_("Mã điểm bán: 1–40 ký tự."), code="invalid_point")
            validate_location(values["province_code"], values["ward_code"])
            point = create_sales_point(db.session, code=code, **values)
            sales_point_location(db.session, point)
            return point

        point = _attempt(create)
        if point is not None:
            flash(_("Đã tạo điểm bán %(code)s.", code=point.code), "success")
            return redirect(url_for("point_office.admin_point", code=point.code))
    return render_template("showrooms/admin_point_form.html", point=None, form=request.form, staff=[])


@office.route("/admin/sales-points/<code>", methods=["GET", "POST"])
@roles_required("admin")
def admin_point(code: str):
    from app.accounts.models import User
    from catalog.regions import validate_location
    from showrooms.points import get_sales_point

    point = get_sales_point(db.session, code)
    if request.method == "POST":
        def save():
            values = _point_values(request.form)
            validate_location(values["province_code"], values["ward_code"])
            for key, value in values.items():
                setattr(point, key, value)
            db.session.flush()
            return point

        if _attempt(save) is not None:
            flash(_("Đã lưu."), "success")
            return redirect(url_for("point_office.admin_point", code=point.code))
    staff = db.session.scalars(select(User).where(User.sales_point_id == point.id).order_by(User.email)).all()
    location = sales_point_location(db.session, point)
    attention_items = counter.attention_items(db.session, location)
    db.session.commit()
    return render_template("showrooms/admin_point_form.html", point=point, form=request.form or None,
                           staff=staff, attention=attention_items)


@office.post("/admin/sales-points/<code>/staff")
@roles_required("admin")
def admin_point_staff(code: str):
    from app.accounts.models import User
    from app.accounts.services import MIN_PASSWORD, create_user
    from showrooms.points import get_sales_point

    point = get_sales_point(db.session, code)
    email = (request.form.get("email") or "").strip().lower()
    password = request.form.get("password") or ""
    existing = db.session.scalar(select(User).where(User.email == email)) if email else None

    def assign():
        if existing is not None:
            if existing.role != "sales_point":
                raise InvalidInput(_("Tài khoản này không phải nhân viên điểm bán."), code="invalid_staff")
            existing.sales_point_id = point.id
            db.session.flush()
            return existing
        if len(password) < MIN_PASSWORD:  # the service's rule, said in the form's language
            raise InvalidInput(_("Mật khẩu ít nhất %(least)d ký tự.", least=MIN_PASSWORD),
                               code="weak_password")
        return create_user(db.session, email=email, password=password, role="sales_point",
                           sales_point_code=point.code, name=request.form.get("name") or None)

    user = _attempt(assign)
    if user is not None:
        flash(_("%(email)s làm việc tại %(code)s.", email=user.email, code=point.code), "success")
    return redirect(url_for("point_office.admin_point", code=point.code))
