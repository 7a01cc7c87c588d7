"""`flask --app wsgi stamps issue …`: create a lot if new and issue its QR stamps."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app

from app.clock import today
from app.errors import Conflict, DomainError
from app.extensions import db
from catalog.services import get_product
from traceability import printing, services

FORMATS = ("txt", "csv", "svg", "pdf")


@click.group("stamps")
def stamps():
    """Lots and QR stamps."""


def _page_paths(out: Path, pages: int) -> list[Path]:
    """`sheet.svg` for one page; `sheet.svg`, `sheet-2.svg`, … for several."""
    return [out if i == 0 else out.with_name(f"{out.stem}-{i + 1}{out.suffix}")
            for i in range(pages)]


@stamps.command("issue")
@click.option("--product", "product_slug", required=True, help="Product slug.")
@click.option("--lot", "lot_number", required=True, help="Lot number (created when new).")
@click.option("--count", type=click.IntRange(1, services.MAX_STAMPS_PER_CALL), required=True,
              help="How many stamps (1 to 10,000).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="txt", show_default=True,
              help="txt: one trace URL per line; csv: code,url,lot,product; svg/pdf: A4 sheets.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (txt/csv default to stdout; svg/pdf to stamps-<product>-<lot>.<ext>).")
@click.option("--produced-on", type=click.DateTime(["%Y-%m-%d"]),
              help="Production date of a new lot (default: today).")
@click.option("--best-before", type=click.DateTime(["%Y-%m-%d"]), help="Best-before of a new lot.")
@click.option("--quantity", type=click.IntRange(1), help="Units in a new lot (default: --count).")
def issue(product_slug: str, lot_number: str, count: int, fmt: str, out: Path | None,
          produced_on, best_before, quantity: int | None):
    """Create the lot if new and issue COUNT stamps for it."""
    try:
        product = get_product(db.session, product_slug)
        lot_number = services.validate_lot_number(lot_number)
        lot = services.find_lot(db.session, product, lot_number)
        if lot is None:
            lot = services.create_lot(
                db.session, product, lot_number=lot_number,
                produced_on=_date(produced_on) or today(), best_before=_date(best_before),
                quantity=quantity or count,
            )
        stars = services.stamp_stars(product)
        issued = services.issue_stamps(db.session, lot, count)
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(f"{err.code}: {err.message}") from None
    labels = printing.labels(current_app.config["BASE_URL"], [s.code for s in issued])
    title = f"{product.slug} lot {lot.lot_number}"
    # Render before committing: a sheet that cannot be written leaves no orphan stamps.
    if fmt == "txt":
        text = printing.urls_txt(labels)
    elif fmt == "csv":
        text = printing.stamps_csv(labels, lot_number=lot.lot_number, product_slug=product.slug)
    else:
        target = out or Path(f"stamps-{product.slug}-{lot.lot_number}.{fmt}")
        if fmt == "pdf":
            files = {target: printing.sheet_pdf(labels, stars=stars, title=title)}
        else:
            pages = printing.sheet_svg_pages(labels, stars=stars, title=title)
            files = {path: page.encode() for path, page in
                     zip(_page_paths(target, len(pages)), pages, strict=True)}
        for path, data in files.items():
            path.write_bytes(data)
        db.session.commit()
        names = ", ".join(str(p) for p in files)
        click.echo(f"issued {len(issued)} stamps for lot {lot.lot_number} of {product.slug}: {names}")
        return
    if out is not None:
        out.write_text(text, encoding="utf-8")
    db.session.commit()
    if out is None:
        click.echo(text, nl=False)
    click.echo(f"issued {len(issued)} stamps for lot {lot.lot_number} of {product.slug}", err=True)


@stamps.command("notify-suspicious")
def notify_suspicious():
    """Flag every stamp over the suspicious threshold not flagged yet, and mail its producer
    (run daily; the office can also flag from the board)."""
    from traceability import supervision

    threshold = current_app.config["SUSPICIOUS_SCAN_CLIENTS"]
    flags = []
    for watch in supervision.suspicious_stamps(db.session, threshold=threshold):
        if watch.flag is not None:
            continue
        try:
            flags.append(supervision.flag_stamp(
                db.session, watch.stamp, officer=None,
                note=f"Flagged automatically: scanned from more than {threshold} distinct networks."))
        except Conflict:  # an officer flagged it meanwhile (and mailed the producer)
            continue
    db.session.commit()
    for flag in flags:
        supervision.flag_mail(flag)
    mailed = sum(1 for f in flags if f.mailed_to)
    click.echo(f"flagged {len(flags)} stamps, mailed {mailed} producers")


def _date(value) -> date | None:
    return value.date() if value is not None else None


@stamps.command("scan-partitions")
@click.option("--months-ahead", type=click.IntRange(1, 60), default=12, show_default=True)
def scan_partitions(months_ahead: int) -> None:
    """PostgreSQL: create the monthly partitions of `scans` to come (migration 0013).
    Run monthly by the `ocop-scan-partitions` timer; nothing to do on SQLite."""
    from sqlalchemy import text

    if db.engine.dialect.name != "postgresql":
        click.echo("scans are not partitioned on this database: nothing to do")
        return
    created = db.session.scalar(text("SELECT ocop_ensure_scan_partitions(:months)"),
                                {"months": months_ahead})
    db.session.commit()
    click.echo(f"created {created} monthly partition(s) of scans")


commands = [stamps]
