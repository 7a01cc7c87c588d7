"""The trace page's shells: a genuine stamp's page rendered once per lot, then filled per scan.

The page of a genuine stamp, for a visitor with no cookie (every first scan), is rendered
once per lot, language, local date and catalogue version — what everything on it but the
slots below depends on (a lot never changes; a void makes another verdict, rendered each
time) — then each scan fills in its own code and counts. It holds no form (the report form
is a page of its own), so no session, cookie or CSRF token either. Used by the view
(traceability.views) and by the scan lane before Flask (traceability.scanlane).
"""

from __future__ import annotations

from app.templating import vn_date
from traceability.trace import GENUINE, Recent

PREFIX = "/t/"
CODE_SLOT, PRETTY_CODE_SLOT = "\x00code\x00", "\x00pretty-code\x00"
SCAN_COUNT_SLOT, FIRST_SCAN_SLOT = "\x00scan-count\x00", "\x00first-scan\x00"
page_shells = Recent(512)  # ≈ 15 kB each


def shown_from_a_shell(record, path: str) -> bool:
    """Whether this scan's page may come from its lot's shell: a genuine stamp reached by its
    own canonical address (the visitor's side — no cookie, the page cache on — is the
    caller's)."""
    return record.verdict == GENUINE and path == PREFIX + record.code


def shell_key(engine, record, on, locale: str) -> tuple:
    return (engine, record.lot_id, record.catalog_version, on, locale)


def make_shell(html: str, record) -> str:
    """A page rendered with the slots for counts: its code put back into slots too."""
    return html.replace(record.pretty_code, PRETTY_CODE_SLOT).replace(record.code, CODE_SLOT)


def fill_shell(shell: str, record) -> str:
    """A genuine stamp's page from its lot's shell: this scan's code and counts filled in."""
    return (shell.replace(CODE_SLOT, record.code).replace(PRETTY_CODE_SLOT, record.pretty_code)
            .replace(SCAN_COUNT_SLOT, str(record.scan_count))
            .replace(FIRST_SCAN_SLOT, vn_date(record.first_scan_at)))
