"""The two ways rows reach a table: COPY of CSV chunks, or batched parameterised INSERTs.

Either runs on the psycopg2 cursor of the load's transaction; identifiers are quoted by
``psycopg2.sql``, values travel only as COPY data or bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd
import psycopg2
from psycopg2 import sql
from psycopg2.extras import execute_values

from work_data_hub.io.loader.chunk_stream import ChunkStream
from work_data_hub.io.loader.copy_format import FrameSerialiser, frame_rows

__all__ = ["CopyWriter", "InsertWriter", "RowWriter"]

_COPY_READ_SIZE = 1 << 20


class RowWriter(Protocol):
    """Writes every row of ``frame`` into ``table`` (the frame's columns, in order)."""

    @property
    def method(self) -> str:
        """How rows travel: ``"copy"`` or ``"batched"``."""
        ...

    def __call__(self, cursor: Any, table: sql.Composable, frame: pd.DataFrame) -> int:
        """Write the rows and return how many the database accepted."""
        ...


def _column_list(frame: pd.DataFrame) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(name) for name in frame.columns)


@dataclass(frozen=True)
class CopyWriter:
    """``COPY table (columns) FROM STDIN`` fed by a serialiser running on a second thread."""

    serialiser: FrameSerialiser
    method: str = "copy"

    def __call__(self, cursor: Any, table: sql.Composable, frame: pd.DataFrame) -> int:
        """COPY the rows of ``frame``; a serialiser error is re-raised as itself."""
        statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, ENCODING 'UTF8')").format(
            table, _column_list(frame)
        )
        with ChunkStream(self.serialiser(frame)) as stream:
            try:
                cursor.copy_expert(statement, stream, size=_COPY_READ_SIZE)
            except psycopg2.Error as error:
                if stream.error is not None:
                    raise stream.error from error
                raise
        return int(cursor.rowcount)


@dataclass(frozen=True)
class InsertWriter:
    """Multi-row ``INSERT … VALUES`` statements of ``batch_size`` rows with bound parameters."""

    batch_size: int
    method: str = "batched"

    def __call__(self, cursor: Any, table: sql.Composable, frame: pd.DataFrame) -> int:
        """INSERT the rows of ``frame`` in batches and return the number inserted."""
        prefix = sql.SQL("INSERT INTO {} ({})").format(table, _column_list(frame))
        # The driver reads "%" as a placeholder; a quoted column name may contain one.
        statement = prefix.as_string(cursor).replace("%", "%%") + " VALUES %s"
        rows = frame_rows(frame)
        execute_values(cursor, statement, rows, page_size=self.batch_size)
        return len(rows)
