"""The reader contract: one source file in, one DataFrame of raw values out."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

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
