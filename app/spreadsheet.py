"""CSV files a spreadsheet will not run. A cell starting with =, +, -, @, tab or carriage
return is read as a formula by Excel and LibreOffice (CSV injection), so it is written with
an apostrophe in front — except a genuine number (`-5000` stays a number). Every CSV the app
writes goes through `writer()` (a test fails on any other `csv.writer`).

The prefix can be undone: `unescape_cell` gives back the original text, so a file this app
exported and imports again (the certificates, CONTRACT §5) reads exactly what was written.
A text that itself starts with apostrophes before a formula character gets one more, so the
round trip is exact for every text."""

from __future__ import annotations

import csv
import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+([.,]\d+)?|\.\d+)([eE][+-]?\d+)?")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")


def _needs_prefix(text: str) -> bool:
    stripped = text.lstrip("'")
    return stripped.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(stripped)


def safe_cell(value: Any) -> str | int | float:
    """The cell as a spreadsheet may open it: numbers stay numbers, formula-like text is
    prefixed with an apostrophe."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    text = "" if value is None else str(value)
    return "'" + text if _needs_prefix(text) else text


def unescape_cell(text: str) -> str:
    """The original text of a cell `safe_cell` wrote (importers call this on every cell)."""
    return text[1:] if _ESCAPED.match(text) and not NUMBER.fullmatch(text.lstrip("'")) else text


class SafeWriter:
    """`csv.writer`, with every cell through `safe_cell`."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def writer(out, **options) -> SafeWriter:
    """The only way the app writes CSV: `spreadsheet.writer(out, lineterminator="\\n")`."""
    return SafeWriter(out, **options)
