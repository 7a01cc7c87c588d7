"""Load test of the trace page /t/<code> against a Flask hello-world, side by side.

    .venv/bin/python bench/trace.py [--db sqlite|postgres|both] [--stamps 3000]
                                    [--duration 10] [--rounds 1] [--append]

For each database: a scratch database (SQLite file in a temp dir, or the PostgreSQL database
`bench_trace`, dropped and recreated) is migrated and seeded with a few thousand distinct
stamps; gunicorn (`-w 2`, sync workers) serves the app and a hello-world app on free
127.0.0.1 ports; `wrk -t1 -c16 -d10s --latency` runs a Lua script cycling over the stamp
URLs (each request with its own User-Agent, so every scan is a new client: the
insert-or-ignore inserts, the worst case for recording) and over `/` for hello-world.
Prints requests/s, p50/p99 and the ratio trace / hello-world, and checks that every request
was recorded as a scan. `--append` adds the figures to bench/RESULTS.md.

Needs `wrk` (Debian: apt-get install -y wrk) and, for PostgreSQL, a server at
BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/bench_trace).
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: not bench/, whose profile.py shadows the stdlib's
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import free_port, run_wrk, stop  # noqa: E402  (shared with make bench)

PG_URL = os.environ.get("BENCH_PG_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/bench_trace")
GUNICORN = str(Path(sys.executable).parent / "gunicorn")

HELLO_APP = '''
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
'''

LUA = '''
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  local path = paths[(i %% #paths) + 1]
  return wrk.format("GET", path, {["User-Agent"] = "bench-client-" .. i})
end
'''




def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    server, name = url.rsplit("/", 1)
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def seed(database_url: str, stamps: int) -> list[str]:
    """Migrate the scratch database and seed products, certificates, photos, lots, stamps."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from catalog.models import Certificate, Producer, Product, ProductPhoto
    from traceability import services

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "LOG_LEVEL": "WARNING",
                      "SECRET_KEY": secrets.token_urlsafe(32)})
    codes: list[str] = []
    with app.app_context():
        upgrade()
        session = db.session
        today = datetime.now(UTC).date()
        producer = Producer(slug="htx-bench", name="HTX Nước mắm Bench", kind="cooperative",
                            tax_code="1800000999", province_code=92, ward_code=31135,
                            address="Ninh Kiều, Cần Thơ", craft_village="Làng nghề bench")
        session.add(producer)
        per_product = max(1, stamps // 5)
        for n in range(5):
            product = Product(producer=producer, slug=f"bench-{n}", name=f"Sản phẩm bench {n}",
                              name_en=f"Bench product {n}", description="", group="food",
                              unit="chai", price_vnd=100000, published=True)
            session.add(product)
            session.add(ProductPhoto(product=product, path="img/bench.jpg", alt="bench"))
            session.add(Certificate(product=product, decision_number=f"{n}/QĐ-UBND",
                                    issuer="UBND thành phố Cần Thơ", level="province", stars=4,
                                    score=80, issued_on=today - timedelta(days=400),
                                    valid_until=today + timedelta(days=600)))
            session.flush()
            lot = services.create_lot(session, product, lot_number=f"B{n}",
                                      produced_on=today - timedelta(days=10), quantity=per_product)
            codes += [s.code for s in services.issue_stamps(session, lot, per_product)]
        session.commit()
        db.engine.dispose()
    return codes


def scan_count(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM scans")).scalar_one()
    engine.dispose()
    return count


def start_gunicorn(target: str, port: int, env: dict, cwd: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [GUNICORN, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", target],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz" if target == "wsgi:app"  # noqa: S310
                                   else f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn {target} did not start: {process.stderr.read().decode()[-2000:]}")








def _combine(runs: list[dict]) -> dict:
    """Rounds summed (requests) or averaged (rates, latencies)."""
    n = len(runs)
    return {
        "rps": sum(r["rps"] for r in runs) / n,
        "p50": sum(r["p50"] for r in runs) / n,
        "p99": sum(r["p99"] for r in runs) / n,
        "requests": sum(r["requests"] for r in runs),
        "non_2xx": sum(r["non_2xx"] for r in runs),
        "socket_errors": "; ".join(r["socket_errors"] for r in runs if r["socket_errors"]),
        "rounds": [round(r["rps"]) for r in runs],
    }


def bench(db_kind: str, stamps: int, duration: int, workdir: Path, rounds: int = 1) -> dict:
    if db_kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        url = PG_URL
        reset_postgres(url)
    codes = seed(url, stamps)
    paths = workdir / f"paths-{db_kind}.txt"
    paths.write_text("".join(f"/t/{c}\n" for c in codes))
    hello_paths = workdir / "paths-hello.txt"
    hello_paths.write_text("/\n")
    trace_lua = workdir / f"trace-{db_kind}.lua"
    trace_lua.write_text(LUA % {"paths": paths})
    hello_lua = workdir / "hello.lua"
    hello_lua.write_text(LUA % {"paths": hello_paths})
    health_paths = workdir / "paths-healthz.txt"
    health_paths.write_text("/healthz\n")
    health_lua = workdir / "healthz.lua"
    health_lua.write_text(LUA % {"paths": health_paths})
    (workdir / "hello_app.py").write_text(HELLO_APP)

    env = dict(os.environ, DATABASE_URL=url, LOG_LEVEL="WARNING", BASE_URL="http://127.0.0.1",
               SECRET_KEY=secrets.token_urlsafe(32),  # a throwaway local server
               SEARCH_INDEX_DIR=str(workdir / "search-index"),
               MAIL_OUTBOX_DIR=str(workdir / "outbox"), PYTHONPATH=str(ROOT))
    app_port, hello_port = free_port(), free_port()
    app_server = start_gunicorn("wsgi:app", app_port, env, ROOT)
    hello_server = start_gunicorn("hello_app:app", hello_port, env, workdir)
    try:
        before = scan_count(url)
        run_wrk(app_port, trace_lua, 2)  # warm-up: imports, compiled statements, templates
        run_wrk(hello_port, hello_lua, 2)
        warm = scan_count(url)
        hellos, traces, healths = [], [], []
        for _ in range(rounds):  # alternate, so that a busy neighbour hurts both sides alike
            hellos.append(run_wrk(hello_port, hello_lua, duration))
            traces.append(run_wrk(app_port, trace_lua, duration))
            # The same app's cheapest page (SELECT 1 + JSON): the ceiling of any of its pages.
            healths.append(run_wrk(app_port, health_lua, duration))
        recorded = scan_count(url) - warm
        hello, trace, health = _combine(hellos), _combine(traces), _combine(healths)
    finally:
        stop(app_server)
        stop(hello_server)
    return {"db": db_kind, "stamps": len(codes), "hello": hello, "trace": trace,
            "ratio": trace["rps"] / hello["rps"], "recorded": recorded,
            "warmup_scans": warm - before, "health": health,
            "health_ratio": health["rps"] / hello["rps"]}


def report(results: list[dict], command: str, duration: int, rounds: int) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        "## Trace page /t/<code> vs Flask hello-world (issue 6)",
        "",
        f"- Command: `{command}`",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} CPUs ({cpu}),"
        f" Python {platform.python_version()}; wrk, gunicorn and the database on the same machine;"
        f" load average at the end {os.getloadavg()[0]:.1f} (other work was running beside it).",
        f"- gunicorn `-w 2` (sync) for both apps; `wrk -t1 -c16 -d{duration}s --latency`, Lua script"
        " cycling over the stamp URLs with a new User-Agent per request (every scan a new client);"
        f" {rounds} alternating round(s) of hello / trace / healthz, averaged.",
        "- Scan recording on: insert-or-ignore (stamp, client), one UPDATE of the counters,"
        " one joined SELECT, insert the scan row, one commit — four statements on SQLite, one"
        " statement (data-modifying CTEs, asynchronous commit) on PostgreSQL.",
        "",
        "| database | stamps | hello req/s | hello p50 / p99 ms | trace req/s | trace p50 / p99 ms"
        " | ratio | scans recorded / requests | non-2xx | /healthz req/s (ratio) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        h, t = r["hello"], r["trace"]
        lines.append(
            f"| {r['db']} | {r['stamps']} | {h['rps']:.0f} | {h['p50']:.2f} / {h['p99']:.2f} "
            f"| {t['rps']:.0f} | {t['p50']:.2f} / {t['p99']:.2f} | **{r['ratio']:.2f}** "
            f"| {r['recorded']} / {t['requests']} | {t['non_2xx']} "
            f"| {r['health']['rps']:.0f} ({r['health_ratio']:.2f}) |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--stamps", type=int, default=3000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1,
                        help="alternate hello / trace / healthz this many times and average")
    parser.add_argument("--append", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    workdir = Path(tempfile.mkdtemp(prefix="bench-trace-"))
    results = []
    try:
        for kind in kinds:
            result = bench(kind, args.stamps, args.duration, workdir, args.rounds)
            results.append(result)
            t, h = result["trace"], result["hello"]
            print(f"{kind:8} hello {h['rps']:7.0f} req/s p50 {h['p50']:.2f} ms p99 {h['p99']:.2f} ms"
                  f" | trace {t['rps']:7.0f} req/s p50 {t['p50']:.2f} ms p99 {t['p99']:.2f} ms"
                  f" | ratio {result['ratio']:.2f} | scans recorded {result['recorded']}"
                  f" of {t['requests']} requests, non-2xx {t['non_2xx']} {t['socket_errors']}"
                  f" | /healthz {result['health']['rps']:.0f} req/s ratio {result['health_ratio']:.2f}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    command = ".venv/bin/python bench/trace.py " + " ".join(sys.argv[1:])
    text = report(results, command.strip(), args.duration, args.rounds)
    print()
    print(text)
    if args.append:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as f:
            f.write("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
