"""gunicorn settings of `make bench`: the app and the hello-world are served alike.

Two sync workers (the measurement in issue 9), one thread each, bound to 127.0.0.1 on the
port in BENCH_PORT; quiet logs (an access log would cost each request a write).
"""

import os

bind = f"127.0.0.1:{os.environ.get('BENCH_PORT', '8000')}"
workers = int(os.environ.get("BENCH_WORKERS", "2"))
worker_class = "sync"
threads = 1
backlog = 512
timeout = 60
graceful_timeout = 5
keepalive = 5
loglevel = "warning"
accesslog = None
errorlog = "-"
