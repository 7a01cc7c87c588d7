"""Two-step transfers (DOMAIN §9): a producer dispatches units from its warehouse
(`transfer_out` now, units in transit); the receiving point's staff count what arrived and
receive it (`transfer_in` of the counted quantity). A difference is recorded with a reason,
shown to both sides. A transfer cannot take more than the source holds: `out_of_stock`,
nothing moves (the same all-or-nothing `take_stock` as a sale)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.clock import now as clock_now
from app.errors import Conflict, InvalidInput, NotFound
from catalog.models import Producer, Product
from showrooms.counter_models import Transfer, TransferLine
from showrooms.models import Location, SalesPoint
from showrooms.stock import (
    StockLine,
    merged_quantities,
    record_movement,
    sales_point_location,
    take_stock,
    warehouse_of,
)

MAX_LINES = 200


def resolve_destination(session: Session, producer: Producer, to: str) -> Location:
    """`warehouse`, or a sales point's code. (Fair booths: `booth:<fair>/<booth>`, once
    booths are stock locations.)"""
    to = (to or "").strip()
    if to in ("warehouse", ""):
        return warehouse_of(session, producer)
    if to.startswith("booth:"):
        location = session.scalar(select(Location).where(
            Location.kind == "booth", Location.code == to.removeprefix("booth:"),
            Location.producer_id == producer.id))
        if location is None:
            raise NotFound(f"No confirmed booth {to!r} of yours.", code="unknown_location")
        return location
    point = session.scalar(select(SalesPoint).where(SalesPoint.code == to.upper(),
                                                    SalesPoint.active.is_(True)))
    if point is None:
        raise NotFound(f"No sales point {to!r}.", code="unknown_location")
    return sales_point_location(session, point)


def resolve_source(session: Session, producer: Producer, source: str | None) -> Location:
    """The producer's warehouse by default; its own booth to bring units back."""
    if source in (None, "", "warehouse"):
        return warehouse_of(session, producer)
    location = resolve_destination(session, producer, source)
    if location.kind == "sales_point":
        raise InvalidInput("from: a sales point's stock is moved by its staff, not by a producer.",
                           code="invalid_source")
    return location


def own_products(session: Session, producer: Producer,
                  items: list[tuple[str, int]]) -> dict[str, tuple[Product, int]]:
    """The producer's own stocked products of `items`, quantities merged per product (404
    for another's product, 422 for a tourism service): for transfers and booth moves alike."""
    wanted = merged_quantities(items, MAX_LINES)
    products = {p.slug: p for p in session.scalars(
        select(Product).where(Product.slug.in_(wanted), Product.producer_id == producer.id))}
    unknown = sorted(set(wanted) - set(products))
    if unknown:
        raise NotFound(f"Not your products: {', '.join(unknown)}.", code="unknown_product")
    services = [p.name for p in products.values() if p.is_service]
    if services:
        raise InvalidInput(f"Tourism services have no stock: {', '.join(services)}.",
                           code="service_has_no_stock")
    return {slug: (products[slug], wanted[slug]) for slug in sorted(wanted)}


def arrives_at_once(source: Location, destination: Location, producer: Producer) -> bool:
    """Between the producer's own places (its warehouse and its booths) units move at once;
    to a sales point they wait in transit until its staff count them."""
    return destination.kind != "sales_point" and destination.producer_id == producer.id


def dispatch(session: Session, producer: Producer, *, to: Location, source: Location,
             items: list[tuple[str, int]], actor_id: int | None = None,
             note: str | None = None) -> Transfer:
    """Dispatch units: `transfer_out` at the source now (all or nothing: `out_of_stock`
    names every shortfall and moves nothing)."""
    if to.id == source.id:
        raise InvalidInput("to: the units are already there.", code="invalid_destination")
    lines = own_products(session, producer, items)
    transfer = Transfer(producer_id=producer.id, from_location_id=source.id, to_location_id=to.id,
                        status="in_transit", dispatched_at=clock_now(), dispatched_by=actor_id,
                        note=(note or "").strip()[:300] or None,
                        lines=[TransferLine(product_id=p.id, quantity_sent=q) for p, q in lines.values()])
    session.add(transfer)
    session.flush()
    take_stock(session, [StockLine(source.id, p.id, q) for p, q in lines.values()],
               kind="transfer_out", reference=f"transfer:{transfer.id}", actor_id=actor_id,
               reason=f"to {to.code}")
    if arrives_at_once(source, to, producer):
        _receive(session, transfer, to, {line.product_id: line.quantity_sent for line in transfer.lines},
                 actor_id=actor_id, note=None)
    return transfer


