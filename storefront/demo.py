"""Demo data of the storefront package, loaded by `flask --app wsgi seed-demo` after the
catalogue and the showrooms (stock): a handful of orders placed through the real checkout
service, so that sellers have shipments to handle (Anh Tuấn in Bắc Hà has confirmed two cash
orders and has one still to confirm) and Emily's gift order waits at the Hoa Lư sales point.
Idempotent: nothing is added once the demo customers have orders; an order whose products
cannot be sold today is skipped."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api import parse_model
from app.errors import DomainError
from catalog.models import Product
from showrooms.models import SalesPoint
from storefront.checkout import place_order
from storefront.models import Order
from storefront.schemas import OrderIn
from storefront.shipments import confirm_shipment

log = logging.getLogger(__name__)

# Customers need a deliverable-looking address: `.local` ones are refused at checkout.
DEMO_DOMAIN = "example.com"

# (product names and quantities, fulfilment, payment, pickup point, gift, locale, customer);
# cash orders wait for their producers' confirmation: all are confirmed but the second.
UNCONFIRMED = 1
DEMO_ORDERS = (
    ({"Rượu ngô Bắc Hà": 2, "Chè Shan tuyết Tả Củ Tỷ": 1}, "delivery", "cod", None, None, "vi",
     ("Nguyễn Thị Hoa", "0912 345 678", "hoa.nguyen")),
    ({"Chè Shan tuyết Tả Củ Tỷ": 3}, "delivery", "cod", None, None, "vi",
     ("Trần Văn Nam", "0987 654 321", "nam.tran")),
    ({"Rượu ngô Bắc Hà": 1, "Mận tam hoa sấy dẻo": 1}, "pickup", "pay_at_pickup", "LC-01", None,
     "vi", ("Lê Minh Châu", "0356 111 222", "chau.le")),
    ({"Cơm cháy chà bông Ninh Bình": 2, "Rượu Kim Sơn": 1}, "pickup", "pay_at_pickup", "NB-01",
     {"wrap": True, "message": "Happy birthday, Mum! Love from Ninh Bình.", "recipient": "Mum"},
     "en", ("Emily Parker", "+84 912 000 111", "emily.parker")),
)


def _body(items: dict[str, int], products: dict[str, Product], fulfilment: str, payment: str,
          point: str | None, gift: dict | None, customer: tuple[str, str, str]) -> dict | None:
    if any(name not in products for name in items):
        return None
    body = {
        "items": [{"product": products[name].slug, "quantity": q} for name, q in items.items()],
        "customer": {"name": customer[0], "phone": customer[1], "email": f"{customer[2]}@{DEMO_DOMAIN}"},
        "fulfilment": fulfilment,
        "payment": payment,
    }
    if fulfilment == "delivery":
        body["shipping"] = {"address": "25 Hàng Bạc, phường Hoàn Kiếm", "province": 1}
    else:
        body["pickup_point"] = point
    if gift:
        body["gift"] = gift
    return body


def seed(session: Session) -> None:
    """Idempotent: running it twice changes nothing."""
    emails = [f"{c[2]}@{DEMO_DOMAIN}" for *_, c in DEMO_ORDERS]
    if session.scalar(select(Order.id).where(Order.customer_email.in_(emails)).limit(1)):
        return
    names = {name for items, *_ in DEMO_ORDERS for name in items}
    products = {p.name: p for p in session.scalars(select(Product).where(Product.name.in_(names)))}
    points = set(session.scalars(select(SalesPoint.code)))
    for index, (items, fulfilment, payment, point, gift, locale, customer) in enumerate(DEMO_ORDERS):
        body = _body(items, products, fulfilment, payment, point, gift, customer)
        if body is None or (point and point not in points):
            continue
        try:
            with session.begin_nested():
                placed = place_order(session, parse_model(OrderIn, body), locale=locale)
                for shipment in placed.order.shipments if index != UNCONFIRMED else ():
                    confirm_shipment(session, shipment.producer, shipment.id)
        except DomainError as err:
            log.info("demo order skipped: %s", err.message)
