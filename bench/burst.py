"""A burst of concurrent writes against a running server (e.g. `make run`, SQLite by default):
every answer must be 201 or 409 — never a 5xx — and no unit may be oversold.

    .venv/bin/python bench/burst.py [--url http://127.0.0.1:5000] [--clients 60] [--db instance/ocop.sqlite3]

Picks a listable, in-stock product from the public API, reads its warehouse level from the
database file, fires N cash-on-delivery orders of 1 unit at the same instant (one thread and
connection each), then reads the level again: sold = 201 answers, and the level fell by
exactly that much and is not below zero.
"""

from __future__ import annotations

import argparse
import collections
import json
import sqlite3
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def _level(db: str, slug: str) -> int:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT COALESCE(SUM(l.on_hand), 0) FROM stock_levels l JOIN products p ON p.id = l.product_id"
            " JOIN stock_locations loc ON loc.id = l.location_id"
            " WHERE p.slug = ? AND loc.kind = 'warehouse'", (slug,)).fetchone()
    return row[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--db", default="instance/ocop.sqlite3")
    args = parser.parse_args()
    items = _get(f"{args.url}/api/v1/products?per_page=100")["items"]
    product = next(i for i in items if i["in_stock"] and i["group"] != "tourism")
    slug = product["slug"]
    before = _level(args.db, slug)
    def body(n: int) -> dict:
        # One customer per client (its own phone and address): the cash-order limits per phone
        # and per address would otherwise refuse all but the first two (too_many_open_orders).
        return {"items": [{"product": slug, "quantity": 1}],
                "customer": {"name": f"Khách thử tải {n}", "phone": f"0912{n:06d}",
                             "email": f"burst{n}@example.com"},
                "fulfilment": "delivery",
                "shipping": {"address": f"{n + 1} Lê Lợi", "province": 92}, "payment": "cod"}

    barrier = threading.Barrier(args.clients)

    def one(n):
        barrier.wait()
        return _post(f"{args.url}/api/v1/orders", body(n))

    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        answers = list(pool.map(one, range(args.clients)))
    statuses = collections.Counter(status for status, _ in answers)
    codes = collections.Counter(a.get("error", {}).get("code") for s, a in answers if s >= 400)
    after = _level(args.db, slug)
    sold = statuses.get(201, 0)
    oversold = max(0, sold - before) + (1 if after < 0 or before - after != sold else 0)
    print(f"product {slug}: level {before} → {after}; answers {dict(sorted(statuses.items()))};"
          f" refusals {dict(codes)}; oversold {oversold}")
    bad = [s for s in statuses if s >= 500 or s not in (201, 409)]
    return 1 if bad or oversold else 0


if __name__ == "__main__":
    raise SystemExit(main())
