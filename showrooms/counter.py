"""Counter sales at a stock location (an OCOP sales point today, a fair booth tomorrow):
tickets with gapless receipt numbers, idempotency keys, voids and returns, and offline
replays whose gate is evaluated on the sale's date (DOMAIN §9).

Every sale re-checks the certificate gate: a product revoked yesterday refuses to sell,
with the reason. The order of a sale is chosen for concurrency:

1. the (location, business day) receipt counter row is created if missing and locked
   FOR UPDATE — the first statement is a write, so SQLite takes its write lock too;
   every sale of that location and day waits here, one at a time;
2. the idempotency key is looked up *under that lock* (a ticket, or a needs-attention row
   of a replay): the same key again returns the first answer and moves nothing;
3. the gate, then the stock (levels locked FOR UPDATE by `take_stock`, all or nothing);
4. the ticket takes the next number. A failure anywhere rolls the increment back, so the
   numbers have no gaps; UNIQUE(location, key) and UNIQUE(location, day, seq) are the
   last line.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.clock import local, today
from app.clock import now as clock_now
from app.errors import Conflict, InvalidInput, NotFound
from catalog.gate import NotListable, require_all_listable
from catalog.models import Product
from showrooms.counter_models import (
    PAYMENT_METHODS,
    AttentionItem,
    CounterBoxLine,
    CounterRefund,
    CounterRefundLine,
    CounterSale,
    CounterSaleLine,
    ReceiptSequence,
)
from showrooms.models import Location, SalesPoint, StockLevel
from showrooms.points import get_sales_point
from showrooms.stock import (
    OutOfStock,
    StockLine,
    _insert_ignoring_conflicts,
    aware,
    merged_quantities,
    record_movement,
    sales_point_location,
    take_stock,
)

MAX_LINES = 100
KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:\-]{8,64}")
# A replayed sale may carry a clock a little ahead of the server's; more is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=10)
# Offline sales older than this are refused outright (the queue is meant for an outage).
REPLAY_WINDOW = timedelta(days=30)


# --- Who may work where --------------------------------------------------------------------

def point_for_user(session: Session, user, code: str) -> SalesPoint:
    """The sales point `code`, if the user works there (or is the office); else 404."""
    point = get_sales_point(session, code)
    if user.role == "admin" or (user.role == "sales_point" and user.sales_point_id == point.id):
        return point
    raise NotFound(f"No sales point {code!r}.")


def point_levels(session: Session, point: SalesPoint) -> list[tuple[Product, int]]:
    """What is on the point's shelves, by product name."""
    location = sales_point_location(session, point)
    rows = session.execute(
        select(Product, StockLevel.on_hand).join(StockLevel, StockLevel.product_id == Product.id)
        .where(StockLevel.location_id == location.id).order_by(Product.name)
    ).all()
    return [(product, on_hand) for product, on_hand in rows]


def receipt_prefix(location: Location) -> str:
    """`PQ-01` → `PQ01`: receipt numbers read `PQ01-20261130-0007`."""
    return re.sub(r"[^A-Z0-9]", "", location.code.upper())[:40] or f"L{location.id}"


def receipt_number(location: Location, day: date, seq: int) -> str:
    return f"{receipt_prefix(location)}-{day:%Y%m%d}-{seq:04d}"


# --- Selling -------------------------------------------------------------------------------

@dataclass
class SaleRequest:
    """What the counter sends: (product slug, quantity) lines and (gift box slug, quantity)
    lines, the payment, and for an offline replay the moment the sale happened; or a pickup
    order paid here."""

    items: list[tuple[str, int]] = field(default_factory=list)
    payment_method: str = "cash"
    cash_received_vnd: int | None = None
    payment_reference: str | None = None
    sold_at: datetime | None = None
    order_number: str | None = None
    gift_boxes: list[tuple[str, int]] = field(default_factory=list)

    @property
    def replay(self) -> bool:
        return self.sold_at is not None

    def as_json(self) -> str:
        return json.dumps({
            "items": [{"product": slug, "quantity": q} for slug, q in self.items]
            + [{"gift_box": slug, "quantity": q} for slug, q in self.gift_boxes],
            "payment": self.payment_method, "cash_received_vnd": self.cash_received_vnd,
            "payment_reference": self.payment_reference,
            "sold_at": self.sold_at.isoformat() if self.sold_at else None,
            "order": self.order_number}, ensure_ascii=False)


