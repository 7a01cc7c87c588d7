"""The fixed cost of a request, hook by hook: N plain WSGI calls (what gunicorn makes, no
test client), each request hook, the session interface and the view timed apart, beside a
Flask hello-world called the same way in the same process.

    .venv/bin/python bench/hooks.py [PATH] [--requests 5000] [--size demo] [--db sqlite] [--no-page-cache]

PATH defaults to /healthz (`product`: product pages; `trace`: stamps' trace pages). Prints
the CPU time per request of the app and of the hello-world, and the microseconds each hook
costs per request; what no
hook accounts for is Flask's and Werkzeug's own work (routing, request and response objects,
contexts) plus WSGI middleware.
"""

from __future__ import annotations

import argparse
import functools
import io
import secrets
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import catalogue, run  # noqa: E402

spent: dict[str, float] = defaultdict(float)


def label_of(func) -> str:
    inner = getattr(func, "func", func)  # functools.partial
    return f"{getattr(inner, '__module__', '?')}.{getattr(inner, '__qualname__', repr(inner))}"


def timed(label: str, func):
    @functools.wraps(getattr(func, "func", func))
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - started

    return wrapper


def instrument(app) -> None:
    """Wrap every request-scoped hook of `app` with a timer named after it."""
    for registry, kind in ((app.before_request_funcs, "before"), (app.after_request_funcs, "after"),
                           (app.teardown_request_funcs, "teardown"),
                           (app.url_value_preprocessors, "url_value"),
                           (app.template_context_processors, "context")):
        for scope, funcs in registry.items():
            for i, func in enumerate(funcs):
                name = f"{kind}[{scope or 'app'}] {label_of(func)}"
                funcs[i] = timed(name, func)
    app.teardown_appcontext_funcs[:] = [
        timed(f"teardown_appcontext {label_of(f)}", f)
        for f in app.teardown_appcontext_funcs]
    session = app.session_interface
    session.open_session = timed("session open", session.open_session)
    session.save_session = timed("session save", session.save_session)
    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = timed(f"view {endpoint}", view)


def environ(path: str, n: int) -> dict:
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": f"wrk-{n}", "HTTP_ACCEPT": "*/*",
        "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(wsgi, paths: list[str], count: int) -> tuple[float, dict[str, int]]:
    statuses: dict[str, int] = defaultdict(int)

    def start_response(status, headers, exc_info=None):
        statuses[status.split()[0]] += 1

    started = time.process_time()
    for n in range(count):
        body = wsgi(environ(paths[n % len(paths)], n), start_response)
        for _chunk in body:
            pass
        if hasattr(body, "close"):
            body.close()
    return (time.process_time() - started) / count, dict(statuses)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", default="/healthz")
    parser.add_argument("--size", default="demo", choices=list(catalogue.SIZES))
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--no-page-cache", action="store_true")
    parser.add_argument("--warm-up", type=int, help="requests before measuring (default: every path once)")
    parser.add_argument("--cprofile", type=int, metavar="LINES", default=0,
                        help="also print the top LINES functions of cProfile (cumulative time)")
    args = parser.parse_args()

    from app import create_app
    from app.extensions import db
    from bench.hello_app import app as hello

    workdir = Path(tempfile.mkdtemp(prefix="ocop-hooks-"))
    copy = catalogue.prepare(args.db, args.size, workdir, progress=print)
    try:
        if args.path in ("product", "trace"):
            paths = run.request_lists(copy["url"], copy["index_dir"])[args.path]
        else:
            paths = [args.path]
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": copy["url"], "SEARCH_INDEX_DIR": str(copy["index_dir"]),
            "MAIL_OUTBOX_DIR": str(copy["work"] / "outbox"), "LOG_LEVEL": "WARNING",
            "BASE_URL": "http://127.0.0.1", "SECRET_KEY": secrets.token_urlsafe(32),
            **({"PAGE_CACHE_SECONDS": 0} if args.no_page_cache else {}),
        })
        call(hello.wsgi_app, ["/"], 200)
        warm = args.warm_up if args.warm_up is not None else max(200, len(paths))
        call(app, paths, warm)  # warm-up: caches, compiled templates, pool
        hello_cpu, _ = call(hello, ["/"], args.requests)
        bare_cpu, statuses = call(app, paths, args.requests)
        if args.cprofile:
            import cProfile
            import pstats

            profiler = cProfile.Profile(time.process_time)  # CPU, as the table
            profiler.runcall(call, app, paths, args.requests)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.cprofile)
        instrument(app)
        spent.clear()
        instrumented_cpu, _ = call(app, paths, args.requests)
        with app.app_context():
            db.engine.dispose()
        print(f"{args.path}: {args.requests} WSGI calls, statuses {statuses}")
        print(f"  app      {bare_cpu * 1e6:8.0f} µs CPU per request")
        print(f"  hello    {hello_cpu * 1e6:8.0f} µs CPU per request (ratio {hello_cpu / bare_cpu:.2f})")
        print(f"  fixed    {(bare_cpu - hello_cpu) * 1e6:8.0f} µs more than hello-world")
        print(f"  (instrumented run: {instrumented_cpu * 1e6:.0f} µs per request)")
        for label, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"  {seconds / args.requests * 1e6:8.1f} µs  {label}")
    finally:
        catalogue.release(copy)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
