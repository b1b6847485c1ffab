"""What the reliability tests compare: table contents, audit rows, and a way to stall a load.

``table_rows`` is the exact content of a table (every column, lineage included) as a sorted
list, so two snapshots are equal only when not one value changed. ``stalled_inserts`` installs
a trigger that makes a load sleep inside its transaction at a chosen source row, and
``gated_inserts`` one that makes every insert statement wait for a lock the test holds: both let
a test act at a known point in the middle of a load.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

LINEAGE = ("wdh_execution_id", "wdh_loaded_at")
STALL_SECONDS = 600
"""How long a stalled insert sleeps; tests always terminate it long before."""
GATE_LOCK = 7_340_001
"""The advisory lock key ``gated_inserts`` holds; no part of the platform uses it."""


@dataclass(frozen=True)
class Execution:
    """One ``pipeline_executions`` row, as the tests look at it."""

    execution_id: str
    domain: str
    status: str
    rows_read: int | None
    rows_loaded: int | None
    rows_rejected: int | None
    error_type: str | None
    error_details: str | None
    host: str | None = None
    pid: int | None = None
    lock_key: int | None = None
    abandoned_at: datetime | None = None


def _quoted(engine: Engine, *parts: str) -> str:
    quote = engine.dialect.identifier_preparer.quote
    return ".".join(quote(part) for part in parts)


def table_rows(
    engine: Engine,
    table: str,
    *,
    schema: str = "public",
    without: tuple[str, ...] = (),
    where: str = "TRUE",
) -> list[tuple[Any, ...]]:
    """Return the rows of ``schema.table`` matching the SQL condition ``where`` (all columns but
    ``without``), sorted, as tuples."""
    with engine.connect() as connection:
        names = [
            column["name"]
            for column in sa.inspect(connection).get_columns(table, schema=schema)
            if column["name"] not in without
        ]
        selected = sa.table(table, *(sa.column(name) for name in names), schema=schema)
        rows = connection.execute(sa.select(selected).where(sa.text(where))).all()
    return sorted((tuple(row) for row in rows), key=repr)


def data_rows(engine: Engine, table: str, *, schema: str = "public") -> list[tuple[Any, ...]]:
    """Return the rows of ``table`` without the lineage columns that differ from run to run."""
    return table_rows(engine, table, schema=schema, without=LINEAGE)


def loaded_by(engine: Engine, table: str) -> dict[str, int]:
    """Return how many rows of ``table`` each execution id loaded."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                f"SELECT wdh_execution_id::text, count(*) FROM {_quoted(engine, table)} GROUP BY 1"
            )
        ).all()
    return {str(execution_id): int(count) for execution_id, count in rows}


def executions(engine: Engine) -> dict[str, Execution]:
    """Return every ``pipeline_executions`` row by execution id."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT execution_id::text, domain, status, rows_read, rows_loaded, "
                "rows_rejected, error_type, error_details, host, pid, lock_key, abandoned_at "
                "FROM pipeline_executions"
            )
        ).all()
    return {row[0]: Execution(*row) for row in rows}


def rejected_cells(engine: Engine, execution_id: str) -> set[tuple[int, str | None]]:
    """Return the (source row, column) pairs ``rejected_rows`` holds for one execution."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT source_row, column_name FROM rejected_rows WHERE execution_id = :id"),
            {"id": execution_id},
        ).all()
    return {(int(row), column) for row, column in rows}


@contextmanager
def stalled_inserts(engine: Engine, table: str, *, from_source_row: int) -> Iterator[None]:
    """Make every insert into ``table`` of a row with ``wdh_source_row >= from_source_row`` sleep.

    The sleeping backend waits with ``wait_event = 'PgSleep'`` (``waiting_backends`` with
    ``"Timeout"`` finds it) while its transaction, and everything the load did before that row,
    stays open. The trigger is dropped on exit.
    """
    function = "wdh_test_stall_insert"
    with engine.begin() as connection:
        connection.exec_driver_sql(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.wdh_source_row >= {int(from_source_row)} THEN "
            f"PERFORM pg_sleep({STALL_SECONDS}); END IF; RETURN NEW; END $$"
        )
        connection.exec_driver_sql(
            f"CREATE TRIGGER wdh_test_stall BEFORE INSERT ON {_quoted(engine, table)} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    try:
        yield
    finally:
        with engine.begin() as connection:
            # A load still asleep in the trigger holds its table lock: end it, so the DROP
            # cannot wait forever when the test failed before it killed the load itself.
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                "current_database() AND wait_event = 'PgSleep' AND pid <> pg_backend_pid()"
            )
            connection.exec_driver_sql("SET LOCAL lock_timeout = '60s'")
            connection.exec_driver_sql(f"DROP TRIGGER wdh_test_stall ON {_quoted(engine, table)}")
            connection.exec_driver_sql(f"DROP FUNCTION {function}()")