@dataclass
class SaleOutcome:
    """`sale` (with `created` False when the key was seen before) or `attention` (a replay
    that could not be applied)."""

    sale: CounterSale | None = None
    created: bool = False
    attention: AttentionItem | None = None


class IdempotencyKeyInUse(Conflict):
    code = "idempotency_conflict"


def new_key() -> str:
    return uuid.uuid4().hex


def check_key(key: str | None) -> str:
    key = (key or "").strip()
    if not KEY_PATTERN.fullmatch(key):
        raise InvalidInput("Idempotency-Key: 8–64 letters, digits or - _ . : (a UUID is fine).",
                           code="invalid_idempotency_key")
    return key


def _sale_moment(sold_at: datetime | None, now: datetime) -> datetime:
    if sold_at is None:
        return now
    if sold_at.tzinfo is None:
        raise InvalidInput("sold_at: give the time zone (e.g. 2026-11-30T15:04:00+07:00).",
                           code="invalid_sold_at")
    if sold_at > now + FUTURE_TOLERANCE:
        raise InvalidInput("sold_at: a sale cannot happen in the future.", code="invalid_sold_at")
    if sold_at < now - REPLAY_WINDOW:
        raise InvalidInput("sold_at: more than 30 days ago; record it with the office.",
                           code="invalid_sold_at")
    return sold_at


def _lock_day(session: Session, location_id: int, day: date) -> ReceiptSequence:
    _insert_ignoring_conflicts(session, ReceiptSequence,
                               [{"location_id": location_id, "business_date": day, "last_seq": 0}])
    return session.scalars(
        select(ReceiptSequence).where(ReceiptSequence.location_id == location_id,
                                      ReceiptSequence.business_date == day)
        .with_for_update().execution_options(populate_existing=True)
    ).one()


def _sale_query():
    return select(CounterSale).options(
        selectinload(CounterSale.lines).selectinload(CounterSaleLine.product),
        selectinload(CounterSale.refunds).selectinload(CounterRefund.lines)
        .selectinload(CounterRefundLine.sale_line),
        selectinload(CounterSale.staff), selectinload(CounterSale.order),
        selectinload(CounterSale.box_lines))


def find_by_key(session: Session, location: Location, key: str) -> SaleOutcome | None:
    sale = session.scalar(_sale_query().where(CounterSale.location_id == location.id,
                                              CounterSale.idempotency_key == key))
    if sale is not None:
        return SaleOutcome(sale=sale, created=False)
    attention = session.scalar(select(AttentionItem).where(AttentionItem.location_id == location.id,
                                                           AttentionItem.idempotency_key == key))
    if attention is not None:
        return SaleOutcome(attention=attention)
    return None


def _resolve(session: Session, items: list[tuple[str, int]]) -> dict[str, tuple[Product, int]]:
    wanted = merged_quantities(items, MAX_LINES)
    products = {p.slug: p for p in session.scalars(
        select(Product).where(Product.slug.in_(wanted))
        .options(selectinload(Product.certificates), selectinload(Product.producer)))}
    unknown = sorted(set(wanted) - set(products))
    if unknown:
        raise NotFound(f"Unknown products: {', '.join(unknown)}.", code="unknown_product")
    services = [p.name for p in products.values() if p.is_service]
    if services:
        raise InvalidInput(f"Tourism services are not sold over the counter: {', '.join(services)}.",
                           code="not_purchasable")
    unpriced = [p.name for p in products.values() if p.price_vnd is None]
    if unpriced:
        raise InvalidInput(f"No price yet: {', '.join(unpriced)}.", code="not_purchasable")
    return {slug: (products[slug], quantity) for slug, quantity in sorted(wanted.items())}


