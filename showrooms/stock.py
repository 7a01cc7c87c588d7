"""The stock ledger (DOMAIN §7): locations, append-only movements, levels that never go
below zero, and reservations that expire by themselves.

Saleor's shape for every multi-line operation: lock the level rows (`FOR UPDATE`, ordered
by id, so two orders never deadlock), compute `available = on hand − unexpired
reservations`, collect EVERY shortfall, raise once, then write in bulk. The CHECK
`on_hand >= 0` on `stock_levels` is the last line. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.clock import now as clock_now
from app.errors import Conflict, InvalidInput, NotFound
from catalog.models import Producer, Product
from showrooms.models import Location, Reservation, SalesPoint, StockLevel, StockMovement

Key = tuple[int, int]  # (location_id, product_id)


class OutOfStock(Conflict):
    code = "out_of_stock"


@dataclass(frozen=True)
class StockLine:
    """A request for `quantity` units of a product at a location."""

    location_id: int
    product_id: int
    quantity: int

    @property
    def key(self) -> Key:
        return (self.location_id, self.product_id)


@dataclass(frozen=True)
class Shortfall:
    location_id: int
    product_id: int
    requested: int
    available: int


@dataclass
class TakeResult:
    movements: list[StockMovement] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def short_product_ids(self) -> set[int]:
        return {s.product_id for s in self.shortfalls}


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every instant here is stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- Locations ---------------------------------------------------------------------------

def _insert_ignoring_conflicts(session: Session, model, rows: list[dict]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: concurrent creators of the same row both succeed."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"unsupported database {dialect}")
    session.execute(insert(model).values(rows).on_conflict_do_nothing())


def warehouse_of(session: Session, producer: Producer) -> Location:
    """The producer's own warehouse (serves online orders), created on first use."""
    query = select(Location).where(Location.kind == "warehouse", Location.producer_id == producer.id)
    location = session.scalar(query)
    if location is None:
        _insert_ignoring_conflicts(session, Location, [{
            "code": f"KHO-{producer.tax_code}", "kind": "warehouse",
            "name": f"Kho {producer.name}"[:200], "producer_id": producer.id,
        }])
        location = session.scalar(query)
    return location


def sales_point_location(session: Session, point: SalesPoint) -> Location:
    """The stock location of an OCOP sales point, created on first use."""
    query = select(Location).where(Location.kind == "sales_point",
                                   Location.sales_point_id == point.id)
    location = session.scalar(query)
    if location is None:
        _insert_ignoring_conflicts(session, Location, [{
            "code": point.code, "kind": "sales_point", "name": point.name[:200],
            "sales_point_id": point.id,
        }])
        location = session.scalar(query)
    return location


def warehouses_by_producer(session: Session, producer_ids: Iterable[int]) -> dict[int, Location]:
    """Existing warehouses of these producers (no creation: a missing one holds nothing)."""
    ids = set(producer_ids)
    if not ids:
        return {}
    rows = session.scalars(select(Location).where(Location.kind == "warehouse",
                                                  Location.producer_id.in_(ids)))
    return {loc.producer_id: loc for loc in rows}


# --- Levels, availability ----------------------------------------------------------------

def _key_filter(model, keys: Iterable[Key]):
    by_location: dict[int, set[int]] = {}
    for location_id, product_id in keys:
        by_location.setdefault(location_id, set()).add(product_id)
    return or_(*[and_(model.location_id == loc, model.product_id.in_(sorted(products)))
                 for loc, products in sorted(by_location.items())])


