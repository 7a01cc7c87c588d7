"""`flask --app wsgi seed-demo`: the demo data set, package by package, idempotent.

Each package keeps its demo data as files in `<package>/demo_data/` (CSV, UTF-8, header row)
read through its own services; `read_rows` is the one way they are read."""

from __future__ import annotations

import csv
import importlib
import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import click
from sqlalchemy import select

from app.extensions import db

# Order matters: later packages build on the catalogue.
DEMO_MODULES = ["catalog.demo", "showrooms.demo", "showrooms.fair_demo", "traceability.demo",
                "showrooms.counter_demo", "storefront.demo", "evaluation.demo",
                "storefront.promotion.demo"]


class DemoDataError(Exception):
    """A demo data file that cannot be read, or that a service or importer refused."""


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row with stripped values) of a UTF-8 CSV file; the header is line 1."""
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
    line = 2
    for row in reader:
        if None in row or None in row.values():
            raise DemoDataError(f"{path.name} line {line}: not as many fields as the header")
        yield line, {name: value.strip() for name, value in row.items()}
        line = reader.line_num + 1


def read_objects(path: Path, make) -> list:
    """`make(row)` for each row; a missing column or a value that does not convert stops
    with `FILE line N: …`."""
    objects = []
    for line, row in read_rows(path):
        try:
            objects.append(make(row))
        except (KeyError, TypeError, ValueError) as err:
            raise DemoDataError(f"{path.name} line {line}: {err!r}") from None
    return objects


# Days in demo data files are relative to the day of seeding, so the demo is valid whatever
# the day: `-400d`, `+52d`, `+0d` (a `YYYY-MM-DD` date is also accepted, as written).
DAY_OFFSET = re.compile(r"([+-]\d+)d")


def resolve_day(text: str, on: date) -> date:
    """`-400d` / `+52d` → that many days from `on`; `YYYY-MM-DD` as written."""
    match = DAY_OFFSET.fullmatch(text)
    if match:
        return on + timedelta(days=int(match[1]))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DemoDataError(f"{text!r} is neither a day offset (-400d, +52d) nor a date") from None


def yes(text: str) -> bool:
    """A `yes`/`no` cell."""
    if text not in ("yes", "no"):
        raise ValueError(f"write yes or no, not {text!r}")
    return text == "yes"


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
