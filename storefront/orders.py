"""Orders after checkout: finding one by number + token, and locking it. The rest of an
order's life lives beside it: `confirmation` (money arrived, failed or never came; the
customer or the seller cancels), `shipments` (the producers' parcels), `serializers`
(JSON), `order_mail` (the e-mails, sent after the commit). Services flush; callers commit.
"""

from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFound
from storefront.checkout import hash_token
from storefront.models import Order, Shipment


def _order_query():
    return select(Order).options(
        selectinload(Order.shipments).selectinload(Shipment.lines),
        selectinload(Order.shipments).selectinload(Shipment.producer),
        selectinload(Order.lines),
        selectinload(Order.pickup_point),
    )


def get_order_with_token(session: Session, number: str, token: str | None) -> Order:
    """The order if the token matches (constant-time); otherwise 404, whichever is wrong."""
    order = session.scalar(_order_query().where(Order.number == (number or "").strip().upper()))
    if order is None or not token or not hmac.compare_digest(order.access_token_hash,
                                                              hash_token(token)):
        raise NotFound("No such order, or the link is incomplete.", code="order_not_found")
    return order


def get_order(session: Session, number: str) -> Order:
    order = session.scalar(_order_query().where(Order.number == (number or "").strip().upper()))
    if order is None:
        raise NotFound(f"No order {number!r}.", code="order_not_found")
    return order


def lock_order(session: Session, order_id: int) -> Order:
    """Re-read the order FOR UPDATE: two confirmations of one order run one after the other."""
    return session.scalars(
        select(Order).where(Order.id == order_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def commit_keeping_objects(session) -> None:
    """Commit without expiring what was loaded: the stock locks are released as soon as
    possible, and the answer is built afterwards without re-reading."""
    real = session() if callable(session) else session
    real.expire_on_commit = False
    try:
        session.commit()
    finally:
        real.expire_on_commit = True

