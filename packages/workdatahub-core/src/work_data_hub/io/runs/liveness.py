"""Whether the process behind a ``running`` execution is still alive.

A run holds a session-level advisory lock, ``pg_advisory_lock(EXECUTION_LOCK_NAMESPACE, key)``,
on a connection of its own from before its ``running`` row commits until its outcome is
recorded, and the row stores ``key`` with the host and process id. PostgreSQL releases the lock
when that session ends, however the process died (SIGKILL, abort, lost host: the server's TCP
keepalives end the session). A ``running`` row whose lock no live session holds is therefore a
run that died: ``mark_abandoned_runs`` marks it ``abandoned``, with when and why.
"""

from __future__ import annotations

import os
import secrets
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text

from work_data_hub.io.database import masked
from work_data_hub.io.loader.retry import RetryPolicy
from work_data_hub.utils.logging import get_logger

__all__ = [
    "ABANDONED_ERROR_TYPE",
    "EXECUTION_LOCK_NAMESPACE",
    "ExecutionLock",
    "hold_execution_lock",
    "mark_abandoned_runs",
]

logger = get_logger(__name__)

EXECUTION_LOCK_NAMESPACE = 0x57444852
"""First key of every execution lock (``'WDHR'``); the second is the execution's ``lock_key``."""

ABANDONED_ERROR_TYPE = "RunAbandoned"

_MAX_KEY = 2**31 - 1

_MARK_ABANDONED = text(
    """
    UPDATE pipeline_executions AS e
    SET status = 'abandoned',
        abandoned_at = clock_timestamp(),
        rows_loaded = 0,
        error_type = :error_type,
        error_details = format(
            'abandoned: the process that ran this execution (pid %s on host %s) ended without '
            'recording an outcome; its execution lock was free when %s looked at %s. Its load '
            'was rolled back: nothing of it was committed.',
            coalesce(e.pid::text, '?'), coalesce(e.host, '?'), :found_by, clock_timestamp())
    WHERE e.status = 'running'
      AND e.lock_key IS NOT NULL
      AND NOT EXISTS (
        SELECT 1 FROM pg_locks AS l
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = :namespace
          AND l.objid::bigint = e.lock_key::bigint)
    RETURNING e.execution_id::text, e.domain, e.host, e.pid
    """
)


@dataclass(frozen=True)
class ExecutionLock:
    """The advisory lock a run holds while it runs, who holds it, and the execution it guards."""

    key: int
    host: str
    pid: int
    execution_id: str


def _try_lock(connection: Any, key: int) -> bool:
    cursor = connection.cursor()
    try:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", (EXECUTION_LOCK_NAMESPACE, key))
        return bool(cursor.fetchone()[0])
    finally:
        cursor.close()


@contextmanager
def hold_execution_lock(
    engine: Engine, *, retry: RetryPolicy | None = None
) -> Iterator[ExecutionLock]:
    """Hold a new execution lock, for a new execution id, for the duration of the block.

    The lock lives on a connection from a pool of its own (a copy of ``engine``'s), so a run
    never waits for it behind its own loads; it stays idle outside any transaction, named
    ``workdatahub <execution id> lock`` in ``pg_stat_activity``. Opening it is retried like
    every other connection.
    """
    execution_id = str(uuid.uuid4())
    pool = engine.pool.recreate()
    connection = (retry or RetryPolicy()).call(pool.connect, target=masked(engine.url))
    try:
        key = secrets.randbelow(_MAX_KEY) + 1
        while not _try_lock(connection, key):
            key = secrets.randbelow(_MAX_KEY) + 1
        cursor = connection.cursor()
        cursor.execute(
            "SELECT set_config('application_name', %s, false)",
            (f"workdatahub {execution_id} lock",),
        )
        cursor.close()
        connection.commit()
        yield ExecutionLock(
            key=key, host=socket.gethostname(), pid=os.getpid(), execution_id=execution_id
        )
    finally:
        connection.invalidate()
        pool.dispose()


def mark_abandoned_runs(engine: Engine, *, found_by: str) -> list[str]:
    """Mark every ``running`` execution whose process is gone as ``abandoned``; return their ids.

    Gone means: the row names an execution lock and no live session holds it. Rows without a
    lock key (stages run one by one, as Dagster does) are left alone. ``found_by`` says who
    looked, in the recorded reason.
    """
    with engine.begin() as connection:
        rows = connection.execute(
            _MARK_ABANDONED,
            {
                "error_type": ABANDONED_ERROR_TYPE,
                "found_by": found_by,
                "namespace": EXECUTION_LOCK_NAMESPACE,
            },
        ).all()
    for execution_id, domain, host, pid in rows:
        logger.warning(
            "abandoned run marked", execution_id=execution_id, domain=domain, host=host, pid=pid
        )
    return [str(row[0]) for row in rows]
