"""Gift boxes (DOMAIN §12): curated sets of OCOP products assembled by one sales point.

A box is sellable only while EVERY item is listable (the gate, item by item, through
`catalog.gate`); the units available = what the assembling point's own shelves allow
(min over items of available // quantity, available = on hand − unexpired reservations).
Online orders, the counter and the pages all ask the functions here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.clock import now as clock_now
from app.clock import today
from app.errors import Conflict, InvalidInput, NotFound
from catalog.gate import NotListable, listability, reason_text
from catalog.models import Product
from catalog.services import unique_slug
from catalog.text import fold
from showrooms import counter
from showrooms.counter_models import CounterSale
from showrooms.models import Location, SalesPoint, StockLevel
from showrooms.stock import (
    OutOfStock,
    StockLine,
    reserved_quantities,
    sales_point_location,
    take_stock,
)
from storefront.promotion.models import GiftBox, GiftBoxItem, GiftBoxOrderLine

MAX_ITEMS = 20
MAX_QUANTITY = 99


def box_query():
    return select(GiftBox).options(
        selectinload(GiftBox.items).selectinload(GiftBoxItem.product).selectinload(Product.certificates),
        selectinload(GiftBox.items).selectinload(GiftBoxItem.product).joinedload(Product.producer),
        selectinload(GiftBox.items).selectinload(GiftBoxItem.product).selectinload(Product.photos),
        joinedload(GiftBox.sales_point),
    )


def get_box(session: Session, slug: str, *, active_only: bool = True) -> GiftBox:
    query = box_query().where(GiftBox.slug == (slug or "").strip())
    if active_only:
        query = query.where(GiftBox.active.is_(True))
    box = session.scalar(query)
    if box is None:
        raise NotFound(f"No gift box {slug!r}.", code="unknown_gift_box")
    return box


# --- Creating ---------------------------------------------------------------------------------

def create_box(session: Session, *, point: SalesPoint, name: str, items: Iterable[tuple[str, int]],
               price_vnd: int, name_en: str | None = None, story: str = "",
               story_en: str | None = None, photo_path: str | None = None) -> GiftBox:
    """A new box of `items` (product slug, quantity) assembled by `point`. Goods only (a
    tourism service has no stock); several producers allowed; 1–20 different products."""
    wanted: dict[str, int] = {}
    for slug, quantity in items:
        if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidInput(f"items: quantity of {slug} must be 1–{MAX_QUANTITY}.",
                               code="invalid_quantity")
        wanted[slug] = wanted.get(slug, 0) + quantity
    if not 1 <= len(wanted) <= MAX_ITEMS:
        raise InvalidInput(f"items: a gift box holds 1–{MAX_ITEMS} different products.",
                           code="invalid_items")
    if not (name or "").strip():
        raise InvalidInput("name: required.", code="invalid_input")
    if price_vnd < 0:
        raise InvalidInput("price_vnd: must not be negative.", code="invalid_input")
    products = {p.slug: p for p in session.scalars(select(Product).where(Product.slug.in_(wanted)))}
    unknown = sorted(set(wanted) - set(products))
    if unknown:
        raise InvalidInput(f"items: no product {', '.join(unknown)}.", code="unknown_product")
    services = sorted(p.name for p in products.values() if p.is_service)
    if services:
        raise InvalidInput(f"items: {', '.join(services)} is a tourism service, not a good for "
                           "a box.", code="not_purchasable")
    box = GiftBox(slug=unique_slug(session, GiftBox, name), name=name.strip(), name_en=name_en,
                  story=story or "", story_en=story_en, photo_path=photo_path,
                  price_vnd=price_vnd, sales_point=point, active=True,
                  items=[GiftBoxItem(product=products[slug], quantity=q)
                         for slug, q in wanted.items()])
    session.add(box)
    session.flush()
    return box


# --- Availability ---------------------------------------------------------------------------

@dataclass(frozen=True)
class BoxAvailability:
    """`available` boxes the point can make now; when none can be sold because of the gate,
    `reason` (the gate's code) and `item` (the product) say why."""

    available: int
    reason: str | None = None
    item: Product | None = None

    @property
    def sellable(self) -> bool:
        return self.reason is None

    @property
    def in_stock(self) -> bool:
        return self.sellable and self.available > 0


def gift_box_lines(box: GiftBox, quantity: int = 1) -> list[tuple[Product, int]]:
    """What `quantity` boxes take off the shelves: (product, units) per item. For the
    counter and online orders alike."""
    return [(item.product, item.quantity * quantity) for item in box.items]


def unlistable_item(box: GiftBox, on: date | None = None) -> tuple[Product, str] | None:
    """The first item the gate refuses on `on`, with the gate's reason; None when all pass."""
    on = on or today()
    for item in box.items:
        verdict = listability(item.product, on)
        if not verdict.listable:
            return item.product, verdict.reason
    return None


def require_box_sellable(box: GiftBox, on: date | None = None) -> None:
    """The gate on every item: NotListable (409 `not_listable`) naming the first refused
    item and why. The counter calls this before selling a box."""
    refused = unlistable_item(box, on)
    if not box.active:
        raise NotListable(f"The gift box {box.name} is no longer sold.",
                          details={"gift_box": box.slug, "reason": "unpublished"})
    if refused is not None:
        product, reason = refused
        raise NotListable(
            _("Hộp quà %(box)s không được bán: %(item)s — %(reason)s.", box=box.name,
              item=product.name, reason=reason_text(reason)),
            details={"gift_box": box.slug, "product": product.slug, "reason": reason})


def availability(session: Session, boxes: list[GiftBox], *, on: date | None = None,
                 now: datetime | None = None) -> dict[int, BoxAvailability]:
    """Box id → what can be sold now: the gate item by item, then the assembling point's
    shelves (two queries for any number of boxes)."""
    on = on or today()
    result: dict[int, BoxAvailability] = {}
    locations = {}
    for box in boxes:
        if box.sales_point_id not in locations:
            locations[box.sales_point_id] = sales_point_location(session, box.sales_point).id
    keys = {(locations[b.sales_point_id], item.product_id) for b in boxes for item in b.items}
    on_hand = {}
    if keys:
        ids = {p for _, p in keys}
        locs = {loc for loc, _ in keys}
        on_hand = {(lv.location_id, lv.product_id): lv.on_hand for lv in session.scalars(
            select(StockLevel).where(StockLevel.location_id.in_(locs),
                                     StockLevel.product_id.in_(ids)))}
    held = reserved_quantities(session, keys, now=now)
    for box in boxes:
        refused = unlistable_item(box, on)
        if refused is not None:
            result[box.id] = BoxAvailability(0, refused[1], refused[0])
            continue
        location = locations[box.sales_point_id]
        counts = [max(on_hand.get((location, i.product_id), 0) - held.get((location, i.product_id), 0), 0)
                  // i.quantity for i in box.items]
        result[box.id] = BoxAvailability(min(counts) if counts else 0)
    return result


def list_boxes(session: Session, *, province: int | None = None, max_price: int | None = None,
               min_price: int | None = None) -> list[GiftBox]:
    query = box_query().join(GiftBox.sales_point).where(GiftBox.active.is_(True))
    if province is not None:
        query = query.where(SalesPoint.province_code == province)
    if max_price is not None:
        query = query.where(GiftBox.price_vnd <= max_price)
    if min_price is not None:
        query = query.where(GiftBox.price_vnd >= min_price)
    return list(session.scalars(query.order_by(GiftBox.price_vnd, GiftBox.id)).unique())


# --- Orders -----------------------------------------------------------------------------------

@dataclass
class BoxOrderItem:
    box: GiftBox
    quantity: int

    @property
    def total_vnd(self) -> int:
        return self.box.price_vnd * self.quantity


def resolve_order_boxes(session: Session, items: list[tuple[int, str, int]], on: date) -> list[BoxOrderItem]:
    """(index in the order, slug, quantity) → boxes, refusing unknown slugs (422 naming the
    item) and any box with an item the gate refuses (one 409 `not_listable` naming them)."""
    if not items:
        return []
    boxes = {b.slug: b for b in session.scalars(
        box_query().where(GiftBox.slug.in_([slug for _, slug, _ in items]),
                          GiftBox.active.is_(True))).unique()}
    resolved, refusals = [], []
    for index, slug, quantity in items:
        box = boxes.get(slug)
        if box is None:
            raise InvalidInput(f"items.{index}.gift_box: no gift box {slug!r}", code="unknown_gift_box",
                               details={"fields": [{"field": f"items.{index}.gift_box",
                                                    "message": f"no gift box {slug!r}"}]})
        try:
            require_box_sellable(box, on)
        except NotListable as err:
            refusals.append(err)
        resolved.append(BoxOrderItem(box, quantity))
    if refusals:
        raise NotListable(" ".join(err.message for err in refusals),
                          details={"items": [err.details for err in refusals]})
    return resolved


def box_stock_lines(session: Session, box: GiftBox, quantity: int) -> list[StockLine]:
    location = sales_point_location(session, box.sales_point)
    return [StockLine(location.id, product.id, units)
            for product, units in gift_box_lines(box, quantity)]


def add_order_lines(session: Session, order, items: list[BoxOrderItem], *,
                    shipping_fee: int) -> list[StockLine]:
    """The order's gift-box lines (each a parcel of its point: `shipping_fee` each when
    delivered) and the stock lines to take or reserve at the points."""
    stock: list[StockLine] = []
    for item in items:
        session.add(GiftBoxOrderLine(
            order=order, box=item.box, sales_point_id=item.box.sales_point_id,
            name=item.box.name, unit_price_vnd=item.box.price_vnd, quantity=item.quantity,
            line_total_vnd=item.total_vnd, shipping_fee_vnd=shipping_fee, status="active"))
        stock.extend(box_stock_lines(session, item.box, item.quantity))
    return stock


def confirm_order_boxes(session: Session, order, *, on: date, now: datetime, method: str,
                        cancel_text) -> tuple[list[GiftBoxOrderLine], list[tuple[GiftBoxOrderLine, str]]]:
    """Payment confirmed (storefront.confirmation.confirm_payment): the gate again on every item
    of every box; each sellable box takes its units from its point (its own reservations
    set aside); a box refused or short is cancelled (the caller refunds it).
    `cancel_text(reason_code | None)` words the reason in the customer's language."""
    lines = session.scalars(
        select(GiftBoxOrderLine).where(GiftBoxOrderLine.order_id == order.id,
                                       GiftBoxOrderLine.status == "active")
        .order_by(GiftBoxOrderLine.id)).all()
    sold, cancelled = [], []
    for line in lines:
        box = session.scalar(box_query().where(GiftBox.id == line.gift_box_id))
        refused = unlistable_item(box, on)
        if refused is not None:
            cancelled.append((line, cancel_text(refused[1], refused[0].name)))
            continue
        try:
            take_stock(session, box_stock_lines(session, box, line.quantity), kind="sale",
                       reference=order.number, now=now, exclude_reference=order.number,
                       reason=f"order {order.number} paid ({method}): gift box {box.slug}")
        except OutOfStock:
            cancelled.append((line, cancel_text(None, box.name)))
            continue
        sold.append(line)
    return sold, cancelled


def box_line_json(line: GiftBoxOrderLine) -> dict:
    return {"gift_box": line.box.slug if line.box else None, "name": line.name,
            "quantity": line.quantity, "unit_price_vnd": line.unit_price_vnd,
            "line_total_vnd": line.line_total_vnd, "shipping_fee_vnd": line.shipping_fee_vnd,
            "sales_point": line.sales_point.code if line.sales_point else None,
            "status": line.status, "cancel_reason": line.cancel_reason,
            "handed_over_at": line.handed_over_at.isoformat() if line.handed_over_at else None}


def point_box_orders(session: Session, point: SalesPoint, *, limit: int = 200) -> list[GiftBoxOrderLine]:
    """Online orders of the point's boxes still to assemble and hand over (or ship): active
    lines of confirmed orders, oldest first (the pickup desk and the packing table)."""
    from storefront.models import Order

    return list(session.scalars(
        select(GiftBoxOrderLine).join(Order, Order.id == GiftBoxOrderLine.order_id)
        .where(GiftBoxOrderLine.sales_point_id == point.id, GiftBoxOrderLine.status == "active",
               GiftBoxOrderLine.handed_over_at.is_(None), Order.status == "confirmed")
        .options(joinedload(GiftBoxOrderLine.order), joinedload(GiftBoxOrderLine.box))
        .order_by(GiftBoxOrderLine.id).limit(limit)))


def hand_over(session: Session, point: SalesPoint, line_id: int) -> GiftBoxOrderLine:
    """The point handed a box of a confirmed order over (to the customer at pickup, or to the
    carrier). Cash on delivery / at pickup: when nothing of the order is left to hand over,
    the money has been collected (as for a producer's delivered shipment)."""
    from app.errors import Conflict
    from storefront.models import Order

    line = session.scalars(select(GiftBoxOrderLine).where(
        GiftBoxOrderLine.id == line_id, GiftBoxOrderLine.sales_point_id == point.id)
        .with_for_update()).first()
    if line is None:
        raise NotFound(f"No gift-box order line {line_id} at {point.code}.",
                       code="gift_box_line_not_found")
    order = session.get(Order, line.order_id)
    if line.status != "active" or order.status != "confirmed" or line.handed_over_at:
        raise Conflict(f"That box of order {order.number} cannot be handed over now.",
                       code="invalid_gift_box_status")
    line.handed_over_at = clock_now()
    if order.payment_method in ("cod", "pay_at_pickup") and order_fully_handed_over(order):
        order.payment_status = "paid"
        order.paid_at = clock_now()
    session.flush()
    return line


def order_fully_handed_over(order) -> bool:
    """Every shipment delivered (or cancelled) and every box handed over (or cancelled)."""
    return (all(s.status in ("delivered", "cancelled") for s in order.shipments)
            and all(b.status == "cancelled" or b.handed_over_at for b in order.gift_box_lines))


def point_boxes(session: Session, point: SalesPoint) -> list[GiftBox]:
    return list(session.scalars(box_query().where(GiftBox.sales_point_id == point.id)
                                .order_by(GiftBox.active.desc(), GiftBox.name)).unique())


def set_active(session: Session, box: GiftBox, active: bool) -> GiftBox:
    """Take a box off sale (or back on): orders already placed keep their lines."""
    box.active = active
    session.flush()
    return box


# --- The counter ------------------------------------------------------------------------------

@dataclass
class BoxCounterSale:
    reference: str  # the ticket's receipt number
    box: GiftBox
    quantity: int
    sale: CounterSale | None = None

    @property
    def total_vnd(self) -> int:
        return self.box.price_vnd * self.quantity


def sell_box_at_counter(session: Session, point: SalesPoint, box: GiftBox, quantity: int, *,
                        actor_id: int | None = None, payment_method: str = "cash",
                        key: str | None = None) -> BoxCounterSale:
    """Sell boxes over the point's counter as a counter ticket (`showrooms.counter.sell`:
    receipt number, idempotency key, the gate on every item — 409 naming it —, the items'
    units off the point's shelves in the same transaction, 409 `out_of_stock`). Only the
    point that assembles the box (else 404)."""
    if box.sales_point_id != point.id:
        raise NotFound(f"No gift box {box.slug!r} at {point.code}.", code="unknown_gift_box")
    outcome = counter.sell(session, sales_point_location(session, point), counter.SaleRequest(
        gift_boxes=[(box.slug, quantity)], payment_method=payment_method),
        key=key or counter.new_key(), staff_id=actor_id)
    return BoxCounterSale(outcome.sale.receipt_number, box, quantity, outcome.sale)


# --- What the counter asks (registered with showrooms.counter) ---------------------------------

def _counter_resolve(session: Session, location: Location,
                     items: list[tuple[str, int]]) -> list[counter.BoxSale]:
    """(slug, quantity) lines → the counter's BoxSale: unknown → 404 `unknown_gift_box`, a box
    assembled by another point → 409 `gift_box_elsewhere` naming that point."""
    wanted: dict[str, int] = {}
    for slug, quantity in items:
        if not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidInput(f"items: gift box quantity 1–{MAX_QUANTITY}.", code="invalid_quantity")
        wanted[slug] = wanted.get(slug, 0) + quantity
    found = {b.slug: b for b in session.scalars(box_query().where(GiftBox.slug.in_(wanted))).unique()}
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        raise NotFound(f"Unknown gift boxes: {', '.join(unknown)}.", code="unknown_gift_box")
    sold = []
    for slug, quantity in sorted(wanted.items()):
        box = found[slug]
        if box.sales_point_id != location.sales_point_id:
            where = box.sales_point
            raise Conflict(f"The gift box {box.name} is assembled and sold by {where.name} "
                           f"({where.code}), not here.", code="gift_box_elsewhere",
                           details={"gift_box": slug, "sales_point": where.code})
        sold.append(counter.BoxSale(box.id, box.slug, box.name, box.price_vnd, quantity,
                                    tuple(gift_box_lines(box, quantity))))
    return sold


def _counter_refusal(session: Session, sold: list[counter.BoxSale], on: date) -> NotListable | None:
    """The gate on every item of every box on `on`: one NotListable naming each refused box,
    its item and the reason."""
    refusals = []
    for line in sold:
        try:
            require_box_sellable(session.get(GiftBox, line.box_id), on)
        except NotListable as err:
            refusals.append(err)
    if not refusals:
        return None
    return NotListable(" ".join(err.message for err in refusals),
                       details={"gift_boxes": [err.details for err in refusals], "on": on.isoformat()})


def _counter_catalogue(session: Session, location: Location, days: list[date]) -> list[dict]:
    """The point's active boxes for the counter's catalogue: price, boxes the shelves allow
    now, the days (as for products) on which every item passes the gate, and the items."""
    if location.sales_point_id is None:
        return []
    found = list(session.scalars(box_query().where(GiftBox.sales_point_id == location.sales_point_id,
                                                   GiftBox.active.is_(True))
                                 .order_by(GiftBox.name)).unique())
    verdicts = availability(session, found)
    out = []
    for box in found:
        verdict = verdicts[box.id]
        out.append({
            "gift_box": box.slug, "name": box.name, "name_en": box.name_en,
            "folded": fold(f"{box.name} {box.name_en or ''}"), "price_vnd": box.price_vnd,
            "available": verdict.available, "listable": verdict.sellable, "reason": verdict.reason,
            "item": verdict.item.name if verdict.item else None,
            "sellable_days": [d.isoformat() for d in days if unlistable_item(box, d) is None],
            "items": [{"product": i.product.slug, "quantity": i.quantity} for i in box.items]})
    return out


counter.register_gift_boxes(counter.GiftBoxes(resolve=_counter_resolve, refusal=_counter_refusal,
                                              for_catalogue=_counter_catalogue))


def check_point_matches(items: list[BoxOrderItem], fulfilment: str, point: SalesPoint | None) -> None:
    """A box is picked up where it is assembled: pickup elsewhere is refused with the point
    to choose."""
    if fulfilment != "pickup" or point is None:
        return
    for item in items:
        if item.box.sales_point_id != point.id:
            where = item.box.sales_point
            message = (f"the gift box {item.box.name} is handed over at {where.name} "
                       f"({where.code}); choose that point for pickup")
            raise InvalidInput(f"pickup_point: {message}", code="wrong_pickup_point",
                               details={"fields": [{"field": "pickup_point", "message": message}]})

