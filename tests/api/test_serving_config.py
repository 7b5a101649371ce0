"""config/gunicorn.conf.py: sync workers, each warmed (engine snapshot built) and gc-frozen before its first request."""

import gc
import runpy
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from policies.engine import snapshot as snapshots

CONF = runpy.run_path(str(Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"))


def test_workers_are_sync_workers():
    assert CONF["worker_class"] == "sync" and "threads" not in CONF


@pytest.mark.django_db
def test_a_worker_builds_the_snapshot_and_freezes_it_before_serving():
    snapshots.clear_cache()
    try:
        CONF["post_worker_init"](worker=None)
        with CaptureQueriesContext(connection) as queries:
            token, snapshot = snapshots.last_read()  # cached by the warm-up: no query
        assert not queries and snapshot is not None and token == snapshots.current_token()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
