"""`flask --app wsgi search reindex`."""

import click

from app.extensions import db
from catalog import search
from catalog.search import whoosh_backend


@click.group("search", help="Manage the product search index.")
def search_group():
    pass


@search_group.command("reindex")
def reindex():
    """Rebuild the search index from the database, with a progress bar."""
    if search.backend_name() != "whoosh":
        click.echo("search: SEARCH_BACKEND=postgres searches the live tables; nothing to rebuild")
        return
    total = whoosh_backend.count_products(db.session)
    with click.progressbar(length=total, label="Indexing products", show_pos=True) as bar:
        count = search.reindex(db.session, progress=bar.update)
    click.echo(f"search index: {count} products indexed in {search.index_dir()}")


commands = [search_group]
