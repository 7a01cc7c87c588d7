"""Bank statement import (DOMAIN §8): a `date,amount,description` CSV from the bank, matched
to unpaid bank-transfer orders by their reference (OCOP…) AND amount, each confirmed
through the common payment confirmation. All or nothing."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import InvalidInput
from storefront.confirmation import confirm_payment
from storefront.models import Order
from storefront.payments.bank_transfer import payment_external_id

REFERENCE = re.compile(r"OCOP\s*([0-9A-HJKMNP-TV-Z]{8})", re.IGNORECASE)


@dataclass
class StatementRow:
    line: int
    on: date
    amount_vnd: int
    description: str
    number: str | None


@dataclass
class StatementResult:
    paid: list[str] = field(default_factory=list)
    already_paid: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    confirmations: list = field(default_factory=list)


def _parse_amount(raw: str) -> int:
    text = re.sub(r"(?i)\s|₫|vnd|đ", "", raw or "")
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        text = re.sub(r"[.,]", "", text)
    if not text.isdigit() or int(text) <= 0:
        raise ValueError(f"amount {raw!r} is not a positive whole number of đồng")
    return int(text)


def _parse_date(raw: str) -> date:
    raw = (raw or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date {raw!r} is not YYYY-MM-DD or DD/MM/YYYY")


def parse_statement(text: str) -> list[StatementRow]:
    """Rows of a `date,amount,description` CSV; every bad line reported at once."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {c.strip().lower() for c in (reader.fieldnames or [])}
    missing = {"date", "amount", "description"} - columns
    if missing:
        raise InvalidInput(f"line 1: missing column(s) {', '.join(sorted(missing))} "
                           "(expected date,amount,description)", code="invalid_statement")
    rows, errors = [], []
    for index, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        try:
            on = _parse_date(row["date"])
            amount = _parse_amount(row["amount"])
        except ValueError as err:
            errors.append(f"line {index}: {err}")
            continue
        match = REFERENCE.search(row["description"])
        rows.append(StatementRow(index, on, amount, row["description"],
                                 match.group(1).upper() if match else None))
    if errors:
        raise InvalidInput("; ".join(errors), code="invalid_statement",
                           details={"errors": errors})
    return rows


def import_statement(session: Session, text: str) -> StatementResult:
    """Match statement lines to unpaid bank-transfer orders by reference AND amount, then
    confirm each through the common payment confirmation. All or nothing: an unknown
    reference or a wrong amount refuses the whole file, naming the line."""
    rows = parse_statement(text)
    numbers = {r.number for r in rows if r.number}
    orders = {o.number: o for o in session.scalars(select(Order).where(Order.number.in_(numbers)))}
    errors, result = [], StatementResult()
    for row in rows:
        if row.number is None:
            result.skipped.append(f"line {row.line}: no OCOP order reference")
            continue
        order = orders.get(row.number)
        if order is None:
            errors.append(f"line {row.line}: no order OCOP{row.number}")
        elif order.payment_method != "bank_transfer":
            errors.append(f"line {row.line}: order {order.number} is not paid by bank transfer")
        elif row.amount_vnd != order.total_vnd:
            errors.append(f"line {row.line}: amount {row.amount_vnd} ≠ order {order.number} "
                          f"total {order.total_vnd}")
    if errors:
        raise InvalidInput("; ".join(errors), code="invalid_statement", details={"errors": errors})
    for row in rows:
        if row.number is None:
            continue
        order = orders[row.number]
        confirmation = confirm_payment(
            session, order, method="bank_transfer", amount_vnd=row.amount_vnd,
            external_id=payment_external_id(order), note=f"statement line {row.line}: {row.description}")
        if confirmation.already:
            result.already_paid.append(order.number)
        else:
            result.paid.append(order.number)
            result.confirmations.append(confirmation)
    return result
