"""JSON API of sales-point counters (CONTRACT §4): tickets with Idempotency-Key, offline
replays, voids and returns, transfers in, pickups, the day report and close, the
needs-attention list; and the producer's side of transfers (`POST /seller/transfers`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from flask import Response, request
from pydantic import Field, model_validator

from app.api import QuerySchema, Schema, api_blueprint, api_route, current_api_user
from app.clock import today
from app.errors import InvalidInput
from app.extensions import db
from catalog.services import get_product
from showrooms import counter, pickups, reports, transfers
from showrooms.catalogue import catalogue, stamp_lookup
from showrooms.stock import sales_point_location

bp = api_blueprint("counter_api", __name__)


class Line(Schema):
    product: str = Field(min_length=1, max_length=160, description="Product slug")
    quantity: int = Field(ge=1, le=999)


class SaleLine(Schema):
    """A product line, or a gift box line (the box's price; its items leave the shelf)."""

    product: str | None = Field(default=None, min_length=1, max_length=160, description="Product slug")
    gift_box: str | None = Field(default=None, min_length=1, max_length=160,
                                 description="Gift box slug (a box of this point)")
    quantity: int = Field(ge=1, le=999)

    @model_validator(mode="after")
    def _one_of(self):
        if (self.product is None) == (self.gift_box is None):
            raise ValueError("give exactly one of product or gift_box")
        return self


class CountLine(Schema):
    product: str = Field(min_length=1, max_length=160)
    quantity: int = Field(ge=0, le=100_000, description="Units counted on arrival (0 if none)")


class SaleIn(Schema):
    items: list[SaleLine] = Field(default_factory=list, max_length=counter.MAX_LINES)
    payment: Literal["cash", "card_terminal", "vietqr"] = "cash"
    cash_received_vnd: int | None = Field(default=None, ge=0, le=1_000_000_000)
    payment_reference: str | None = Field(default=None, max_length=100,
                                          description="Card terminal slip / transfer reference")
    sold_at: dt.datetime | None = Field(default=None, description="Offline replays: when it was sold "
                                     "(ISO 8601 with offset); the gate is judged on that date")
    order: str | None = Field(default=None, max_length=16,
                              description="A pay-at-pickup order paid here (then no items)")


class VoidIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class ReturnIn(Schema):
    items: list[Line] = Field(min_length=1, max_length=counter.MAX_LINES)
    reason: str = Field(min_length=1, max_length=300)


class ReceiveIn(Schema):
    items: list[CountLine] = Field(min_length=1, max_length=transfers.MAX_LINES)
    note: str | None = Field(default=None, max_length=300)


class HandoverIn(Schema):
    customer_name: str | None = Field(default=None, max_length=200)
    token: str | None = Field(default=None, max_length=200,
                              description="The token of the confirmation e-mail's link / QR")


class CloseIn(Schema):
    date: dt.date
    cash_counted_vnd: int = Field(ge=0, le=10_000_000_000)
    note: str | None = Field(default=None, max_length=300)


class ResolveIn(Schema):
    note: str = Field(min_length=1, max_length=300)


class ThresholdIn(Schema):
    product: str = Field(min_length=1, max_length=160)
    threshold: int = Field(ge=0, le=100_000)


class DayQuery(QuerySchema):
    date: dt.date | None = Field(default=None, description="YYYY-MM-DD (default: today, local)")
    format: Literal["json", "csv"] | None = None


class AttentionQuery(QuerySchema):
    status: Literal["open", "resolved", "all"] = "open"


class TransferIn(Schema):
    to: str = Field(min_length=1, max_length=100,
                    description="A sales point code, `warehouse`, or `booth:<fair slug>/<booth code>`")
    source: str | None = Field(default=None, alias="from", max_length=100,
                               description="Default: the producer's warehouse")
    items: list[Line] = Field(min_length=1, max_length=transfers.MAX_LINES)
    note: str | None = Field(default=None, max_length=300)


def _point(code: str):
    return counter.point_for_user(db.session, current_api_user(), code)


def _location(code: str):
    return sales_point_location(db.session, _point(code))


def _idempotency_key() -> str:
    header = request.headers.get("Idempotency-Key")
    # Without the header (the first version of this endpoint) a sale is not protected
    # against a retry; the counter page and the contract send one.
    return counter.check_key(header) if header is not None else counter.new_key()


def record_sale(location, body: SaleIn, key: str, staff_id: int | None):
    """Shared by the API and the counter page: 201 new ticket, 200 same key again, 202 a
    replay put in the needs-attention list."""
    outcome = counter.sell(db.session, location, counter.SaleRequest(
        items=[(item.product, item.quantity) for item in body.items if item.product],
        gift_boxes=[(item.gift_box, item.quantity) for item in body.items if item.gift_box],
        payment_method=body.payment,
        cash_received_vnd=body.cash_received_vnd, payment_reference=body.payment_reference,
        sold_at=body.sold_at, order_number=body.order), key=key, staff_id=staff_id)
    if outcome.attention is not None:
        item = outcome.attention
        return {"status": "needs_attention", "reason": item.reason, "message": item.message,
                "attention": counter.attention_json(item)}, 202
    payload = counter.sale_json(outcome.sale)
    payload["reference"] = outcome.sale.receipt_number  # the first version's field
    payload["sales_point"] = outcome.sale.location.code
    return payload, 201 if outcome.created else 200


@api_route(bp, "/sales-points/<code>/sales", methods=["POST"], body=SaleIn,
           auth=("sales_point", "admin"), status=201, tags=["sales points"],
           summary="A counter sale: a ticket with a receipt number (idempotent by key)",
           responses={200: "The same Idempotency-Key again: the first ticket, nothing moved",
                      202: "A replayed offline sale that cannot be applied: needs attention",
                      404: "Not your sales point, or unknown product",
                      409: "`not_listable` (with the reason) or `out_of_stock`"})
def point_sale(code: str, body: SaleIn):
    """Header `Idempotency-Key: <8–64 chars>` (a UUID made by the client). The gate is
    checked on every sale; with `sold_at` (an offline replay) on the sale's date."""
    location = _location(code)
    key = _idempotency_key()
    return record_sale(location, body, key, current_api_user().id)


@api_route(bp, "/sales-points/<code>/sales", query=DayQuery, auth=("sales_point", "admin"),
           tags=["sales points"], summary="The day's tickets", responses={404: "Not your sales point"})
def point_sales(code: str, query: DayQuery):
    location = _location(code)
    day = query.date or today()
    return {"date": day.isoformat(),
            "items": [counter.sale_json(t) for t in counter.tickets_of_day(db.session, location, day)]}


@api_route(bp, "/sales-points/<code>/sales/<int:sale_id>", auth=("sales_point", "admin"),
           tags=["sales points"], summary="One ticket", responses={404: "Not this point's ticket"})
def point_ticket(code: str, sale_id: int):
    return counter.sale_json(counter.get_sale(db.session, _location(code), sale_id))


@api_route(bp, "/sales-points/<code>/sales/<int:sale_id>/void", methods=["POST"], body=VoidIn,
           auth=("sales_point", "admin"), tags=["sales points"],
           summary="Void a ticket (same day): its units go back by `return` movements",
           responses={404: "Not this point's ticket", 409: "`already_void`, `void_too_late`"})
def void_ticket(code: str, sale_id: int, body: VoidIn):
    sale = counter.void_sale(db.session, _location(code), sale_id, reason=body.reason,
                             staff_id=current_api_user().id)
    return counter.sale_json(sale)


@api_route(bp, "/sales-points/<code>/sales/<int:sale_id>/returns", methods=["POST"], body=ReturnIn,
           auth=("sales_point", "admin"), status=201, tags=["sales points"],
           summary="Units of a ticket brought back (any day)",
           responses={404: "Not this point's ticket", 409: "`already_void`"})
def return_ticket(code: str, sale_id: int, body: ReturnIn):
    refund = counter.return_items(db.session, _location(code), sale_id,
                                  [(i.product, i.quantity) for i in body.items],
                                  reason=body.reason, staff_id=current_api_user().id)
    return counter.refund_json(refund), 201


@api_route(bp, "/sales-points/<code>/catalogue", auth=("sales_point", "admin"), tags=["sales points"],
           summary="What the counter holds to sell offline: products, prices, sellable days")
def point_catalogue(code: str):
    return catalogue(db.session, _location(code))


@api_route(bp, "/sales-points/<code>/stamps/<path:scanned>", auth=("sales_point", "admin"),
           tags=["sales points"], summary="A scanned stamp (URL or code): its product and verdict",
           responses={404: "`unknown_code`"})
def point_stamp(code: str, scanned: str):
    _point(code)
    return stamp_lookup(db.session, scanned)


# --- Transfers -----------------------------------------------------------------------------

@api_route(bp, "/sales-points/<code>/transfers", auth=("sales_point", "admin"), tags=["sales points"],
           summary="Incoming transfers (in transit first)", responses={404: "Not your sales point"})
def point_transfers(code: str):
    return {"items": [transfers.transfer_json(t) for t in transfers.incoming(db.session, _location(code))]}


@api_route(bp, "/sales-points/<code>/transfers/<int:transfer_id>/receive", methods=["POST"],
           body=ReceiveIn, auth=("sales_point", "admin"), tags=["sales points"],
           summary="Receive a transfer: the counted quantities (`transfer_in`)",
           responses={404: "Not a transfer to this point", 409: "`already_received`",
                      422: "A count missing, or a difference without a note"})
def receive_transfer(code: str, transfer_id: int, body: ReceiveIn):
    transfer = transfers.receive(db.session, _location(code), transfer_id,
                                 [(i.product, i.quantity) for i in body.items],
                                 actor_id=current_api_user().id, note=body.note)
    return transfers.transfer_json(transfer)


@api_route(bp, "/seller/transfers", methods=["POST"], body=TransferIn, auth="producer", status=201,
           tags=["seller"], summary="Dispatch stock to a sales point (in transit until counted)",
           responses={404: "Unknown destination or not your product",
                      409: "`out_of_stock`: nothing moves"})
def seller_transfer(body: TransferIn):
    user = current_api_user()
    producer = user.producer
    transfer = transfers.dispatch(
        db.session, producer, to=transfers.resolve_destination(db.session, producer, body.to),
        source=transfers.resolve_source(db.session, producer, body.source),
        items=[(i.product, i.quantity) for i in body.items], actor_id=user.id, note=body.note)
    return {"id": transfer.id, **transfers.transfer_json(transfer)}, 201


@api_route(bp, "/seller/transfers", auth="producer", tags=["seller"],
           summary="The producer's transfers, with what each point counted")
def seller_transfers():
    return {"items": [transfers.transfer_json(t)
                      for t in transfers.of_producer(db.session, current_api_user().producer)]}


# --- Pickups -------------------------------------------------------------------------------

@api_route(bp, "/sales-points/<code>/pickups", auth=("sales_point", "admin"), tags=["sales points"],
           summary="Orders to hand over here (ready ones first); `to_confirm`: pay-at-pickup "
                   "orders waiting for a confirmation", responses={404: "Not your sales point"})
def point_pickups(code: str):
    point = _point(code)
    return {"items": [pickups.pickup_json(p) for p in pickups.pickup_queue(db.session, point)],
            "to_confirm": [pickups.pickup_json(p) for p in pickups.pickups_to_confirm(db.session, point)]}


@api_route(bp, "/sales-points/<code>/pickups/<number>/confirm", methods=["POST"],
           auth=("sales_point", "admin"), tags=["sales points"],
           summary="Confirm a pay-at-pickup order collected here (as its producers could)",
           responses={404: "Not an order collected here",
                      409: "`not_pay_at_pickup`, `order_cancelled`"})
def confirm_pickup(code: str, number: str):
    order = pickups.confirm_pickup_order(db.session, _point(code), number)
    return pickups.pickup_json(pickups.Pickup(order))


@api_route(bp, "/sales-points/<code>/pickups/<number>/handover", methods=["POST"], body=HandoverIn,
           auth=("sales_point", "admin"), tags=["sales points"],
           summary="Hand an order over (checked by the customer's name or the e-mail's QR token)",
           responses={404: "Not an order collected here",
                      409: "`not_ready`, `payment_required`, `identity_mismatch`, `already_handed_over`, "
                           "`no_longer_listable` (the gate cancelled lines of a cash order)"})
def handover(code: str, number: str, body: HandoverIn):
    try:
        order = pickups.handover(db.session, _point(code), number,
                                 customer_name=body.customer_name, token=body.token)
    except pickups.NoLongerListable as refused:
        pickups.keep_gate_cancellation(db.session, refused)
        raise
    return pickups.pickup_json(pickups.Pickup(order))


# --- Day report, close, attention, low stock ------------------------------------------------

def _wants_csv(query: DayQuery) -> bool:
    if query.format:
        return query.format == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


@api_route(bp, "/sales-points/<code>/reports/day", query=DayQuery, auth=("sales_point", "admin"),
           tags=["sales points"], summary="The day report (JSON, or CSV with ?format=csv)",
           responses={404: "Not your sales point"},
           produces={"application/json": None, "text/csv": {"type": "string"}})
def day_report(code: str, query: DayQuery):
    location = _location(code)
    report = reports.day_report(db.session, location, query.date or today())
    if _wants_csv(query):
        return Response("\ufeff" + reports.report_csv(report), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{location.code}-{report.day}.csv"'}), 200
    return reports.report_json(report)


@api_route(bp, "/sales-points/<code>/close", methods=["POST"], body=CloseIn,
           auth=("sales_point", "admin"), tags=["sales points"],
           summary="Close a day with the cash counted", responses={409: "`already_closed`"})
def close(code: str, body: CloseIn):
    if body.date > today():
        raise InvalidInput("date: a day cannot be closed before it starts.", code="invalid_date")
    location = _location(code)
    reports.close_day(db.session, location, body.date, cash_counted_vnd=body.cash_counted_vnd,
                      note=body.note, staff_id=current_api_user().id)
    return reports.report_json(reports.day_report(db.session, location, body.date))


@api_route(bp, "/sales-points/<code>/attention", query=AttentionQuery, auth=("sales_point", "admin"),
           tags=["sales points"], summary="Replayed sales that could not be applied")
def attention(code: str, query: AttentionQuery):
    items = counter.attention_items(db.session, _location(code),
                                    status=None if query.status == "all" else query.status)
    return {"items": [counter.attention_json(i) for i in items]}


@api_route(bp, "/sales-points/<code>/attention/<int:item_id>/resolve", methods=["POST"], body=ResolveIn,
           auth=("sales_point", "admin"), tags=["sales points"], summary="Close a needs-attention item",
           responses={404: "Not this point's", 409: "`already_resolved`"})
def resolve(code: str, item_id: int, body: ResolveIn):
    item = counter.resolve_attention(db.session, _location(code), item_id, note=body.note,
                                     staff_id=current_api_user().id)
    return counter.attention_json(item)


@api_route(bp, "/sales-points/<code>/low-stock", auth=("sales_point", "admin"), tags=["sales points"],
           summary="Products at or below their threshold here")
def low_stock(code: str):
    return {"items": reports.low_stock(db.session, _location(code))}


@api_route(bp, "/sales-points/<code>/thresholds", methods=["POST"], body=ThresholdIn,
           auth=("sales_point", "admin"), tags=["sales points"], summary="Set a low-stock threshold")
def threshold(code: str, body: ThresholdIn):
    location = _location(code)
    row = reports.set_threshold(db.session, location, get_product(db.session, body.product), body.threshold)
    return {"product": body.product, "threshold": row.threshold}
