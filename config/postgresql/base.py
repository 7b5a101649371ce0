"""Django's PostgreSQL backend, with a health check that costs no round trip when nothing is wrong,
and a cursor that sends parameters apart from the statement.

With CONN_HEALTH_CHECKS, Django checks a reused connection before each request's first query by
sending `SELECT 1`: a round trip on every API request, which bench/api.py measured at about a seventh
of a sync worker's time under load. A connection the server has ended (restart, pg_terminate_backend,
idle timeout) has data waiting on its socket: the server's FATAL message, then end-of-file. So an
idle connection with nothing to read is usable as it is; anything else gets Django's own check.
A server that vanished without closing the socket passes either way until the next query fails.

Django's cursors bind parameters on the client: psycopg escapes each value into the SQL text and
the server parses it back out. For the decision log's insert, whose values are ~10 KB of JSON, that
was about a quarter of the insert's cost on each side (measured in-process: 0.9 ms of client and
server CPU per insert, 0.6-0.7 ms with the parameters sent apart). `server_binding_cursor()` gives
that cursor for the statements that need it, leaving every other query as Django issues it:
Django's own option for every query (OPTIONS server_side_binding) made both ping and checks 2-3 %
slower in side-by-side runs of both servers (two runs, either order; 2026-12-04).
"""

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status == TransactionStatus.IDLE:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
            if not readable:
                return True
        return super().is_usable()

    def server_binding_cursor(self):
        """A cursor (wrapped as Django wraps its own: query logging, execute wrappers, error mapping)
        whose parameters travel apart from the SQL. psycopg prepares its statements on the server
        after OPTIONS["prepare_threshold"] runs on the connection (DB_PREPARE_THRESHOLD, settings)."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            return self._prepare_cursor(base.ServerBindingCursor(self.connection))
