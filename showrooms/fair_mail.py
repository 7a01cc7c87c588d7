"""E-mails of the booth booking, one per step (to the outbox in development). Vietnamese
first, English second, as on the reminders: producers and organizers read either."""

from __future__ import annotations

from flask import current_app

from app.extensions import db
from app.mail import send_mail
from app.templating import vnd


def _producer_addresses(booking) -> list[str]:
    from catalog.reminders import recipients

    return recipients(db.session, booking.producer)


def _organizer_address(booking) -> list[str]:
    organizer = booking.fair.organizer
    return [organizer.email] if organizer is not None and organizer.email else []


def _fair_url(booking) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/fairs/{booking.fair.slug}"


def _send(to: list[str], subject: str, vi: str, en: str) -> None:
    if to:
        send_mail(to, subject, f"{vi}\n\n---\n\n{en}\n")


def _what(booking) -> tuple[str, str]:
    fair, booth = booking.fair, booking.booth
    vi = (f"Gian {booth.code} ({booth.w:g} × {booth.h:g} m) tại {fair.name}, "
          f"{fair.starts_on:%d/%m/%Y}–{fair.ends_on:%d/%m/%Y}, {fair.venue}.")
    en = (f"Booth {booth.code} ({booth.w:g} × {booth.h:g} m) at {fair.name_en or fair.name}, "
          f"{fair.starts_on:%d/%m/%Y}–{fair.ends_on:%d/%m/%Y}, {fair.venue}.")
    return vi, en


def booking_requested(booking) -> None:
    vi, en = _what(booking)
    producer = booking.producer.name
    _send(_producer_addresses(booking),
          f"Đã nhận đăng ký gian hàng {booking.booth.code} — {booking.fair.name}",
          f"{producer} đã đăng ký {vi}\nPhí gian hàng: {vnd(booking.fee_vnd)}. Ban tổ chức sẽ xác nhận "
          f"hoặc từ chối.\n{_fair_url(booking)}",
          f"{producer} booked {en}\nBooth fee: {vnd(booking.fee_vnd)}. The organizer will confirm "
          "or reject it.")
    _send(_organizer_address(booking), f"Đăng ký gian hàng mới: {booking.booth.code} — {producer}",
          f"{producer} đăng ký {vi}\nHãy xác nhận hoặc từ chối trong hàng chờ đăng ký.",
          f"{producer} booked {en}\nConfirm or reject it in the booking queue.")


def booking_confirmed(booking) -> None:
    vi, en = _what(booking)
    _send(_producer_addresses(booking),
          f"Gian hàng {booking.booth.code} đã được xác nhận — {booking.fair.name}",
          f"Ban tổ chức đã xác nhận {vi}\nPhí gian hàng: {vnd(booking.fee_vnd)}"
          f"{' (đã thanh toán)' if booking.fee_paid else ''}.\n{_fair_url(booking)}",
          f"The organizer confirmed {en}\nBooth fee: {vnd(booking.fee_vnd)}"
          f"{' (paid)' if booking.fee_paid else ''}.")


def booking_rejected(booking) -> None:
    vi, en = _what(booking)
    _send(_producer_addresses(booking),
          f"Đăng ký gian hàng {booking.booth.code} bị từ chối — {booking.fair.name}",
          f"Ban tổ chức đã từ chối đăng ký {vi}\nLý do: {booking.reason}",
          f"The organizer rejected the booking of {en}\nReason: {booking.reason}")


def booking_cancelled(booking, *, by_producer: bool) -> None:
    vi, en = _what(booking)
    reason_vi = f"\nLý do: {booking.reason}" if booking.reason else ""
    reason_en = f"\nReason: {booking.reason}" if booking.reason else ""
    to = _organizer_address(booking) if by_producer else _producer_addresses(booking)
    who_vi = booking.producer.name if by_producer else "Ban tổ chức"
    who_en = booking.producer.name if by_producer else "The organizer"
    _send(to, f"Đã huỷ đăng ký gian hàng {booking.booth.code} — {booking.fair.name}",
          f"{who_vi} đã huỷ đăng ký {vi}{reason_vi}", f"{who_en} cancelled the booking of {en}{reason_en}")


def fee_received(booking) -> None:
    vi, en = _what(booking)
    _send(_producer_addresses(booking),
          f"Đã nhận phí gian hàng {booking.booth.code} — {booking.fair.name}",
          f"Ban tổ chức đã nhận {vnd(booking.fee_vnd)} phí {vi}",
          f"The organizer received the fee of {vnd(booking.fee_vnd)} for {en}")


def fair_cancelled(booking) -> None:
    vi, en = _what(booking)
    reason = booking.fair.cancel_reason or ""
    _send(_producer_addresses(booking), f"Hội chợ đã bị huỷ — {booking.fair.name}",
          f"Ban tổ chức đã huỷ hội chợ. Đăng ký {vi} không còn hiệu lực. {reason}".strip(),
          f"The organizer cancelled the fair; the booking of {en} no longer stands. {reason}".strip())
