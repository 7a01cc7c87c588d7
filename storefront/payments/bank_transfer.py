"""Bank transfer by VietQR (NAPAS 247): the order page shows a QR with the amount and the
order reference; the units are reserved for BANK_TRANSFER_RESERVATION_HOURS. The OCOP
office marks the order paid (admin API / CLI) or imports the bank statement, and both go
through the same confirmation as the card webhook (`storefront.confirmation.confirm_payment`;
the statement import is `storefront.payments.statements`)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from storefront.payments import vietqr

TAKES_STOCK_AT_ONCE = False


def reservation_window(config) -> timedelta:
    return timedelta(hours=config["BANK_TRANSFER_RESERVATION_HOURS"])


def bank_details() -> dict:
    config = current_app.config
    return {"bank_bin": config["VIETQR_BANK_BIN"], "bank_name": config["VIETQR_BANK_NAME"],
            "account": config["VIETQR_ACCOUNT"], "account_name": config["VIETQR_ACCOUNT_NAME"]}


def order_payload(order) -> str:
    bank = bank_details()
    return vietqr.payload(bank_bin=bank["bank_bin"], account=bank["account"],
                          amount_vnd=order.total_vnd, reference=order.payment_reference)


def start(order) -> dict:
    return {
        "method": "bank_transfer",
        "amount_vnd": order.total_vnd,
        "reference": order.payment_reference,
        "vietqr": order_payload(order),
        "reserved_until": order.reserved_until.isoformat() if order.reserved_until else None,
        **bank_details(),
    }


def describe(order) -> dict:
    return start(order)


def refund(order, amount_vnd: int, key: str, reason: str) -> str:
    # No bank API: the office transfers the money back; the refund row is its to-do item.
    return f"bank-refund:{key}"


def cancel(order) -> bool:
    return True


def payment_external_id(order) -> str:
    """One bank payment per order, however it is reported (mark-paid, statement)."""
    return f"bank:{order.number}"
