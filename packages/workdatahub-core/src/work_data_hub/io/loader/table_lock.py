"""The advisory lock that serialises loads of one table, with a bounded wait.

A load takes ``pg_advisory_xact_lock(hashtext('schema.table'))`` in its transaction. The wait is
bounded by ``lock_timeout`` for that one statement (inside a savepoint, so a timeout leaves the
transaction usable): when it runs out, the holder is looked up in ``pg_locks`` and
``pg_stat_activity`` and named in the error.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from work_data_hub.io.loader.errors import TableLockTimeout

__all__ = ["lock_table", "table_lock_holders"]

LOCK_NOT_AVAILABLE = "55P03"

_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:name))")
_HOLDERS = text(
    "SELECT a.pid, a.application_name, a.usename, a.client_addr::text, a.state, "
    "a.xact_start, a.query_start "
    "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext(:name)::bigint "
    "AND l.pid <> pg_backend_pid() ORDER BY a.pid"
)


def lock_name(schema: str, table: str) -> str:
    """The text whose ``hashtext`` is the advisory lock key of ``schema.table``."""
    return f"{schema}.{table}"


def lock_table(connection: Connection, schema: str, table: str, *, wait_s: float = 0.0) -> None:
    """Take the transaction-scoped advisory lock of ``schema.table``: loads of a table serialise.

    Waits at most ``wait_s`` seconds (0: as long as it takes); then raises ``TableLockTimeout``
    naming the session that holds the lock. Issued through SQLAlchemy so that its transaction
    is begun on ``connection`` if it was not.
    """
    name = lock_name(schema, table)
    if wait_s <= 0:
        connection.execute(_LOCK, {"name": name})
        return
    previous = connection.execute(text("SELECT current_setting('lock_timeout')")).scalar_one()
    savepoint = connection.begin_nested()
    try:
        _set_lock_timeout(connection, f"{round(wait_s * 1000)}ms")
        connection.execute(_LOCK, {"name": name})
    except OperationalError as error:
        if getattr(error.orig, "pgcode", None) != LOCK_NOT_AVAILABLE:
            raise
        savepoint.rollback()
        holders = table_lock_holders(connection, schema, table)
        raise TableLockTimeout(name, wait_s, holders) from None
    savepoint.commit()
    _set_lock_timeout(connection, previous)


def _set_lock_timeout(connection: Connection, value: str) -> None:
    connection.execute(text("SELECT set_config('lock_timeout', :value, true)"), {"value": value})


def table_lock_holders(connection: Connection, schema: str, table: str) -> list[str]:
    """Describe each other session holding the lock of ``schema.table``: process id,
    ``application_name`` (a run's names its execution), user, client, state and start times."""
    rows = connection.execute(_HOLDERS, {"name": lock_name(schema, table)}).all()
    return [
        f"backend pid {pid} (application {application!r}, user {user!r}, client "
        f"{client or 'local socket'}, {state}, transaction started {_time(xact_start)}, "
        f"last query started {_time(query_start)})"
        for pid, application, user, client, state, xact_start, query_start in rows
    ]


def _time(value: object) -> str:
    return "-" if value is None else str(value)