# --- Gift boxes (DOMAIN §12), provided by storefront.promotion.boxes ------------------------

@dataclass(frozen=True)
class BoxSale:
    """`quantity` boxes of one gift box as the counter sells them: its price, and the units
    of each item they take off the shelf (`components`: (product, units) for the quantity)."""

    box_id: int
    slug: str
    name: str
    unit_price_vnd: int
    quantity: int
    components: tuple[tuple[Product, int], ...]

    @property
    def amount_vnd(self) -> int:
        return self.unit_price_vnd * self.quantity


@dataclass
class GiftBoxes:
    """What the counter asks of the gift boxes, registered by the promotion package (the
    counter does not import it): `resolve(session, location, [(slug, quantity)])` → BoxSale
    per slug (unknown → 404, a box of another point → 409 `gift_box_elsewhere`);
    `refusal(session, [BoxSale], on)` → one NotListable naming each refused item with its
    reason, or None; `for_catalogue(session, location, days)` → the boxes of the catalogue."""

    resolve: Callable
    refusal: Callable
    for_catalogue: Callable


_gift_boxes: GiftBoxes | None = None


def register_gift_boxes(provider: GiftBoxes) -> None:
    global _gift_boxes
    _gift_boxes = provider


def gift_boxes() -> GiftBoxes | None:
    return _gift_boxes


def _resolve_boxes(session: Session, location: Location,
                   items: list[tuple[str, int]]) -> list[BoxSale]:
    if not items:
        return []
    if _gift_boxes is None:
        raise InvalidInput("Gift boxes are not sold at this counter.", code="not_purchasable")
    return _gift_boxes.resolve(session, location, items)


def gate_refusal(products: list[Product], on: date) -> NotListable | None:
    """One `not_listable` error naming each refused product with its reason on `on` (the
    counter's details call them `products`, as its offline script reads them)."""
    try:
        require_all_listable(products, on)
    except NotListable as err:
        return NotListable(err.message, details={"products": err.details["items"],
                                                 "on": on.isoformat()})
    return None


def _payment(method: str, total: int, cash_received: int | None,
             reference: str | None) -> tuple[int | None, int | None, str | None]:
    if method not in PAYMENT_METHODS:
        raise InvalidInput(f"payment: one of {', '.join(PAYMENT_METHODS)}.", code="invalid_payment")
    if method == "cash":
        received = total if cash_received is None else cash_received
        if received < total:
            raise InvalidInput(f"Cash received {received} ₫ is less than the total {total} ₫.",
                               code="insufficient_cash",
                               details={"total_vnd": total, "cash_received_vnd": received})
        return received, received - total, None
    return None, None, (reference or "").strip()[:100] or None


def _record_attention(session: Session, location: Location, key: str, request: SaleRequest,
                      error, *, total: int, staff_id: int | None, sold_at: datetime) -> SaleOutcome:
    item = AttentionItem(location_id=location.id, idempotency_key=key, reason=error.code,
                         message=error.message, payload=request.as_json(), total_vnd=total,
                         sold_at=sold_at, staff_id=staff_id, status="open")
    session.add(item)
    session.flush()
    return SaleOutcome(attention=item)


