"""JSON API of selling at a fair booth and of the fair report (CONTRACT §4 "Fairs"): the
producer's booth counter (the sales point counter's own tickets, keys, gate and receipt
numbers, through `counter_api.record_sale`) and the organizer's sales per booth per day."""

from __future__ import annotations

from flask import Response
from pydantic import Field

from app.api import QuerySchema, api_blueprint, api_route, current_api_user
from app.clock import today
from app.errors import InvalidInput
from app.extensions import db
from showrooms import booth_stock, counter, fair_sales, fairs, reports
from showrooms.catalogue import catalogue
from showrooms.counter_api import (
    DayQuery,
    ReturnIn,
    SaleIn,
    VoidIn,
    _idempotency_key,
    _wants_csv,
    record_sale,
)

bp = api_blueprint("fair_sales_api", __name__)

SELLER = ["seller"]
ORGANIZERS = ("organizer", "admin")


def _booking(slug: str, code: str, *, selling: bool = False):
    """The producer's booth: a confirmed one to sell; to read, void or take back, also one
    whose booking ended (its tickets stay its own)."""
    return booth_stock.booth_of_producer(db.session, current_api_user().producer, slug, code,
                                         returning=not selling)


def sell_at_booth(booking, body: SaleIn, key: str, staff_id: int | None):
    """The fair's dates, then the counter's own sale at the booth's location. Shared by the
    API and the booth's counter page."""
    if body.order:
        raise InvalidInput("order: pickup orders are paid at a sales point, not at a booth.",
                           code="invalid_items")
    fair_sales.require_open(booking.fair, body.sold_at)
    return record_sale(booking.location, body, key, staff_id)


@api_route(bp, "/seller/booths/<slug>/<code>/sales", methods=["POST"], body=SaleIn,
           auth="producer", status=201, tags=SELLER,
           summary="Sell at your confirmed booth: a counter ticket (idempotent by key)",
           responses={200: "The same Idempotency-Key again: the first ticket, nothing moved",
                      202: "A replayed offline sale that cannot be applied: needs attention",
                      404: "Not your confirmed booth, or unknown product",
                      409: "`fair_not_open`, `not_listable` (with the reason) or `out_of_stock`",
                      422: "Invalid sale; a replay dated outside the fair (`fair_not_open`)"})
def booth_sale(slug: str, code: str, body: SaleIn):
    """Header `Idempotency-Key` as for a sales point's counter. A live sale only during the
    fair's dates; a replay (`sold_at`) is judged on its own date, gate included."""
    booking = _booking(slug, code, selling=True)
    key = _idempotency_key()
    return sell_at_booth(booking, body, key, current_api_user().id)


@api_route(bp, "/seller/booths/<slug>/<code>/sales", query=DayQuery, auth="producer", tags=SELLER,
           summary="The booth's tickets of a day", responses={404: "Not your booth"})
def booth_sales(slug: str, code: str, query: DayQuery):
    booking = _booking(slug, code)
    day = query.date or today()
    return {"date": day.isoformat(), "items": [
        counter.sale_json(t) for t in counter.tickets_of_day(db.session, booking.location, day)]}


@api_route(bp, "/seller/booths/<slug>/<code>/sales/<int:sale_id>", auth="producer", tags=SELLER,
           summary="One ticket of the booth", responses={404: "Not this booth's ticket"})
def booth_ticket(slug: str, code: str, sale_id: int):
    return counter.sale_json(counter.get_sale(db.session, _booking(slug, code).location, sale_id))


@api_route(bp, "/seller/booths/<slug>/<code>/sales/<int:sale_id>/void", methods=["POST"],
           body=VoidIn, auth="producer", tags=SELLER,
           summary="Void a booth ticket (same day): its units go back to the booth",
           responses={404: "Not this booth's ticket", 409: "`already_void`, `void_too_late`"})
def booth_void(slug: str, code: str, sale_id: int, body: VoidIn):
    sale = counter.void_sale(db.session, _booking(slug, code).location, sale_id,
                             reason=body.reason, staff_id=current_api_user().id)
    return counter.sale_json(sale)


@api_route(bp, "/seller/booths/<slug>/<code>/sales/<int:sale_id>/returns", methods=["POST"],
           body=ReturnIn, auth="producer", status=201, tags=SELLER,
           summary="Units of a booth ticket brought back",
           responses={404: "Not this booth's ticket", 409: "`already_void`"})
def booth_return(slug: str, code: str, sale_id: int, body: ReturnIn):
    refund = counter.return_items(db.session, _booking(slug, code).location, sale_id,
                                  [(i.product, i.quantity) for i in body.items],
                                  reason=body.reason, staff_id=current_api_user().id)
    return counter.refund_json(refund), 201


@api_route(bp, "/seller/booths/<slug>/<code>/catalogue", auth="producer", tags=SELLER,
           summary="What the booth's counter holds to sell offline",
           responses={404: "Not your booth"})
def booth_catalogue(slug: str, code: str):
    return catalogue(db.session, _booking(slug, code).location)


@api_route(bp, "/seller/booths/<slug>/<code>/reports/day", query=DayQuery, auth="producer",
           tags=SELLER, summary="The booth's day report (JSON, or CSV with ?format=csv)",
           responses={404: "Not your booth"})
def booth_day_report(slug: str, code: str, query: DayQuery):
    location = _booking(slug, code).location
    report = reports.day_report(db.session, location, query.date or today())
    if _wants_csv(query):
        name = location.code.replace("/", "-")
        return Response("\ufeff" + reports.report_csv(report), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{name}-{report.day}.csv"'}), 200
    return reports.report_json(report)


class ReportQuery(QuerySchema):
    format: str | None = Field(default=None, pattern="^(json|csv)$")


@api_route(bp, "/fairs/<slug>/report", query=ReportQuery, auth=ORGANIZERS, tags=["fairs"],
           summary="Sales per booth per day and in total (JSON, or CSV with ?format=csv)",
           responses={404: "Not your fair"})
def fair_report(slug: str, query: ReportQuery):
    """Tickets of the fair's booths, voided ones left out, returns subtracted on the
    ticket's day."""
    fair = fairs.fair_for_organizer(db.session, current_api_user(), slug)
    report = fair_sales.fair_report(db.session, fair)
    if _wants_csv(DayQuery(format=query.format)):
        return Response(fair_sales.report_csv(report), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{fair.slug}-report.csv"'}), 200
    return fair_sales.report_json(report)