def lock_levels(session: Session, keys: Iterable[Key], *, create: bool = False) -> dict[Key, StockLevel]:
    """The level rows of these (location, product) pairs, locked FOR UPDATE in id order.
    With `create`, missing rows are made first (at 0) so that they can be locked too."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    if create:
        _insert_ignoring_conflicts(session, StockLevel, [
            {"location_id": loc, "product_id": prod, "on_hand": 0} for loc, prod in keys])
    rows = session.scalars(
        select(StockLevel).where(_key_filter(StockLevel, keys)).order_by(StockLevel.id)
        .with_for_update().execution_options(populate_existing=True)
    )
    return {(row.location_id, row.product_id): row for row in rows}


def reserved_quantities(session: Session, keys: Iterable[Key], *, now: datetime | None = None,
                        exclude_reference: str | None = None) -> dict[Key, int]:
    """Units held by unexpired active reservations, per (location, product)."""
    keys = set(keys)
    if not keys:
        return {}
    query = (
        select(Reservation.location_id, Reservation.product_id, func.sum(Reservation.quantity))
        .where(_key_filter(Reservation, keys), Reservation.status == "active",
               Reservation.reserved_until > (now or clock_now()))
        .group_by(Reservation.location_id, Reservation.product_id)
    )
    if exclude_reference is not None:
        query = query.where(Reservation.reference != exclude_reference)
    return {(loc, prod): int(total) for loc, prod, total in session.execute(query)}


def _merge(lines: Iterable[StockLine]) -> dict[Key, int]:
    wanted: dict[Key, int] = {}
    for line in lines:
        if line.quantity <= 0:
            raise InvalidInput("A stock quantity must be a positive whole number.",
                               code="invalid_quantity")
        wanted[line.key] = wanted.get(line.key, 0) + line.quantity
    return wanted


def _allocate(session: Session, lines: Iterable[StockLine], *, now: datetime | None,
              exclude_reference: str | None) -> tuple[dict[Key, int], dict[Key, StockLevel], list[Shortfall]]:
    wanted = _merge(lines)
    levels = lock_levels(session, wanted)
    reserved = reserved_quantities(session, wanted, now=now, exclude_reference=exclude_reference)
    shortfalls = []
    for key, quantity in sorted(wanted.items()):
        level = levels.get(key)
        available = (level.on_hand if level else 0) - reserved.get(key, 0)
        if available < quantity:
            shortfalls.append(Shortfall(key[0], key[1], quantity, max(available, 0)))
    return wanted, levels, shortfalls


def out_of_stock_error(session: Session, shortfalls: list[Shortfall]) -> OutOfStock:
    """One error naming every short product (Saleor: collect them all, raise once)."""
    names = dict(session.execute(
        select(Product.id, Product.name).where(Product.id.in_({s.product_id for s in shortfalls}))
    ).all())
    slugs = dict(session.execute(
        select(Product.id, Product.slug).where(Product.id.in_({s.product_id for s in shortfalls}))
    ).all())
    parts = [f"{names.get(s.product_id, s.product_id)} (asked {s.requested}, available {s.available})"
             for s in shortfalls]
    return OutOfStock(
        "Not enough stock: " + "; ".join(parts) + ".",
        details={"items": [{"product": slugs.get(s.product_id), "requested": s.requested,
                            "available": s.available} for s in shortfalls]},
    )


def take_stock(session: Session, lines: Iterable[StockLine], *, kind: str = "sale",
               reference: str | None = None, actor_id: int | None = None, reason: str = "",
               now: datetime | None = None, exclude_reference: str | None = None,
               partial: bool = False) -> TakeResult:
    """Take units out now (`sale`, `transfer_out`, …): all or nothing, raising one
    OutOfStock listing every shortfall. With `partial`, the lines that fit are taken and the
    shortfalls returned instead. `exclude_reference`: the caller's own reservations (being
    turned into this sale) do not count against it."""
    now = now or clock_now()
    wanted, levels, shortfalls = _allocate(session, lines, now=now,
                                           exclude_reference=exclude_reference)
    if shortfalls and not partial:
        raise out_of_stock_error(session, shortfalls)
    short = {(s.location_id, s.product_id) for s in shortfalls}
    result = TakeResult(shortfalls=shortfalls)
    for key, quantity in sorted(wanted.items()):
        if key in short:
            continue
        levels[key].on_hand -= quantity
        result.movements.append(StockMovement(
            location_id=key[0], product_id=key[1], kind=kind, quantity=-quantity,
            actor_id=actor_id, reason=reason, reference=reference, created_at=now))
    session.add_all(result.movements)
    session.flush()
    return result


def reserve_stock(session: Session, lines: Iterable[StockLine], *, reference: str,
                  until: datetime, now: datetime | None = None) -> list[Reservation]:
    """Hold units for an unpaid order until `until`; all or nothing (OutOfStock)."""
    now = now or clock_now()
    wanted, _levels, shortfalls = _allocate(session, lines, now=now, exclude_reference=None)
    if shortfalls:
        raise out_of_stock_error(session, shortfalls)
    reservations = [Reservation(location_id=loc, product_id=prod, quantity=quantity,
                                reference=reference, reserved_until=until, status="active",
                                created_at=now)
                    for (loc, prod), quantity in sorted(wanted.items())]
    session.add_all(reservations)
    session.flush()
    return reservations


def _close_reservations(session: Session, reference: str, status: str,
                        product_ids: Iterable[int] | None) -> int:
    query = select(Reservation).where(Reservation.reference == reference,
                                      Reservation.status == "active")
    if product_ids is not None:
        query = query.where(Reservation.product_id.in_(set(product_ids)))
    rows = session.scalars(query).all()
    for row in rows:
        row.status = status
    session.flush()
    return len(rows)


def release_reservations(session: Session, reference: str,
                         product_ids: Iterable[int] | None = None) -> int:
    """Give held units back (order cancelled, payment failed, line cancelled)."""
    return _close_reservations(session, reference, "released", product_ids)


def consume_reservations(session: Session, reference: str,
                         product_ids: Iterable[int] | None = None) -> int:
    """Mark held units as sold (their `sale` movement was written by take_stock)."""
    return _close_reservations(session, reference, "consumed", product_ids)


# --- Single movements: receive, adjust ---------------------------------------------------

RECEIVE_KINDS = ("receive", "transfer_in", "return")


def record_movement(session: Session, *, location: Location, product: Product, kind: str,
                    quantity: int, actor_id: int | None = None, reason: str = "",
                    reference: str | None = None) -> StockLevel:
    """One movement and its level, in step. A level never goes below zero: the refusal
    names the product, what is on hand and what was asked."""
    if product.is_service:
        raise InvalidInput(f"{product.name} is a tourism service: it has no stock.",
                           code="service_has_no_stock")
    if quantity == 0:
        raise InvalidInput("quantity: must not be 0.", code="invalid_quantity")
    if kind in RECEIVE_KINDS and quantity < 0:
        raise InvalidInput(f"quantity: a {kind} adds units, it must be positive.",
                           code="invalid_quantity")
    key = (location.id, product.id)
    level = lock_levels(session, [key], create=True)[key]
    if level.on_hand + quantity < 0:
        raise Conflict(
            f"{product.name}: {level.on_hand} on hand at {location.code}, cannot remove "
            f"{-quantity} (stock never goes below zero).", code="negative_stock",
            details={"on_hand": level.on_hand, "quantity": quantity})
    level.on_hand += quantity
    session.add(StockMovement(location_id=location.id, product_id=product.id, kind=kind,
                              quantity=quantity, actor_id=actor_id, reason=reason,
                              reference=reference, created_at=clock_now()))
    session.flush()
    return level


def location_for_producer(session: Session, producer: Producer, code: str | None) -> Location:
    """`warehouse` (or nothing, or its own code) is the producer's warehouse; anything else
    is not theirs → 404."""
    warehouse = warehouse_of(session, producer)
    if code in (None, "", "warehouse", warehouse.code):
        return warehouse
    raise NotFound(f"No stock location {code!r} of yours.", code="unknown_location")


# --- Reading -----------------------------------------------------------------------------

@dataclass(frozen=True)
class LevelView:
    product: Product
    location: Location
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return max(self.on_hand - self.reserved, 0)


def levels_of_producer(session: Session, producer: Producer) -> list[LevelView]:
    """Every level of the producer's products (two queries, whatever the count)."""
    rows = session.execute(
        select(StockLevel, Product, Location)
        .join(Product, Product.id == StockLevel.product_id)
        .join(Location, Location.id == StockLevel.location_id)
        .where(Product.producer_id == producer.id)
        .order_by(Product.name, Location.code)
    ).all()
    reserved = reserved_quantities(session, [(lv.location_id, lv.product_id) for lv, _, _ in rows])
    return [LevelView(product, location, level.on_hand,
                      reserved.get((level.location_id, level.product_id), 0))
            for level, product, location in rows]


