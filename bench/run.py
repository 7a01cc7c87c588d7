"""`make bench`: the main pages measured from outside, beside a Flask hello-world.

    .venv/bin/python bench/run.py [--db sqlite,postgres] [--sizes demo,1000,50000]
                                  [--targets hello,healthz,home,...] [--duration 10]
                                  [--threads 1] [--append] [--note TEXT] [--json FILE]
                                  [--no-page-cache] [--from-json FILE]

For each database and catalogue size (built once and cached by bench/catalogue.py), a
working copy of the catalogue is served by gunicorn on a free 127.0.0.1 port with
deploy/gunicorn.conf.py, the config of `make run`, as 2 sync workers (WEB_CONCURRENCY=2,
THREADS=1; no access log, no worker recycling), and the hello-world (bench/hello_app.py) by
the same config on another port. Each target gets a 2 s warm-up (2 connections), then
`wrk -t1 -c16 -d10s --latency` with a Lua script cycling over its requests; before each target and after
its warm-up the runner waits until the servers (and their PostgreSQL backends) are idle, and
restarts the app servers if they are still busy after 30 s (requests wrk gave up on after
its 10 s timeout). Targets:

  hello        the Flask hello-world (the yardstick of every ratio)
  healthz      GET /healthz
  home         GET /
  list         GET /products
  search       GET /products?q=… (8 typical queries, with and without diacritics), Whoosh
  search-pg    the same with SEARCH_BACKEND=postgres (PostgreSQL only)
  product      GET /products/<slug>, cycling over up to 500 listable products
  trace        GET /t/<code>, cycling over 5,000 stamps, a new User-Agent (scanner) each time
  orders       POST /api/v1/orders, 1 unit of one of 200 stocked products, cash on delivery

Prints one table: target, db, size, req/s, p50, p99, ratio to the hello-world of the same
database and size, the issue's target ratio and pass/miss (at 50,000 also "scale": within
2x of the demo-size cost and p99 < 100 ms). Everything started is stopped at the end;
`--append` adds the dated table to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # run as a script: not bench/, whose profile.py shadows the stdlib's
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import catalogue  # noqa: E402

GUNICORN = str(Path(sys.executable).parent / "gunicorn")
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"  # the config of `make run` and production
# How that config serves the benchmark: 2 sync workers (issue 9), no access log, no recycling.
SERVING = {"HOST": "127.0.0.1", "WEB_CONCURRENCY": "2", "THREADS": "1", "GUNICORN_ACCESS_LOG": "",
           "GUNICORN_LOG_LEVEL": "warning", "GUNICORN_MAX_REQUESTS": "0"}
TARGETS = ["hello", "healthz", "home", "list", "search", "search-pg", "product", "trace", "orders"]
# The targets: ratio to hello-world (None: no target, measured for the record).
GOALS = {"hello": None, "healthz": 0.6, "home": 0.25, "list": 0.25, "search": 0.25,
         "search-pg": 0.25, "product": 0.35, "trace": 0.35, "orders": None}
SEARCHES = ["nuoc mam", "nước mắm", "tra", "mật ong", "ca phe", "gao", "banh trang", "ruou"]
SCALE_FACTOR, SCALE_P99_MS = 2.0, 100.0

PATHS_LUA = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["User-Agent"] = "bench-%(target)s-" .. i})
end
"""

ORDERS_LUA = """
local slugs = {}
for line in io.lines("%(paths)s") do slugs[#slugs + 1] = line end
local i = 0
-- One customer per request (phone and street number): the cash-order limits allow only two
-- open orders per phone and three per address, and would refuse the rest with 409.
local headers = {["Content-Type"] = "application/json"}
request = function()
  i = i + 1
  local slug = slugs[(i %% #slugs) + 1]
  local body = '{"customer": {"name": "Bench Client", "phone": "091' .. string.format("%%07d", i %% 10000000)
    .. '", "email": "bench@example.com"}, "fulfilment": "delivery", "payment": "cod", '
    .. '"shipping": {"address": "' .. i .. ' Hai Bà Trưng, Ninh Kiều", "province": 92}, '
    .. '"items": [{"product": "' .. slug .. '", "quantity": 1}]}'
  return wrk.format("POST", "/api/v1/orders", headers, body)
end
"""


