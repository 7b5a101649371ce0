"""The per-process cache of the compiled policy, keyed by the database's revision token.

`current()` reads a single token (`PolicyRevision`), which signal handlers (policies.signals) replace
whenever a knowledge-base row or a rule is saved or deleted; the policy is loaded
(`policies.engine.loader`) and compiled (`policies.engine.compiled`) again only when the token
differs. That is one indexed read per check, and it works across processes (gunicorn workers)
because the token lives in the database, not in memory. A logged check skips even that read: it is
decided with `last_read()` and its insert confirms the token (policies.services.decide_and_record).
"""

import threading

from policies.engine.compiled import compile_policy
from policies.engine.loader import load_policy


def build():
    """Load the policy from the database and compile it (no caching)."""
    return compile_policy(load_policy())


_lock = threading.Lock()
_cached = (None, None)  # (token, CompiledPolicy)


def current_token():
    # A raw, indexed one-row read: this runs on every check, so it skips the ORM's query building.
    from django.db import connection

    from policies.models import PolicyRevision

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {PolicyRevision._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else ""


def current():
    """The compiled policy for the database's current revision (rebuilt only when it changed)."""
    return current_with_token()[1]


def current_with_token():
    """(revision token, compiled policy) for the database's current revision."""
    global _cached
    token = current_token()
    cached = _cached
    if cached[1] is not None and token == cached[0]:
        return cached
    with _lock:
        cached = (token, build())
        _cached = cached
    return cached


def last_read():
    """(revision token, compiled policy) as this process last read them, without asking the database.

    For a caller that confirms the token itself in a statement it sends anyway (the decision log's
    insert, policies.services.decide_and_record). Reads the database only when nothing is cached.
    """
    cached = _cached
    return cached if cached[1] is not None else current_with_token()


def clear_cache():
    global _cached
    _cached = (None, None)
