"""`flask --app wsgi cycle …`: re-evaluation invitations and score-sheet imports."""

from __future__ import annotations

from pathlib import Path

import click

from app.errors import DomainError
from app.extensions import db
from evaluation import services, sheets


@click.group("cycle", help="The OCOP cycle: invitations, score sheets.")
def cycle():
    pass


@cycle.command("invite")
def invite():
    """E-mail producers whose certificate enters its last 6 months (once per certificate)."""
    count = services.send_invites(db.session)
    db.session.commit()
    click.echo(f"invited {count}")


@cycle.command("import-sheets")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_sheets(path: Path):
    """Import score sheets from CSV (all or nothing, `line N: reason`)."""
    try:
        created = sheets.import_sheets_bytes(db.session, path.read_bytes())
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        for line in err.details.get("lines", [err.message]):
            click.echo(line, err=True)
        raise SystemExit(1) from None
    click.echo(f"imported {len(created)} sheets: {', '.join(s.name for s in created)}")


commands = [cycle]
