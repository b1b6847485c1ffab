"""Is the warehouse ready for a run: the core's audit tables and the domain's table exist."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Engine

from work_data_hub.io.runs.request import RunFailed

__all__ = ["WarehouseNotMigrated", "require_migrated"]

_EXISTS = sa.text("SELECT to_regclass(:core) IS NOT NULL, to_regclass(:target) IS NOT NULL")


class WarehouseNotMigrated(RunFailed):
    """The database lacks the tables migrations create; the message says to run them."""


def _quoted(schema: str, table: str) -> str:
    return ".".join('"' + name.replace('"', '""') + '"' for name in (schema, table))


def require_migrated(engine: Engine, schema: str, table: str) -> None:
    """Raise ``WarehouseNotMigrated`` unless ``pipeline_executions`` and ``schema.table`` exist.

    A run on a fresh database would otherwise fail deep inside its first statement.
    """
    with engine.connect() as connection:
        core, target = connection.execute(
            _EXISTS,
            {"core": _quoted("public", "pipeline_executions"), "target": _quoted(schema, table)},
        ).one()
    if not core:
        raise WarehouseNotMigrated(
            "the database has no WorkDataHub tables yet (no pipeline_executions): "
            "run `workdatahub db upgrade` first"
        )
    if not target:
        raise WarehouseNotMigrated(
            f"the table {schema}.{table} does not exist: run `workdatahub db upgrade` to apply "
            "the domain's migrations"
        )
