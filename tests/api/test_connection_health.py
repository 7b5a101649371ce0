"""A reused PostgreSQL connection (CONN_MAX_AGE) is health-checked before a request's first query
(CONN_HEALTH_CHECKS): a connection the server ended meanwhile is replaced, and the request works."""

import select
import time

import psycopg
import pytest
from django.db import close_old_connections, connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's connections; run with DATABASE_URL=postgres://…"),
    pytest.mark.django_db(transaction=True),
]


def _terminate(backend_pid):
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")}, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [backend_pid]).fetchone()[0]


def test_a_connection_the_server_ended_is_replaced_before_the_next_request_queries():
    connection.ensure_connection()
    old_pid = connection.connection.info.backend_pid
    _terminate(old_pid)
    deadline = time.monotonic() + 5
    while not select.select([connection.connection.fileno()], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "the server never closed the connection"

    # What Django does between requests, then a request's first query: a new connection, no error.
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        new_pid = cursor.fetchone()[0]
    assert new_pid != old_pid
