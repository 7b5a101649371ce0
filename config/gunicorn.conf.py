"""gunicorn settings for production and bench/api.py: `gunicorn -c config/gunicorn.conf.py`.

WEB_CONCURRENCY   worker processes (default 2: one per core on the reference machine)
GUNICORN_THREADS  threads per worker (default 4)
BIND              address to listen on (default 127.0.0.1:8000)

Threaded workers (gthread), not sync ones: a check spends much of its time waiting on PostgreSQL
(round trips, and the decision log's commit waiting for the WAL to reach the disk). A sync worker
sits idle through those waits; with threads, another request runs meanwhile, and concurrent commits
share a WAL flush. gthread workers also keep client connections alive between requests.
"""

import os

wsgi_app = "config.wsgi"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5  # seconds an idle client connection stays open
