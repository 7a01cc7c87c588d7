"""What the back-office dashboards show: read-only queries built on the gate's set form."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from flask import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import spreadsheet
from app.clock import today
from catalog import listing
from catalog.gate import listability
from catalog.models import Certificate, Producer, Product
from catalog.regions import province_name
from catalog.reminders import due_certificates
from showrooms.services import online_availability

SELLER_REMINDER_DAYS = 60
LOW_STOCK = 5


@dataclass
class Expiring:
    certificate: Certificate
    product: Product
    producer: Producer
    days_left: int


def expiring_certificates(session: Session, *, within_days: int, on: date | None = None,
                          producer: Producer | None = None) -> list[Expiring]:
    """Certificates ending within N days, soonest first: the same rule that drives the
    producers' reminders (`catalog.reminders.due_certificates`)."""
    rows = []
    for due in due_certificates(session, within_days=within_days, on=on):
        product = due.certificate.product
        if producer is None or product.producer_id == producer.id:
            rows.append(Expiring(due.certificate, product, product.producer, due.days_left))
    return rows


def expiry_csv_response(rows: list[Expiring]) -> Response:
    out = io.StringIO()
    writer = spreadsheet.writer(out)
    writer.writerow(["decision_number", "product", "producer", "tax_code", "province", "stars",
                     "issuer", "issued_on", "valid_until", "days_left"])
    for row in rows:
        c = row.certificate
        writer.writerow([c.decision_number, row.product.name, row.producer.name, row.producer.tax_code,
                         province_name(row.producer.province_code), c.stars, c.issuer,
                         c.issued_on.isoformat(), c.valid_until.isoformat(), row.days_left])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=ocop-expiring.csv"})


@dataclass
class SellerBoard:
    products: list
    expiring: list[Expiring]
    low_stock: list
    shipments_to_ship: int
    shipments_to_confirm: int = 0  # cash orders waiting for the producer (issue 12)


def seller_board(session: Session, producer: Producer) -> SellerBoard:
    """What needs the producer today: certificates ending soon, low stock, orders to ship."""
    on = today()
    products = session.scalars(
        select(Product).where(Product.producer_id == producer.id)
        .options(selectinload(Product.certificates)).order_by(Product.name)
    ).all()
    verdicts = [(p, listability(p, on)) for p in products]
    stock = online_availability(session, [p.id for p in products])
    low = [(p, stock.get(p.id, 0)) for p, v in verdicts
           if v.listable and not p.is_service and stock.get(p.id, 0) < LOW_STOCK]
    return SellerBoard(
        products=verdicts,
        expiring=expiring_certificates(session, within_days=SELLER_REMINDER_DAYS, on=on,
                                       producer=producer),
        low_stock=low,
        shipments_to_ship=_shipments_to_ship(session, producer),
        shipments_to_confirm=_shipments_to_confirm(session, producer),
    )


def _shipments_to_ship(session: Session, producer: Producer) -> int:
    try:
        from storefront.shipments import shipments_to_ship_count
    except ImportError:  # orders arrive with the storefront package
        return 0
    return shipments_to_ship_count(session, producer)


def _shipments_to_confirm(session: Session, producer: Producer) -> int:
    from storefront.shipments import shipments_to_confirm_count

    return shipments_to_confirm_count(session, producer)


@dataclass
class OfficeStats:
    total: int
    by_stars: list[tuple[int, int]]
    by_group: list[tuple[str, int]]
    by_province: list[tuple[str, int]]


def office_stats(session: Session, on: date | None = None) -> OfficeStats:
    """OCOP products listed today, by stars, group and province (the storefront's counts)."""
    stars = listing.counts_by_stars(session, on)
    groups = listing.counts_by_group(session, on)
    provinces = listing.counts_by_province(session, on)
    return OfficeStats(
        total=sum(stars.values()),
        by_stars=sorted(stars.items(), reverse=True),
        by_group=sorted(groups.items(), key=lambda item: -item[1]),
        by_province=sorted(((province_name(code), n) for code, n in provinces.items()),
                           key=lambda item: -item[1]),
    )
