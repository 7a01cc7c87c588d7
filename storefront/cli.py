"""`flask --app wsgi orders …`: the office's side of payments and the reservation tidy-up."""

from __future__ import annotations

from pathlib import Path

import click

from app.errors import DomainError
from app.extensions import db
from storefront import cash_orders, order_mail
from storefront import confirmation as order_services
from storefront.payments import statements


@click.group("orders")
def orders_group():
    """Orders: expire unpaid reservations, record bank transfers."""


@orders_group.command("expire")
def expire():
    """Cancel unpaid card / bank-transfer orders whose reservation has ended (a tidy-up:
    expired reservations already free their units without it), and cash orders' shipments
    not confirmed by their producer in COD_CONFIRM_HOURS (their units come back)."""
    numbers = order_services.expire_unpaid(db.session)
    for order, lines in cash_orders.expire_unconfirmed(db.session):
        order_mail.send_after_commit(db.session, order_mail.lines_cancelled_mail(
            order, lines, headline=order_mail.NOT_CONFIRMED))
        numbers.append(order.number)
    db.session.commit()
    for number in numbers:
        click.echo(f"cancelled {number}")
    click.echo(f"expired {len(numbers)}")


@orders_group.command("mark-paid")
@click.argument("number")
@click.option("--amount", type=int, default=None, help="Đồng received (default: the order total).")
@click.option("--note", default=None, help="E.g. the bank's transaction id.")
def mark_paid(number: str, amount: int | None, note: str | None):
    """Record the bank transfer of order NUMBER as received (the gate runs again)."""
    try:
        confirmation = order_services.mark_paid(db.session, number, amount_vnd=amount, note=note)
        order_mail.send_after_commit(db.session, order_mail.confirmation_mail(confirmation))
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    order = confirmation.order
    if confirmation.already:
        click.echo(f"{order.number} was already paid")
        return
    for line, why in confirmation.cancelled:
        click.echo(f"cancelled {line.product_name}: {why}")
    if confirmation.refunded_vnd:
        click.echo(f"refund due: {confirmation.refunded_vnd} VND (transfer it back to the customer)")
    click.echo(f"{order.number} paid: {order.status}/{order.payment_status}")


@orders_group.command("import-statement")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_statement(path: Path):
    """Match a bank statement CSV (date,amount,description) to bank-transfer orders by their
    reference (OCOP…) and amount. All or nothing: any bad line refuses the whole file."""
    try:
        result = statements.import_statement(db.session, path.read_text(encoding="utf-8"))
        order_mail.send_after_commit(db.session, *map(order_mail.confirmation_mail,
                                                      result.confirmations))
        db.session.commit()
    except UnicodeDecodeError:
        raise click.ClickException("the file is not UTF-8 text") from None
    except DomainError as err:
        db.session.rollback()
        for line in (err.details or {}).get("errors") or [err.message]:
            click.echo(line, err=True)
        raise click.ClickException("nothing imported") from None
    for note in result.skipped:
        click.echo(f"skipped {note}")
    click.echo(f"paid {len(result.paid)}, already paid {len(result.already_paid)}, "
               f"skipped {len(result.skipped)}")


commands = [orders_group]
