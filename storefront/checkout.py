"""Checkout: one service behind `POST /api/v1/orders` and the `/checkout` form.

Order of the checks (each refusal is a typed error, never a 500): the schema (422 naming
the field) → every product exists (422 `unknown_product`) and is a good, not a tourism
service (422 `not_purchasable`) → the gate on every line (409 `not_listable`, all lines
named at once) → the pickup point exists (422) → cash orders' limits (422
`cash_quantity_limit`, 409 `too_many_open_orders`: `cash_limits`) → stock, Saleor-style (409
`out_of_stock` listing every short line) → the payment is started. Every order starts
`pending`: waiting for its money (card, bank transfer) or for its producers' confirmation
(cash: `cash_orders`). It all happens in the caller's
transaction: any refusal leaves no order, no line, no movement and no reservation.

Gift boxes (`{"gift_box": slug}` items, `promotion.boxes`) go through the same steps: the
gate on every item of the box (409 naming it), pickup only at the point that assembles it,
and their units taken or reserved at that point together with the products' own.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.clock import now as clock_now
from app.clock import today
from app.errors import InvalidInput
from catalog.gate import require_all_listable
from catalog.models import Product
from showrooms.models import SalesPoint
from showrooms.stock import (
    StockLine,
    reserve_stock,
    take_stock,
    warehouse_of,
    warehouses_by_producer,
)
from storefront import payments
from storefront.cash_limits import check_cash_limits
from storefront.models import CASH_METHODS, Order, OrderLine, Shipment
from storefront.promotion import boxes
from storefront.schemas import OrderIn

# Crockford base32: no I, L, O, U — easy to read out at a sales point counter.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_LENGTH = 8


@dataclass
class PlacedOrder:
    order: Order
    access_token: str  # shown once (response, confirmation email); only its hash is stored
    payment: dict


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_order_number(session: Session) -> str:
    """8 random Crockford characters (40 bits): short enough to say aloud, not a sequence."""
    while True:
        number = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))
        if session.scalar(select(Order.id).where(Order.number == number)) is None:
            return number


def _field_error(field: str, message: str, code: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message}", code=code,
                        details={"fields": [{"field": field, "message": message}]})


def resolve_products(session: Session, data: OrderIn) -> dict[str, Product]:
    """Each line's product, or 422 naming the line (unknown slug, tourism service)."""
    slugs = [item.product for item in data.items if item.product]
    products = {
        p.slug: p for p in session.scalars(
            select(Product).where(Product.slug.in_(slugs))
            .options(joinedload(Product.producer), selectinload(Product.certificates)))
    }
    for index, item in enumerate(data.items):
        if item.product is None:
            continue  # a gift box (promotion.boxes)
        product = products.get(item.product)
        if product is None:
            raise _field_error(f"items.{index}.product", f"no product {item.product!r}",
                               "unknown_product")
        if product.is_service:
            raise _field_error(
                f"items.{index}.product",
                f"{product.name} is a tourism service: it is booked with its producer, "
                "not bought in a cart", "not_purchasable")
    return products


def check_gate(products: list[Product], on) -> dict[int, int]:
    """The certificate gate on every line (`require_all_listable`: one NotListable naming
    all refused products). Returns product id → the current certificate's id (on the line)."""
    return {product_id: cert.id for product_id, cert in require_all_listable(products, on).items()}


