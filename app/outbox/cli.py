"""`flask mail retry` (every few minutes from a systemd timer) and `flask mail status`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.outbox import services

mail = AppGroup("mail", help="E-mail that could not be delivered at once.")


@mail.command("retry")
@click.option("--all", "everything", is_flag=True, help="Also messages not due yet or given up.")
def retry_command(everything: bool) -> None:
    """Deliver the queued messages that are due."""
    report = services.retry(db.session, everything=everything)
    db.session.commit()
    click.echo(f"sent {len(report.sent)}, failed {len(report.failed)}, "
               f"given up {len(report.given_up)}, still queued {services.pending_count(db.session)}")


@mail.command("status")
def status_command() -> None:
    """How many messages wait for delivery."""
    click.echo(f"queued {services.pending_count(db.session)}")


commands = [mail]
