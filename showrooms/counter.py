"""OCOP sales points: their own stock and counter sales. Every sale re-checks the
certificate gate (DOMAIN §9): a product revoked yesterday refuses to sell, with the reason."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from catalog.gate import REASON_MESSAGES, NotListable, listability
from catalog.models import Product
from showrooms.models import SalesPoint, StockLevel
from showrooms.points import get_sales_point
from showrooms.stock import StockLine, sales_point_location, take_stock

MAX_LINES = 100


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


@dataclass
class CounterSale:
    reference: str
    lines: list[tuple[Product, int]]

    @property
    def total_vnd(self) -> int:
        return sum((product.price_vnd or 0) * quantity for product, quantity in self.lines)


def sell_at_counter(session: Session, point: SalesPoint, items: list[tuple[str, int]], *,
                    actor_id: int | None = None) -> CounterSale:
    """Sell at the counter: every product must be listable today (one `not_listable` error
    naming each refused product) and on the shelf (one `out_of_stock` naming every
    shortfall); then one `sale` movement per product, all or nothing."""
    if not items or len(items) > MAX_LINES:
        raise InvalidInput(f"items: between 1 and {MAX_LINES} lines.", code="invalid_items")
    wanted: dict[str, int] = {}
    for slug, quantity in items:
        wanted[slug] = wanted.get(slug, 0) + quantity
    products = {p.slug: p for p in session.scalars(select(Product).where(Product.slug.in_(wanted)))}
    unknown = sorted(set(wanted) - set(products))
    if unknown:
        raise NotFound(f"Unknown products: {', '.join(unknown)}.", code="unknown_product")
    services = [p.name for p in products.values() if p.is_service]
    if services:
        raise InvalidInput(f"Tourism services are not sold over the counter: {', '.join(services)}.",
                           code="not_purchasable")
    refused = []
    for product in products.values():
        verdict = listability(product)
        if not verdict.listable:
            refused.append({"product": product.slug, "reason": verdict.reason,
                            "message": f"{product.name}: {REASON_MESSAGES[verdict.reason]}"})
    if refused:
        raise NotListable("Cannot be sold: " + "; ".join(r["message"] for r in refused) + ".",
                          details={"products": refused})
    location = sales_point_location(session, point)
    reference = f"counter:{point.code}:{secrets.token_hex(4)}"
    take_stock(session, [StockLine(location.id, products[slug].id, quantity)
                         for slug, quantity in sorted(wanted.items())],
               kind="sale", reference=reference, actor_id=actor_id, reason="counter sale")
    return CounterSale(reference, [(products[slug], quantity) for slug, quantity in wanted.items()])
