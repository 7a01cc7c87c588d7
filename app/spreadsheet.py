"""CSV cells a spreadsheet will not run: a cell starting with =, +, -, @, tab or carriage
return is read as a formula by Excel and LibreOffice (CSV injection), so it is prefixed
with an apostrophe. Every CSV the office exports writes its cells through `safe_cell`."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
