"""What the loader needs to know about a target table, and fitting a frame to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from work_data_hub.io.loader.errors import (
    InvalidLoadRequestError,
    MissingRequiredColumnsError,
    TableNotFoundError,
)

__all__ = [
    "TableColumn",
    "check_required_columns",
    "fetch_table_columns",
    "project_frame",
    "qualified_name",
]

_COLUMNS_QUERY = """
SELECT column_name,
       data_type,
       is_nullable = 'YES',
       column_default IS NOT NULL OR is_identity = 'YES' OR is_generated = 'ALWAYS',
       is_generated = 'ALWAYS' OR identity_generation = 'ALWAYS'
FROM information_schema.columns
WHERE table_schema = %s AND table_name = %s
ORDER BY ordinal_position
"""


@dataclass(frozen=True)
class TableColumn:
    """One column of a target table as the database describes it.

    ``data_type`` is ``information_schema.columns.data_type`` (``text``, ``numeric``, ``date`` …);
    ``read_only`` columns (generated, or identity ``GENERATED ALWAYS``) cannot be written.
    """

    name: str
    data_type: str
    nullable: bool
    has_default: bool
    read_only: bool

    @property
    def required(self) -> bool:
        """True when a load must supply this column: NOT NULL and no default to fall back on."""
        return not self.nullable and not self.has_default and not self.read_only


def fetch_table_columns(cursor: Any, schema: str, table: str) -> tuple[TableColumn, ...]:
    """Return the columns of ``schema.table`` in table order, read with ``cursor`` (psycopg2).

    Raises ``TableNotFoundError`` when the table does not exist or shows no columns.
    """
    cursor.execute(_COLUMNS_QUERY, (schema, table))
    columns = tuple(TableColumn(*row) for row in cursor.fetchall())
    if not columns:
        raise TableNotFoundError(qualified_name(schema, table))
    return columns


def qualified_name(schema: str, table: str) -> str:
    """Return ``schema.table`` as people read it in messages (each part quoted like SQL)."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in (schema, table))


def project_frame(
    frame: pd.DataFrame, columns: Sequence[TableColumn]
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Return ``frame`` cut down to the table's writable columns (in table order) and the dropped.

    The input is not modified. Dropped names are returned as text, in frame order. A frame with
    two columns of the same name cannot be loaded unambiguously: ``InvalidLoadRequestError``.
    """
    writable = [column.name for column in columns if not column.read_only]
    present = set(frame.columns)
    kept = [name for name in writable if name in present]
    duplicated = sorted({str(label) for label in frame.columns[frame.columns.duplicated()]})
    if duplicated:
        raise InvalidLoadRequestError(
            f"the data has more than one column named {', '.join(map(repr, duplicated))}; "
            "rename them so each column is loaded once"
        )
    kept_set = set(kept)
    dropped = tuple(str(label) for label in frame.columns if label not in kept_set)
    return frame.loc[:, kept], dropped


def check_required_columns(
    frame: pd.DataFrame, columns: Sequence[TableColumn], qualified_table: str
) -> None:
    """Raise ``MissingRequiredColumnsError`` when ``frame`` lacks a column the table requires."""
    present = set(frame.columns)
    missing = [column.name for column in columns if column.required and column.name not in present]
    if missing:
        raise MissingRequiredColumnsError(qualified_table, missing)
