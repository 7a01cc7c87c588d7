"""Screens of selling at a fair booth (the sales point's counter page and script, pointed at
the booth's endpoints) and the organizer's fair report. Thin views over
`showrooms.fair_sales` and the counter's services."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import ValidationError

from app.accounts.access import roles_required
from app.clock import today
from app.errors import InvalidInput
from app.extensions import db
from backoffice.office.charts import bar_chart
from showrooms import booth_stock, counter, fair_sales, fairs, reports
from showrooms.catalogue import catalogue, stamp_lookup
from showrooms.counter_api import SaleIn
from showrooms.counter_views import day_arg
from showrooms.fair_sales_api import sell_at_booth

booth_counter = Blueprint("booth_counter", __name__, url_prefix="/seller/booths",
                          template_folder="templates")
fair_report_screens = Blueprint("fair_report", __name__, url_prefix="/organizer",
                                template_folder="templates")
blueprints = [booth_counter, fair_report_screens]


def _booking(slug: str, code: str, *, selling: bool = False):
    if current_user.producer is None:
        raise InvalidInput(_("Tài khoản này không thuộc chủ thể nào."), code="no_producer")
    return booth_stock.booth_of_producer(db.session, current_user.producer, slug, code,
                                         returning=not selling)


@booth_counter.get("/<slug>/<code>/counter")
@roles_required("producer")
def screen(slug: str, code: str):
    booking = _booking(slug, code, selling=True)
    fair, booth = booking.fair, booking.booth
    args = {"slug": fair.slug, "code": booth.code}
    desk = {"label": f"{booth.code} · {fair.name}", "code": booking.location.code,
            "name": _("Gian %(code)s – %(fair)s", code=booth.code, fair=fair.name),
            "address": f"{booking.producer.name} · {fair.venue}", "phone": booking.producer.phone,
            "nav": "fairs/_booth_nav.html", "no_vietqr": True,
            "catalogue_url": url_for("booth_counter.catalogue_json", **args),
            "sale_url": url_for("booth_counter.sale_json", **args),
            "stamp_url": url_for("booth_counter.stamp_json", **args), "attention_url": None}
    return render_template("showrooms/counter.html", point=None, desk=desk, booking=booking,
                           attention_count=0, low_count=0, bank=None,
                           fair_open=fair.starts_on <= today() <= fair.ends_on)


@booth_counter.get("/<slug>/<code>/counter/catalogue.json")
@roles_required("producer")
def catalogue_json(slug: str, code: str):
    return jsonify(catalogue(db.session, _booking(slug, code).location))


@booth_counter.get("/<slug>/<code>/counter/stamp")
@roles_required("producer")
def stamp_json(slug: str, code: str):
    _booking(slug, code)
    return jsonify(stamp_lookup(db.session, request.args.get("scan", "")[:300]))


@booth_counter.post("/<slug>/<code>/counter/sales")
@roles_required("producer")
def sale_json(slug: str, code: str):
    """The booth counter page's sale (session + CSRF header): the API's answers."""
    booking = _booking(slug, code, selling=True)
    try:
        body = SaleIn.model_validate_json(request.get_data() or b"{}")
    except ValidationError as err:
        raise InvalidInput("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                     for e in err.errors())) from None
    key = counter.check_key(request.headers.get("Idempotency-Key"))
    payload, status = sell_at_booth(booking, body, key, current_user.id)
    db.session.commit()
    return jsonify(payload), status


@booth_counter.get("/<slug>/<code>/report")
@roles_required("producer")
def day_report(slug: str, code: str):
    booking = _booking(slug, code)
    day = day_arg()
    result = reports.day_report(db.session, booking.location, day)
    if request.args.get("format") == "csv":
        name = booking.location.code.replace("/", "-")
        return Response("\ufeff" + reports.report_csv(result), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{name}-{day}.csv"'})
    return render_template("fairs/booth_report.html", booking=booking, report=result, day=day,
                           attention=counter.attention_items(db.session, booking.location))


@fair_report_screens.get("/fairs/<slug>/report")
@roles_required("organizer", "admin")
def report(slug: str):
    fair = fairs.fair_for_organizer(db.session, current_user, slug)
    result = fair_sales.fair_report(db.session, fair)
    if request.args.get("format") == "csv":
        return Response(fair_sales.report_csv(result), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{fair.slug}-report.csv"'})
    chart = bar_chart(_("Doanh thu theo gian (đồng)"),
                      [(booth, net) for booth, _t, _u, net in result.by_booth], chart_id="by-booth")
    return render_template("fairs/fair_report.html", fair=fair, report=result, chart=chart)
