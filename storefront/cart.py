"""The cart: slug → quantity, kept in the visitor's signed session cookie (no account).

The gate is asked when a product is added and again at checkout (the checkout service
re-checks everything); tourism services are never put in a cart. These functions take and
return the plain dict; the view stores it in the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.clock import today
from app.errors import InvalidInput, NotFound
from catalog.gate import Listability, listability, require_listable
from catalog.models import Product
from showrooms.services import online_availability
from showrooms.stock import OutOfStock
from storefront.schemas import MAX_LINES, MAX_QUANTITY

Cart = dict[str, int]
BOX_PREFIX = "box:"  # a gift box in the cart: "box:<slug>" (promotion.boxes)


def clean(raw) -> Cart:
    """Whatever the cookie holds, as a well-formed cart (bad entries dropped)."""
    if not isinstance(raw, dict):
        return {}
    cart = {}
    for slug, quantity in raw.items():
        if isinstance(slug, str) and isinstance(quantity, int) and 1 <= quantity <= MAX_QUANTITY:
            cart[slug] = quantity
    return cart


def parse_quantity(raw, *, allow_zero: bool = False) -> int:
    try:
        quantity = int(str(raw).strip())
    except (TypeError, ValueError):
        raise InvalidInput("quantity: a whole number of units.", code="invalid_quantity") from None
    low = 0 if allow_zero else 1
    if not low <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"quantity: between {low} and {MAX_QUANTITY}.", code="invalid_quantity")
    return quantity


def _product(session: Session, slug: str) -> Product:
    product = session.scalar(
        select(Product).where(Product.slug == slug)
        .options(joinedload(Product.producer), selectinload(Product.certificates)))
    if product is None:
        raise NotFound(f"No product {slug!r}.", code="unknown_product")
    return product


def add(session: Session, cart: Cart, slug: str, quantity: int, *,
        on: date | None = None) -> tuple[Cart, Product]:
    """Add units of a product: refused (with the reason) when it is a tourism service, not
    listable today (the gate), or when the line would exceed 99 units."""
    product = _product(session, slug)
    if product.is_service:
        raise InvalidInput(f"{product.name} is a tourism service: book it with its producer; "
                           "it cannot be put in a cart.", code="not_purchasable")
    require_listable(product, on or today())
    total = cart.get(slug, 0) + quantity
    if total > MAX_QUANTITY:
        raise InvalidInput(f"At most {MAX_QUANTITY} units of {product.name} per order.",
                           code="invalid_quantity")
    available = online_availability(session, [product.id]).get(product.id, 0)
    if total > available:
        raise OutOfStock(f"Only {available} unit(s) of {product.name} available.",
                         details={"items": [{"product": slug, "requested": total,
                                             "available": available}]})
    if slug not in cart and len(cart) >= MAX_LINES:
        raise InvalidInput(f"A cart holds at most {MAX_LINES} different products.",
                           code="cart_full")
    return {**cart, slug: total}, product


def add_box(session: Session, cart: Cart, slug: str, quantity: int, *,
            on: date | None = None) -> tuple[Cart, object]:
    """Add gift boxes: refused when an item is not listable (409 `not_listable` naming the
    item, through `promotion.boxes`) or when the assembling point cannot make that many."""
    from storefront.promotion import boxes

    box = boxes.get_box(session, slug)
    boxes.require_box_sellable(box, on or today())
    key = BOX_PREFIX + box.slug
    total = cart.get(key, 0) + quantity
    if total > MAX_QUANTITY:
        raise InvalidInput(f"At most {MAX_QUANTITY} boxes of {box.name} per order.",
                           code="invalid_quantity")
    available = boxes.availability(session, [box], on=on)[box.id].available
    if total > available:
        raise OutOfStock(f"Only {available} box(es) of {box.name} available.",
                         details={"items": [{"gift_box": box.slug, "requested": total,
                                             "available": available}]})
    if key not in cart and len(cart) >= MAX_LINES:
        raise InvalidInput(f"A cart holds at most {MAX_LINES} different products.",
                           code="cart_full")
    return {**cart, key: total}, box


def set_quantity(cart: Cart, slug: str, quantity: int) -> Cart:
    """Change a line's quantity (0 removes it)."""
    if slug not in cart:
        raise NotFound("That product is not in your cart.", code="not_in_cart")
    updated = dict(cart)
    if quantity == 0:
        updated.pop(slug)
    else:
        updated[slug] = quantity
    return updated