def sell(session: Session, location: Location, request: SaleRequest, *, key: str,
         staff_id: int | None = None, now: datetime | None = None) -> SaleOutcome:
    """Record a counter sale as a ticket (see the module's docstring for the order of
    things). Online: refusals raise (`not_listable`, `out_of_stock`). A replay (`sold_at`)
    is judged on the sale's date; if it cannot be applied it goes to the needs-attention
    list instead, with its reason."""
    key = check_key(key)
    now = now or clock_now()
    sold_at = _sale_moment(request.sold_at, now)
    day = local(sold_at).date()
    # The identity, not `location.id`: an expired object would be reloaded by a read first.
    sequence = _lock_day(session, inspect(location).identity[0], day)
    seen = find_by_key(session, location, key)
    if seen is not None:
        return seen
    if request.order_number:
        return _sell_pickup_order(session, location, request, key=key, staff_id=staff_id,
                                  sequence=sequence, sold_at=sold_at, now=now)

    try:
        if len(request.items) + len(request.gift_boxes) > MAX_LINES:
            raise InvalidInput(f"items: between 1 and {MAX_LINES} lines.", code="invalid_items")
        lines = _resolve(session, request.items) if request.items or not request.gift_boxes else {}
        boxes = _resolve_boxes(session, location, request.gift_boxes)
        total = sum(product.price_vnd * quantity for product, quantity in lines.values()) \
            + sum(box.amount_vnd for box in boxes)
        received, change, reference = _payment(request.payment_method, total,
                                               request.cash_received_vnd, request.payment_reference)
    except (InvalidInput, NotFound, Conflict) as bad:
        if request.replay:  # made offline: keep it for the staff rather than lose it
            return _record_attention(session, location, key, request, bad, total=0,
                                     staff_id=staff_id, sold_at=sold_at)
        raise
    refusal = _gate_everything([product for product, _ in lines.values()], boxes, day, session)
    if refusal is not None:
        if request.replay:
            return _record_attention(session, location, key, request, refusal, total=total,
                                     staff_id=staff_id, sold_at=sold_at)
        raise refusal

    seq = sequence.last_seq + 1
    number = receipt_number(location, day, seq)
    try:
        take_stock(session, [StockLine(location.id, product.id, quantity)
                             for product, quantity in lines.values()]
                   + [StockLine(location.id, product.id, units)
                      for box in boxes for product, units in box.components],
                   kind="sale", reference=number, actor_id=staff_id, now=now,
                   reason="counter sale (offline, replayed)" if request.replay else "counter sale")
    except OutOfStock as short:
        if request.replay:
            # take_stock refuses before writing anything: nothing to undo.
            return _record_attention(session, location, key, request, short, total=total,
                                     staff_id=staff_id, sold_at=sold_at)
        raise
    sequence.last_seq = seq
    sale = CounterSale(
        location_id=location.id, business_date=day, seq=seq, receipt_number=number,
        idempotency_key=key, payment_method=request.payment_method, total_vnd=total,
        cash_received_vnd=received, change_vnd=change, payment_reference=reference,
        staff_id=staff_id, sold_at=sold_at, recorded_at=now, replayed=request.replay,
        lines=[CounterSaleLine(product_id=product.id, producer_id=product.producer_id,
                               product_name=product.name, quantity=quantity,
                               unit_price_vnd=product.price_vnd,
                               amount_vnd=product.price_vnd * quantity)
               for product, quantity in lines.values()],
        box_lines=[CounterBoxLine(gift_box_id=box.box_id, name=box.name, quantity=box.quantity,
                                  unit_price_vnd=box.unit_price_vnd, amount_vnd=box.amount_vnd,
                                  components=json.dumps([{"product_id": p.id, "units": units}
                                                         for p, units in box.components]))
                   for box in boxes])
    return SaleOutcome(sale=_insert_ticket(session, sale), created=True)


def _gate_everything(products: list[Product], boxes: list[BoxSale], on: date,
                     session: Session) -> NotListable | None:
    """The gate on every product line and on every item of every box: one refusal naming
    them all (products first), or None."""
    refusals = [r for r in (gate_refusal(products, on) if products else None,
                            _gift_boxes.refusal(session, boxes, on) if boxes else None)
                if r is not None]
    if not refusals:
        return None
    if len(refusals) == 1:
        return refusals[0]
    return NotListable(" ".join(r.message for r in refusals),
                       details={"products": refusals[0].details.get("products", []),
                                "gift_boxes": refusals[1].details.get("gift_boxes", []),
                                "on": on.isoformat()})


