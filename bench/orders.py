"""Orders per second on PostgreSQL, 32 concurrent clients, and the oversold count (must be 0).

    .venv/bin/python bench/orders.py [--clients 32] [--duration 10] [--workers 4] [--append]

A scratch PostgreSQL database (`bench_orders` at BENCH_PG_URL, dropped and recreated) is
migrated and seeded with one hot product and 200 other products of 20 producers, all
certified and stocked; gunicorn serves the app on a free 127.0.0.1 port. Then, with N client
threads each holding a keep-alive connection and posting `POST /api/v1/orders` as fast as
they can:

- `hot`       every order is 1 unit of the same product (cash on delivery: a `sale` at once);
- `hot-bank`  the same by bank transfer (a 24 h reservation instead of a sale);
- `many`      every order has 1–3 random products of different producers (1–3 shipments);
- `sell-out`  the last 500 units of a product, 1,000 attempts: exactly 500 must succeed.

For each: orders/s, p50/p99 latency, statuses, and the oversold count computed from the
database (units sold or reserved beyond what was received; the CHECK on_hand >= 0 makes it
impossible, this measures it). GET /healthz (one SELECT 1) under the same load is printed
as the baseline of this machine. Everything is stopped and dropped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: not bench/, whose profile.py shadows the stdlib's
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import free_port, stop  # noqa: E402  (shared with make bench)

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_orders")
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
HOT_STOCK = 1_000_000
SELL_OUT_UNITS = 500
SELL_OUT_ATTEMPTS = 1_000
MANY_PRODUCERS, MANY_PER_PRODUCER = 20, 10

CUSTOMER = {"name": "Bench Client", "phone": "0912345678", "email": "bench@example.com"}
SHIPPING = {"address": "1 Hai Bà Trưng, Ninh Kiều", "province": 92}




def reset_database(url: str, *, drop_only: bool = False) -> None:
    from sqlalchemy import create_engine, text

    server, name = url.rsplit("/", 1)
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not drop_only:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def seed(url: str) -> dict:
    """Migrate and stock: the hot product, the sell-out product and the many products."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from catalog.models import Certificate, Producer, Product
    from showrooms.stock import record_movement, warehouse_of

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING",
                      "SECRET_KEY": secrets.token_urlsafe(32)})
    today = datetime.now(UTC).date()
    slugs: dict = {"many": []}
    with app.app_context():
        upgrade()
        session = db.session

        def product(producer, slug, units):
            item = Product(producer=producer, slug=slug, name=f"Sản phẩm {slug}", group="food",
                           unit="hộp", price_vnd=50_000, published=True, description="")
            session.add(item)
            session.add(Certificate(product=item, decision_number=f"{slug}/QĐ-UBND",
                                    issuer="UBND thành phố Cần Thơ", level="province", stars=4,
                                    score=80, issued_on=today - timedelta(days=300),
                                    valid_until=today + timedelta(days=700)))
            session.flush()
            record_movement(session, location=warehouse_of(session, producer), product=item,
                            kind="receive", quantity=units, reason="bench")
            return slug

        for p in range(MANY_PRODUCERS + 1):
            producer = Producer(slug=f"bench-{p}", name=f"HTX Bench {p}", kind="cooperative",
                                tax_code=f"{1900000000 + p}", province_code=92, ward_code=31135,
                                address="Ninh Kiều")
            session.add(producer)
            session.flush()
            if p == 0:
                slugs["hot"] = product(producer, "hot", HOT_STOCK)
                slugs["hot-bank"] = product(producer, "hot-bank", HOT_STOCK)
                slugs["sell-out"] = product(producer, "sell-out", SELL_OUT_UNITS)
                continue
            for n in range(MANY_PER_PRODUCER):
                slugs["many"].append(product(producer, f"p{p}-{n}", HOT_STOCK))
        session.commit()
        db.engine.dispose()
    return slugs


