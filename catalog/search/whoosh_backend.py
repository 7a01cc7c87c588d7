"""The embedded Whoosh index (the default backend): text only, one document per product.

The index never decides what may be shown: it holds every product's words, listable or
not, and answers with candidate ids in rank order; `catalog.search.search_products` keeps
those the certificate gate lets through today. So a certificate ending tonight needs no
reindex, and certificates are not indexed at all.

Ranking (BM25F with per-term boosts): the whole name typed exactly ≫ a name word with its
diacritics ≫ a folded name word ≫ the English name ≫ one-typo name words ≫ description,
producer and place words.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload
from whoosh import index as whoosh_index
from whoosh import writing
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer
from whoosh.fields import ID, TEXT, Schema
from whoosh.query import And, AndMaybe, FuzzyTerm, Or, Term
from whoosh.writing import AsyncWriter

from catalog.models import Product
from catalog.search.analysis import name_key, nfc, query_words
from catalog.text import fold

log = logging.getLogger(__name__)

# Bump when the schema or the analysis changes: an index under an older name is rebuilt.
INDEX_NAME = "products_v2"
MAX_CANDIDATES = 10_000

GROUP_WORDS = {
    "food": "Thực phẩm food",
    "beverage": "Đồ uống beverage drink",
    "herbal": "Thảo dược dược liệu herbal",
    "textile": "Vải may mặc textile",
    "craft": "Lưu niệm nội thất trang trí craft",
    "tourism": "Du lịch cộng đồng tourism",
}


class FoldFilter(Filter):
    """Vietnamese folding as a Whoosh filter: `Nước` → `nuoc`, `Đậu` → `dau`."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


def folding_analyzer():
    return RegexTokenizer(r"\w+") | FoldFilter()


def exact_analyzer():
    return RegexTokenizer(r"\w+") | LowercaseFilter()


def schema() -> Schema:
    folded = dict(analyzer=folding_analyzer(), phrase=False)
    return Schema(
        id=ID(stored=True, unique=True),
        name_key=ID(stored=True),
        name_exact=TEXT(analyzer=exact_analyzer(), phrase=False),
        name=TEXT(**folded),
        name_en=TEXT(**folded),
        description=TEXT(**folded),
        context=TEXT(**folded),
    )


def document(product: Product) -> dict:
    """The words of one product (its producer and place included)."""
    producer = product.producer
    context = [
        producer.name,
        producer.name_en,
        producer.craft_village,
        producer.historical_origin,
        producer.ward_name,
        producer.province_name,
        GROUP_WORDS.get(product.group, ""),
    ]
    return {
        "id": str(product.id),
        "name_key": name_key(product.name),
        "name_exact": nfc(product.name),
        "name": nfc(product.name),
        "name_en": nfc(product.name_en),
        "description": nfc(f"{product.description or ''} {product.description_en or ''}"),
        "context": nfc(" ".join(part for part in context if part)),
    }


# --- Opening ------------------------------------------------------------------------------

def exists(directory: str | os.PathLike) -> bool:
    return Path(directory).is_dir() and whoosh_index.exists_in(str(directory), INDEX_NAME)


def open_index(directory: str | os.PathLike, *, create: bool = False):
    """The index in `directory`, or None when there is none (an empty one with `create`)."""
    if exists(directory):
        return whoosh_index.open_dir(str(directory), indexname=INDEX_NAME)
    if not create:
        return None
    Path(directory).mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(directory), schema(), indexname=INDEX_NAME)


def ensure_index(session: Session, directory: str | os.PathLike):
    """The index, built from the database first when it is missing (a fresh install)."""
    ix = open_index(directory)
    if ix is None:
        log.info("search index missing in %s: building it", directory)
        rebuild(session, directory)
        ix = open_index(directory)
    return ix


# --- Writing ------------------------------------------------------------------------------

def write_documents(ix, documents: Iterable[dict], *, clear: bool = False,
                    progress: Callable[[int], None] | None = None, limitmb: int = 128) -> int:
    """Add documents; with `clear`, they replace the whole index in one commit."""
    writer = ix.writer(limitmb=limitmb)
    count = 0
    try:
        for doc in documents:
            if clear:
                writer.add_document(**doc)
            else:
                writer.update_document(**doc)
            count += 1
            if progress is not None:
                progress(1)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=writing.CLEAR if clear else writing.MERGE_SMALL)
    return count


def rebuild(session: Session, directory: str | os.PathLike,
            progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database; searches see the old one until the end."""
    ix = open_index(directory, create=True)
    products = session.scalars(
        select(Product).options(joinedload(Product.producer)).order_by(Product.id)
        .execution_options(yield_per=500)
    )
    return write_documents(ix, (document(p) for p in products), clear=True, progress=progress)


def count_products(session: Session) -> int:
    return session.scalar(select(func.count(Product.id))) or 0


def apply_changes(directory: str | os.PathLike, changes: dict[int, dict | None]) -> None:
    """Write changed documents (None deletes). An index that does not exist yet is left
    alone: the first search builds it whole from the database.

    AsyncWriter: when another process holds the index lock, the writes are replayed from a
    thread as soon as it is free, so a web request never waits for it."""
    ix = open_index(directory)
    if ix is None:
        return
    writer = AsyncWriter(ix)
    for product_id, doc in changes.items():
        if doc is None:
            writer.delete_by_term("id", str(product_id))
        else:
            writer.update_document(**doc)
    writer.commit()


# --- Searching ----------------------------------------------------------------------------

def build_query(q: str):
    """Every word must match somewhere (name, English name, description, producer/place,
    or a name word one typo away); the exact whole name is a large optional bonus."""
    clauses = []
    for word in query_words(q):
        alternatives = [
            Term("name_exact", word.exact, boost=3.0),
            Term("name", word.folded, boost=2.0),
            Term("name_en", word.folded, boost=1.5),
            Term("description", word.folded, boost=0.5),
            Term("context", word.folded, boost=0.5),
        ]
        if word.fuzzy:
            alternatives += [
                FuzzyTerm("name", word.folded, boost=0.8, maxdist=1, prefixlength=1),
                FuzzyTerm("name_en", word.folded, boost=0.6, maxdist=1, prefixlength=1),
                FuzzyTerm("description", word.folded, boost=0.2, maxdist=1, prefixlength=1),
            ]
        clauses.append(Or(alternatives))
    if not clauses:
        return None
    required = clauses[0] if len(clauses) == 1 else And(clauses)
    return AndMaybe(required, Term("name_key", name_key(q), boost=10.0))


def search_hits(ix, q: str, limit: int = MAX_CANDIDATES) -> list[tuple[int, str]]:
    """Candidates `(product id, name key when indexed)`, best first, not yet gated."""
    query = build_query(q)
    if query is None:
        return []
    with ix.searcher() as searcher:
        return [(int(hit["id"]), hit.get("name_key", "")) for hit in
                searcher.search(query, limit=limit)]


def search_ids(ix, q: str, limit: int = MAX_CANDIDATES) -> list[int]:
    return [product_id for product_id, _ in search_hits(ix, q, limit)]


def candidates(session: Session, directory: str | os.PathLike, q: str) -> list[tuple[int, str]]:
    return search_hits(ensure_index(session, directory), q)
