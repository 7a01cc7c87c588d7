"""How text becomes search terms, shared by every backend and by the highlighter.

Vietnamese is folded (NFD, combining marks dropped, đ/Đ → d, lowercased: `catalog.text.fold`)
so that `nuoc mam`, `nước mắm` and `NUOC MAM` are the same words; the exact lowercased word
is kept beside it so that a query typed with diacritics ranks the exact spelling first
(`mắm` before `mâm`). Words of FUZZY_MIN_LENGTH letters or more tolerate one typo
(Levenshtein distance 1, first letter kept), like Whoosh's FuzzyTerm.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup

from catalog.text import fold

WORD = re.compile(r"\w+")
FUZZY_MIN_LENGTH = 5
MAX_QUERY_WORDS = 12


def nfc(text: str | None) -> str:
    """Precomposed form: Python's `\\w` does not match a bare combining mark."""
    return unicodedata.normalize("NFC", text or "")


@dataclass(frozen=True)
class Word:
    exact: str  # lowercased, diacritics kept
    folded: str  # lowercased, diacritics dropped

    @property
    def fuzzy(self) -> bool:
        return len(self.folded) >= FUZZY_MIN_LENGTH


def query_words(q: str | None) -> list[Word]:
    """The distinct words of a query, in order (at most MAX_QUERY_WORDS)."""
    words: list[Word] = []
    seen: set[str] = set()
    for match in WORD.finditer(nfc(q)):
        exact = match.group().lower()
        if exact in seen:
            continue
        seen.add(exact)
        words.append(Word(exact, fold(exact)))
        if len(words) == MAX_QUERY_WORDS:
            break
    return words


def name_key(text: str | None) -> str:
    """A whole name, folded and with punctuation flattened: `Cơm cháy!` → `com chay`."""
    return " ".join(fold(w) for w in WORD.findall(nfc(text)))


def within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance ≤ 1 (no transpositions, as Whoosh's automaton)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


LEXEME_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def one_edit_variants(folded: str, alphabet: str = LEXEME_ALPHABET) -> set[str]:
    """Every word within Levenshtein distance 1 of `folded` with the same first letter
    (`within_one_edit`), spelled with `alphabet` (folded words are ASCII letters and
    digits): what a typo-tolerant lookup asks an index for, term by term."""
    head, found = folded[:1], {folded}
    for i in range(1, len(folded) + 1):
        found.update(folded[:i] + c + folded[i:] for c in alphabet)  # one letter more
        if i < len(folded):
            found.add(folded[:i] + folded[i + 1 :])  # one letter less
            found.update(folded[:i] + c + folded[i + 1 :] for c in alphabet)  # one wrong
    return {v for v in found if v[:1] == head}


def word_matches(token_folded: str, word: Word) -> bool:
    if token_folded == word.folded:
        return True
    return (
        word.fuzzy
        and len(token_folded) >= FUZZY_MIN_LENGTH - 1
        and token_folded[:1] == word.folded[:1]
        and within_one_edit(token_folded, word.folded)
    )


@lru_cache(maxsize=256)
def _highlighted_words(q: str | None) -> tuple[Word, ...]:
    return tuple(query_words(q))


@lru_cache(maxsize=65536)
def _token_matches(token: str, words: tuple[Word, ...]) -> bool:
    """A page of cards highlights the same few words in the same names again and again:
    each (token, query) pair is folded and compared once."""
    folded = fold(token)
    return any(word_matches(folded, w) for w in words)


def highlight(text: str | None, q: str | None, *, snippet: int | None = None) -> Markup:
    """`text` HTML-escaped, with the words that match `q` wrapped in `<mark>`.

    With `snippet=N`, about N characters around the first match (the start of the text when
    nothing matches), with an ellipsis where text was cut. Safe for any text: every piece
    that is not our own `<mark>` tag is escaped.
    """
    text = nfc(text)
    words = _highlighted_words(q)
    spans = []
    if words:
        for match in WORD.finditer(text):
            if _token_matches(match.group(), words):
                spans.append((match.start(), match.end()))
    start, end = 0, len(text)
    if snippet is not None and len(text) > snippet:
        if spans:
            start = max(0, spans[0][0] - snippet // 3)
            # Begin at a word boundary.
            while 0 < start < spans[0][0] and not text[start - 1].isspace():
                start += 1
        end = min(len(text), start + snippet)
        while start < end < len(text) and not text[end].isspace():
            end -= 1
        if end <= start:
            end = min(len(text), start + snippet)
    # Markup.join escapes every plain-str piece; only our own <mark> tags are Markup.
    pieces: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if e <= cursor or s >= end:
            continue
        s, e = max(s, cursor), min(e, end)
        pieces.append(text[cursor:s])
        pieces.append(Markup("<mark>{}</mark>").format(text[s:e]))
        cursor = e
    pieces.append(text[cursor:end])
    if end < len(text):
        pieces.append("…")
    return Markup("").join(pieces)
