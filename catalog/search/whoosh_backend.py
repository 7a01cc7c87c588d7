"""The embedded Whoosh index (the default backend): text only, one document per product.

The index never decides what may be shown: it holds every product's words, listable or
not; `catalog.search.search_products` keeps the candidates the certificate gate lets
through today. So a certificate ending tonight needs no reindex, and certificates are not
indexed at all.

Two questions are asked of the index, because Whoosh scores in pure Python and scoring
every match of a broad query over a national catalogue is what costs:

* `candidates(q)`: which products match — every word (folded) somewhere in the `all` field
  (names, descriptions, producer, place, group). Unscored, so cheap; it is what the gate
  filters and what the total counts.
* `ranking(q)`: in what order. First the products with every word in their name, scored
  with boosts (the exact whole name ≫ a name word as typed, diacritics included ≫ a folded
  name word ≫ the English name); then, only when a page needs more, the other candidates by
  BM25 over `all`.

Typo tolerance is a fallback: only when the words as typed match nothing does a word of five
letters or more match a word one edit away (Levenshtein 1, first letter kept), so a typo
never buries exact matches under near misses.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from itertools import accumulate
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload
from whoosh import index as whoosh_index
from whoosh import writing
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.index import LockError
from whoosh.query import And, AndMaybe, FuzzyTerm, Or, Query, Term

from catalog.models import Product
from catalog.search.analysis import FUZZY_MIN_LENGTH, name_key, nfc, query_words
from catalog.text import fold

log = logging.getLogger(__name__)

# Bump when the schema or the analysis changes: an index under an older name is rebuilt.
INDEX_NAME = "products_v6"

GROUP_WORDS = {
    "food": "Thực phẩm food",
    "beverage": "Đồ uống beverage drink",
    "herbal": "Thảo dược dược liệu herbal",
    "textile": "Vải may mặc textile",
    "craft": "Lưu niệm nội thất trang trí craft",
    "ornamental": "Sinh vật cảnh cây cảnh bonsai lan ornamental",
    "tourism": "Du lịch cộng đồng tourism",
}


def name_hash(key: str) -> int:
    """64 bits of the name key: tells a stale index entry from a fresh one cheaply."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


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
    # id and name_hash are fixed-width columns, read per hit without loading documents.
    number = dict(numtype=int, bits=64, signed=False, shift_step=0, sortable=True)
    return Schema(
        id=NUMERIC(unique=True, **number),
        name_hash=NUMERIC(**number),
        name_key=ID(),
        name_exact=TEXT(analyzer=exact_analyzer(), phrase=False),
        name=TEXT(**folded),
        name_en=TEXT(**folded),
        all=TEXT(**folded),
    )


def document(product: Product) -> dict:
    """The words of one product (its producer and place included)."""
    producer = product.producer
    words = [
        product.name,
        product.name_en,
        product.description,
        product.description_en,
        producer.name,
        producer.name_en,
        producer.craft_village,
        producer.historical_origin,
        producer.ward_name,
        producer.province_name,
        GROUP_WORDS.get(product.group, ""),
    ]
    key = name_key(product.name)
    return {
        "id": product.id,
        "name_hash": name_hash(key),
        "name_key": key,
        "name_exact": nfc(product.name),
        "name": nfc(product.name),
        "name_en": nfc(product.name_en),
        "all": nfc(" ".join(part for part in words if part)),
    }


# --- Opening ------------------------------------------------------------------------------

def exists(directory: str | os.PathLike) -> bool:
    """An index of this version is in `directory` (its table of contents is there)."""
    folder = Path(directory)
    return folder.is_dir() and any(folder.glob(f"_{INDEX_NAME}_*.toc"))


_indexes: dict[str, whoosh_index.FileIndex] = {}


def open_index(directory: str | os.PathLike, *, create: bool = False):
    """The index in `directory`, or None when there is none (an empty one with `create`)."""
    key = str(directory)
    if exists(directory):
        if key not in _indexes:
            _indexes[key] = whoosh_index.open_dir(key, indexname=INDEX_NAME)
        return _indexes[key]
    _indexes.pop(key, None)
    if not create:
        return None
    Path(directory).mkdir(parents=True, exist_ok=True)
    _indexes[key] = whoosh_index.create_in(key, schema(), indexname=INDEX_NAME)
    return _indexes[key]


def forget(directory: str | os.PathLike) -> None:
    """Drop the open index and pooled searchers of `directory` (after it was replaced)."""
    _indexes.pop(str(directory), None)
    POOL.discard(str(directory))


