"""URL converters. `<int:...>` is bounded to the database's INTEGER range: an id that no row
can have (beyond 2**31 − 1, PostgreSQL's INTEGER; SQLite would overflow at 2**63) is simply
not a URL of the app — 404, never a driver overflow turned into a 500.

The bound lives in the converter's regex, not only in `to_python`: werkzeug checks a rule's
methods before converting, so a value refused by `to_python` on a path served by two rules
(GET here, PUT there) would answer 405 instead of 404."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

# Every primary key reached through a URL is a PostgreSQL INTEGER (migrations/versions).
MAX_DB_INT = 2**31 - 1


def at_most(limit: int) -> str:
    """A regex matching the decimal numbers 0…limit (leading zeros allowed, as Flask's `int`)."""
    digits = str(limit)
    alternatives = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - i - 1
            alternatives.append(digits[:i] + f"[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    alternatives.append(digits)
    return "0*(?:" + "|".join(alternatives) + ")"


class DatabaseIntConverter(IntegerConverter):
    """Flask's `int` converter, bounded to 0…2**31 − 1."""

    regex = at_most(MAX_DB_INT)

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_DB_INT, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        if signed:
            self.regex = "-?" + at_most(max)


def register_converters(app: Flask) -> None:
    """Before any blueprint: rules pick their converter when they are added."""
    app.url_map.converters["int"] = DatabaseIntConverter
