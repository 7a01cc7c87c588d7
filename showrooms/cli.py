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


commands = [stock_group]
