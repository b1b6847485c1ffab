"""Domain tables derived from the domain's ``Column`` declarations, for its Alembic migrations.

A domain's base revision calls ``create_domain_table(op, table, columns(), schema, keys)`` with the
same column list its row model and DataFrame schema derive from, so the three never drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.schema import CreateSchema, SchemaItem
from sqlalchemy.sql.expression import Executable

from work_data_hub.domain.columns import (
    EXECUTION_ID_COLUMN,
    LOADED_AT_COLUMN,
    SOURCE_ROW_COLUMN,
    Column,
    ColumnKind,
)

DEFAULT_SCHEMA = "public"


class SchemaOperations(Protocol):
    """The part of Alembic's ``op`` these helpers use (``from alembic import op`` satisfies it)."""

    def execute(
        self, sqltext: Executable | str, *, execution_options: dict[str, Any] | None = None
    ) -> None:
        """Run one SQL statement in the migration's transaction."""

    def create_table(
        self, table_name: str, *columns: SchemaItem, if_not_exists: bool | None = None, **kw: Any
    ) -> sa.Table:
        """Create a table."""

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
        """Create an index."""

    def drop_table(
        self,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        """Drop a table (its indexes go with it)."""


def _text_type(column: Column) -> sa.types.TypeEngine[Any]:
    return sa.String(column.max_length) if column.max_length else sa.Text()


_TYPES: dict[ColumnKind, Callable[[Column], sa.types.TypeEngine[Any]]] = {
    "text": _text_type,
    "date": lambda _column: sa.Date(),
    "integer": lambda _column: sa.BigInteger(),
    "decimal": lambda column: sa.Numeric(column.precision, column.scale),
    "boolean": lambda _column: sa.Boolean(),
}


def sqlalchemy_type(column: Column) -> sa.types.TypeEngine[Any]:
    """Return the PostgreSQL type of a declared column.

    text → TEXT (VARCHAR(n) with ``max_length``), date → DATE, integer → BIGINT,
    decimal → NUMERIC(precision, scale), boolean → BOOLEAN.
    """
    return _TYPES[column.kind](column)


def sqlalchemy_columns(columns: Sequence[Column]) -> list[sa.Column[Any]]:
    """Return one SQLAlchemy column per declared column, in order, honouring ``nullable``."""
    return [
        sa.Column(
            column.name,
            sqlalchemy_type(column),
            nullable=column.nullable,
            comment=column.description or None,
        )
        for column in columns
    ]


def lineage_columns() -> list[sa.Column[Any]]:
    """Return the columns that trace every loaded row to its run and its source row."""
    return [
        sa.Column(
            EXECUTION_ID_COLUMN, UUID(as_uuid=True), comment="pipeline_executions.execution_id"
        ),
        sa.Column(SOURCE_ROW_COLUMN, sa.Integer(), comment="row number in the source file"),
        sa.Column(
            LOADED_AT_COLUMN,
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
    ]


def create_domain_table(
    op: SchemaOperations,
    table: str,
    columns: Sequence[Column],
    schema: str = DEFAULT_SCHEMA,
    keys: Sequence[str] = (),
    *,
    unique_keys: bool = False,
) -> None:
    """Create a domain's table from its declared columns plus the lineage columns.

    Creates ``schema`` when missing, an index on ``keys`` (a unique one with ``unique_keys``, which
    ``upsert`` needs for ON CONFLICT) and an index on the execution id.
    """
    if schema != DEFAULT_SCHEMA:
        op.execute(CreateSchema(schema, if_not_exists=True))
    op.create_table(table, *sqlalchemy_columns(columns), *lineage_columns(), schema=schema)
    if keys:
        op.create_index(f"ix_{table}_keys", table, list(keys), schema=schema, unique=unique_keys)
    op.create_index(
        f"ix_{table}_{EXECUTION_ID_COLUMN}", table, [EXECUTION_ID_COLUMN], schema=schema
    )


def drop_domain_table(op: SchemaOperations, table: str, schema: str = DEFAULT_SCHEMA) -> None:
    """Drop a domain's table and its indexes; the schema stays (other tables may live in it)."""
    op.drop_table(table, schema=schema)