class SearcherPool:
    """Open searchers kept for reuse (opening one reads the index's table of contents),
    one per concurrent user, replaced when the index has changed. A few directories at
    most: the least recently used one is closed."""

    def __init__(self, max_directories: int = 4):
        self._lock = threading.Lock()
        self._free: OrderedDict[str, list] = OrderedDict()
        self._max = max_directories

    @contextmanager
    def searcher(self, ix) -> Iterator:
        key = str(ix.storage.folder)
        with self._lock:
            free = self._free.setdefault(key, [])
            self._free.move_to_end(key)
            found = free.pop() if free else None
            evicted = []
            while len(self._free) > self._max:
                evicted += self._free.popitem(last=False)[1]
        for old in evicted:
            old.close()
        if found is not None and not found.up_to_date():
            # A new searcher, never `refresh()`: whoosh's reader reuse adds the segments of
            # the old reader that a merge replaced and keeps their old deletions, so after
            # enough commits a pooled searcher saw every former version of a product.
            found.close()
            found = None
        if found is None:
            found = ix.searcher()
        try:
            yield found
        finally:
            with self._lock:
                if key in self._free and len(self._free[key]) < 8:
                    self._free[key].append(found)
                    found = None
            if found is not None:
                found.close()

    def discard(self, key: str) -> None:
        with self._lock:
            searchers = self._free.pop(key, [])
        for searcher in searchers:
            try:
                searcher.close()
            except Exception:  # a searcher over deleted files: nothing left to release
                log.debug("closing a stale searcher failed", exc_info=True)

    def close_all(self) -> None:
        with self._lock:
            pools, self._free = list(self._free.values()), OrderedDict()
        for searchers in pools:
            for searcher in searchers:
                searcher.close()


POOL = SearcherPool()


_building = threading.Lock()


def ensure_index(session: Session, directory: str | os.PathLike):
    """The index, built from the database first when it is missing (a fresh install)."""
    ix = open_index(directory)
    if ix is None:
        with _building:  # one build per process; other processes wait for the index lock
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
    writer = ix.writer(limitmb=limitmb, timeout=60.0)  # waits for another writer's lock
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
    """Rebuild the whole index from the database; searches see the old one until the end.
    An index that cannot even be opened (corrupt) is replaced by a new, empty one first."""
    try:
        ix = open_index(directory, create=True)
    except Exception:  # corrupt table of contents or segments: start again from nothing
        log.warning("search index in %s cannot be opened: creating it again", directory,
                    exc_info=True)
        forget(directory)
        Path(directory).mkdir(parents=True, exist_ok=True)
        ix = _indexes[str(directory)] = whoosh_index.create_in(str(directory), schema(),
                                                               indexname=INDEX_NAME)
    products = session.scalars(
        select(Product).options(joinedload(Product.producer)).order_by(Product.id)
        .execution_options(yield_per=500)
    )
    return write_documents(ix, (document(p) for p in products), clear=True, progress=progress)


def count_products(session: Session) -> int:
    return session.scalar(select(func.count(Product.id))) or 0


def current_documents(session: Session, product_ids: Iterable[int]) -> dict[int, dict | None]:
    """The documents of these products as the database holds them now (None: deleted)."""
    ids = set(product_ids)
    products = session.scalars(
        select(Product).options(joinedload(Product.producer)).where(Product.id.in_(ids))
    ).all()
    changes: dict[int, dict | None] = dict.fromkeys(ids)
    changes.update({p.id: document(p) for p in products})
    return changes


Reader = Callable[[set[int]], dict[int, dict | None]]


def apply_changes(directory: str | os.PathLike, product_ids: Iterable[int], read: Reader) -> None:
    """Re-index these products from their current state, read by `read` only once the index
    lock is held. An index that does not exist yet is left alone: the first search builds it
    whole from the database.

    Only ids are ever buffered, never documents: a writer that gets the lock later reads the
    database later, so it can never put back an older version than the one already written
    (an AsyncWriter replaying buffered documents could). When another process holds the lock,
    a thread waits for it, so a web request never does."""
    ix = open_index(directory)
    ids = set(product_ids)
    if ix is None or not ids:
        return
    try:
        writer = ix.writer()  # no timeout: LockError at once when another writer holds it
    except LockError:
        threading.Thread(target=_write_when_free, args=(ix, ids, read), daemon=True,
                         name="search-index-writer").start()
        return
    _write_current(writer, ids, read)


def _write_when_free(ix, ids: set[int], read: Reader) -> None:
    try:
        _write_current(ix.writer(timeout=60.0), ids, read)
    except Exception:  # the commit stands; a reindex repairs the index
        log.exception("search index: could not re-index %d product(s)", len(ids))


