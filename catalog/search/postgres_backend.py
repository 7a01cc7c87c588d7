"""The PostgreSQL backend (`SEARCH_BACKEND=postgres`): searches the live tables, so several
app servers sharing one database need no index of their own to keep fresh.

Full text with unaccent: migration 0004 creates the extensions `unaccent` and
`fuzzystrmatch` (levenshtein) and the IMMUTABLE function `ocop_fold(text)` =
lower(unaccent(text)) — unaccent maps đ/Đ to d/D, as `catalog.text.fold` — and words are
matched with `to_tsvector('simple', ocop_fold(…)) @@ plainto_tsquery('simple', word)`.

Same rules as the Whoosh backend: every word must match a word of the name, English name,
description or producer (folded); when nothing matches as typed, one typo is allowed in
words of five letters or more (first letter kept); products with every word in their name
come first, the exact whole name first of all, words typed with their diacritics next.
"""

from __future__ import annotations

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

from catalog.models import Producer, Product
from catalog.search.analysis import Word, name_key, query_words


def _fold(expression) -> ColumnElement:
    return func.ocop_fold(func.coalesce(expression, ""))


SIMPLE = literal_column("'simple'::regconfig")


def _has_word(document: ColumnElement, word: str) -> ColumnElement:
    """Full text: the folded document holds this (folded) word."""
    return func.to_tsvector(SIMPLE, document).op("@@")(func.plainto_tsquery(SIMPLE, word))


def _has_exact_word(document: ColumnElement, word: str) -> ColumnElement:
    # \m and \M are PostgreSQL's word boundaries; `word` holds only \w characters.
    return document.op("~")(literal(rf"\m{word}\M"))


def _has_near_word(document: ColumnElement, word: Word) -> ColumnElement:
    """A word of `document` within Levenshtein distance 1, with the same first letter."""
    token = func.regexp_split_to_table(document, r"\W+").table_valued("token").render_derived()
    return exists(
        select(literal(1)).select_from(token).where(
            func.length(token.c.token) >= len(word.folded) - 1,
            func.left(token.c.token, 1) == word.folded[:1],
            func.levenshtein(token.c.token, word.folded) <= 1,
        )
    )


def _as_score(condition: ColumnElement, weight: float) -> ColumnElement:
    return case((condition, literal(weight)), else_=literal(0.0))


def restrict(query: Select, q: str, *, fuzzy: bool = False) -> tuple[Select, ColumnElement]:
    """`query` (Product with Producer joined) narrowed to the products matching `q`, and a
    relevance score expression to order by. With `fuzzy`, a word of five letters or more
    may be one typo away (asked only when nothing matched as typed)."""
    words = query_words(q)
    name = _fold(Product.name)
    name_en = _fold(Product.name_en)
    body = _fold(
        func.concat_ws(" ", Product.description, Product.description_en, Producer.name,
                       Producer.name_en, Producer.craft_village, Producer.historical_origin)
    )
    conditions, in_names, scores = [], [], []
    for word in words:
        in_exact = _has_exact_word(func.lower(Product.name), word.exact)
        in_name = _has_word(name, word.folded)
        in_name_en = _has_word(name_en, word.folded)
        in_body = _has_word(body, word.folded)
        named = [in_name, in_name_en]
        elsewhere = [in_body]
        scores += [_as_score(in_exact, 3.0), _as_score(in_name, 2.0),
                   _as_score(in_name_en, 1.5), _as_score(in_body, 0.5)]
        if fuzzy and word.fuzzy:
            near_name = _has_near_word(name, word)
            named.append(near_name)
            elsewhere.append(_has_near_word(func.concat_ws(" ", name_en, body), word))
            scores.append(_as_score(near_name, 0.8))
        conditions.append(or_(*named, *elsewhere))
        in_names.append(or_(*named))
    # As the Whoosh backend: products with every word in their name come first.
    scores.append(_as_score(and_(*in_names), 100.0))
    whole_name = func.btrim(func.regexp_replace(name, r"\W+", " ", "g"))
    scores.append(_as_score(whole_name == name_key(q), 10.0))
    score = cast(sum(scores[1:], scores[0]), Float) if scores else literal(0.0)
    return query.where(and_(*conditions)), score
