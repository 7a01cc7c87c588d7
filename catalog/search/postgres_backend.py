"""The PostgreSQL backend (`SEARCH_BACKEND=postgres`): searches the live tables, so several
app servers sharing one database need no index of their own to keep fresh.

Full text with unaccent: migration 0004 creates the extensions `unaccent` and
`fuzzystrmatch` (levenshtein) and the IMMUTABLE function `ocop_fold(text)` =
lower(unaccent(text)) — unaccent maps đ/Đ to d/D, as `catalog.text.fold`. Migration
0014_search stores each product's words as `products.search_vector` (folded, `simple`
configuration; weight A = name, B = English name, C = descriptions and producer), kept by
triggers and indexed with GIN: the match is one index lookup, joined to the gate's timeline
(`listing_segments`) for the day, ranked, counted and limited in SQL.

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
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from catalog.models import Product
from catalog.search.analysis import Word, name_key, query_words

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
    return _vector().op("@@")(func.to_tsquery(SIMPLE, _tsquery(word, weights)))


def _has_exact_word(document: ColumnElement, word: str) -> ColumnElement:
    # \m and \M are PostgreSQL's word boundaries; `word` holds only \w characters.
    return document.op("~")(literal(rf"\m{word}\M"))


def _has_near_word(word: Word, weights: str | None = None) -> ColumnElement:
    """A word of the product's vector within Levenshtein distance 1, with the same first
    letter (in the given weights only, when given)."""
    lexemes = func.unnest(_vector()).table_valued("lexeme", "positions", "weights").render_derived()
    conditions = [
        func.length(lexemes.c.lexeme) >= len(word.folded) - 1,
        func.left(lexemes.c.lexeme, 1) == word.folded[:1],
        func.levenshtein(lexemes.c.lexeme, word.folded) <= 1,
    ]
    if weights:
        conditions.append(lexemes.c.weights.op("&&")(
            literal_column(f"ARRAY[{', '.join(repr(w) for w in weights)}]::text[]")))
    return exists(select(literal(1)).select_from(lexemes).where(*conditions))


def _as_score(condition: ColumnElement, weight: float) -> ColumnElement:
    return case((condition, literal(weight)), else_=literal(0.0))


def _conditions(q: str, fuzzy: bool) -> tuple[list[ColumnElement], ColumnElement]:
    """(what a product must satisfy to match `q`, its relevance score)."""
    words = query_words(q)
    conditions, in_names, scores = [], [], []
    every_word = " & ".join(f"({_tsquery(word.folded)})" for word in words)
    for word in words:
        in_exact = _has_exact_word(func.lower(Product.name), word.exact)
        in_name = _has(word.folded, NAME)
        in_name_en = _has(word.folded, NAME_EN)
        in_body = _has(word.folded, BODY)
        named = [_has(word.folded, NAME + NAME_EN)]
        scores += [_as_score(in_exact, 3.0), _as_score(in_name, 2.0),
                   _as_score(in_name_en, 1.5), _as_score(in_body, 0.5)]
        if fuzzy and word.fuzzy:
            near_name = _has_near_word(word, NAME + NAME_EN)
            named.append(near_name)
            conditions.append(or_(_has(word.folded), _has_near_word(word)))
            scores.append(_as_score(near_name, 0.8))
        in_names.append(or_(*named))
    if not fuzzy and every_word:
        # One GIN lookup for every word at once.
        conditions = [_vector().op("@@")(func.to_tsquery(SIMPLE, every_word))]
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


def restrict(query: Select, q: str, *, fuzzy: bool = False) -> tuple[Select, ColumnElement]:
    """`query` (Product with Producer joined) narrowed to the products matching `q`, and a
    relevance score expression to order by. With `fuzzy`, a word of five letters or more
    may be one typo away (asked only when nothing matched as typed)."""
    conditions, score = _conditions(q, fuzzy)
    return query.where(and_(*conditions)), score


def scores(session: Session, q: str, *, fuzzy: bool = False) -> dict[int, float]:
    """{product id: relevance score} of every product matching `q`, listable or not: one
    GIN lookup on `products` alone, no join. The caller applies the gate (the day's
    listable table, as for Whoosh), counts, and keeps a page: joining the gate's timeline
    for every match of a broad query cost several times the lookup itself."""
    conditions, score = _conditions(q, fuzzy)
    found = session.execute(select(Product.id, score).where(*conditions))
    return {product_id: value for product_id, value in found}