def remove(cart: Cart, slug: str) -> Cart:
    return {k: v for k, v in cart.items() if k != slug}


@dataclass
class BoxCartLine:
    """A gift box in the cart, with today's verdict on its items and what its point can make."""

    box: object
    quantity: int
    availability: object
    is_box = True

    @property
    def key(self) -> str:
        return BOX_PREFIX + self.box.slug

    @property
    def total_vnd(self) -> int:
        return self.box.price_vnd * self.quantity

    @property
    def buyable(self) -> bool:
        return self.box.active and self.availability.sellable

    @property
    def available(self) -> int:
        return self.availability.available

    @property
    def enough_stock(self) -> bool:
        return self.available >= self.quantity


@dataclass
class CartLine:
    is_box = False
    product: Product
    quantity: int
    verdict: Listability
    available: int

    @property
    def key(self) -> str:
        return self.product.slug

    @property
    def total_vnd(self) -> int:
        return (self.product.price_vnd or 0) * self.quantity

    @property
    def buyable(self) -> bool:
        return self.verdict.listable and not self.product.is_service

    @property
    def enough_stock(self) -> bool:
        return self.available >= self.quantity


@dataclass
class CartView:
    lines: list[CartLine]
    missing: list[str]

    @property
    def subtotal_vnd(self) -> int:
        return sum(line.total_vnd for line in self.lines if line.buyable)

    @property
    def producers(self) -> int:
        """Parcels: one per producer, and one per gift box (its sales point ships it)."""
        return (len({line.product.producer_id for line in self.lines
                     if line.buyable and not line.is_box})
                + sum(1 for line in self.lines if line.buyable and line.is_box))

    @property
    def ready(self) -> bool:
        return bool(self.lines) and all(line.buyable and line.enough_stock for line in self.lines)


def view(session: Session, cart: Cart, *, on: date | None = None) -> CartView:
    """The cart's lines with today's verdict of the gate and the units available online."""
    on = on or today()
    if not cart:
        return CartView([], [])
    box_lines, missing = _box_lines(session, cart, on)
    products = {p.slug: p for p in session.scalars(
        select(Product).where(Product.slug.in_([k for k in cart if not k.startswith(BOX_PREFIX)]))
        .options(joinedload(Product.producer), selectinload(Product.certificates),
                 selectinload(Product.photos)))}
    stock = online_availability(session, [p.id for p in products.values()])
    lines = [CartLine(products[slug], quantity, listability(products[slug], on),
                      stock.get(products[slug].id, 0))
             for slug, quantity in cart.items() if slug in products]
    missing += [slug for slug in cart if slug not in products and not slug.startswith(BOX_PREFIX)]
    return CartView(lines + box_lines, missing)


def _box_lines(session: Session, cart: Cart, on: date) -> tuple[list[BoxCartLine], list[str]]:
    from storefront.promotion import boxes
    from storefront.promotion.models import GiftBox

    slugs = {key[len(BOX_PREFIX):]: q for key, q in cart.items() if key.startswith(BOX_PREFIX)}
    if not slugs:
        return [], []
    found = {b.slug: b for b in session.scalars(
        boxes.box_query().where(GiftBox.slug.in_(list(slugs)), GiftBox.active.is_(True))).unique()}
    verdicts = boxes.availability(session, list(found.values()), on=on)
    lines = [BoxCartLine(found[slug], quantity, verdicts[found[slug].id])
             for slug, quantity in slugs.items() if slug in found]
    return lines, [BOX_PREFIX + slug for slug in slugs if slug not in found]