def _insert_ticket(session: Session, sale: CounterSale) -> CounterSale:
    session.add(sale)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # Only reachable when the same key races for two different days (two locks):
        # the other sale wins; this one is refused whole and its stock stays put.
        raise IdempotencyKeyInUse("This Idempotency-Key was just used for another sale; send "
                                  "it again to get that sale.") from None
    return sale


def _sell_pickup_order(session: Session, location: Location, request: SaleRequest, *, key: str,
                       staff_id: int | None, sequence: ReceiptSequence, sold_at: datetime,
                       now: datetime) -> SaleOutcome:
    """A `pay_at_pickup` order paid at this point's counter: a ticket with the order's
    lines and the order reference. No stock moves: it left the producers' warehouses at
    checkout."""
    from showrooms.pickups import pay_pickup_order

    if request.items or request.gift_boxes:
        raise InvalidInput("A pickup payment takes its lines from the order: send no items.",
                           code="invalid_items")
    order = pay_pickup_order(session, location, request.order_number, key=key, now=now)
    active = [line for line in order.lines if line.status == "active"]
    total = sum(line.line_total_vnd for line in active)
    received, change, reference = _payment(request.payment_method, total,
                                           request.cash_received_vnd, request.payment_reference)
    day = sequence.business_date
    sequence.last_seq += 1
    number = receipt_number(location, day, sequence.last_seq)
    sale = CounterSale(
        location_id=location.id, business_date=day, seq=sequence.last_seq, receipt_number=number,
        idempotency_key=key, payment_method=request.payment_method, total_vnd=total,
        cash_received_vnd=received, change_vnd=change, payment_reference=reference,
        order_id=order.id, staff_id=staff_id, sold_at=sold_at, recorded_at=now,
        replayed=request.replay,
        lines=[CounterSaleLine(product_id=line.product_id, producer_id=line.shipment.producer_id,
                               product_name=line.product_name, quantity=line.quantity,
                               unit_price_vnd=line.unit_price_vnd, amount_vnd=line.line_total_vnd)
               for line in active])
    return SaleOutcome(sale=_insert_ticket(session, sale), created=True)


# --- Finding tickets -----------------------------------------------------------------------

def get_sale(session: Session, location: Location, sale_id: int, *, lock: bool = False) -> CounterSale:
    """A ticket of this location; another location's ticket is 404."""
    query = _sale_query().where(CounterSale.id == sale_id, CounterSale.location_id == location.id)
    if lock:
        query = query.with_for_update(of=CounterSale).execution_options(populate_existing=True)
    sale = session.scalar(query)
    if sale is None:
        raise NotFound(f"No ticket {sale_id} here.", code="ticket_not_found")
    return sale


def tickets_of_day(session: Session, location: Location, day: date) -> list[CounterSale]:
    return list(session.scalars(
        _sale_query().where(CounterSale.location_id == location.id, CounterSale.business_date == day)
        .order_by(CounterSale.seq)))


# --- Voids and returns ---------------------------------------------------------------------

def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason: say why (it is kept with the ticket).", code="reason_required")
    return reason[:300]


def returned_quantities(sale: CounterSale) -> dict[int, int]:
    """Units already back, per sale line."""
    back: dict[int, int] = {}
    for refund in sale.refunds:
        for line in refund.lines:
            back[line.sale_line_id] = back.get(line.sale_line_id, 0) + line.quantity
    return back


def _refund(session: Session, location: Location, sale: CounterSale, kind: str,
            quantities: dict[int, int], reason: str, staff_id: int | None) -> CounterRefund:
    by_id = {line.id: line for line in sale.lines}
    refund = CounterRefund(sale=sale, location_id=location.id, kind=kind, business_date=today(),
                           reason=reason, payment_method=sale.payment_method, staff_id=staff_id,
                           amount_vnd=0)
    session.add(refund)
    for line_id, quantity in sorted(quantities.items()):
        line = by_id[line_id]
        amount = line.unit_price_vnd * quantity
        refund.lines.append(CounterRefundLine(sale_line_id=line.id, product_id=line.product_id,
                                              producer_id=line.producer_id, quantity=quantity,
                                              amount_vnd=amount))
        refund.amount_vnd += amount
        if sale.order_id is None:
            record_movement(session, location=location, product=line.product, kind="return",
                            quantity=quantity, actor_id=staff_id, reason=f"{kind}: {reason}"[:300],
                            reference=sale.receipt_number)
    session.flush()
    return refund


