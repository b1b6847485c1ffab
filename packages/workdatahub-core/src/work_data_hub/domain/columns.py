"""Column declarations: one list from which the DataFrame schema and the table derive."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from work_data_hub.cleansing.integers import IntegerType

ColumnKind = Literal["text", "date", "integer", "decimal", "boolean"]

SOURCE_ROW_COLUMN = "wdh_source_row"
"""Lineage column: the row number a user sees in the source file (Excel row, CSV line)."""

EXECUTION_ID_COLUMN = "wdh_execution_id"
"""Lineage column: the execution that loaded the row (``pipeline_executions.execution_id``)."""

LOADED_AT_COLUMN = "wdh_loaded_at"
"""Lineage column: when the row was written (server time)."""

SOURCE_FILE_COLUMN = "wdh_source_file"
"""Lineage column of a source read in parts (several sheets or files): the row's file name."""

SOURCE_SHEET_COLUMN = "wdh_source_sheet"
"""Lineage column of a source read in parts: the row's sheet (NULL for a file without sheets)."""

PART_LINEAGE_COLUMNS = (SOURCE_FILE_COLUMN, SOURCE_SHEET_COLUMN)
"""The lineage a source read in parts adds: together with ``wdh_source_row`` they name the cell
a user looks at, where the row number alone repeats from part to part."""

LINEAGE_COLUMNS = (EXECUTION_ID_COLUMN, SOURCE_ROW_COLUMN, LOADED_AT_COLUMN, *PART_LINEAGE_COLUMNS)
"""Columns only the platform writes: never a plugin's declared column, never a source header."""

CELL_REJECTS = "cell_rejects"
"""Key of ``frame.attrs`` where a reader lists cells whose value it could not read truly:
``(source row, column, reason)`` tuples (an error cell, a formula without a value)."""


@dataclass(frozen=True)
class Column:
    """One output column of a domain table.

    ``kind`` with ``precision``/``scale`` (decimal), ``integer_type`` (integer: ``"bigint"``,
    ``"integer"`` or ``"smallint"``) or ``max_length`` (text) fixes the type;
    ``nullable=False`` rejects rows without a value; ``ge``/``le``/``isin`` add value checks.
    ``null_markers`` are this column's own "no value" markers (``("--", "无")``), made missing
    before the domain's steps and again before the schema (see ``BlankNullMarkers``).
    """

    name: str
    kind: ColumnKind = "text"
    nullable: bool = True
    precision: int = 18
    scale: int = 4
    max_length: int | None = None
    integer_type: IntegerType = "bigint"
    ge: float | None = None
    le: float | None = None
    isin: tuple[str, ...] | None = None
    description: str = ""
    null_markers: tuple[str, ...] = ()


def column_names(columns: Sequence[Column]) -> list[str]:
    """Return the declared column names in declaration order."""
    return [column.name for column in columns]
