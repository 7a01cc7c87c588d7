"""Where a page's time goes: pyinstrument over N requests through Flask's test client.

    .venv/bin/python bench/profile.py PAGE [--size demo|1000|50000] [--db sqlite|postgres]
                                           [--requests 200] [--lines 60] [--seconds]
                                           [--no-page-cache] [--html FILE]

PAGE is a target of bench/run.py (home, list, search, search-pg, product, trace, healthz,
orders) or a path such as `/products?q=mat+ong`. The app runs in-process on a working copy of
the cached catalogue (bench/catalogue.py), is warmed up with 20 requests, then N requests
(cycling over the same requests as `make bench`: products, stamps with a new User-Agent
each, orders; for search, 400 distinct queries, so that none was seen by the warm-up) are
profiled together. Prints the mean wall and CPU time per request and the top of the call
tree (`--lines`, in percent of the total: pyinstrument samples wall time, which a shared
machine stretches); `--html` also saves pyinstrument's page.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: not bench/, whose name shadows stdlib's profile
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import catalogue, run  # noqa: E402


def order(n: int, product: str) -> dict:
    """`make bench`'s order (bench/run.py ORDERS_LUA): one customer per request — phone and
    street number — or the cash-order limits refuse all but the first few with 409."""
    return {"customer": {"name": "Bench Client", "phone": f"091{n % 10_000_000:07d}",
                         "email": "bench@example.com"},
            "fulfilment": "delivery", "payment": "cod",
            "shipping": {"address": f"{n} Hai Bà Trưng, Ninh Kiều", "province": 92},
            "items": [{"product": product, "quantity": 1}]}


def search_queries(count: int = 400) -> list[str]:
    """The bench's queries, then one- and two-word queries from the demo's product names."""
    from catalog import demo

    queries = list(run.SEARCHES)
    rng = random.Random(4)
    words = sorted({w.lower() for p in demo.PRODUCTS for w in p.name.split() if len(w) > 2})
    while len(queries) < count:
        query = " ".join(rng.sample(words, rng.choice((1, 2))))
        if query not in queries:
            queries.append(query)
    return queries


def requests_for(page: str, lists: dict[str, list[str]]):
    """An endless cycle of (method, path, json body, headers) for PAGE."""
    fixed = {"home": "/", "list": "/products", "healthz": "/healthz"}
    if page in fixed:
        paths = [fixed[page]]
    elif page in ("search", "search-pg"):
        # `make bench`'s 8 queries, then more, all distinct: each profiled query is new to the
        # app's caches (the warm-up sees the first 20).
        paths = [f"/products?q={urllib.parse.quote(q)}" for q in search_queries()]
    elif page in ("product", "trace"):
        paths = lists[page]
    elif page == "orders":
        paths = lists["orders"]
    elif page.startswith("/"):
        paths = [page]
    else:
        raise SystemExit(f"unknown page {page!r}: a path or one of {', '.join(run.TARGETS[1:])}")
    n = 0
    while True:
        item = paths[n % len(paths)]
        n += 1
        headers = {"User-Agent": f"bench-profile-{n}"}
        if page == "orders":
            yield "POST", "/api/v1/orders", order(n, item), headers
        else:
            yield "GET", item, None, headers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page")
    parser.add_argument("--size", default="demo", choices=list(catalogue.SIZES))
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--lines", type=int, default=60, help="lines of the call tree to print")
    parser.add_argument("--seconds", action="store_true",
                        help="times in seconds (default: percent of the total, which a busy"
                        " machine distorts less)")
    parser.add_argument("--no-page-cache", action="store_true",
                        help="PAGE_CACHE_SECONDS=0: profile the page's own work, not a cache hit")
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML page here")
    args = parser.parse_args()

    from pyinstrument import Profiler

    from app import create_app
    from app.extensions import db

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # drop the working copy on the way out
    workdir = Path(tempfile.mkdtemp(prefix="ocop-profile-"))
    copy = catalogue.prepare(args.db, args.size, workdir, progress=print)
    try:
        lists = run.request_lists(copy["url"], copy["index_dir"])
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": copy["url"], "SEARCH_INDEX_DIR": str(copy["index_dir"]),
            "SEARCH_BACKEND": "postgres" if args.page == "search-pg" else "whoosh",
            "MAIL_OUTBOX_DIR": str(copy["work"] / "outbox"), "LOG_LEVEL": "WARNING",
            "BASE_URL": "http://127.0.0.1", "SECRET_KEY": secrets.token_urlsafe(32),
            **({"PAGE_CACHE_SECONDS": 0} if args.no_page_cache else {}),
        })
        client = app.test_client(use_cookies=False)  # like wrk: every request a new visitor
        requests = requests_for(args.page, lists)

        def one() -> int:
            method, path, body, headers = next(requests)
            response = client.open(path, method=method, headers=headers,
                                   data=json.dumps(body) if body else None,
                                   content_type="application/json" if body else None,
                                   environ_base={"REMOTE_ADDR": "127.0.0.1"})
            response.close()
            return response.status_code

        print(f"{args.page}: warming up (20 requests), then profiling {args.requests}", flush=True)
        warm = [one() for _ in range(20)]
        profiler = Profiler(interval=0.0005)
        statuses: dict[int, int] = {}
        started, cpu_started = time.perf_counter(), time.process_time()
        profiler.start()
        for _ in range(args.requests):
            status = one()
            statuses[status] = statuses.get(status, 0) + 1
        profiler.stop()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        with app.app_context():
            db.engine.dispose()
        print(f"{args.page} on {args.db}, {copy['facts'].get('products')} products: "
              f"{args.requests} requests in {elapsed:.2f} s, {elapsed / args.requests * 1000:.2f} ms"
              f" each, CPU {cpu / args.requests * 1000:.2f} ms each (profiled; warm-up statuses"
              f" {sorted(set(warm))}, statuses {statuses})")
        text = profiler.output_text(unicode=True, color=False, show_all=False,
                                    time="seconds" if args.seconds else "percent_of_total")
        print("\n".join(text.splitlines()[: args.lines]))
        if args.html:
            args.html.write_text(profiler.output_html())
            print(f"HTML profile: {args.html}")
    finally:
        catalogue.release(copy)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
