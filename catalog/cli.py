"""`certificates import` and `certificates remind` (CONTRACT §2)."""

import click


@click.group("certificates", help="OCOP recognition certificates.")
def certificates():
    pass


commands = [certificates]