def _write_current(writer, ids: set[int], read: Reader) -> None:
    try:
        for product_id, doc in read(ids).items():
            if doc is None:
                writer.delete_by_term("id", product_id)
            else:
                writer.update_document(**doc)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


# --- Searching ----------------------------------------------------------------------------

def _either(alternatives: list[Query]) -> Query:
    return alternatives[0] if len(alternatives) == 1 else Or(alternatives)


def _every(clauses: list[Query]) -> Query:
    return clauses[0] if len(clauses) == 1 else And(clauses)


def _near(field: str, text: str, boost: float) -> FuzzyTerm:
    return FuzzyTerm(field, text, boost=boost, maxdist=1, prefixlength=1)


def matching_query(q: str, *, fuzzy: bool = False) -> Query | None:
    """Every word (folded) somewhere in the product's words."""
    clauses = []
    for word in query_words(q):
        alternatives: list[Query] = [Term("all", word.folded)]
        if fuzzy and word.fuzzy:
            alternatives.append(_near("all", word.folded, 0.5))
        clauses.append(_either(alternatives))
    return _every(clauses) if clauses else None


def name_query(q: str, *, fuzzy: bool = False) -> Query | None:
    """Every word in the name (or the English name), with the ranking boosts."""
    clauses = []
    for word in query_words(q):
        alternatives: list[Query] = [
            Term("name_exact", word.exact, boost=3.0),
            Term("name", word.folded, boost=2.0),
            Term("name_en", word.folded, boost=1.5),
        ]
        if fuzzy and word.fuzzy:
            alternatives += [_near("name", word.folded, 0.8), _near("name_en", word.folded, 0.6)]
        clauses.append(Or(alternatives))
    if not clauses:
        return None
    return AndMaybe(_every(clauses), Term("name_key", name_key(q), boost=10.0))


def _columns(searcher) -> tuple:
    """(ids, name hashes, name lengths) by docnum, read once per searcher: the searcher is
    pooled and only replaced when the index changes, and reading a Whoosh column value by
    value per match was a sixth of a broad search at 50,000 products. The name lengths are
    filled as ranking asks for them."""
    columns = getattr(searcher, "_ocop_columns", None)
    if columns is None:
        reader = searcher.reader()
        columns = searcher._ocop_columns = (list(reader.column_reader("id")),
                                            list(reader.column_reader("name_hash")), {})
    return columns


def _name_length(searcher, docnum: int) -> int:
    lengths = _columns(searcher)[2]
    found = lengths.get(docnum)
    if found is None:
        found = lengths[docnum] = searcher.reader().doc_field_length(docnum, "name", 1) or 1
    return found


def _ids(searcher, docnums: Iterable[int]) -> list[int]:
    ids = _columns(searcher)[0]
    return [ids[docnum] for docnum in docnums]


def _leaf_postings(reader, field: str, text: str, weights: bool) -> Iterator[tuple]:
    """Blocks of one segment's posting list: (docnums, weights or None) pairs.

    Reads Whoosh's raw leaf matcher block by block instead of document by document
    through a matcher tree, and undoes the delta coding of the docnums with
    `itertools.accumulate` (C) instead of Whoosh's generator: on a broad query over a large
    catalogue that is most of the work. Relies on whoosh-reloaded's W3 codec internals,
    with the public (slower) way as a fallback."""
    try:
        matcher = reader._terms.matcher(field, reader._text_to_bytes(field, text),
                                        reader.schema[field].format)
        while matcher.is_active():
            if matcher._ids is None:
                if matcher._data is None:
                    matcher._read_data()
                ids = matcher._data[0]
                matcher._ids = ids if matcher._byteids else tuple(accumulate(ids))
            if weights and matcher._weights is None:
                matcher._read_weights()
            start = matcher._i
            yield (matcher._ids[start:], matcher._weights[start:] if weights else None)
            matcher._next_block()
    except AttributeError:
        postings = list(reader.postings(field, text).items_as("weight"))
        yield ([d for d, _w in postings], [w for _d, w in postings] if weights else None)


TERM_CACHE_ENTRIES = 400_000  # docnums kept per searcher, all terms together (some MB)