def void_sale(session: Session, location: Location, sale_id: int, *, reason: str,
              staff_id: int | None = None) -> CounterSale:
    """Void a ticket on its own business day: every unit not yet returned goes back to the
    shelf by `return` movements; the ticket is kept, marked void with the reason."""
    reason = _reason(reason)
    sale = get_sale(session, location, sale_id, lock=True)
    if sale.is_void:
        raise Conflict(f"Ticket {sale.receipt_number} is already void.", code="already_void")
    if sale.business_date != today():
        raise Conflict(f"Ticket {sale.receipt_number} is from {sale.business_date:%d/%m/%Y}: only a "
                       "same-day ticket can be voided; record a return instead.", code="void_too_late")
    if sale.order_id is not None:
        raise Conflict("A pickup order's payment is refunded through the order, not voided here.",
                       code="order_ticket")
    back = returned_quantities(sale)
    remaining = {line.id: line.quantity - back.get(line.id, 0) for line in sale.lines
                 if line.quantity - back.get(line.id, 0) > 0}
    if remaining or sale.box_lines:
        refund = _refund(session, location, sale, "void", remaining, reason, staff_id)
        _put_boxes_back(session, location, sale, refund, reason, staff_id)
    sale.voided_at = clock_now()
    sale.void_reason = reason
    session.flush()
    return sale


def _put_boxes_back(session: Session, location: Location, sale: CounterSale, refund: CounterRefund,
                    reason: str, staff_id: int | None) -> None:
    """A voided ticket's gift boxes: every unit their items took goes back to the shelf
    (`return` movements), and their amount is refunded with the rest."""
    if not sale.box_lines:
        return
    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(
        [c["product_id"] for line in sale.box_lines for c in json.loads(line.components)])))}
    for line in sale.box_lines:
        for component in json.loads(line.components):
            record_movement(session, location=location, product=products[component["product_id"]],
                            kind="return", quantity=component["units"], actor_id=staff_id,
                            reason=f"void: {reason} ({line.name})"[:300],
                            reference=sale.receipt_number)
        refund.amount_vnd += line.amount_vnd
    session.flush()


def return_items(session: Session, location: Location, sale_id: int, items: list[tuple[str, int]],
                 *, reason: str, staff_id: int | None = None) -> CounterRefund:
    """Units of a ticket brought back (any day): at most what was sold and not yet back."""
    reason = _reason(reason)
    sale = get_sale(session, location, sale_id, lock=True)
    if sale.is_void:
        raise Conflict(f"Ticket {sale.receipt_number} is void: nothing left to return.",
                       code="already_void")
    if sale.order_id is not None:
        raise Conflict("A pickup order's goods are returned through the order.", code="order_ticket")
    if not items:
        raise InvalidInput("items: say which products come back.", code="invalid_items")
    by_slug = {line.product.slug: line for line in sale.lines}
    back = returned_quantities(sale)
    quantities: dict[int, int] = {}
    problems = []
    for slug, quantity in items:
        line = by_slug.get(slug)
        if line is None and any(box.box and box.box.slug == slug for box in sale.box_lines):
            problems.append(f"{slug}: a gift box comes back whole, by voiding the ticket on its day")
            continue
        if line is None:
            problems.append(f"{slug} is not on ticket {sale.receipt_number}")
            continue
        if quantity <= 0:
            problems.append(f"{slug}: quantity must be at least 1")
            continue
        quantities[line.id] = quantities.get(line.id, 0) + quantity
    for line_id, quantity in quantities.items():
        line = next(li for li in sale.lines if li.id == line_id)
        left = line.quantity - back.get(line_id, 0)
        if quantity > left:
            problems.append(f"{line.product_name}: {left} left to return, asked {quantity}")
    if problems:
        raise InvalidInput("; ".join(problems) + ".", code="invalid_return")
    return _refund(session, location, sale, "return", quantities, reason, staff_id)


