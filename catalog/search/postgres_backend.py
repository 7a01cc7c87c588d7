"""The PostgreSQL backend (`SEARCH_BACKEND=postgres`): searches the live tables, so several
app servers sharing one database need no index of their own to keep fresh.

Full text with unaccent: migration 0004 creates the extension `unaccent` and the
IMMUTABLE function `ocop_fold(text)` = lower(unaccent(text)) — unaccent maps đ/Đ to d/D,
as `catalog.text.fold`. Migration 0014_search stores each product's words as
`products.search_vector` (folded, `simple` configuration; weight A = name, B = English
name, C = descriptions and producer), kept by triggers and indexed with GIN: the match is
one index lookup on `products` alone, which returns each match's score (`scores`); the
gate, the filters, the count and the page come from the day's listable table
(`catalog.search.listable`), as for Whoosh.

Same rules as the Whoosh backend: every word must match a word of the name, English name,
description or producer (folded); when nothing matches as typed, one typo is allowed in
words of five letters or more (first letter kept); products with every word in their name
come first, the exact whole name first of all, words typed with their diacritics next.
"""

from __future__ import annotations

import re

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session

from catalog.models import Product
from catalog.search.analysis import Word, name_key, one_edit_variants, query_words

SIMPLE = literal_column("'simple'::regconfig")
NAME, NAME_EN, BODY = "A", "B", "C"
_LEXEME = re.compile(r"[^\W_]+")


def _vector() -> ColumnElement:
    return Product.__table__.c.search_vector


def _tsquery(word: str, weights: str = "") -> str:
    """`to_tsquery` text: every piece of the (folded) word, quoted, optionally restricted to
    weights (`'nuoc':A`); `_` is a separator for PostgreSQL's parser, as for Whoosh's."""
    pieces = _LEXEME.findall(word) or [word]
    suffix = f":{weights}" if weights else ""
    return " & ".join(f"'{piece}'{suffix}" for piece in pieces)


def _has(word: str, weights: str = "") -> ColumnElement:
    return _matches(_tsquery(word, weights))


def _matches(tsquery: str) -> ColumnElement:
    return _vector().op("@@")(func.to_tsquery(SIMPLE, tsquery))


def _has_exact_word(document: ColumnElement, word: str) -> ColumnElement:
    # \m and \M are PostgreSQL's word boundaries; `word` holds only \w characters.
    return document.op("~")(literal(rf"\m{word}\M"))


def _near(word: Word, spellings: list[str], weights: str = "") -> str:
    """`to_tsquery` text for a word of the product's vector within Levenshtein distance 1
    of `word`, with the same first letter (in the given weights only, when given), out of
    the `spellings` that exist (`_spellings`)."""
    suffix = f":{weights}" if weights else ""
    return " | ".join([f"({_tsquery(word.folded, weights)})",
                       *(f"'{spelling}'{suffix}" for spelling in spellings
                         if spelling != word.folded)])


def _spellings(session: Session, word: Word) -> list[str]:
    """The words one typo away from `word` (same first letter) that some product has: every
    candidate spelling is asked of the GIN index, one cheap probe each, so the match itself
    is a lookup of the few that exist (a tsquery of hundreds of alternatives makes
    PostgreSQL scan the table)."""
    variants = sorted(v for v in one_edit_variants(word.folded) if _LEXEME.fullmatch(v))
    found = session.execute(text(
        "SELECT v FROM unnest(CAST(:variants AS text[])) AS v WHERE EXISTS (SELECT 1 FROM"
        " products WHERE search_vector @@ to_tsquery('simple', quote_literal(v)))"),
        {"variants": variants})
    return [spelling for (spelling,) in found]


def _as_score(condition: ColumnElement, weight: float) -> ColumnElement:
    return case((condition, literal(weight)), else_=literal(0.0))


def _conditions(session: Session, q: str,
                fuzzy: bool) -> tuple[list[ColumnElement], ColumnElement]:
    """(what a product must satisfy to match `q`, its relevance score). The match is one
    GIN lookup for every word at once; with `fuzzy`, a word of five letters or more may
    be one typo away, the others must still match as typed."""
    words = query_words(q)
    every_word, in_names, scores = [], [], []
    for word in words:
        near = fuzzy and word.fuzzy
        spellings = _spellings(session, word) if near else []
        every_word.append(f"({_near(word, spellings) if near else _tsquery(word.folded)})")
        in_exact = _has_exact_word(func.lower(Product.name), word.exact)
        scores += [_as_score(in_exact, 3.0), _as_score(_has(word.folded, NAME), 2.0),
                   _as_score(_has(word.folded, NAME_EN), 1.5),
                   _as_score(_has(word.folded, BODY), 0.5)]
        if near:
            near_name = _matches(_near(word, spellings, NAME + NAME_EN))
            scores.append(_as_score(near_name, 0.8))
            in_names.append(near_name)
        else:
            in_names.append(_has(word.folded, NAME + NAME_EN))
    conditions = [_matches(" & ".join(every_word))] if every_word else []
    # As the Whoosh backend: products with every word in their name come first.
    scores.append(_as_score(and_(*in_names), 100.0))
    scores.append(_whole_name_score(q))
    score = cast(sum(scores[1:], scores[0]), Float) if scores else literal(0.0)
    return conditions, score


def _whole_name_score(q: str) -> ColumnElement:
    """10 when the whole name, folded, is the query. Folding (`unaccent`) is the costly part
    of scoring, so it is asked only of names with as many words as the query (a cheap
    regular expression on the name as it is): a broad query folds a few names, not
    thousands."""
    key = name_key(q)
    count = len(key.split())
    if not count:
        return literal(0.0)
    # A word may carry combining marks (a name not in NFC): they belong to the word.
    word, gap = r"[\w\u0300-\u036f]+", r"[^\w\u0300-\u036f]+"
    pattern = f"^({gap})?{word}" + (f"({gap}{word}){{{count - 1}}}" if count > 1 else "") + f"({gap})?$"
    as_many_words = Product.name.op("~")(literal(pattern))
    whole_name = func.btrim(func.regexp_replace(func.ocop_fold(Product.name), r"\W+", " ", "g"))
    return case((as_many_words, _as_score(whole_name == key, 10.0)), else_=literal(0.0))


def restrict(session: Session, query: Select, q: str, *,
             fuzzy: bool = False) -> tuple[Select, ColumnElement]:
    """`query` (Product with Producer joined) narrowed to the products matching `q`, and a
    relevance score expression to order by. With `fuzzy`, a word of five letters or more
    may be one typo away (asked only when nothing matched as typed)."""
    conditions, score = _conditions(session, q, fuzzy)
    return query.where(and_(*conditions)), score


def scores(session: Session, q: str, *, fuzzy: bool = False) -> dict[int, float]:
    """{product id: relevance score} of every product matching `q`, listable or not: one
    GIN lookup on `products` alone, no join. The caller applies the gate (the day's
    listable table, as for Whoosh), counts, and keeps a page: joining the gate's timeline
    for every match of a broad query cost several times the lookup itself."""
    conditions, score = _conditions(session, q, fuzzy)
    # Core rows, not ORM ones: a broad query returns thousands of (id, score) pairs.
    return dict(session.connection().execute(select(Product.id, score).where(*conditions)).all())
