"""`certificates import` and `certificates remind` (CONTRACT §2)."""

from __future__ import annotations

from pathlib import Path

import click

from app.extensions import db
from catalog import importer, reminders


@click.group("certificates", help="OCOP recognition certificates.")
def certificates():
    pass


@certificates.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate the whole file; write nothing.")
def import_certificates(file: Path, dry_run: bool):
    """Import a recognition-decision list (CSV, UTF-8; columns in CONTRACT §5).

    The whole file is validated first: if any row is invalid, nothing is written, every bad
    row is reported as `line N: reason` and the exit status is 1."""
    outcome = importer.import_csv_bytes(db.session, file.read_bytes(), dry_run=dry_run)
    if outcome.errors:
        db.session.rollback()
        for error in outcome.errors:
            click.echo(error, err=True)
        click.echo(f"nothing imported: {len(outcome.errors)} bad line(s) in {file.name}",
                   err=True)
        raise SystemExit(1)
    if dry_run:
        db.session.rollback()
        click.echo(f"valid: would import {outcome.imported}, update {outcome.updated}")
        return
    db.session.commit()
    click.echo(f"imported {outcome.imported}, updated {outcome.updated}")


@certificates.command("remind")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Remind certificates ending within this many days "
                   "(default CERTIFICATE_REMINDER_DAYS, 60).")
@click.option("--dry-run", is_flag=True, help="List who would be reminded; send nothing.")
@click.option("--again", is_flag=True,
              help="Also remind certificates already reminded at their current stage.")
def remind(days: int | None, dry_run: bool, again: bool):
    """E-mail each producer whose certificates end soon (one message per producer). Each
    certificate is reminded once when it enters the window, again at 30 and at 7 days."""
    report = reminders.send_reminders(db.session, within_days=days, dry_run=dry_run, again=again)
    if not dry_run:
        db.session.commit()  # what was sent is recorded, so tomorrow's run does not repeat it
    for reminder in report.sent:
        items = ", ".join(f"{d.product.name} ({d.certificate.valid_until:%d/%m/%Y})"
                          for d in reminder.due)
        click.echo(f"{'would remind' if dry_run else 'reminded'} {reminder.producer.name} "
                   f"<{', '.join(reminder.recipients)}>: {items}")
    for reminder in report.unreachable:
        click.echo(f"skipped {reminder.producer.name} (tax code {reminder.producer.tax_code}): "
                   f"no e-mail address; {len(reminder.due)} certificate(s) ending soon, "
                   f"phone {reminder.producer.phone or 'unknown'}", err=True)
    if dry_run:
        click.echo(f"would send {len(report.sent)} reminders for {report.certificates} "
                   "certificates")
    else:
        click.echo(report.summary())


commands = [certificates]
