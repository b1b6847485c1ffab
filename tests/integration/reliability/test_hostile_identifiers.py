"""Hostile table and column names in a plugin: refused by the registry or quoted, never executed.

Names that could break out of a quoted identifier (a double quote, a dot, NUL) or that
PostgreSQL would silently truncate are refused when the plugin registers, and so are names of
the core's own tables. Every other name, however SQL-like (``; DROP TABLE …``, ``%s``,
``$1``), is a legal PostgreSQL identifier: the migration helper creates the table with it,
every write mode loads into it, and the rest of the warehouse stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Engine
from warehouse_state import executions, table_rows
from work_data_hub.config import Settings
from work_data_hub.domain.columns import Column
from work_data_hub.domain.definition import WriteMode
from work_data_hub.io.runs import RunRequest, run_domain
from work_data_hub.io.sample_data import write_csv
from work_data_hub.io.schema.tables import create_domain_table
from work_data_hub.plugins import Domain, DomainDefinition, SourceSpec
from work_data_hub.plugins.errors import PluginLoadError
from work_data_hub.testing.domain_runner import plugin_registry

pytestmark = pytest.mark.integration

TABLE = "robert'); DROP TABLE pipeline_executions;--"
KEY = "month'); DELETE FROM pipeline_executions; --"
AMOUNT = "amount %s"
COLUMNS = (
    Column(KEY, nullable=False),
    Column(AMOUNT, "integer"),
    Column("label %(x)s"),
    Column("$1 select * from pg_authid"),
    Column("; DROP SCHEMA public CASCADE; --"),
    Column("列 名 Upper"),
)
DEFINITION = DomainDefinition(
    name="hostile_names",
    table=TABLE,
    source=SourceSpec(patterns=("*.csv",), file_type="csv"),
    write_mode="append",
)
CORE_TABLES = ("pipeline_executions", "data_quality_metrics", "rejected_rows", "company_id_cache")


def hostile(definition: DomainDefinition, columns: Sequence[Column] = COLUMNS) -> Domain:
    """A domain with whatever definition and columns it is given."""
    return Domain(definition=definition, columns=columns)


REFUSED = {
    "double quote in the table": (replace(DEFINITION, table='x"; DROP TABLE t; --'), COLUMNS),
    "dot in the table": (replace(DEFINITION, table="public.pipeline_executions"), COLUMNS),
    "double quote in the schema": (replace(DEFINITION, db_schema='pg_catalog"--'), COLUMNS),
    "NUL in the table": (replace(DEFINITION, table="t\x00; DROP TABLE t"), COLUMNS),
    "table over 63 bytes": (replace(DEFINITION, table="长" * 22), COLUMNS),
    "double quote in a column": (DEFINITION, (Column('x" text); DROP TABLE t; --'),)),
    "dot in a column": (DEFINITION, (Column("pipeline_executions.status"),)),
    "blank-padded column": (DEFINITION, (Column(" id "),)),
    "lineage column": (DEFINITION, (Column("wdh_execution_id"),)),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_names_that_could_escape_quoting_are_refused_at_registration(case: str) -> None:
    definition, columns = REFUSED[case]

    with pytest.raises(PluginLoadError, match="hostile_names"):
        plugin_registry(hostile(definition, columns))


def _refusal(plugin: Domain) -> str | None:
    """The registry's error for ``plugin``, or None when it admits it."""
    try:
        plugin_registry(plugin)
    except PluginLoadError as refused:
        return str(refused)
    return None


def test_a_plugin_cannot_claim_a_core_table() -> None:
    refusals = {table: _refusal(hostile(replace(DEFINITION, table=table))) for table in CORE_TABLES}

    admitted = [table for table, refusal in refusals.items() if refusal is None]
    assert admitted == [], "a domain plugin may load into the core's own tables"
    assert all(table in str(refusal) for table, refusal in refusals.items())


def _create_table(engine: Engine, definition: DomainDefinition) -> None:
    with engine.begin() as connection:
        operations = Operations(MigrationContext.configure(connection))
        create_domain_table(
            operations,
            definition.table,
            COLUMNS,
            keys=definition.keys,
            unique_keys=definition.write_mode == "upsert",
        )


def _source(folder: Path, rows: int) -> tuple[Path, list[tuple[object, ...]]]:
    """A CSV file with ``rows`` rows under the hostile headers, and the rows it must load."""
    values = {
        KEY: [f"2024-{1 + row % 12:02d}' OR '1'='1" for row in range(rows)],
        AMOUNT: list(range(rows)),
        **{column.name: [f"{column.name} #{row}" for row in range(rows)] for column in COLUMNS[2:]},
    }
    frame = pd.DataFrame(values)
    path = write_csv(folder / f"hostile_{rows}.csv", frame)
    return path, sorted(frame.itertuples(index=False, name=None), key=repr)


def _public_tables(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(sa.inspect(connection).get_table_names())


@pytest.mark.parametrize(
    ("mode", "rows"),
    [("append", 3), ("append", 600), ("delete_insert", 600), ("replace", 600), ("upsert", 12)],
)
def test_sql_like_names_are_quoted_in_every_write_mode(
    wdh_engine: Engine, settings: Settings, tmp_path: Path, mode: WriteMode, rows: int
) -> None:
    keys = (KEY,) if mode in ("delete_insert", "upsert") else ()
    definition = replace(DEFINITION, write_mode=mode, keys=keys)
    registry = plugin_registry(hostile(definition))
    _create_table(wdh_engine, definition)
    tables = _public_tables(wdh_engine)
    file, expected = _source(tmp_path, rows)
    request = RunRequest(definition.name, file=file)

    reports = [
        run_domain(request, engine=wdh_engine, registry=registry, settings=settings)
        for _ in range(1 if mode == "append" else 2)
    ]

    assert [report.status for report in reports] == ["succeeded"] * len(reports), [
        report.error for report in reports
    ]
    assert reports[-1].rows_loaded == rows
    loaded = table_rows(
        wdh_engine, TABLE, without=("wdh_execution_id", "wdh_source_row", "wdh_loaded_at")
    )
    assert loaded == expected
    assert _public_tables(wdh_engine) == tables
    recorded = executions(wdh_engine)
    assert {recorded[report.execution_id].status for report in reports} == {"succeeded"}
