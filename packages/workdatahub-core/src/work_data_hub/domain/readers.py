"""The reader contract: one source file in, one DataFrame of raw values out."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pandas as pd

from work_data_hub.domain.definition import SourceSpec


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
