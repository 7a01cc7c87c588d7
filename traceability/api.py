"""JSON API of the traceability package (/api/v1): the public trace record, and the seller's
(or the office's) lots, stamps and recalls."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app
from pydantic import Field
from sqlalchemy import select

from app.api import QuerySchema, Schema, api_blueprint, api_route, current_api_user
from app.clock import today
from app.database import short_transaction, writes
from app.extensions import db
from catalog.models import Product
from catalog.services import get_product
from traceability import services
from traceability.models import Lot
from traceability.serializers import trace_json, trace_url
from traceability.trace import trace
from traceability.views import current_network, register_code_converter

bp = api_blueprint("traceability_api", __name__)
bp.record_once(register_code_converter)


class LotIn(Schema):
    product: str = Field(min_length=1, max_length=160, description="Product slug")
    lot_number: str = Field(min_length=1, max_length=20,
                            description="1–20 letters, digits, '.', '_' or '-'")
    produced_on: date
    best_before: date | None = None
    quantity: int = Field(ge=1, le=100_000_000)


class StampsIn(Schema):
    count: int = Field(ge=1, le=services.MAX_STAMPS_PER_CALL)


class VoidIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class LotListQuery(QuerySchema):
    product: str | None = Field(None, max_length=160, description="Only this product's lots")


class SheetQuery(QuerySchema):
    start: int = Field(1, ge=1, description="First stamp (1-based, printing order)")
    count: int = Field(1000, ge=1, le=2000, description="How many stamps (at most 2,000)")


# --- Public ------------------------------------------------------------------------------

@api_route(bp, "/trace/<code:code>", tags=["traceability"],
           responses={404: "Unknown or malformed code (`unknown_code`)"},
           summary="The trace record of a stamp; every request counts as a scan")
@writes
def get_trace(code: str):
    on = today()
    # The page's scan, the same way (one statement on PostgreSQL).
    with short_transaction(db.session, db.engine, one_statement=True) as connection:
        record = trace(connection, code, current_network(),
                       threshold=current_app.config["SUSPICIOUS_SCAN_CLIENTS"], on=on)
    return trace_json(record, current_app.config["BASE_URL"], on)


# --- Seller (and the office for recalls) -------------------------------------------------

def _own_producer():
    """The token's producer, or None for the office (admin), who may touch any lot."""
    user = current_api_user()
    return user.producer if user.role == "producer" else None


def _lot_json(lot: Lot, counts: tuple[int, int] = (0, 0)) -> dict:
    return {
        "id": lot.id,
        "product": lot.product.slug,
        "lot_number": lot.lot_number,
        "produced_on": lot.produced_on.isoformat(),
        "best_before": lot.best_before.isoformat() if lot.best_before else None,
        "quantity": lot.quantity,
        "void": lot.voided_at is not None,
        "void_reason": lot.void_reason,
        "stamps": counts[0],
        "void_stamps": counts[1],
    }


@api_route(bp, "/seller/lots", methods=["POST"], body=LotIn, auth="producer", status=201,
           tags=["seller"], summary="Record a production lot",
           responses={404: "Unknown product (or another producer's)",
                      409: "Lot number already used for this product"})
def create_lot(body: LotIn):
    product = get_product(db.session, body.product, producer=current_api_user().producer)
    lot = services.create_lot(db.session, product, lot_number=body.lot_number,
                              produced_on=body.produced_on, best_before=body.best_before,
                              quantity=body.quantity)
    return {"id": lot.id}, 201


@api_route(bp, "/seller/lots", query=LotListQuery, auth=("producer", "admin"), tags=["seller"],
           summary="Lots (the producer's own; the office sees all), newest first")
def list_lots(query: LotListQuery):
    producer = _own_producer()
    stmt = select(Lot).join(Lot.product).order_by(Lot.produced_on.desc(), Lot.id.desc())
    if producer is not None:
        stmt = stmt.where(Product.producer_id == producer.id)
    if query.product:
        stmt = stmt.where(Product.slug == query.product)
    lots = list(db.session.scalars(stmt.limit(500)))
    counts = services.lot_stamp_counts(db.session, [lot.id for lot in lots])
    return {"items": [_lot_json(lot, counts.get(lot.id, (0, 0))) for lot in lots]}


@api_route(bp, "/seller/lots/<int:lot_id>", auth=("producer", "admin"), tags=["seller"],
           summary="One lot", responses={404: "Unknown lot (or another producer's)"})
def get_lot(lot_id: int):
    lot = services.get_lot(db.session, lot_id, producer=_own_producer())
    return _lot_json(lot, services.lot_stamp_counts(db.session, [lot.id]).get(lot.id, (0, 0)))


@api_route(bp, "/seller/lots/<int:lot_id>/stamps", methods=["POST"], body=StampsIn,
           auth="producer", status=201, tags=["seller"],
           summary="Issue 1 to 10,000 stamps for a lot",
           responses={404: "Unknown lot (or another producer's)",
                      409: "Lot void (`lot_void`) or product not certified (`not_certified`)"})
def issue_stamps(lot_id: int, body: StampsIn):
    lot = services.get_lot(db.session, lot_id, producer=current_api_user().producer)
    stamps = services.issue_stamps(db.session, lot, body.count)
    base = current_app.config["BASE_URL"]
    stamp_codes = [s.code for s in stamps]
    return {"codes": stamp_codes, "urls": [trace_url(base, c) for c in stamp_codes]}, 201


@api_route(bp, "/seller/lots/<int:lot_id>/stamps.pdf", query=SheetQuery,
           auth=("producer", "admin"), tags=["seller"],
           summary="Printable A4 PDF sheet of the lot's stamps (in pages of 2,000)",
           responses={404: "Unknown lot (or another producer's)"},
           produces={"application/pdf": {"type": "string", "contentMediaType": "application/pdf"}})
def stamps_pdf(lot_id: int, query: SheetQuery):
    lot = services.get_lot(db.session, lot_id, producer=_own_producer())
    pdf, filename = services.lot_sheet_pdf(db.session, lot, current_app.config["BASE_URL"],
                                           start=query.start, count=query.count)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@api_route(bp, "/seller/stamps/<code>/void", methods=["POST"], body=VoidIn,
           auth=("producer", "admin"), tags=["seller"], summary="Void one stamp, with a reason",
           responses={404: "Unknown stamp (or another producer's)", 409: "Already void"})
def void_stamp(code: str, body: VoidIn):
    stamp = services.get_stamp(db.session, code, producer=_own_producer())
    services.void_stamp(db.session, stamp, reason=body.reason)
    return {"code": stamp.code, "void": True, "void_reason": stamp.void_reason,
            "voided_at": stamp.voided_at.isoformat()}


@api_route(bp, "/seller/lots/<int:lot_id>/void", methods=["POST"], body=VoidIn,
           auth=("producer", "admin"), tags=["seller"],
           summary="Recall a whole lot: every stamp of it reads void, with the reason",
           responses={404: "Unknown lot (or another producer's)", 409: "Already void"})
def void_lot(lot_id: int, body: VoidIn):
    lot = services.get_lot(db.session, lot_id, producer=_own_producer())
    services.void_lot(db.session, lot, reason=body.reason)
    return _lot_json(lot, services.lot_stamp_counts(db.session, [lot.id]).get(lot.id, (0, 0)))
