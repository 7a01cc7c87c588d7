"""HTML pages of the traceability package: the trace page `/t/<code>` (and the same record
reached by a GS1 Digital Link), the unknown-code page, and the "report a problem" form."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.routing import PathConverter

from app.clock import today
from app.database import short_transaction, writes
from app.errors import InvalidInput, wants_json
from app.extensions import db, limiter
from app.pagecache import cacheable_request
from app.templating import vn_date
from catalog.services import validate_gtin
from traceability import codes, scanlane, shells
from traceability.forms import ReportForm
from traceability.serializers import trace_json
from traceability.services import file_report
from traceability.trace import UnknownCode, client_hash, network_hash, trace


class CodeConverter(PathConverter):
    """Any text at all (empty, slashes, newlines…): whatever follows /t/ reaches the view, so
    a bad code gets the friendly unknown-code answer, never a routing 404 or a redirect."""

    regex = r"[\s\S]*"
    part_isolating = False  # may span slashes (Werkzeug infers True when "/" is not in regex)


def register_code_converter(state) -> None:
    state.app.url_map.converters.setdefault("code", CodeConverter)


bp = Blueprint("traceability", __name__, template_folder="templates")
bp.record_once(register_code_converter)

SHOWN_CODE_CHARS = 64


def current_client() -> str:
    """This request's client: keyed hash of the peer address and the user agent. The
    address is Werkzeug's REMOTE_ADDR: behind a reverse proxy, configure ProxyFix rather
    than trusting X-Forwarded-For from anyone."""
    return client_hash(current_app.config["SCAN_HASH_SALT"], request.remote_addr,
                       request.headers.get("User-Agent"))


def current_network() -> str:
    """This request's network (IPv4 /24, IPv6 /48), hashed: what a scan is counted by."""
    return network_hash(current_app.config["SCAN_HASH_SALT"], request.remote_addr)


def request_gettext():
    """Jinja's `_()` bound to this request's translations, looked up once: Flask-Babel's own
    resolves the locale and catalogue on every call, which is most of the trace page's
    rendering time. Same semantics as Jinja's new-style gettext (escaped, %-formatted)."""
    translate = get_translations().gettext

    @pass_context
    def gettext(context, message: str, **variables):
        rv = translate(message)
        if context.eval_ctx.autoescape:
            rv = Markup(rv)  # noqa: S704 - our own catalogue, as Jinja does
        return rv % variables

    return gettext


def _unknown(raw_code: str, message: str | None = None):
    db.session.rollback()
    shown = raw_code[:SHOWN_CODE_CHARS]
    return render_template("traceability/unknown.html", code=shown, message=message), 404


def _show(raw_code: str, *, expect_gtin: str | None = None, expect_lot: str | None = None):
    config = current_app.config
    scanned = request.environ.pop(scanlane.SCANNED_KEY, None) if expect_gtin is None else None
    if scanned is not None:  # the scan lane recorded this scan already (traceability.scanlane)
        record, on = scanned
    else:
        on = today()
        try:
            # Rolled back if unknown; a plain code's scan is one statement on PostgreSQL (a
            # Digital Link's may be refused after it, so it keeps a transaction).
            with short_transaction(db.session, db.engine,
                                   one_statement=expect_gtin is None) as connection:
                record = trace(connection, raw_code, current_network(),
                               threshold=config["SUSPICIOUS_SCAN_CLIENTS"],
                               expect_gtin=expect_gtin, expect_lot=expect_lot, on=on)
        except UnknownCode as err:
            if expect_gtin is not None and wants_json():
                return jsonify({"error": {"code": err.code, "message": err.message}}), 404
            return _unknown(raw_code)
    if expect_gtin is not None and wants_json():
        return jsonify(trace_json(record, config["BASE_URL"], on))
    if shells.shown_from_a_shell(record, request.path) and cacheable_request():
        return _from_shell(record, on)
    return _no_store(_page(record, on, scan_count=record.scan_count,
                           first_scan=vn_date(record.first_scan_at)))


def _no_store(html: str):
    response = current_app.make_response(html)
    response.headers["Cache-Control"] = "private, no-store"  # this scan's own counts
    return response


def _page(record, on, *, scan_count, first_scan) -> str:
    return render_template("traceability/trace.html", r=record, on=on, _=request_gettext(),
                           scan_count=scan_count, first_scan=first_scan)


def _from_shell(record, on):
    locale = str(get_locale())
    key = shells.shell_key(db.engine, record, on, locale)
    shell = shells.page_shells.get(key)
    if shell is None:
        shell = shells.make_shell(_page(record, on, scan_count=shells.SCAN_COUNT_SLOT,
                                        first_scan=shells.FIRST_SCAN_SLOT), record)
        shells.page_shells.put(key, shell)
    # What the scan lane needs to answer the next such request before Flask.
    request.environ[scanlane.SHELL_KEY] = (locale, db.engine)
    return _no_store(shells.fill_shell(shell, record))


@bp.get("/t/<code:code>", merge_slashes=False)
@writes
def trace_page(code: str):
    """The trace page a stamp's QR code opens: the verdict first, then the record."""
    return _show(code)


@bp.get("/01/<gtin>/10/<lot>/21/<code:serial>", merge_slashes=False)
@writes
def digital_link(gtin: str, lot: str, serial: str):
    """GS1 Digital Link (GTIN + lot + serial = stamp code): the same trace record when all
    three match; a bad check digit or any mismatch is an unknown code."""
    try:
        gtin14 = validate_gtin(gtin)  # GTIN-8/12/13 are read as their 14-digit form
    except InvalidInput:
        gtin14 = None
    if gtin14 is None:
        return _unknown(serial)
    return _show(serial, expect_gtin=gtin14, expect_lot=lot)


def _report_limit_key() -> str:
    return "trace-report:" + current_client()


@bp.get("/trace/report")
def report_form():
    """The counterfeit-report form, one link away from the trace page: the page every scan
    opens then needs no session or CSRF token (it is cached per lot and served cookie-less)."""
    code = codes.normalize(request.args.get("code")) or (request.args.get("code") or "")
    return render_template("traceability/report.html", form=ReportForm(formdata=None, code=code),
                           code=code[:SHOWN_CODE_CHARS])


@bp.post("/trace/report")
@limiter.limit("5/hour", key_func=_report_limit_key)
@limiter.limit("30/hour")  # per address, whatever the user agent says
def report():
    """Store a consumer's report of a suspected fake; no account, no JavaScript."""
    form = ReportForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return render_template("traceability/report.html", form=form,
                               code=(form.code.data or "")[:SHOWN_CODE_CHARS]), 422
    file_report(db.session, code=form.code.data or "", message=form.message.data,
                contact=form.contact.data, client_hash=current_client())
    db.session.commit()
    code = codes.normalize(form.code.data)
    return redirect(url_for("traceability.report_thanks", code=code) if code
                    else url_for("traceability.report_thanks"), code=303)


@bp.get("/trace/report/thanks")
def report_thanks():
    code = codes.normalize(request.args.get("code"))
    return render_template("traceability/thanks.html", code=code)
