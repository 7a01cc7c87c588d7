"""Fair pages: the public list and fair page (map, exhibitors with their listable products,
calendar file, entrance QR poster), the organizer's screens (fair, booths, CSV import,
booking queue, fees) and the producer's (pick a booth on the map, pay, cancel, booth stock).
Thin views: parse, call `showrooms.fairs`, commit once (`backoffice.views.attempt`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.access import roles_required
from app.clock import LOCAL_TZ, now, today
from app.errors import InvalidInput
from app.extensions import db
from app.security import accepts_upload
from backoffice.views import REFUSED, attempt
from catalog.models import GROUPS
from catalog.regions import province_name, provinces
from showrooms import booth_stock, fair_map, fairs
from showrooms.fair_models import FAIR_KINDS

bp = Blueprint("fairs", __name__, template_folder="templates")
organizer = Blueprint("organizer", __name__, url_prefix="/organizer", template_folder="templates")
seller_fairs = Blueprint("seller_fairs", __name__, url_prefix="/seller", template_folder="templates")
blueprints = [bp, organizer, seller_fairs]


FAIR_KIND_LABELS = {"fair": _l("Hội chợ"), "exhibition": _l("Triển lãm"),
                    "ocop_week": _l("Tuần lễ OCOP")}
BOOKING_STATUS_LABELS = {"pending": _l("Chờ xác nhận"), "confirmed": _l("Đã xác nhận"),
                         "rejected": _l("Bị từ chối"), "cancelled": _l("Đã huỷ")}
FAIR_STATUS_LABELS = {"draft": _l("Bản nháp"), "published": _l("Đã công bố"),
                      "cancelled": _l("Đã huỷ")}


@bp.app_template_global()
def fair_kind_label(kind: str) -> str:
    return str(FAIR_KIND_LABELS.get(kind, kind))


@bp.app_template_global()
def booking_status_label(status: str) -> str:
    return str(BOOKING_STATUS_LABELS.get(status, status))


@bp.app_template_global()
def fair_status_label(status: str) -> str:
    return str(FAIR_STATUS_LABELS.get(status, status))


def _user():
    return current_user if current_user.is_authenticated else None


# --- Public ---------------------------------------------------------------------------------

@bp.get("/fairs")
def fairs_list():
    province = request.args.get("province", type=int)
    if province is not None and province not in provinces():
        province = None
    grouped = fairs.public_fairs(db.session, province=province)
    return render_template("fairs/list.html", grouped=grouped, province=province,
                           provinces=provinces(), on=today())


def _public_fair(slug: str):
    if len(slug) > 120:
        abort(404)
    return fairs.get_fair(db.session, slug, user=_user())


@bp.get("/fairs/<slug>")
def fair_page(slug: str):
    fair = _public_fair(slug)
    province = request.args.get("province", type=int)
    group = request.args.get("group") or None
    if group not in GROUPS:
        group = None
    shown = fairs.exhibitors(db.session, fair, province=province, group=group)
    everyone = fairs.exhibitors(db.session, fair) if (province or group) else shown
    bookings = fairs.active_bookings(db.session, fair)
    svg = fair_map.render_svg(fair, fair.booths_in_order, bookings,
                              href=lambda b: f"#gian-{b.code}")
    return render_template(
        "fairs/fair.html", fair=fair, exhibitors=shown, svg=svg, bookings=bookings,
        province=province, group=group, groups=GROUPS,
        exhibitor_provinces=sorted({e.producer.province_code for e in everyone}),
        booking_open=fairs.booking_window_open(fair), on=today(), province_name=province_name)


@bp.get("/fairs/<slug>/map.svg")
def fair_map_svg(slug: str):
    fair = _public_fair(slug)
    svg = fair_map.render_svg(fair, fair.booths_in_order, fairs.active_bookings(db.session, fair),
                              standalone=True,
                              href=lambda b: url_for("fairs.fair_page", slug=fair.slug,
                                                     _anchor=f"gian-{b.code}"))
    return Response(svg, mimetype="image/svg+xml")


def _ics_escape(text: str) -> str:
    return (text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,") \
        .replace("\n", "\\n")


def _utc_stamp(day: date, at: time) -> str:
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@bp.get("/fairs/<slug>.ics")
def fair_ics(slug: str):
    """An iCalendar file: one event per opening day (RRULE), times in UTC (Vietnam has no
    daylight saving, so the local hours hold every day)."""
    fair = _public_fair(slug)
    days = (fair.ends_on - fair.starts_on).days + 1
    place = ", ".join(filter(None, [fair.venue, fair.address, province_name(fair.province_code)]))
    url = current_app.config["BASE_URL"].rstrip("/") + url_for("fairs.fair_page", slug=fair.slug)
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//OCOP Market//Fairs//VI", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "BEGIN:VEVENT", f"UID:fair-{fair.id}@ocop-market",
        f"DTSTAMP:{now():%Y%m%dT%H%M%SZ}",
        f"DTSTART:{_utc_stamp(fair.starts_on, fair.opens_at)}",
        f"DTEND:{_utc_stamp(fair.starts_on, fair.closes_at)}",
        f"RRULE:FREQ=DAILY;COUNT={days}",
        f"SUMMARY:{_ics_escape(fair.name)}",
        f"LOCATION:{_ics_escape(place)}",
        f"DESCRIPTION:{_ics_escape((fair.description or '')[:1000] + chr(10) + url)}",
        f"URL:{url}",
    ]
    if fair.status == "cancelled":
        lines.append("STATUS:CANCELLED")
    if fair.latitude is not None:
        lines.append(f"GEO:{fair.latitude};{fair.longitude}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return Response("\r\n".join(lines) + "\r\n", mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{fair.slug}.ics"'})


@bp.get("/fairs/<slug>/poster.svg")
def fair_poster(slug: str):
    fair = _public_fair(slug)
    url = current_app.config["BASE_URL"].rstrip("/") + url_for("fairs.fair_page", slug=fair.slug)
    subtitle = (f"{fair.starts_on:%d/%m/%Y} – {fair.ends_on:%d/%m/%Y} · {fair.venue}")
    return Response(fair_map.qr_poster_svg(url, fair.name, subtitle), mimetype="image/svg+xml")


# --- Organizer ------------------------------------------------------------------------------

def _date(raw: str | None, name: str, *, required: bool = True) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        if required:
            raise InvalidInput(_("%(field)s: bắt buộc.", field=name))
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_("%(field)s: ngày không hợp lệ (YYYY-MM-DD).", field=name)) from None


def _time(raw: str | None, name: str) -> time | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_("%(field)s: giờ không hợp lệ (HH:MM).", field=name)) from None


def _int(raw: str | None, name: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(_("%(field)s: phải là số nguyên.", field=name)) from None


def _float(raw: str | None, name: str) -> float | None:
    raw = (raw or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise InvalidInput(_("%(field)s: phải là số.", field=name)) from None


def _fair_values(form) -> dict:
    """The fair form's fields, typed (a bad value is a clear InvalidInput, never a 500)."""
    values = {
        "name": (form.get("name") or "").strip()[:200],
        "name_en": (form.get("name_en") or "").strip()[:200] or None,
        "kind": form.get("kind") or "fair",
        "status": form.get("status") or "published",
        "starts_on": _date(form.get("starts_on"), _("Ngày bắt đầu")),
        "ends_on": _date(form.get("ends_on"), _("Ngày kết thúc")),
        "venue": (form.get("venue") or "").strip()[:200],
        "address": (form.get("address") or "").strip()[:300],
        "province_code": _int(form.get("province_code"), _("Tỉnh/thành")) or 0,
        "ward_code": _int(form.get("ward_code"), _("Phường/xã")),
        "latitude": _float(form.get("latitude"), _("Vĩ độ")),
        "longitude": _float(form.get("longitude"), _("Kinh độ")),
        "description": (form.get("description") or "").strip()[:10_000],
        "description_en": (form.get("description_en") or "").strip()[:10_000] or None,
        "booking_opens": _date(form.get("booking_opens"), _("Mở đăng ký"), required=False),
        "booking_closes": _date(form.get("booking_closes"), _("Đóng đăng ký"), required=False),
        "bank_bin": (form.get("bank_bin") or "").strip() or None,
        "bank_account": (form.get("bank_account") or "").strip() or None,
        "bank_account_name": (form.get("bank_account_name") or "").strip()[:100] or None,
    }
    for key, name in (("opens_at", _("Giờ mở cửa")), ("closes_at", _("Giờ đóng cửa"))):
        parsed = _time(form.get(key), name)
        if parsed is not None:
            values[key] = parsed
    return values


