"""Django's PostgreSQL backend, with a health check that costs no round trip when nothing is wrong.

With CONN_HEALTH_CHECKS, Django checks a reused connection before each request's first query by
sending `SELECT 1`: a round trip on every API request, which bench/api.py measured at about a seventh
of a sync worker's time under load. A connection the server has ended (restart, pg_terminate_backend,
idle timeout) has data waiting on its socket: the server's FATAL message, then end-of-file. So an
idle connection with nothing to read is usable as it is; anything else gets Django's own check.
A server that vanished without closing the socket passes either way until the next query fails.
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