def start_gunicorn(port: int, env: dict, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--backlog", "256", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError("gunicorn did not start: " + process.stderr.read().decode()[-2000:])




def load(port: int, clients: int, make_request, *, duration: float | None = None,
         attempts: int | None = None) -> dict:
    """`clients` threads, each with its own keep-alive connection, send requests until the
    time is up (or `attempts` requests were sent in all). Returns statuses and latencies."""
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    sent = [0]
    start_line = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(index: int) -> None:
        rng = random.Random(index)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine_status: dict[int, int] = {}
        mine_latency: list[float] = []
        start_line.wait()
        while True:
            with lock:
                if attempts is not None and sent[0] >= attempts:
                    break
                sent[0] += 1
            if duration is not None and time.perf_counter() >= stop_at[0]:
                break
            method, path, body = make_request(rng)
            began = time.perf_counter()
            try:
                connection.request(method, path, body=body,
                                   headers={"Content-Type": "application/json"} if body else {})
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            mine_latency.append(time.perf_counter() - began)
            mine_status[status] = mine_status.get(status, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine_latency)
            for status, count in mine_status.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + (duration or 10**9)
    start_line.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "elapsed": elapsed,
        "statuses": dict(sorted(statuses.items())),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0.0,
    }


def order_request(items: list[tuple[str, int]], payment: str = "cod"):
    body = json.dumps({"items": [{"product": s, "quantity": q} for s, q in items],
                       "customer": CUSTOMER, "fulfilment": "delivery", "shipping": SHIPPING,
                       "payment": payment}).encode()
    return ("POST", "/api/v1/orders", body)


def oversold(url: str) -> dict:
    """From the database: units gone beyond what was received, per product (must be 0)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT p.slug,
                   COALESCE(SUM(m.quantity) FILTER (WHERE m.kind = 'receive'), 0) AS received,
                   -COALESCE(SUM(m.quantity) FILTER (WHERE m.kind = 'sale'), 0) AS sold,
                   (SELECT COALESCE(SUM(r.quantity), 0) FROM stock_reservations r
                     WHERE r.product_id = p.id AND r.status = 'active') AS reserved,
                   (SELECT l.on_hand FROM stock_levels l WHERE l.product_id = p.id) AS on_hand
            FROM products p JOIN stock_movements m ON m.product_id = p.id
            GROUP BY p.id, p.slug""")).all()
        orders = conn.execute(text("SELECT count(*) FROM orders")).scalar_one()
        lines = conn.execute(text("SELECT COALESCE(SUM(quantity), 0) FROM order_lines")).scalar_one()
    engine.dispose()
    over = {slug: sold + reserved - received for slug, received, sold, reserved, _ in rows
            if sold + reserved > received}
    mismatch = {slug: (received, sold, on_hand) for slug, received, sold, _, on_hand in rows
                if received - sold != on_hand}
    return {"oversold_units": sum(over.values()), "oversold_products": over,
            "ledger_mismatch": mismatch, "orders": orders, "units_ordered": lines,
            "sold_and_reserved": sum(sold + reserved for _, _, sold, reserved, _ in rows)}


