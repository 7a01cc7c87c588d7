"""`flask --app wsgi seed-demo`: the demo data set, package by package, idempotent."""

from __future__ import annotations

import importlib

import click
from sqlalchemy import select

from app.extensions import db

# Order matters: later packages build on the catalogue.
DEMO_MODULES = ["catalog.demo", "showrooms.demo", "showrooms.fair_demo", "traceability.demo",
                "showrooms.counter_demo", "storefront.demo", "evaluation.demo",
                "storefront.promotion.demo"]


def seed_all(session) -> None:
    for name in DEMO_MODULES:
        importlib.import_module(name).seed(session)
        session.flush()


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no producer yet.")
def seed_demo(if_empty: bool):
    """Load the demo data set; running it twice changes nothing."""
    from catalog.models import Producer

    if if_empty and db.session.scalar(select(Producer.id).limit(1)) is not None:
        click.echo("demo data: database not empty, left as it is")
        return
    seed_all(db.session)
    db.session.commit()
    click.echo("demo data loaded")


commands = [seed_demo]
