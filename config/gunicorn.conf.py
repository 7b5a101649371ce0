"""gunicorn settings for production and bench/api.py: `gunicorn -c config/gunicorn.conf.py`.

WEB_CONCURRENCY   worker processes (default 2: one per core on the reference machine)
BIND              address to listen on (default 127.0.0.1:8000)

Sync workers, one request at a time each, as gunicorn recommends behind a buffering proxy (nginx):
a threaded worker keeps each keep-alive connection for itself, so whichever worker accepted more
connections queues more requests, and its threads wait on each other's GIL; a sync worker takes the
next connection only when free, so requests are served about in arrival order.

Each worker builds the rules engine's compiled policy before it takes its first request, then freezes
the garbage collector's view of everything built so far (gc.freeze), so that full collections do not
walk Django's, the knowledge base's and the compiled rules' objects while requests wait. The
measurements behind both choices are in docs/benchmarks.md ("Serving configuration and why").
"""

import gc
import logging
import os

wsgi_app = "config.wsgi"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"


def post_worker_init(worker):
    """Warm the engine (imports, snapshot, database connection), then gc.freeze() what is long-lived."""
    try:
        from policies.engine.snapshot import current

        current()  # its database connection stays open for the first request (DB_CONN_MAX_AGE)
    except Exception:  # the database may be down; the first check builds the snapshot instead
        logging.getLogger(__name__).warning("could not warm the rules engine at worker start", exc_info=True)
    gc.collect()
    gc.freeze()