def _receive(session: Session, transfer: Transfer, location: Location, counted: dict[int, int], *,
             actor_id: int | None, note: str | None) -> Transfer:
    for line in transfer.lines:
        line.quantity_received = counted[line.product_id]
        if line.quantity_received > 0:
            record_movement(session, location=location, product=line.product, kind="transfer_in",
                            quantity=line.quantity_received, actor_id=actor_id,
                            reason=f"from {transfer.from_location.code}",
                            reference=f"transfer:{transfer.id}")
    transfer.status = "received"
    transfer.received_at = clock_now()
    transfer.received_by = actor_id
    transfer.receive_note = note
    session.flush()
    return transfer


def get_transfer(session: Session, transfer_id: int, *, location: Location | None = None,
                 producer: Producer | None = None, lock: bool = False) -> Transfer:
    """A transfer to this location, or of this producer; anybody else's is 404."""
    query = select(Transfer).where(Transfer.id == transfer_id).options(
        selectinload(Transfer.lines).selectinload(TransferLine.product))
    if location is not None:
        query = query.where(Transfer.to_location_id == location.id)
    if producer is not None:
        query = query.where(Transfer.producer_id == producer.id)
    if lock:
        query = query.with_for_update(of=Transfer).execution_options(populate_existing=True)
    transfer = session.scalar(query)
    if transfer is None:
        raise NotFound(f"No transfer {transfer_id} here.", code="transfer_not_found")
    return transfer


def receive(session: Session, location: Location, transfer_id: int, counts: list[tuple[str, int]],
            *, actor_id: int | None = None, note: str | None = None) -> Transfer:
    """The staff counted what arrived: one count per product of the transfer (0 if none
    came). Any difference from what was sent needs a reason in `note`."""
    transfer = get_transfer(session, transfer_id, location=location, lock=True)
    if transfer.status != "in_transit":
        raise Conflict(f"Transfer {transfer.id} was already received.", code="already_received")
    by_slug = {line.product.slug: line for line in transfer.lines}
    counted: dict[int, int] = {}
    problems = []
    for slug, quantity in counts:
        line = by_slug.get(slug)
        if line is None:
            problems.append(f"{slug} is not in transfer {transfer.id}")
        elif quantity < 0:
            problems.append(f"{slug}: a count cannot be negative")
        elif line.product_id in counted:
            problems.append(f"{slug}: counted twice")
        else:
            counted[line.product_id] = quantity
    missing = [line.product.slug for line in transfer.lines if line.product_id not in counted]
    if missing:
        problems.append(f"count these too (0 if none arrived): {', '.join(missing)}")
    if problems:
        raise InvalidInput("; ".join(problems) + ".", code="invalid_count")
    note = (note or "").strip()[:300] or None
    differs = any(counted[line.product_id] != line.quantity_sent for line in transfer.lines)
    if differs and not note:
        raise InvalidInput("The count differs from what was sent: say why in the note (broken, "
                           "missing…).", code="note_required")
    return _receive(session, transfer, location, counted, actor_id=actor_id, note=note)


def incoming(session: Session, location: Location, *, limit: int = 100) -> list[Transfer]:
    return list(session.scalars(
        select(Transfer).where(Transfer.to_location_id == location.id)
        .options(selectinload(Transfer.lines).selectinload(TransferLine.product),
                 selectinload(Transfer.producer), selectinload(Transfer.from_location))
        .order_by(Transfer.status.desc(), Transfer.dispatched_at.desc()).limit(limit)))


def of_producer(session: Session, producer: Producer, *, limit: int = 100) -> list[Transfer]:
    return list(session.scalars(
        select(Transfer).where(Transfer.producer_id == producer.id)
        .options(selectinload(Transfer.lines).selectinload(TransferLine.product),
                 selectinload(Transfer.to_location), selectinload(Transfer.from_location))
        .order_by(Transfer.dispatched_at.desc()).limit(limit)))


def transfer_json(transfer: Transfer) -> dict:
    from showrooms.counter import _iso

    return {"id": transfer.id, "status": transfer.status, "producer": transfer.producer.name,
            "from": transfer.from_location.code, "to": transfer.to_location.code,
            "dispatched_at": _iso(transfer.dispatched_at), "received_at": _iso(transfer.received_at),
            "note": transfer.note, "receive_note": transfer.receive_note,
            "difference": transfer.has_difference,
            "items": [{"product": line.product.slug, "name": line.product.name,
                       "sent": line.quantity_sent, "received": line.quantity_received}
                      for line in transfer.lines]}