def _organizer_fair(slug: str):
    return fairs.fair_for_organizer(db.session, current_user, slug)


@organizer.get("/fairs")
@roles_required("organizer", "admin")
def my_fairs():
    rows = fairs.fairs_of_organizer(db.session, current_user)
    return render_template("fairs/organizer_fairs.html", rows=rows,
                           occupancy={f.id: fairs.occupancy(db.session, f) for f in rows})


@organizer.route("/fairs/new", methods=["GET", "POST"])
@roles_required("organizer", "admin")
def new_fair():
    if request.method == "POST":
        def create():
            values = _fair_values(request.form)
            for key in ("booking_opens", "booking_closes"):
                if values[key] is None:
                    values.pop(key)
            return fairs.create_fair(db.session, current_user, **values)

        fair = attempt(create)
        if fair is not REFUSED:
            flash(_("Đã tạo hội chợ %(name)s. Hãy thêm gian hàng.", name=fair.name), "success")
            return redirect(url_for("organizer.manage_fair", slug=fair.slug))
    return render_template("fairs/fair_form.html", fair=None, form=request.form, kinds=FAIR_KINDS,
                           provinces=provinces()), 422 if request.method == "POST" else 200


@organizer.route("/fairs/<slug>", methods=["GET"])
@roles_required("organizer", "admin")
def manage_fair(slug: str):
    fair = _organizer_fair(slug)
    status = request.args.get("status") or None
    bookings = fairs.fair_bookings(db.session, fair, status=status)
    active = fairs.active_bookings(db.session, fair)
    svg = fair_map.render_svg(fair, fair.booths_in_order, active, show_pending=True,
                              href=lambda b: f"#gian-{b.code}")
    booked = {b.booth_id for b in bookings} if status is None else \
        {b.booth_id for b in fairs.fair_bookings(db.session, fair)}
    return render_template("fairs/organizer_fair.html", fair=fair, bookings=bookings, booked=booked,
                           status=status, occupancy=fairs.occupancy(db.session, fair), svg=svg,
                           active=active, kinds=FAIR_KINDS, provinces=provinces(), form=None)


