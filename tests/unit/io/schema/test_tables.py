from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateSchema, SchemaItem
from sqlalchemy.sql.expression import Executable
from work_data_hub.domain.columns import Column
from work_data_hub.io.schema.tables import (
    create_domain_table,
    drop_domain_table,
    lineage_columns,
    sqlalchemy_columns,
)

pytestmark = pytest.mark.unit

POSTGRES = sa.create_engine("postgresql+psycopg2://").dialect

DECLARED = (
    Column("plan_code", "text", nullable=False, max_length=10),
    Column("customer_name", "text"),
    Column("report_month", "date", nullable=False),
    Column("members", "integer"),
    Column("closing_assets", "decimal", precision=20, scale=2),
    Column("active", "boolean"),
)


def test_each_declared_kind_maps_to_its_postgres_type() -> None:
    columns = sqlalchemy_columns(DECLARED)
    rendered = {column.name: column.type.compile(dialect=POSTGRES) for column in columns}

    assert rendered == {
        "plan_code": "VARCHAR(10)",
        "customer_name": "TEXT",
        "report_month": "DATE",
        "members": "BIGINT",
        "closing_assets": "NUMERIC(20, 2)",
        "active": "BOOLEAN",
    }
    assert [column.nullable for column in columns] == [False, True, False, True, True, True]


def test_lineage_columns_trace_rows_to_their_run_and_source_row() -> None:
    columns = {column.name: column for column in lineage_columns()}

    assert list(columns) == ["wdh_execution_id", "wdh_source_row", "wdh_loaded_at"]
    assert isinstance(columns["wdh_execution_id"].type, postgresql.UUID)
    assert isinstance(columns["wdh_source_row"].type, sa.Integer)
    assert columns["wdh_loaded_at"].server_default is not None


class RecordingOperations:
    """Stands in for Alembic's ``op`` and records what a migration asked for."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def execute(
        self, sqltext: Executable | str, *, execution_options: dict[str, Any] | None = None
    ) -> None:
        self.calls.append(("execute", sqltext))

    def create_table(
        self, table_name: str, *columns: SchemaItem, if_not_exists: bool | None = None, **kw: Any
    ) -> sa.Table:
        self.calls.append(("create_table", (table_name, [c.name for c in columns], kw["schema"])))  # type: ignore[attr-defined]
        return sa.Table(table_name, sa.MetaData())

    def create_index(
        self,
        index_name: str | None,
        table_name: str,
        columns: Sequence[str | sa.TextClause | sa.ColumnElement[Any]],
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        self.calls.append(("create_index", (index_name, table_name, list(columns), schema, unique)))

    def drop_table(
        self,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        self.calls.append(("drop_table", (table_name, schema)))


def test_domain_table_gets_its_schema_columns_and_indexes() -> None:
    op = RecordingOperations()

    create_domain_table(op, "annuity", DECLARED, "business", ("report_month", "plan_code"))

    (kind, statement), *rest = op.calls
    assert kind == "execute"
    assert isinstance(statement, CreateSchema)
    assert statement.element == "business"
    assert rest == [
        (
            "create_table",
            (
                "annuity",
                [column.name for column in DECLARED]
                + ["wdh_execution_id", "wdh_source_row", "wdh_loaded_at"],
                "business",
            ),
        ),
        (
            "create_index",
            ("ix_annuity_keys", "annuity", ["report_month", "plan_code"], "business", False),
        ),
        (
            "create_index",
            ("ix_annuity_wdh_execution_id", "annuity", ["wdh_execution_id"], "business", False),
        ),
    ]


def test_public_tables_need_no_schema_and_upsert_keys_are_unique() -> None:
    op = RecordingOperations()

    create_domain_table(op, "ledger", DECLARED, keys=("plan_code",), unique_keys=True)
    drop_domain_table(op, "ledger")

    assert [kind for kind, _ in op.calls] == [
        "create_table",
        "create_index",
        "create_index",
        "drop_table",
    ]
    assert op.calls[1][1] == ("ix_ledger_keys", "ledger", ["plan_code"], "public", True)
    assert op.calls[-1][1] == ("ledger", "public")
