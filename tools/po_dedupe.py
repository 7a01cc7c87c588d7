"""Drop repeated entries from a .po file, keeping the first, every other byte unchanged.

Translations merge as a union (.gitattributes), so two branches that both add the same
message leave it twice; `python tools/po_dedupe.py translations/en/LC_MESSAGES/messages.po`
repairs that after the merge.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_KEY_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural)\s')


def _key(block: str) -> str | None:
    """The block's msgctxt + msgid text (continuation lines included), or None if it has none."""
    parts, current = [], None
    for line in block.splitlines():
        if line.startswith("#"):
            continue
        match = _KEY_LINE.match(line)
        if match:
            current = match.group(1)
            parts.append(line)
        elif line.startswith('"') and current in ("msgctxt", "msgid"):
            parts.append(line)
        else:
            current = None if not line.startswith('"') else current
            if line.startswith("msgstr"):
                current = None
    keyed = [p for p in parts if not p.startswith("msgid_plural")]
    return "\n".join(keyed) or None


def dedupe(text: str) -> tuple[str, int]:
    blocks = re.split(r"\n\s*\n", text.strip("\n"))
    seen: set[str] = set()
    kept, dropped = [], 0
    for block in blocks:
        key = _key(block)
        if key is not None and key != 'msgid ""' and key in seen:
            dropped += 1
            continue
        if key is not None:
            seen.add(key)
        kept.append(block)
    return "\n\n".join(kept) + "\n", dropped


def main(paths: list[str]) -> int:
    for path in paths:
        text, dropped = dedupe(Path(path).read_text(encoding="utf-8"))
        Path(path).write_text(text, encoding="utf-8")
        print(f"{path}: {dropped} repeated entr{'y' if dropped == 1 else 'ies'} dropped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
