"""Limits on orders paid in cash — cash on delivery and pay at pickup (issue 12).

Nothing is paid up front, yet the units leave the shelf at checkout: without limits anyone
could drain a product's stock with anonymous orders. So, at checkout:
- at most COD_MAX_QUANTITY_PER_LINE units per line (422 `cash_quantity_limit`);
- at most COD_MAX_OPEN_PER_PHONE open (not yet confirmed) cash orders per phone number, and
  COD_MAX_OPEN_PER_ADDRESS per delivery address (folded: case, accents, punctuation and
  spaces aside, with its province) — 409 `too_many_open_orders`.
Concurrent checkouts for the same phone or address are serialised (a PostgreSQL advisory
lock held until the commit; SQLite has one writer at a time), so twenty orders at once
cannot all count the same "0 open" and pass.
"""

from __future__ import annotations

import hashlib
import re

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.errors import Conflict, InvalidInput
from catalog.text import fold
from storefront.models import CASH_METHODS, Order


class TooManyOpenOrders(Conflict):
    code = "too_many_open_orders"


def address_key(address: str | None, province: int | None) -> str | None:
    """The same address however it is typed: `12 Lê Lợi, P.Bến Nghé` = `12 le loi p ben nghe`."""
    if not address:
        return None
    words = re.sub(r"[^0-9a-z]+", " ", fold(address)).split()
    return f"{province}:{' '.join(words)}" if words else None


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def serialise(session: Session, names: list[str]) -> None:
    """Transaction-level advisory locks (PostgreSQL), taken in one global order so that two
    checkouts never wait for each other in a circle; released by the commit."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted({_lock_key(name) for name in names}):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _open_cash_orders():
    return select(Order).where(Order.status == "pending", Order.payment_method.in_(CASH_METHODS))


def check_cash_limits(session: Session, *, quantities: list[tuple[str, int]], phone: str,
                      address: str | None, province: int | None) -> None:
    """Refuse a cash order over a limit (see the module docstring). `quantities`: the
    field name of each line (`items.N.quantity`) and its units."""
    config = current_app.config
    most = config["COD_MAX_QUANTITY_PER_LINE"]
    over = [(field, quantity) for field, quantity in quantities if quantity > most]
    if over:
        message = _("Đơn thanh toán khi nhận hàng: tối đa %(most)s sản phẩm mỗi loại.", most=most)
        raise InvalidInput(message, code="cash_quantity_limit",
                           details={"max_quantity": most,
                                    "fields": [{"field": f, "message": message} for f, _q in over]})
    key = address_key(address, province)
    serialise(session, [f"cash-phone:{phone}"] + ([f"cash-address:{key}"] if key else []))
    by_phone = session.scalar(select(func.count()).select_from(
        _open_cash_orders().where(Order.customer_phone == phone).subquery()))
    if by_phone >= config["COD_MAX_OPEN_PER_PHONE"]:
        raise TooManyOpenOrders(
            _("Số điện thoại này đã có %(count)s đơn trả tiền mặt đang chờ xác nhận: hãy chờ "
              "người bán xác nhận hoặc huỷ một đơn trước khi đặt thêm.", count=by_phone),
            details={"limit": "phone", "max_open": config["COD_MAX_OPEN_PER_PHONE"]})
    if key is None:
        return
    addresses = session.scalars(_open_cash_orders().with_only_columns(Order.shipping_address)
                                .where(Order.shipping_province_code == province))
    by_address = sum(1 for other in addresses if address_key(other, province) == key)
    if by_address >= config["COD_MAX_OPEN_PER_ADDRESS"]:
        raise TooManyOpenOrders(
            _("Địa chỉ này đã có %(count)s đơn trả tiền mặt đang chờ xác nhận: hãy chờ người "
              "bán xác nhận hoặc huỷ một đơn trước khi đặt thêm.", count=by_address),
            details={"limit": "address", "max_open": config["COD_MAX_OPEN_PER_ADDRESS"]})