@organizer.post("/fairs/<slug>/edit")
@roles_required("organizer", "admin")
def edit_fair(slug: str):
    fair = _organizer_fair(slug)

    def update():
        values = _fair_values(request.form)
        for key in ("booking_opens", "booking_closes"):
            if values[key] is None:
                values.pop(key)
        values["cancel_reason"] = (request.form.get("cancel_reason") or "").strip()[:300] or None
        return fairs.update_fair(db.session, fair, **values)

    if attempt(update) is not REFUSED:
        flash(_("Đã lưu."), "success")
    return redirect(url_for("organizer.manage_fair", slug=slug))


@organizer.post("/fairs/<slug>/booths")
@roles_required("organizer", "admin")
def add_booth(slug: str):
    fair = _organizer_fair(slug)

    def add():
        form = request.form
        spec = fairs.BoothSpec(
            code=(form.get("code") or "").strip().upper(), x=_float(form.get("x"), "x") or 0.0,
            y=_float(form.get("y"), "y") or 0.0, w=_float(form.get("w"), "w") or 0.0,
            h=_float(form.get("h"), "h") or 0.0,
            price_vnd=_int(form.get("price_vnd"), _("Giá")) or 0,
            zone=(form.get("zone") or "").strip()[:100] or None)
        return fairs.add_booths(db.session, fair, [spec])

    added = attempt(add)
    if added is not REFUSED:
        flash(_("Đã thêm gian %(code)s.", code=added[0].code), "success")
    return redirect(url_for("organizer.manage_fair", slug=slug))


@organizer.post("/fairs/<slug>/booths/<code>/remove")
@roles_required("organizer", "admin")
def remove_booth(slug: str, code: str):
    fair = _organizer_fair(slug)
    removed = attempt(lambda: fairs.remove_booth(db.session, fair, code))
    if removed is not REFUSED:
        flash(_("Đã bỏ gian %(code)s khỏi sơ đồ.", code=removed.code), "success")
    return redirect(url_for("organizer.manage_fair", slug=slug))


@organizer.post("/fairs/<slug>/booths/import")
@roles_required("organizer", "admin")
@accepts_upload()
def import_booths(slug: str):
    fair = _organizer_fair(slug)
    upload = request.files.get("file")
    data = upload.read(2_000_000) if upload else (request.form.get("csv") or "").encode()
    try:
        booths = fairs.add_booths(db.session, fair, fairs.parse_booths_csv(data))
        db.session.commit()
    except InvalidInput as err:
        db.session.rollback()
        errors = err.details.get("errors") or [err.message]
        flash(_("Không nhập tệp nào: %(errors)s", errors=" · ".join(errors[:20])), "error")
        return redirect(url_for("organizer.manage_fair", slug=slug))
    flash(_("Đã nhập %(n)d gian hàng.", n=len(booths)), "success")
    return redirect(url_for("organizer.manage_fair", slug=slug))