def place_order(session: Session, data: OrderIn, *, locale: str = "vi",
                now: datetime | None = None) -> PlacedOrder:
    """Create the order, one shipment per producer, its lines, take or reserve the stock and
    start the payment. Flushes; the caller commits (and then sends the confirmation)."""
    config = current_app.config
    now = now or clock_now()
    on = today()
    products = resolve_products(session, data)
    ordered = [(products[item.product], item.quantity) for item in data.items if item.product]
    certificates = check_gate([p for p, _ in ordered], on)
    box_items = boxes.resolve_order_boxes(
        session, [(i, item.gift_box, item.quantity) for i, item in enumerate(data.items)
                  if item.gift_box], on)

    point = None
    if data.fulfilment == "pickup":
        point = session.scalar(select(SalesPoint).where(SalesPoint.code == data.pickup_point,
                                                        SalesPoint.active.is_(True)))
        if point is None:
            raise _field_error("pickup_point", f"no OCOP sales point {data.pickup_point!r}",
                               "unknown_pickup_point")
    boxes.check_point_matches(box_items, data.fulfilment, point)
    if data.payment in CASH_METHODS:
        check_cash_limits(
            session, quantities=[(f"items.{i}.quantity", item.quantity)
                                 for i, item in enumerate(data.items)],
            phone=data.customer.phone,
            address=data.shipping.address if data.fulfilment == "delivery" else None,
            province=data.shipping.province if data.fulfilment == "delivery" else None)

    by_producer: dict[int, list[tuple[Product, int]]] = {}
    for product, quantity in ordered:
        by_producer.setdefault(product.producer_id, []).append((product, quantity))
    fee = 0 if data.fulfilment == "pickup" else config["SHIPPING_FEE_VND"]
    # A gift box is a parcel of its sales point: one fee per box line when delivered.
    subtotal = sum(p.price_vnd * q for p, q in ordered) + sum(b.total_vnd for b in box_items)
    shipping = fee * (len(by_producer) + len(box_items))

    method = payments.method(data.payment)
    token = secrets.token_urlsafe(24)
    number = new_order_number(session)
    window = method.reservation_window(config)
    gift = data.gift
    order = Order(
        number=number, access_token_hash=hash_token(token),
        # Waiting for the money (card, bank transfer) or for the producers' confirmation
        # (cash: storefront.cash_orders) until `reserved_until`.
        status="pending",
        payment_method=data.payment, payment_status="unpaid", fulfilment=data.fulfilment,
        customer_name=data.customer.name, customer_phone=data.customer.phone,
        customer_email=data.customer.email,
        shipping_address=data.shipping.address if data.fulfilment == "delivery" else None,
        shipping_province_code=data.shipping.province if data.fulfilment == "delivery" else None,
        pickup_point=point,
        gift_wrap=bool(gift and gift.wrap),
        gift_message=(gift.message or None) if gift else None,
        gift_recipient=(gift.recipient or None) if gift else None,
        subtotal_vnd=subtotal, shipping_vnd=shipping, total_vnd=subtotal + shipping,
        refunded_vnd=0, payment_reference=f"OCOP{number}",
        reserved_until=now + window if window else None,
        locale=locale if locale in ("vi", "en") else "vi", created_at=now,
        shipments=[], lines=[], payments=[],
    )
    session.add(order)
    stock_lines = []
    warehouses = warehouses_by_producer(session, by_producer)
    for producer_id, items in sorted(by_producer.items()):
        # Collections start empty and loaded, so nothing is re-read to answer or to mail.
        shipment = Shipment(order=order, producer=items[0][0].producer, status="pending",
                            shipping_fee_vnd=fee, lines=[])
        session.add(shipment)
        location = warehouses.get(producer_id) or warehouse_of(session, items[0][0].producer)
        for product, quantity in items:
            session.add(OrderLine(
                order=order, shipment=shipment, product_id=product.id,
                certificate_id=certificates[product.id], product_name=product.name,
                unit_price_vnd=product.price_vnd, quantity=quantity,
                line_total_vnd=product.price_vnd * quantity, status="active"))
            stock_lines.append(StockLine(location.id, product.id, quantity))
    stock_lines += boxes.add_order_lines(session, order, box_items, shipping_fee=fee)
    if data.payment in CASH_METHODS and not by_producer:
        # Gift boxes only: their sales point assembles them from its own shelves at once.
        order.status, order.reserved_until = "confirmed", None
    session.flush()

    if method.TAKES_STOCK_AT_ONCE:
        take_stock(session, stock_lines, kind="sale", reference=number, now=now,
                   reason=f"order {number} ({data.payment})")
    else:
        reserve_stock(session, stock_lines, reference=number, until=order.reserved_until, now=now)
    payment = method.start(order)
    session.flush()
    return PlacedOrder(order=order, access_token=token, payment=payment)
