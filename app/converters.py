"""URL converters. `<int:...>` is bounded to the database's INTEGER range: an id that no row
can have (beyond 2**31 − 1, PostgreSQL's INTEGER; SQLite would overflow at 2**63) is simply
not a URL of the app — 404, never a driver overflow turned into a 500."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

# Every primary key reached through a URL is a PostgreSQL INTEGER (migrations/versions).
MAX_DB_INT = 2**31 - 1


class DatabaseIntConverter(IntegerConverter):
    """Flask's `int` converter with `max` defaulting to the largest INTEGER id."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_DB_INT, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_converters(app: Flask) -> None:
    """Before any blueprint: rules pick their converter when they are added."""
    app.url_map.converters["int"] = DatabaseIntConverter