@organizer.post("/fairs/<slug>/bookings/<int:booking_id>/<action>")
@roles_required("organizer", "admin")
def booking_action(slug: str, booking_id: int, action: str):
    fair = _organizer_fair(slug)
    reason = (request.form.get("reason") or "").strip()
    actions = {
        "confirm": (lambda: fairs.confirm_booking(db.session, fair, booking_id),
                    _("Đã xác nhận đăng ký.")),
        "reject": (lambda: fairs.reject_booking(db.session, fair, booking_id, reason=reason),
                   _("Đã từ chối đăng ký.")),
        "cancel": (lambda: fairs.cancel_booking(db.session, fair, booking_id, current_user,
                                                reason=reason), _("Đã huỷ đăng ký.")),
        "paid": (lambda: fairs.mark_fee_paid(db.session, fair, booking_id, paid=True),
                 _("Đã ghi nhận phí gian hàng.")),
        "unpaid": (lambda: fairs.mark_fee_paid(db.session, fair, booking_id, paid=False),
                   _("Đã bỏ đánh dấu đã thanh toán.")),
    }
    if action not in actions:
        abort(404)
    call, message = actions[action]
    if attempt(call) is not REFUSED:
        flash(message, "success")
    return redirect(url_for("organizer.manage_fair", slug=slug, status=request.args.get("status")))


# --- Producer -------------------------------------------------------------------------------

def _producer():
    if current_user.producer is None:
        abort(403)
    return current_user.producer


@seller_fairs.get("/bookings")
@roles_required("producer")
def my_bookings():
    producer = _producer()
    rows = fairs.bookings_of_producer(db.session, producer)
    upcoming = [f for f in fairs.public_fairs(db.session).upcoming
                if fairs.booking_window_open(f)]
    from storefront.payments import vietqr

    payments = {b.id: pay for b in rows if b.active and (pay := booth_stock.fee_payment(b))}
    return render_template("fairs/seller_bookings.html", rows=rows, upcoming=upcoming,
                           payments=payments,
                           qrs={i: vietqr.qr_svg(pay["vietqr"]) for i, pay in payments.items()},
                           eligibility=fairs.eligibility(db.session, producer))


@seller_fairs.route("/fairs/<slug>/book", methods=["GET", "POST"])
@roles_required("producer")
def book(slug: str):
    producer = _producer()
    fair = fairs.get_fair(db.session, slug, user=current_user)
    if request.method == "POST":
        booking = attempt(lambda: fairs.book_booth(
            db.session, fair, request.form.get("booth") or "", producer, user=current_user,
            note=(request.form.get("note") or "").strip()[:300]))
        if booking is not REFUSED:
            flash(_("Đã đăng ký gian %(code)s. Ban tổ chức sẽ xác nhận.", code=booking.booth.code),
                  "success")
            return redirect(url_for("seller_fairs.my_bookings"))
        return redirect(url_for("seller_fairs.book", slug=slug, booth=request.form.get("booth")))
    selected = (request.args.get("booth") or "").strip().upper()[:20] or None
    active = fairs.active_bookings(db.session, fair)
    booth = next((b for b in fair.booths if b.code == selected), None)
    svg = fair_map.render_svg(
        fair, fair.booths_in_order, active, selected=selected,
        href=lambda b: url_for("seller_fairs.book", slug=fair.slug, booth=b.code, _anchor="chon"))
    return render_template("fairs/book.html", fair=fair, svg=svg, booth=booth, active=active,
                           window_open=fairs.booking_window_open(fair),
                           eligibility=fairs.eligibility(db.session, producer))


@seller_fairs.post("/bookings/<int:booking_id>/cancel")
@roles_required("producer")
def cancel(booking_id: int):
    from showrooms.fair_models import Booking

    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.producer_id != _producer().id:
        abort(404)
    if attempt(lambda: fairs.cancel_booking(db.session, booking.fair, booking_id, current_user,
                                            reason=(request.form.get("reason") or "").strip())) \
            is not REFUSED:
        flash(_("Đã huỷ đăng ký."), "success")
    return redirect(url_for("seller_fairs.my_bookings"))


@seller_fairs.route("/booths/<slug>/<code>", methods=["GET", "POST"])
@roles_required("producer")
def booth(slug: str, code: str):
    producer = _producer()
    booking = booth_stock.booth_of_producer(db.session, producer, slug, code, returning=True)
    if request.method == "POST":
        quantity = request.form.get("quantity", type=int) or 0
        direction = request.form.get("direction") or ""
        if attempt(lambda: booth_stock.transfer(db.session, booking, direction,
                                                [(request.form.get("product") or "", quantity)],
                                                actor_id=current_user.id)) is not REFUSED:
            flash(_("Đã chuyển hàng."), "success")
        return redirect(url_for("seller_fairs.booth", slug=slug, code=code))
    from sqlalchemy import select

    from catalog.models import Product
    from showrooms.stock import levels_of_producer

    products = db.session.scalars(select(Product).where(
        Product.producer_id == producer.id, Product.group != "tourism").order_by(Product.name)).all()
    warehouse = {lv.product.id: lv.on_hand for lv in levels_of_producer(db.session, producer)
                 if lv.location.kind == "warehouse"}
    return render_template("fairs/seller_booth.html", booking=booking, products=products,
                           warehouse=warehouse,
                           levels=booth_stock.booth_levels(db.session, booking))