@contextmanager
def gated_inserts(engine: Engine, table: str) -> Iterator[Callable[[], None]]:
    """Hold back every insert statement into ``table`` until the yielded ``release`` is called.

    A statement trigger takes a shared advisory lock that the test holds exclusively, so a load
    waits there (``wait_event = 'advisory'``) inside its transaction, after its DELETE. The
    trigger is dropped and the lock released on exit.
    """
    function = "wdh_test_gate_insert"
    gate = engine.connect()
    gate.exec_driver_sql(f"SELECT pg_advisory_lock({GATE_LOCK})")
    gate.commit()
    with engine.begin() as connection:
        connection.exec_driver_sql(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"PERFORM pg_advisory_xact_lock_shared({GATE_LOCK}); RETURN NULL; END $$"
        )
        connection.exec_driver_sql(
            f"CREATE TRIGGER wdh_test_gate BEFORE INSERT ON {_quoted(engine, table)} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )

    def release() -> None:
        gate.exec_driver_sql("SELECT pg_advisory_unlock_all()")
        gate.commit()

    try:
        yield release
    finally:
        release()
        gate.close()
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP TRIGGER wdh_test_gate ON {_quoted(engine, table)}")
            connection.exec_driver_sql(f"DROP FUNCTION {function}()")


@dataclass(frozen=True)
class Backend:
    """A server process of the test database: its id, what it waits for and its statement."""

    pid: int
    wait_event: str | None
    query: str


def waiting_backends(
    engine: Engine, wait_type: str, count: int, *, timeout_s: float = 60.0
) -> list[Backend]:
    """Wait until ``count`` other backends of this database wait with ``wait_event_type``.

    ``"Lock"`` catches backends blocked on a lock (advisory or row locks), ``"Timeout"`` the
    ones sleeping in ``stalled_inserts``' trigger. Returns them ordered by process id.
    """
    deadline = time.monotonic() + timeout_s
    found: list[Backend] = []
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            rows = connection.execute(
                sa.text(
                    "SELECT pid, wait_event, query FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = :wait_type "
                    "AND pid <> pg_backend_pid() ORDER BY pid"
                ),
                {"wait_type": wait_type},
            ).all()
            connection.rollback()
            found = [Backend(int(pid), event, str(query)) for pid, event, query in rows]
            if len(found) >= count:
                return found
            time.sleep(0.02)
    raise AssertionError(f"expected {count} backends waiting ({wait_type}), found {found}")


def wait_for_lock_release(
    engine: Engine, namespace: int, key: int, *, timeout_s: float = 30
) -> None:
    """Wait until no session holds the advisory lock ``(namespace, key)`` (its holder ended)."""
    deadline = time.monotonic() + timeout_s
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            held = connection.execute(
                sa.text(
                    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 "
                    "AND classid::bigint = :namespace AND objid::bigint = :key"
                ),
                {"namespace": namespace, "key": key},
            ).first()
            connection.rollback()
            if held is None:
                return
            time.sleep(0.02)
    raise AssertionError(f"advisory lock ({namespace}, {key}) still held after {timeout_s} s")


def terminate_backend(engine: Engine, pid: int) -> None:
    """Kill server process ``pid`` (``pg_terminate_backend``) and wait until it is gone."""
    with engine.connect() as connection:
        assert connection.execute(
            sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}
        ).scalar()
        for attempt in range(1, 3001):
            if attempt % 500 == 0:  # a signal the backend has not acted on yet: send it again
                connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            alive = connection.execute(
                sa.text("SELECT 1 FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).first()
            connection.rollback()
            if alive is None:
                return
            time.sleep(0.01)
    raise AssertionError(f"backend {pid} still runs after pg_terminate_backend")
