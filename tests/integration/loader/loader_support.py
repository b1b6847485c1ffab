"""Helpers shared by the loader's integration tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from work_data_hub.io.loader import WarehouseLoader
from work_data_hub.io.loader.retry import RetryPolicy

MakeLoader = Callable[..., WarehouseLoader]
"""The ``make_loader`` fixture: keyword arguments go to ``WarehouseLoader``."""

NO_WAIT = RetryPolicy(sleep=lambda _seconds: None)
"""Retries without real pauses, so a test never waits out the backoff."""


def execute(engine: Engine, *statements: str) -> None:
    """Run ``statements`` (DDL or fixture SQL, no parameters) in one transaction.

    They go to the driver's cursor as they are, so a ``%`` in them needs no escaping.
    """
    with engine.begin() as connection:
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for statement in statements:
            cursor.execute(statement)


def table_rows(engine: Engine, table: str, order_by: str = "1") -> list[tuple[Any, ...]]:
    """Return every row of ``table`` (a quoted SQL name) as tuples, ordered by ``order_by``."""
    query = f"SELECT * FROM {table} ORDER BY {order_by}"
    with engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(query)]
