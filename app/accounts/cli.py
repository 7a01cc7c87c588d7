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
