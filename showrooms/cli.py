"""`flask --app wsgi stock …`: the ledger from the command line."""

from __future__ import annotations

import click
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from catalog.services import get_product
from showrooms.models import Location, StockMovement
from showrooms.stock import levels_of_producer, record_movement, warehouse_of


@click.group("stock")
def stock_group():
    """Stock: receive, adjust, show levels and the ledger."""


def _record(slug: str, quantity: int, kind: str, location_code: str | None, reason: str) -> None:
    try:
        product = get_product(db.session, slug)
        if location_code:
            location = db.session.scalar(select(Location).where(Location.code == location_code))
            if location is None:
                raise click.ClickException(f"no stock location {location_code!r}")
        else:
            location = warehouse_of(db.session, product.producer)
        level = record_movement(db.session, location=location, product=product, kind=kind,
                                quantity=quantity, reason=reason, reference="cli")
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    click.echo(f"{product.slug} at {location.code}: {level.on_hand}")


@stock_group.command("receive")
@click.argument("product")
@click.argument("quantity", type=int)
@click.option("--location", default=None, help="Location code (default: the producer's warehouse).")
@click.option("--reason", default="received", show_default=True)
def receive(product: str, quantity: int, location: str | None, reason: str):
    """Receive QUANTITY units of PRODUCT (slug)."""
    _record(product, quantity, "receive", location, reason)


@stock_group.command("adjust")
@click.argument("product")
@click.option("--by", "quantity", type=int, required=True, help="Units to add (+) or remove (−).")
@click.option("--location", default=None, help="Location code (default: the producer's warehouse).")
@click.option("--reason", required=True, help="Why (a count, breakage…).")
def adjust(product: str, quantity: int, location: str | None, reason: str):
    """Correct PRODUCT's level `--by` ± units; it never goes below zero."""
    _record(product, quantity, "adjust", location, reason)


@stock_group.command("show")
@click.argument("product")
def show(product: str):
    """Levels of PRODUCT's producer and PRODUCT's last movements."""
    item = get_product(db.session, product)
    for level in levels_of_producer(db.session, item.producer):
        if level.product.id == item.id:
            click.echo(f"{level.location.code}: on hand {level.on_hand}, reserved "
                       f"{level.reserved}, available {level.available}")
    movements = db.session.scalars(
        select(StockMovement).where(StockMovement.product_id == item.id)
        .order_by(StockMovement.id.desc()).limit(20)).all()
    for m in movements:
        click.echo(f"  {m.created_at:%Y-%m-%d %H:%M} {m.kind:<12} {m.quantity:+d} "
                   f"{m.reference or ''} {m.reason}")


@click.group("counter")
def counter_group():
    """Sales-point counters: stamps to scan in the demo, the day report."""


@counter_group.command("stamps")
@click.argument("point_code")
@click.option("--per-product", default=2, show_default=True)
def counter_stamps(point_code: str, per_product: int):
    """Print trace URLs of stamps of the products on POINT_CODE's shelf (a USB scanner
    types exactly such a URL followed by Enter)."""
    from flask import current_app

    from showrooms.models import StockLevel
    from showrooms.points import get_sales_point
    from showrooms.stock import sales_point_location
    from traceability.models import Lot, Stamp

    try:
        point = get_sales_point(db.session, point_code)
    except DomainError as err:
        raise click.ClickException(err.message) from None
    location = sales_point_location(db.session, point)
    product_ids = db.session.scalars(select(StockLevel.product_id).where(
        StockLevel.location_id == location.id, StockLevel.on_hand > 0))
    base = current_app.config["BASE_URL"]
    for product_id in product_ids:
        rows = db.session.execute(
            select(Stamp.code, Lot.lot_number).join(Lot, Lot.id == Stamp.lot_id)
            .where(Lot.product_id == product_id, Stamp.voided_at.is_(None), Lot.voided_at.is_(None))
            .order_by(Stamp.id).limit(per_product)).all()
        for code, lot_number in rows:
            click.echo(f"{base}/t/{code}  (lot {lot_number})")


@counter_group.command("report")
@click.argument("point_code")
@click.option("--date", "day", default=None, help="YYYY-MM-DD (default: today)")
def counter_report(point_code: str, day: str | None):
    """The day report of POINT_CODE as CSV on stdout."""
    from datetime import date

    from app.clock import today
    from showrooms.points import get_sales_point
    from showrooms.reports import day_report, report_csv
    from showrooms.stock import sales_point_location

    try:
        point = get_sales_point(db.session, point_code)
        on = date.fromisoformat(day) if day else today()
    except (DomainError, ValueError) as err:
        raise click.ClickException(str(getattr(err, "message", err))) from None
    click.echo(report_csv(day_report(db.session, sales_point_location(db.session, point), on)), nl=False)


commands = [stock_group, counter_group]
