"""A reused PostgreSQL connection is health-checked without a round trip (config/postgresql/base.py):
a connection the server ended is still replaced before the request's first query, and a healthy one
costs no `SELECT 1`."""

import select
import time

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.db.backends.postgresql import base as django_postgresql

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend; run with DATABASE_URL=postgres://…"),
    pytest.mark.django_db(transaction=True),
]


def test_settings_use_the_round_trip_free_backend():
    assert connection.settings_dict["ENGINE"] == "config.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_healthy_idle_connection_is_usable_without_asking_the_server(monkeypatch):
    connection.ensure_connection()
    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", lambda self: pytest.fail("sent SELECT 1"))
    assert connection.is_usable() is True


def _terminate(backend_pid):
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["dbname"] = connection.settings_dict["NAME"]
    with psycopg.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")}, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [backend_pid]).fetchone()[0]


def test_a_connection_the_server_ended_is_replaced_before_the_next_query():
    connection.ensure_connection()
    old_pid = connection.connection.info.backend_pid
    _terminate(old_pid)
    deadline = time.monotonic() + 5
    while not select.select([connection.connection.fileno()], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "the server never closed the connection"
    assert connection.is_usable() is False

    # What Django does between requests, then a request's first query: a new connection, no error.
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        new_pid = cursor.fetchone()[0]
    assert new_pid != old_pid