def _remembered(searcher, kind: str, field: str, texts: Iterable, read: Callable):
    """Decoded postings of recently asked terms, kept on the (pooled) searcher: a searcher
    sees one version of the index, so they cannot go stale; the popular words of a shop's
    searches are decoded once, not per query. Callers never modify what they get."""
    terms = getattr(searcher, "_ocop_terms", None)
    if terms is None:
        terms = searcher._ocop_terms = OrderedDict()
        searcher._ocop_term_entries = 0
    texts = tuple(texts)
    key = (kind, field, texts)
    found = terms.get(key)
    if found is not None:
        terms.move_to_end(key)
        return found
    found = terms[key] = read(searcher, field, texts)
    searcher._ocop_term_entries += _size(found) + 1
    while searcher._ocop_term_entries > TERM_CACHE_ENTRIES and len(terms) > 1:
        _key, old = terms.popitem(last=False)
        searcher._ocop_term_entries -= _size(old) + 1
    return found


def _size(found) -> int:
    return len(found[1]) if isinstance(found, tuple) else len(found)


def _docnums(searcher, field: str, texts: Iterable[str]) -> set[int]:
    """Docnums of the live documents holding any of `texts` in `field`."""
    return _remembered(searcher, "docnums", field, texts, _read_docnums)


def _weights(searcher, field: str, texts: Iterable[str]) -> dict[int, float]:
    """{docnum: occurrences} of any of `texts` in `field`, live documents only."""
    return _remembered(searcher, "weights", field, texts, _read_weights)


def _read_docnums(searcher, field: str, texts: tuple[str, ...]) -> set[int]:
    found: set[int] = set()
    for reader, offset in searcher.reader().leaf_readers():
        segment: set[int] = set()
        for text in texts:
            if (field, text) in reader:
                for ids, _weights in _leaf_postings(reader, field, text, weights=False):
                    segment.update(ids)
        if reader.has_deletions():
            segment -= reader.deleted_docs_set
        found.update(segment if not offset else (d + offset for d in segment))
    return found


def _read_weights(searcher, field: str, texts: tuple[str, ...]) -> dict[int, float]:
    found: dict[int, float] = {}
    for reader, offset in searcher.reader().leaf_readers():
        deleted = reader.deleted_docs_set if reader.has_deletions() else ()
        for i, text in enumerate(texts):
            if (field, text) not in reader:
                continue
            for ids, weights in _leaf_postings(reader, field, text, weights=True):
                if i == 0 and not deleted:
                    # The common case: the segment's first term, whose docnums are distinct.
                    found.update(zip(ids, weights, strict=True) if not offset else
                                 ((d + offset, w) for d, w in zip(ids, weights, strict=True)))
                    continue
                for docnum, weight in zip(ids, weights, strict=True):
                    if docnum not in deleted:
                        key = docnum + offset
                        found[key] = found.get(key, 0.0) + weight
    return found


def _variants(reader, field: str, text: str, fuzzy: bool) -> list[str]:
    if not fuzzy or len(text) < FUZZY_MIN_LENGTH:
        return [text]
    return list(reader.terms_within(field, text, 1, prefix=1)) or [text]


def matches(searcher, q: str) -> tuple[set[int], bool]:
    """`(docnums, typo_tolerant)` of every document matching `q` — every word somewhere in
    its words — unordered and not yet gated; typo tolerance only when nothing matches as
    typed. Callers never modify the set."""
    words = query_words(q)
    if not words:
        return set(), False
    reader = searcher.reader()
    docnums: set[int] = set()
    fuzzy = False
    for fuzzy in (False, True):
        if fuzzy and not any(word.fuzzy for word in words):
            break
        sets = sorted((_docnums(searcher, "all", _variants(reader, "all", w.folded, fuzzy))
                       for w in words), key=len)
        docnums = sets[0] if len(sets) == 1 else sets[0].intersection(*sets[1:])
        if docnums:
            break
    return docnums, fuzzy


def candidates(searcher, q: str) -> tuple[dict[int, int], bool]:
    """`({product id: hash of its indexed name key}, typo_tolerant)` of every product
    matching `q` (`matches()` by product id)."""
    docnums, fuzzy = matches(searcher, q)
    ids, hashes, _lengths = _columns(searcher)
    return {ids[d]: hashes[d] for d in docnums}, fuzzy


def product_ids(searcher) -> list[int]:
    """Product id by docnum (read once per pooled searcher; never modified)."""
    return _columns(searcher)[0]


def indexed_name_hash(searcher, docnum: int) -> int:
    return _columns(searcher)[1][docnum]


def _saturated(tf: float) -> float:
    return tf / (tf + 0.5)