# --- Processes ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with deploy/gunicorn.conf.py in its own process group; stop() ends it all."""

    def __init__(self, app: str, env: dict, cwd: Path, probe: str):
        self.app, self.env, self.cwd, self.probe = app, env, cwd, probe
        self.port = free_port()
        self.start()

    def start(self) -> None:
        app, env, cwd, probe = self.app, self.env, self.cwd, self.probe
        self.process = subprocess.Popen(
            [GUNICORN, "--config", str(CONFIG), app], cwd=cwd,
            env=dict(env, PORT=str(self.port)), stdout=subprocess.DEVNULL,
            stderr=open(BENCH_LOG, "ab"), start_new_session=True)  # noqa: SIM115
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {app} exited; see {BENCH_LOG}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}{probe}", timeout=2)  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn {app} did not answer {probe}; see {BENCH_LOG}")

    def pids(self) -> list[int]:
        return [self.process.pid, *children(self.process.pid)]

    def stop(self) -> None:
        stop(self.process)

    def restart(self) -> None:
        """Drop what it is still working on (requests that wrk gave up on), start afresh."""
        self.stop()
        self.start()


def stop(process: subprocess.Popen) -> None:
    """End a server started in its own session, its workers with it."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


BENCH_LOG = Path(tempfile.gettempdir()) / "ocop-bench-gunicorn.log"


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def postgres_pids(url: str) -> list[int]:
    """The PostgreSQL backends serving our working database (not the other users' ones)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()")).scalars())
    finally:
        engine.dispose()


def cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except (OSError, IndexError, ValueError):
            continue
    return total


def wait_idle(servers: list[Server], database_url: str | None, *, timeout: float = 20.0) -> bool:
    """Wait until the servers (and the PostgreSQL backends of their database) use under 5 %
    of a CPU over half a second: the previous target's tail (commits, index writes, e-mails)
    is over. False if they are still busy after `timeout` seconds."""
    started = time.perf_counter()
    hz = os.sysconf("SC_CLK_TCK")
    while time.perf_counter() - started < timeout:
        pids = [p for s in servers for p in s.pids()]
        if database_url and database_url.startswith("postgresql"):
            pids += postgres_pids(database_url)
        before = cpu_ticks(pids)
        time.sleep(0.5)
        if (cpu_ticks(pids) - before) / hz < 0.5 * 0.05:
            return True
    return False


# --- wrk ----------------------------------------------------------------------------------

def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(port: int, script: Path, duration: int, connections: int = 16) -> dict:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
         "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    ).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> dict:
    """req/s, p50/p99 (ms), requests, non-2xx and socket errors from wrk's --latency output."""
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50, p99 = re.search(r"\s50%\s+(\S+)", out), re.search(r"\s99%\s+(\S+)", out)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": _ms(p50.group(1)) if p50 else float("nan"),
        "p99": _ms(p99.group(1)) if p99 else float("nan"),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


# --- What each target asks for ----------------------------------------------------------------

def request_lists(url: str, index_dir: Path) -> dict[str, list[str]]:
    """Listable product slugs, stamp codes and stocked products of the catalogue copy."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from app.extensions import db
    from catalog.gate import listability
    from catalog.models import Product
    from showrooms.models import StockLevel
    from traceability.models import Lot, Stamp

    app = catalogue._app(url, index_dir)
    with app.app_context():
        session = db.session
        on = catalogue._today()
        products = session.scalars(select(Product).where(Product.published.is_(True))
                                   .order_by(Product.id)
                                   .options(selectinload(Product.certificates),
                                            selectinload(Product.producer)))
        slugs = [p.slug for p in products if listability(p, on).listable]
        random.Random(9).shuffle(slugs)
        stamps = list(session.scalars(select(Stamp.code).join(Lot, Lot.id == Stamp.lot_id)
                                      .where(Lot.lot_number == "BENCH-01")))
        stocked = list(session.scalars(
            select(Product.slug).join(StockLevel, StockLevel.product_id == Product.id)
            .where(StockLevel.on_hand >= catalogue.STOCK_UNITS // 2).distinct()))
        db.engine.dispose()
    return {"product": [f"/products/{s}" for s in slugs[:500]],
            "trace": [f"/t/{c}" for c in stamps], "orders": stocked}


def scripts(workdir: Path, lists: dict[str, list[str]]) -> dict[str, Path]:
    paths = {
        "hello": ["/"], "healthz": ["/healthz"], "home": ["/"], "list": ["/products"],
        "search": [f"/products?q={urllib.request.quote(q)}" for q in SEARCHES],
        "product": lists["product"], "trace": lists["trace"],
    }
    paths["search-pg"] = paths["search"]
    made = {}
    for target, items in [*paths.items(), ("orders", lists["orders"])]:
        listing = workdir / f"{target}.txt"
        listing.write_text("".join(f"{item}\n" for item in items))
        lua = ORDERS_LUA if target == "orders" else PATHS_LUA
        made[target] = workdir / f"{target}.lua"
        made[target].write_text(lua % {"paths": listing, "target": target})
    return made


# --- One database and size -----------------------------------------------------------------

def measure(db: str, size: str, targets: list[str], duration: int, workdir: Path,
            threads: int = 1, progress=print, extra_env: dict | None = None) -> list[dict]:
    copy = catalogue.prepare(db, size, workdir, progress=progress)
    lists = request_lists(copy["url"], copy["index_dir"])
    luas = scripts(copy["work"], lists)
    env = {**os.environ, **SERVING, "THREADS": str(threads), "DATABASE_URL": copy["url"],
           "LOG_LEVEL": "WARNING", "BASE_URL": "http://127.0.0.1",
           "SECRET_KEY": secrets.token_urlsafe(32),  # a throw-away local server
           "SEARCH_INDEX_DIR": str(copy["index_dir"]), "SEARCH_BACKEND": "whoosh",
           "MAIL_OUTBOX_DIR": str(copy["work"] / "outbox"), "PYTHONPATH": str(ROOT),
           **(extra_env or {})}
    servers: dict[str, Server] = {}
    rows = []
    try:
        servers["hello"] = Server("hello_app:app", env, BENCH, "/")
        servers["app"] = Server("wsgi:app", env, ROOT, "/healthz")
        if "search-pg" in targets and db == "postgres":
            servers["pg"] = Server("wsgi:app", dict(env, SEARCH_BACKEND="postgres"), ROOT, "/healthz")
        for target in targets:
            if target == "search-pg" and db != "postgres":
                continue
            server = servers["hello" if target == "hello" else "pg" if target == "search-pg" else "app"]
            began = time.perf_counter()
            if not wait_idle(list(servers.values()), copy["url"], timeout=30):
                # Still serving requests that wrk gave up on (pages slower than its timeout):
                # they would steal this target's CPU. Start the app servers afresh.
                progress("  (servers still busy after 30 s: restarting them)")
                for name, busy in servers.items():
                    if name != "hello":
                        busy.restart()
                wait_idle(list(servers.values()), copy["url"], timeout=30)
            waited = time.perf_counter() - began
            # Warm-up (imports, statements, templates, caches) on 2 connections, so that at
            # most 2 requests are left in flight when it ends, then drained.
            run_wrk(server.port, luas[target], 2, connections=2)
            wait_idle(list(servers.values()), copy["url"], timeout=60)
            result = run_wrk(server.port, luas[target], duration)
            row = {"target": target, "db": db, "size": size,
                   "products": copy["facts"].get("products"), "idle_wait": round(waited, 1),
                   "load": os.getloadavg()[0], **result}
            rows.append(row)
            progress(f"  {target:<10} {db:<8} {size:>6} {result['rps']:8.1f} req/s  "
                     f"p50 {result['p50']:7.1f} ms  p99 {result['p99']:7.1f} ms  "
                     f"non-2xx {result['non_2xx']} {result['socket_errors']}")
    finally:
        for server in servers.values():
            server.stop()
        catalogue.release(copy)
    hello = next((r["rps"] for r in rows if r["target"] == "hello"), None)
    for row in rows:
        row["ratio"] = row["rps"] / hello if hello else None
    return rows


# --- The table ---------------------------------------------------------------------------------

def verdicts(rows: list[dict]) -> None:
    demo = {(r["target"], r["db"]): r for r in rows if r["size"] == "demo"}
    for row in rows:
        goal = GOALS.get(row["target"])
        row["goal"] = goal
        row["pass"] = None if goal is None or row["ratio"] is None else row["ratio"] >= goal
        if row["non_2xx"] or row["socket_errors"]:
            row["pass"] = False if goal is not None else row["pass"]
        base = demo.get((row["target"], row["db"]))
        row["scale"] = None
        if row["size"] != "demo" and base and row["target"] != "hello":
            row["scale"] = bool(row["requests"]) and bool(row["rps"]) and (
                base["rps"] / row["rps"] <= SCALE_FACTOR and row["p99"] < SCALE_P99_MS)


def table(rows: list[dict]) -> str:
    def mark(value):
        return "—" if value is None else ("pass" if value else "**miss**")

    def latency(r, key):  # no request finished within wrk's timeout: no percentile
        return "> 10000 (timeouts)" if not r["requests"] else f"{r[key]:.1f}"

    lines = ["| target | db | size | products | req/s | p50 ms | p99 ms | ratio | goal | verdict"
             " | at scale (≤2× demo cost, p99 < 100 ms) | non-2xx / errors |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|---|"]
    for r in rows:
        errors = f"{r['non_2xx']}" + (f" / {r['socket_errors']}" if r["socket_errors"] else "")
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.3f}"
        goal = "" if r["goal"] is None else f"≥ {r['goal']}"
        lines.append(
            f"| {r['target']} | {r['db']} | {r['size']} | {r['products'] or ''} | {r['rps']:.1f}"
            f" | {latency(r, 'p50')} | {latency(r, 'p99')} | {ratio} | {goal} | {mark(r['pass'])}"
            f" | {mark(r['scale'])} | {errors} |")
    return "\n".join(lines)


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        model = next((line.split(":", 1)[1].strip() for line in
                      Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, AttributeError):
        pass
    pg = ""
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        pg = ", " + subprocess.run(["psql", "--version"], capture_output=True, text=True,
                                   check=True).stdout.strip()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return (f"{os.cpu_count()} CPU ({model or platform.machine()}){memory}, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, SQLite "
            f"{__import__('sqlite3').sqlite_version}{pg}, {wrk.split(' [')[0]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--sizes", default="demo,1000,50000", help="demo,1000,50000")
    parser.add_argument("--targets", default=",".join(TARGETS), help=",".join(TARGETS))
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per target")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker (1: sync workers as in issue 9; make run uses 4)")
    parser.add_argument("--no-page-cache", action="store_true",
                        help="PAGE_CACHE_SECONDS=0: measure the pages without the whole-page cache")
    parser.add_argument("--append", action="store_true", help="add the table to bench/RESULTS.md")
    parser.add_argument("--note", default="", help="a line printed under the table")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--from-json", type=Path, help="print the table of a saved --json run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    dbs = [d for d in args.db.split(",") if d]
    sizes = [s for s in args.sizes.split(",") if s]
    targets = [t for t in args.targets.split(",") if t]
    unknown = ({*dbs} - {"sqlite", "postgres"}) | ({*sizes} - set(catalogue.SIZES)) \
        | ({*targets} - {*TARGETS})
    if unknown:
        parser.error(f"unknown choice(s): {', '.join(sorted(unknown))}")
    if "hello" not in targets:
        targets.insert(0, "hello")  # every ratio needs its hello-world of the same run
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on the way out
    command = "make bench" + (f" ARGS=\"{' '.join(sys.argv[1:])}\"" if sys.argv[1:] else "")
    meta = {"command": command, "started": f"{datetime.now(UTC):%Y-%m-%d %H:%M}",
            "load_before": ", ".join(f"{x:.1f}" for x in os.getloadavg()), "machine": machine(),
            "duration": args.duration, "threads": args.threads,
            "page_cache": not args.no_page_cache}
    began = time.perf_counter()
    rows: list[dict] = []
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        meta, rows = (saved["meta"], saved["rows"]) if isinstance(saved, dict) else (
            {**meta, "command": f"(rows of {args.from_json.name})"}, saved)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="ocop-bench-"))
        try:
            for db in dbs:
                for size in sizes:
                    print(f"== {db}, {size} ==", flush=True)
                    try:
                        rows += measure(db, size, targets, args.duration, workdir, args.threads,
                                        progress=lambda m: print(m, flush=True),
                                        extra_env={"PAGE_CACHE_SECONDS": "0"}
                                        if args.no_page_cache else None)
                    except Exception as err:  # noqa: BLE001 - report it, measure the rest
                        print(f"  FAILED: {db} {size}: {err!r}", flush=True)
                    if args.json:  # after each database and size: a long run keeps what it has
                        args.json.write_text(json.dumps({"meta": meta, "rows": rows}, default=str))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        meta["minutes"] = round((time.perf_counter() - began) / 60)
        meta["load_after"] = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        if args.json:
            args.json.write_text(json.dumps({"meta": meta, "rows": rows}, default=str))
    verdicts(rows)
    header = [
        f"## make bench — {meta['started']} UTC",
        "",
        f"- Command: `{meta['command']}` ({meta.get('minutes', '?')} min)",
        f"- Machine: {meta['machine']}; load average before {meta['load_before']}, after"
        f" {meta.get('load_after', '?')} (the machine is shared: compare ratios within a run, not"
        " req/s across runs).",
        f"- gunicorn from deploy/gunicorn.conf.py, 2 workers × {meta['threads']} thread(s)"
        f" ({'sync' if meta['threads'] == 1 else 'gthread'}), for the app and the hello-world"
        f" alike; `wrk -t1 -c16 -d{meta['duration']}s --latency` after a 2 s warm-up, servers"
        " idle before each target; ratio = req/s ÷ hello-world req/s of the same database and"
        f" size; whole-page cache {'on' if meta.get('page_cache', True) else 'off (PAGE_CACHE_SECONDS=0)'}.",
    ]
    if args.note:
        header.append(f"- {args.note}")
    text = "\n".join(header) + "\n\n" + table(rows) + "\n"
    print()
    print(text)
    if args.append:
        with (BENCH / "RESULTS.md").open("a", encoding="utf-8") as out:
            out.write("\n" + text)
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
