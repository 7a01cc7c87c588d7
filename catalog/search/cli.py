"""`flask --app wsgi search reindex`."""

import click


@click.group("search", help="Manage the product search index.")
def search():
    pass


@search.command("reindex")
def reindex():
    """Rebuild the search index."""
    click.echo("search index: nothing to do yet")


commands = [search]
