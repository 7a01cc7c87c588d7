"""gunicorn settings for `make run`, `make bench` and production:
`gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Workers and threads come from WEB_CONCURRENCY and THREADS. The laptop defaults (2 workers × 4
threads) keep the embedded SQLite database honest: writers queue on its write lock (see
app/database.py) while readers run in parallel under WAL.
"""

import os

bind = os.environ.get("BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
# A worker is recycled after this many requests (plus jitter), so a slow leak cannot grow forever.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a reverse proxy, X-Forwarded-* is trusted only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
