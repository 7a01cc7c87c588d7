"""Speed of the Whoosh product search on a large synthetic catalogue.

    .venv/bin/python bench/search.py [--products 50000] [--queries 1000] [--append]

Builds, in a temporary folder, an index of N synthetic products whose names, descriptions
and producers are drawn from the demo catalogue's vocabulary (Vietnamese words with their
diacritics, and the English texts), with the application's own schema, analyzer and
document shape (`catalog.search.whoosh_backend`). Then runs in-process queries the way
visitors type them — with diacritics, without, in capitals, with a typo in a long word,
one to three words — asking the index what the site asks for the first page of results
(every matching product, for the gate and the total; then the ranking, names first), and
prints the index build time and the p50/p95/p99 query latencies (goal: p95 < 50 ms).
`--append` adds the figures to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog.search import whoosh_backend  # noqa: E402
from catalog.search.analysis import name_key  # noqa: E402
from catalog.text import fold  # noqa: E402

WORD = re.compile(r"\w+")


def demo_vocabulary() -> dict[str, list[str]]:
    """Words of the demo catalogue (catalog/demo.py), by where they appear."""
    from catalog import demo

    products = getattr(demo, "PRODUCTS", ())
    producers = getattr(demo, "PRODUCERS", ())
    vocab = {
        "name": [w for p in products for w in WORD.findall(p.name)],
        "name_en": [w for p in products for w in WORD.findall(p.name_en or "")],
        "description": [w for p in products for w in WORD.findall(p.description or "")],
        "description_en": [w for p in products for w in WORD.findall(p.description_en or "")],
        "producer": [w for p in producers for w in WORD.findall(p.name)],
        "place": [w for p in producers for w in WORD.findall(
            " ".join(filter(None, (p.address, p.historical_origin, p.craft_village))))],
    }
    if len(vocab["name"]) < 50:  # the demo is not there: a small built-in vocabulary
        fallback = WORD.findall(
            "Nước mắm cá cơm Phú Quốc Cơm cháy chà bông Trà shan tuyết cổ thụ Mật ong rừng Sâm"
            " Ngọc Linh Rượu Kim Sơn Bánh tráng Tiêu đen Cà phê Đặc sản Đậu phộng Gạo nếp cái"
            " hoa vàng Hạt điều Khô cá lóc Bưởi Năm Roi Miến dong")
        for key in vocab:
            vocab[key] = vocab[key] or fallback
    return vocab


def synthetic_documents(count: int, vocab: dict[str, list[str]], rng: random.Random):
    groups = list(whoosh_backend.GROUP_WORDS)
    for n in range(1, count + 1):
        name = " ".join(rng.choices(vocab["name"], k=rng.randint(2, 6)))
        name_en = " ".join(rng.choices(vocab["name_en"], k=rng.randint(2, 6)))
        words = ([name, name_en] + rng.choices(vocab["description"], k=rng.randint(15, 40))
                 + rng.choices(vocab["description_en"], k=rng.randint(10, 30))
                 + rng.choices(vocab["producer"], k=4) + rng.choices(vocab["place"], k=4)
                 + [whoosh_backend.GROUP_WORDS[rng.choice(groups)]])
        yield {
            "id": n,
            "name_hash": whoosh_backend.name_hash(name_key(name)),
            "name_key": name_key(name),
            "name_exact": name,
            "name": name,
            "name_en": name_en,
            "all": " ".join(words),
        }


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + rng.choice("aeiouhnt") + word[i + 1 :]


def visitor_queries(count: int, vocab: dict[str, list[str]], rng: random.Random) -> list[str]:
    queries = []
    words = [w for w in vocab["name"] if len(w) >= 2]
    for _ in range(count):
        picked = rng.sample(words, rng.choice((1, 1, 2, 2, 2, 3)))
        style = rng.random()
        if style < 0.4:
            picked = [fold(w) for w in picked]  # typed without diacritics
        elif style < 0.5:
            picked = [fold(w).upper() for w in picked]
        elif style < 0.6:
            picked = [typo(fold(w), rng) if len(w) >= 5 else w for w in picked]
        queries.append(" ".join(picked))
    return queries


def first_page(ix, q: str, per_page: int = 24) -> int:
    """What the site asks the index for page 1 of a search: every candidate (for the gate
    and the total), then the ranking — names first, the rest only when the page needs it."""
    with whoosh_backend.POOL.searcher(ix) as searcher:
        matched, fuzzy = whoosh_backend.candidates(searcher, q)
        ranked = whoosh_backend.ranking(searcher, q, fuzzy=fuzzy)
        if len(ranked) < min(per_page, len(matched)):
            whoosh_backend.ranking(searcher, q, fuzzy=fuzzy, full=True)
    return len(matched)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--append", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    vocab = demo_vocabulary()
    folder = Path(tempfile.mkdtemp(prefix="ocop-search-bench-"))
    try:
        ix = whoosh_backend.open_index(folder, create=True)
        started = time.perf_counter()
        whoosh_backend.write_documents(ix, synthetic_documents(args.products, vocab, rng),
                                       clear=True, limitmb=256)
        build_seconds = time.perf_counter() - started
        size_mb = sum(f.stat().st_size for f in folder.iterdir()) / 1e6

        queries = visitor_queries(args.queries, vocab, rng)
        for q in queries[:50]:  # warm the OS cache and Python
            first_page(ix, q)
        latencies, hits = [], []
        for q in queries:
            t0 = time.perf_counter()
            matched = first_page(ix, q)
            latencies.append((time.perf_counter() - t0) * 1000)
            hits.append(matched)
        whoosh_backend.POOL.close_all()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))
    distinct = len({w.lower() for words in vocab.values() for w in words})
    lines = [
        f"products indexed:   {args.products:,} (vocabulary: {distinct:,} distinct demo words)",
        f"index build:        {build_seconds:.1f} s ({args.products / build_seconds:,.0f} products/s),"
        f" {size_mb:.1f} MB on disk",
        f"queries:            {len(queries):,} (1–3 words; 40% without diacritics, 10% in capitals,"
        f" 10% with a typo)",
        f"matches/query:      median {statistics.median(hits):,.0f}, p95 {percentile(hits, 95):,},"
        f" max {max(hits):,} (all of them go to the gate; the total counts them)",
        f"latency p50/p95/p99: {p50:.1f} / {p95:.1f} / {p99:.1f} ms"
        f"  (goal p95 < 50 ms: {'met' if p95 < 50 else 'NOT met'})",
    ]
    print("\n".join(lines))
    if args.append:
        machine = f"{platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}"
        command = (f".venv/bin/python bench/search.py --products {args.products}"
                   f" --queries {args.queries} --append")
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as out:
            out.write(
                f"\n## Search (Whoosh, {args.products:,} synthetic products)\n\n"
                f"`{command}` — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine}; one process,"
                " in-process queries asking what the site asks for a first page of results (the"
                " certificate gate's SQL, applied after, is not included).\n\n"
                + "\n".join(f"- {line}" for line in lines) + "\n"
            )


if __name__ == "__main__":
    main()
