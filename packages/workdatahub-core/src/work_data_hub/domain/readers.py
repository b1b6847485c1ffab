"""The reader contract: one source file in, one DataFrame of raw values out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import pandas as pd

from work_data_hub.domain.definition import SourceSpec

TITLE_ROWS = "title_rows"
"""Key of ``frame.attrs`` listing the rows above the header as ``(row, text)``: a report's
title, its date, notes."""

SKIPPED_ROWS = "skipped_rows"
"""Key of ``frame.attrs`` listing the rows below the table the reader left out, as
``(row, reason)``: totals rows, footer rows after a blank row. Never loaded, never rejected."""

TOTALS_ROW = "totals_row"
"""Key of ``frame.attrs`` holding the last totals row's cells by column name (text), for the
run to reconcile the declared ``totals_columns`` against."""


class SourceFileError(Exception):
    """A source file that cannot be read as declared; the message names the file and what to fix."""

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.problem = problem
        self.sheet = sheet
        self.row = row
        self.column = column
        where = [f"file {self.path.name!r}"]
        if sheet is not None:
            where.append(f"sheet {sheet!r}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {problem}")


class Reader(Protocol):
    """Reads one file into text-valued columns plus ``wdh_source_row`` (the row a user looks at)."""

    def read(self, path: Path, source: SourceSpec) -> pd.DataFrame:
        """Return every data row of ``path`` as the file has it.

        Raise ``SourceFileError`` when the file cannot be read as declared.
        """
        ...


@runtime_checkable
class SheetReader(Reader, Protocol):
    """A reader of files with sheets (workbooks): it can list them, for ``SourceSpec.sheets``."""

    def sheet_names(self, path: Path) -> list[str]:
        """Return the names of the file's sheets in file order; raise ``SourceFileError``."""
        ...


@dataclass(frozen=True)
class SourcePart:
    """One part of a run's table: a file and, for a workbook, its sheet (None: the one the
    source declares, else the first)."""

    path: Path
    sheet: str | None = None

    def describe(self) -> str:
        """``file 'a.xlsx', sheet 'B'``: the part as an error or a log names it."""
        where = f"file {self.path.name!r}"
        return f"{where}, sheet {self.sheet!r}" if self.sheet else where