LOAD_BEFORE = ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--append", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args()

    reset_database(PG_URL)
    slugs = seed(PG_URL)
    workdir = Path(tempfile.mkdtemp(prefix="bench-orders-"))
    port = free_port()
    env = dict(os.environ, DATABASE_URL=PG_URL, LOG_LEVEL="WARNING",
               SECRET_KEY="bench-secret",  # noqa: S106 - a throw-away server on a scratch database
               MAIL_OUTBOX_DIR=str(workdir / "outbox"), BASE_URL="http://127.0.0.1",
               SEARCH_INDEX_DIR=str(workdir / "search-index"))
    server = start_gunicorn(port, env, args.workers)
    results = {}
    try:
        many = slugs["many"]

        def many_request(rng):
            producers = rng.sample(range(MANY_PRODUCERS), rng.randint(1, 3))
            items = [(many[p * MANY_PER_PRODUCER + rng.randrange(MANY_PER_PRODUCER)],
                      rng.randint(1, 2)) for p in producers]
            return order_request(items)

        scenarios = [
            ("healthz (baseline)", lambda rng: ("GET", "/healthz", None), {"duration": args.duration}),
            ("hot", lambda rng: order_request([(slugs["hot"], 1)]), {"duration": args.duration}),
            ("hot-bank", lambda rng: order_request([(slugs["hot-bank"], 1)], "bank_transfer"),
             {"duration": args.duration}),
            ("many", many_request, {"duration": args.duration}),
            ("sell-out", lambda rng: order_request([(slugs["sell-out"], 1)]),
             {"attempts": SELL_OUT_ATTEMPTS}),
        ]
        for name, make_request, limits in scenarios:
            results[name] = load(port, args.clients, make_request, **limits)
            print(f"{name:<20} {results[name]['rps']:8.1f} req/s  p50 {results[name]['p50']:6.1f} ms"
                  f"  p99 {results[name]['p99']:7.1f} ms  statuses {results[name]['statuses']}",
                  flush=True)
    finally:
        stop(server)
    check = oversold(PG_URL)
    reset_database(PG_URL, drop_only=True)
    sell_out = results["sell-out"]["statuses"]
    print(f"orders in database: {check['orders']}; units ordered {check['units_ordered']}, "
          f"sold or reserved {check['sold_and_reserved']}")
    print(f"sell-out: {sell_out.get(201, 0)} × 201, {sell_out.get(409, 0)} × 409 "
          f"for the last {SELL_OUT_UNITS} units")
    print(f"OVERSOLD: {check['oversold_units']} units {check['oversold_products'] or ''}")
    print(f"ledger mismatches: {len(check['ledger_mismatch'])}")
    failures = sum(count for r in results.values() for status, count in r["statuses"].items()
                   if status not in (200, 201, 409))
    ok = (check["oversold_units"] == 0 and not check["ledger_mismatch"] and failures == 0
          and sell_out.get(201, 0) == SELL_OUT_UNITS)
    if args.append:
        append_results(args, results, check, ok)
    sys.exit(0 if ok else 1)


def append_results(args, results: dict, check: dict, ok: bool) -> None:
    lines = [
        "",
        "## Orders (issue 5): POST /api/v1/orders on PostgreSQL",
        "",
        f"Command: `.venv/bin/python bench/orders.py --clients {args.clients} --duration "
        f"{args.duration:g} --workers {args.workers} --append`  ",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Machine: {platform.machine()}, "
        f"{os.cpu_count()} CPU, Python {platform.python_version()}, gunicorn -w {args.workers} "
        "(sync), PostgreSQL on the same machine, clients are Python threads with keep-alive "
        "connections on the same machine too. Each order writes its confirmation e-mail to the "
        f"outbox folder. Load average before the run: {LOAD_BEFORE}; other test suites were "
        "running on the same machine, so compare with the healthz line of the same run.",
        "",
        "| scenario | req/s | p50 ms | p99 ms | statuses |",
        "|---|---:|---:|---:|---|",
    ]
    for name, r in results.items():
        lines.append(f"| {name} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p99']:.1f} | "
                     f"{', '.join(f'{k}×{v}' for k, v in r['statuses'].items())} |")
    lines += [
        "",
        f"Oversold: **{check['oversold_units']} units**; ledger mismatches: "
        f"{len(check['ledger_mismatch'])}; orders in the database {check['orders']}, units "
        f"ordered {check['units_ordered']} = sold or reserved {check['sold_and_reserved']}. "
        f"Sell-out: the last {SELL_OUT_UNITS} units, {SELL_OUT_ATTEMPTS} attempts → "
        f"{results['sell-out']['statuses'].get(201, 0)} orders, the rest 409 `out_of_stock`. "
        f"{'All checks passed.' if ok else 'CHECKS FAILED.'}",
        "",
    ]
    with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as out:
        out.write("\n".join(lines))


if __name__ == "__main__":
    main()