# --- Needs attention -----------------------------------------------------------------------

def attention_items(session: Session, location: Location, *,
                    status: str | None = "open") -> list[AttentionItem]:
    query = select(AttentionItem).where(AttentionItem.location_id == location.id)
    if status:
        query = query.where(AttentionItem.status == status)
    return list(session.scalars(query.order_by(AttentionItem.sold_at, AttentionItem.id)))


def resolve_attention(session: Session, location: Location, item_id: int, *, note: str,
                      staff_id: int | None) -> AttentionItem:
    """The staff dealt with it (took the goods back, refunded, sold again…): kept, closed."""
    item = session.scalar(select(AttentionItem).where(AttentionItem.id == item_id,
                                                      AttentionItem.location_id == location.id)
                          .with_for_update())
    if item is None:
        raise NotFound(f"No needs-attention item {item_id} here.", code="attention_not_found")
    if item.status == "resolved":
        raise Conflict("Already resolved.", code="already_resolved")
    item.status = "resolved"
    item.resolution = _reason(note)
    item.resolved_at = clock_now()
    item.resolved_by = staff_id
    session.flush()
    return item


# --- JSON ----------------------------------------------------------------------------------

def _iso(moment: datetime | None) -> str | None:
    return local(aware(moment)).isoformat() if moment else None


def sale_json(sale: CounterSale) -> dict:
    back = returned_quantities(sale)
    return {
        "id": sale.id, "receipt_number": sale.receipt_number, "location": sale.location.code,
        "business_date": sale.business_date.isoformat(), "sold_at": _iso(sale.sold_at),
        "status": "void" if sale.is_void else "completed", "void_reason": sale.void_reason,
        "payment": sale.payment_method, "total_vnd": sale.total_vnd,
        "cash_received_vnd": sale.cash_received_vnd, "change_vnd": sale.change_vnd,
        "payment_reference": sale.payment_reference, "replayed": sale.replayed,
        "order": sale.order.number if sale.order_id else None,
        "staff": sale.staff.email if sale.staff_id else None,
        "lines": [{"product": line.product.slug, "name": line.product_name,
                   "quantity": line.quantity, "unit_price_vnd": line.unit_price_vnd,
                   "amount_vnd": line.amount_vnd, "returned": back.get(line.id, 0)}
                  for line in sale.lines],
        "refunds": [refund_json(r) for r in sale.refunds],
        "gift_boxes": [{"gift_box": line.box.slug if line.box else None, "name": line.name,
                        "quantity": line.quantity, "unit_price_vnd": line.unit_price_vnd,
                        "amount_vnd": line.amount_vnd} for line in sale.box_lines],
    }


def refund_json(refund: CounterRefund) -> dict:
    return {"id": refund.id, "kind": refund.kind, "business_date": refund.business_date.isoformat(),
            "reason": refund.reason, "amount_vnd": refund.amount_vnd,
            "payment": refund.payment_method,
            "lines": [{"product": line.sale_line.product.slug, "quantity": line.quantity,
                       "amount_vnd": line.amount_vnd} for line in refund.lines]}


def attention_json(item: AttentionItem) -> dict:
    return {"id": item.id, "status": item.status, "reason": item.reason, "message": item.message,
            "idempotency_key": item.idempotency_key, "sold_at": _iso(item.sold_at),
            "total_vnd": item.total_vnd, "sale": json.loads(item.payload),
            "created_at": _iso(item.created_at), "resolution": item.resolution,
            "resolved_at": _iso(item.resolved_at)}
