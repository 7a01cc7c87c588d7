"""Stamp codes (DOMAIN §6): random from `secrets`, 65 bits, printed as 13 characters of
Crockford's base32 — no I, L, O or U, so nothing is mistaken for 1, 0 or another letter.

Never sequential, never derived from ids: a forger who holds one genuine stamp learns
nothing about any other code.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 13  # 13 × 5 = 65 bits
BITS = LENGTH * 5
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
# Crockford's decoding aliases: read I and L as 1, O as 0; lower case is the same symbol.
_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0"})
# A normalised code is short; anything longer than this is refused before any work.
_MAX_INPUT = 40


def encode(value: int) -> str:
    """A non-negative integer below 2**65 as exactly 13 symbols (most significant first)."""
    if not 0 <= value < 1 << BITS:
        raise ValueError("a stamp code holds 65 bits")
    chars = []
    for _ in range(LENGTH):
        value, digit = divmod(value, 32)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def decode(code: str) -> int:
    """The integer behind a normalised code (for tests and analysis)."""
    value = 0
    for ch in code:
        value = value * 32 + _VALUES[ch]
    return value


def new_code() -> str:
    """A fresh random code: 65 bits from the operating system's CSPRNG."""
    return encode(secrets.randbits(BITS))


def new_codes(count: int) -> list[str]:
    """`count` distinct fresh codes (distinct among themselves; the database's UNIQUE
    constraint decides against codes issued before)."""
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(new_code())
    return list(codes)


def normalize(text: str | None) -> str | None:
    """The canonical code for what a person typed or a scanner read, or None when it cannot
    be a stamp code. Case-insensitive; hyphens (as printed, `7KQ2-M9XA-4TB3Z`) and
    surrounding blanks are ignored; I/L read as 1 and O as 0 (Crockford)."""
    if not text or len(text) > _MAX_INPUT:
        return None
    code = text.strip().replace("-", "").upper().translate(_ALIASES)
    if len(code) != LENGTH or any(ch not in _VALUES for ch in code):
        return None
    return code


def pretty(code: str) -> str:
    """How a code is printed for people: groups of 4-4-5 (`7KQ2-M9XA-4TB3Z`)."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