def ledger_matches_levels(session: Session) -> bool:
    """The invariant: every level equals the sum of its movements (used by tests/checks)."""
    sums = {(loc, prod): int(total) for loc, prod, total in session.execute(
        select(StockMovement.location_id, StockMovement.product_id, func.sum(StockMovement.quantity))
        .group_by(StockMovement.location_id, StockMovement.product_id))}
    levels = {(lv.location_id, lv.product_id): lv.on_hand
              for lv in session.scalars(select(StockLevel))}
    return all(sums.get(k, 0) == v for k, v in levels.items()) and \
        all(levels.get(k, 0) == v for k, v in sums.items())


def merged_quantities(items: list[tuple[str, int]], max_lines: int) -> dict[str, int]:
    """Lines of (product slug, quantity) as one quantity per product: 1 to `max_lines` lines,
    every quantity a whole number from 1 (counter tickets and transfers read lines alike)."""
    if not items or len(items) > max_lines:
        raise InvalidInput(f"items: between 1 and {max_lines} lines.", code="invalid_items")
    wanted: dict[str, int] = {}
    for slug, quantity in items:
        if quantity <= 0:
            raise InvalidInput("items: quantities are whole numbers from 1.", code="invalid_quantity")
        wanted[slug] = wanted.get(slug, 0) + quantity
    return wanted
