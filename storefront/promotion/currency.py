"""Indicative prices abroad (DOMAIN §12): the OCOP office sets a rate per currency with its
date; pages in English show USD, EUR and AUD beside the VND price, labelled approximate.
Payment is always in VND: nothing here touches an order's amounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import today
from app.errors import InvalidInput
from storefront.promotion.models import CURRENCIES, CurrencyRate

SYMBOLS = {"USD": "US$", "EUR": "€", "AUD": "A$"}


@dataclass(frozen=True)
class IndicativePrice:
    currency: str
    amount: float
    rate_date: date

    @property
    def text(self) -> str:
        """`≈ US$4.72`: two decimals under 100, whole units above."""
        value = f"{self.amount:,.2f}" if self.amount < 100 else f"{self.amount:,.0f}"
        return f"≈ {SYMBOLS[self.currency]}{value}"


def set_rate(session: Session, currency: str, vnd_per_unit: int, *, rate_date: date | None = None,
             actor_id: int | None = None) -> CurrencyRate:
    """Record the office's rate for `currency` on `rate_date` (today by default); setting the
    same day again replaces that day's figure."""
    currency = (currency or "").strip().upper()
    if currency not in CURRENCIES:
        raise InvalidInput(f"currency: one of {', '.join(CURRENCIES)}.", code="invalid_currency")
    if not isinstance(vnd_per_unit, int) or vnd_per_unit <= 0:
        raise InvalidInput("vnd_per_unit: a positive whole number of đồng.", code="invalid_rate")
    rate_date = rate_date or today()
    if rate_date > today():
        raise InvalidInput("rate_date: cannot be in the future.", code="invalid_rate")
    rate = session.scalar(select(CurrencyRate).where(CurrencyRate.currency == currency,
                                                     CurrencyRate.rate_date == rate_date))
    if rate is None:
        rate = CurrencyRate(currency=currency, rate_date=rate_date)
        session.add(rate)
    rate.vnd_per_unit = vnd_per_unit
    rate.set_by_id = actor_id
    session.flush()
    return rate


def latest_rates(session: Session) -> dict[str, CurrencyRate]:
    """The newest rate of each currency (one query)."""
    newest = (select(CurrencyRate.currency, func.max(CurrencyRate.rate_date).label("d"))
              .group_by(CurrencyRate.currency).subquery())
    rows = session.scalars(select(CurrencyRate).join(
        newest, (newest.c.currency == CurrencyRate.currency) & (newest.c.d == CurrencyRate.rate_date)))
    return {rate.currency: rate for rate in rows}


def indicative(price_vnd: int | None, rates: dict[str, CurrencyRate]) -> list[IndicativePrice]:
    if not price_vnd:
        return []
    return [IndicativePrice(code, price_vnd / rates[code].vnd_per_unit, rates[code].rate_date)
            for code in CURRENCIES if code in rates]
