"""`users create` and `tokens create` (CONTRACT §2)."""

from __future__ import annotations

import click

from app.accounts import services
from app.accounts.models import ROLES
from app.errors import DomainError
from app.extensions import db


@click.group("users", help="Manage users.")
def users():
    pass


@users.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--producer", "producer_tax_code", help="Tax code of the producer (role producer).")
@click.option("--sales-point", "sales_point_code", help="Code of the sales point (role sales_point).")
@click.option("--ward", "ward_code", type=int,
              help="2025 code of the commune/ward (role commune_officer).")
@click.option("--name")
def create_user(email, password, role, producer_tax_code, sales_point_code, ward_code, name):
    try:
        user = services.create_user(db.session, email=email, password=password, role=role,
                                    producer_tax_code=producer_tax_code,
                                    sales_point_code=sales_point_code, name=name,
                                    ward_code=ward_code)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    click.echo(f"created {user.role} user {user.email}")


@users.command("set-password")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when not given (not echoed).")
def set_password(email, password):
    """A new password (at least 10 characters); the user's sessions end everywhere."""
    try:
        user = services.get_user(db.session, email)
        services.set_password(db.session, user, password)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    click.echo(f"password changed for {user.email}; its sessions have ended")


@users.command("deactivate")
@click.option("--email", required=True)
def deactivate(email):
    """Refuse the user's sign-in, API tokens and sessions (at once, everywhere)."""
    _set_active(email, active=False)


@users.command("activate")
@click.option("--email", required=True)
def activate(email):
    """Let a deactivated user sign in again."""
    _set_active(email, active=True)


def _set_active(email: str, *, active: bool) -> None:
    try:
        user = services.get_user(db.session, email)
        changed = services.set_user_active(db.session, user, active=active)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    state = "active" if active else "deactivated"
    click.echo(f"{user.email} is {state}" + ("" if changed else " (no change)"))


@click.group("tokens", help="Manage API tokens.")
def tokens():
    pass


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--name", help="A label for the token.")
def create_token(email, name):
    """Create an API token; it is printed once, as the last line."""
    try:
        token = services.create_token(db.session, email, name)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    click.echo(f"token for {email} (store it now; it is not shown again):")
    click.echo(token)


commands = [users, tokens]