def _name_scores(searcher, word, fuzzy: bool) -> tuple[float, dict[int, float]]:
    """(idf, {docnum: Σ boost × saturated frequency}) of one query word over the name
    fields: a word as typed with its diacritics 3, folded 2, in the English name 1.5.
    Kept on the searcher like the postings it is made of."""
    def read(searcher, _field, _texts):
        reader = searcher.reader()
        exact = _weights(searcher, "name_exact", [word.exact])
        folded = _weights(searcher, "name", _variants(reader, "name", word.folded, fuzzy))
        english = _weights(searcher, "name_en", _variants(reader, "name_en", word.folded, fuzzy))
        docs = set(exact) | set(folded) | set(english)
        idf = math.log(1 + max(reader.doc_count(), 1) / max(len(docs), 1))
        scores = dict.fromkeys(docs, 0.0)
        for weight, found in ((3.0, exact), (2.0, folded), (1.5, english)):
            for d, tf in found.items():  # weight × saturated term frequency
                scores[d] += weight * tf / (tf + 0.5)
        return idf, scores

    return _remembered(searcher, "name_scores", "", (word.exact, word.folded, fuzzy), read)


def _top(scores: dict[int, float], limit: int | None) -> list[int]:
    """Docnums best first (ties: index order); only the best `limit` with a bounded heap."""
    def key(d):
        return (-scores[d], d)
    if limit is None or limit >= len(scores):
        return sorted(scores, key=key)
    return heapq.nsmallest(limit, scores, key=key)


def ranking(searcher, q: str, *, fuzzy: bool = False, full: bool = False,
            within: Collection[int] | None = None, limit: int | None = None) -> list[int]:
    """Product ids best first.

    First the products with every word in their name or English name, scored per word
    (idf × saturated frequency, a word as typed with its diacritics 3, folded 2, in the
    English name 1.5; divided by the name's length relative to the average, BM25-style),
    the exact whole name above all. With `full`, then every other match of `candidates()`
    by idf × saturated frequency over all its words.

    `within` (docnums, e.g. the matches the gate lets through) restricts what is scored,
    and `limit` keeps only the best so many, through a bounded heap: a page of a broad
    query scores its listable matches only and never sorts all of them. With `limit`, the
    other matches are ranked only when the name matches do not fill it."""
    words = query_words(q)
    if not words:
        return []
    reader = searcher.reader()
    total = max(reader.doc_count(), 1)
    per_word = [_name_scores(searcher, word, fuzzy) for word in words]
    # Walk the smallest of the name postings (or of `within`) and look the rest up.
    smallest = min((scores for _idf, scores in per_word), key=len)
    if within is not None and len(within) < len(smallest):
        base: Iterable[int] = (d for d in within if d in smallest)
    else:
        base = smallest if within is None else (d for d in smallest if d in within)
    in_name: dict[int, float] = {}
    for d in base:
        score = 0.0
        for idf, scores in per_word:
            found = scores.get(d)
            if found is None:
                break
            score += idf * found
        else:
            in_name[d] = score
    average = max(reader.field_length("name") / total, 1.0)
    lengths = _columns(searcher)[2]
    for docnum in in_name:
        length = lengths.get(docnum) or _name_length(searcher, docnum)
        in_name[docnum] /= 0.25 + 0.75 * length / average
    for docnum in _docnums(searcher, "name_key", [name_key(q)]):
        if docnum in in_name:
            in_name[docnum] += 1000.0
    ranked = _top(in_name, limit)
    every_match_in_name = within is not None and len(in_name) == len(within)
    if full or (limit is not None and len(ranked) < limit and not every_match_in_name):
        rest: dict[int, float] = {}
        for i, word in enumerate(words):
            tf = _weights(searcher, "all", _variants(reader, "all", word.folded, fuzzy))
            idf = math.log(1 + total / max(len(tf), 1))
            if i == 0:
                pool = tf if within is None else (d for d in within if d in tf)
                rest = {d: idf * _saturated(tf[d]) for d in pool if d not in in_name}
            else:
                rest = {d: rest[d] + idf * _saturated(tf[d]) for d in rest if d in tf}
        ranked += _top(rest, None if limit is None else limit - len(ranked))
    return _ids(searcher, ranked)


@contextmanager
def searching(session: Session, directory: str | os.PathLike) -> Iterator:
    """A pooled searcher over the index in `directory` (built first if missing)."""
    with POOL.searcher(ensure_index(session, directory)) as searcher:
        yield searcher


def search_ids(ix, q: str) -> list[int]:
    """Every product matching `q`, best first (for tools and tests; not gated)."""
    with ix.searcher() as searcher:
        matched, fuzzy = candidates(searcher, q)
        return [i for i in ranking(searcher, q, fuzzy=fuzzy, full=True) if i in matched]
