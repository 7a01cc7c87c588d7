"""The customer's and the seller's e-mails about an order, sent AFTER the commit.

Each mail is rendered while its order is still loaded (in the customer's language) and
queued on the session with `send_after_commit`; it goes out when that session's transaction
commits, and is dropped when it rolls back — a mail is never sent for an order that was not
recorded (the same shape as catalog.search.hooks, which indexes after the commit).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.mail import send_mail
from storefront.checkout import PlacedOrder
from storefront.confirmation import Confirmation
from storefront.models import Order

log = logging.getLogger(__name__)
PENDING = "order_mail_pending"


@dataclass
class Mail:
    to: str | list[str]
    subject: str
    text: str
    html: str | None = None

    def send(self) -> None:
        send_mail(self.to, self.subject, self.text, self.html)


def send_after_commit(session, *mails: Mail | None) -> None:
    """Queue `mails` on the session: sent when its transaction commits, dropped if not."""
    real = session() if callable(session) else session
    if not real.in_transaction():
        real.begin()  # the mails belong to this transaction: its rollback drops them
    real.info.setdefault(PENDING, []).extend(m for m in mails if m is not None)


def _send_pending(session) -> None:
    for mail in session.info.pop(PENDING, []):
        try:
            mail.send()
        except Exception:  # the order is committed: a lost mail must not turn it into a 500
            log.exception("order mail to %s (%s) could not be sent", mail.to, mail.subject)


def _drop_pending(session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended without a commit
        session.info.pop(PENDING, None)


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    event.listen(Session, "after_commit", _send_pending)
    event.listen(Session, "after_transaction_end", _drop_pending)
    _installed = True


install()


# --- The mails ---------------------------------------------------------------------------

def order_url(order: Order, token: str) -> str:
    return f"{current_app.config['BASE_URL']}/orders/{order.number}?token={token}"


def order_placed_mail(placed: PlacedOrder) -> Mail:
    """The confirmation with the order link (the token is known only now)."""
    order = placed.order
    with force_locale(order.locale):
        subject = _("Đơn hàng %(number)s — OCOP Market", number=order.number)
        context = {"order": order, "url": order_url(order, placed.access_token),
                   "payment": placed.payment}
        text = render_template("storefront/email/order_placed.txt", **context)
        html = render_template("storefront/email/order_placed.html", **context)
    return Mail(order.customer_email, subject, text, html)


NOT_LISTABLE, NOT_CONFIRMED, BY_SELLER = "not_listable", "not_confirmed", "by_seller"


def _cancelled_headline(kind: str) -> str:
    if kind == NOT_CONFIRMED:
        return _("Người bán chưa xác nhận các sản phẩm sau kịp thời hạn nên chúng đã bị huỷ "
                 "khỏi đơn hàng, bạn không phải trả tiền cho chúng:")
    if kind == BY_SELLER:
        return _("Người bán đã huỷ các sản phẩm sau khỏi đơn hàng, bạn không phải trả tiền "
                 "cho chúng:")
    return _("Các sản phẩm sau không còn được bán nên đã bị huỷ khỏi đơn hàng, "
             "bạn không phải trả tiền cho chúng:")


def lines_cancelled_mail(order: Order, cancelled: list[tuple[object, str]], *,
                         headline: str = NOT_LISTABLE) -> Mail | None:
    """To the customer of a cash order: which lines were cancelled, why, and the new amount
    to pay (`headline`: the gate at shipping, no confirmation in time, or the seller)."""
    if not cancelled:
        return None
    with force_locale(order.locale):
        subject = _("Đơn hàng %(number)s: một số sản phẩm đã bị huỷ", number=order.number)
        lines = "\n".join(f"- {getattr(line, 'product_name', None) or line.name} × "
                          f"{line.quantity}: {why}" for line, why in cancelled)
        text = _cancelled_headline(headline) + "\n" + lines + "\n\n"
        if order.status == "cancelled":
            text += _("Đơn hàng đã được huỷ.")
        else:
            text += _("Số tiền cần thanh toán khi nhận hàng: %(total)s đồng.",
                      total=f"{order.total_vnd:,}".replace(",", "."))
    return Mail(order.customer_email, subject, text)


def cancelled_by_customer_mails(order: Order) -> list[Mail]:
    """To each producer of the order (its contact e-mail): the customer cancelled, the
    units are back in the warehouse, nothing is to be sent."""
    mails = []
    for shipment in order.shipments:
        email = shipment.producer.email
        if not email:
            continue
        lines = "\n".join(f"- {line.product_name} × {line.quantity}" for line in shipment.lines)
        with force_locale("vi"):  # the producers' back-office language
            subject = _("Đơn hàng %(number)s đã bị khách hàng huỷ", number=order.number)
            text = (_("Khách hàng đã huỷ đơn hàng %(number)s. Đừng gửi kiện hàng này; các sản "
                      "phẩm đã được trả lại kho:", number=order.number) + "\n" + lines)
        mails.append(Mail(email, subject, text))
    return mails


def confirmation_mail(confirmation: Confirmation) -> Mail | None:
    """Paid: say so, and say plainly which lines were cancelled, why, and what comes back."""
    if confirmation.already:
        return None
    order = confirmation.order
    with force_locale(order.locale):
        if confirmation.cancelled:
            subject = _("Đơn hàng %(number)s: một phần đã bị huỷ và hoàn tiền",
                        number=order.number)
        else:
            subject = _("Đơn hàng %(number)s đã được thanh toán", number=order.number)
        text = render_template("storefront/email/order_paid.txt", order=order,
                               cancelled=confirmation.cancelled,
                               refunded=confirmation.refunded_vnd)
    return Mail(order.customer_email, subject, text)
