"""Where a sheet's table starts and ends: the header row under titles, totals and footer rows.

Hand-made reports put a title, a report date or notes above the header and a 合计 row under
the data. The source declares what to expect (``SourceSpec.header_row``, ``header_rows``,
``totals_markers``, ``end_at_blank_row``); both readers locate the table with this module, so
rows above the header are kept as the frame's title rows and rows below the table are
reported as skipped, never loaded and never rejected.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import SKIPPED_ROWS, TITLE_ROWS, TOTALS_ROW, SourceFileError
from work_data_hub.io.readers.headers import TextFrameBuilder, clean_header, resolve_headers

__all__ = [
    "HEADER_SEARCH_ROWS",
    "Header",
    "LaidOutTable",
    "TableEnd",
    "join_header_rows",
    "locate_header",
    "search_window",
    "totals_pattern",
]

HEADER_SEARCH_ROWS = 30
"""Non-empty rows searched for the header when the source does not give its row."""

Cells = Sequence[str | None]


@dataclass(frozen=True)
class Header:
    """The located header: its column names, its first and last row, and the rows above it."""

    names: list[str | None]
    first_row: int
    last_row: int
    titles: list[tuple[int, str]]


def locate_header(
    rows: Sequence[tuple[int, Cells]],
    source: SourceSpec,
    *,
    path: Path,
    sheet: str | None,
    position_name: Callable[[int], str],
) -> Header:
    """Return the header among ``rows`` (non-empty rows as ``(row number, cell texts)``).

    With ``source.header_row`` the header starts on that row. Otherwise it is the first of the
    first ``HEADER_SEARCH_ROWS`` rows whose names hold every ``source.required_columns`` entry
    (the first row when none are declared). ``source.header_rows`` rows are joined into one
    name per column (``join_header_rows``). Raises ``SourceFileError`` as ``resolve_headers``
    does, for the declared row or, when no row holds all required columns, for the row holding
    most of them (the first row when none holds any): the message names the missing ones.
    """
    if not rows:
        raise SourceFileError(path, "the sheet is empty: no header row found", sheet=sheet)
    if source.header_row is not None:
        starts = [index for index, (number, _) in enumerate(rows) if number == source.header_row]
        if not starts:
            raise SourceFileError(
                path, f"the declared header row {source.header_row} is empty", sheet=sheet
            )
        return _header_at(rows, starts[0], source, path, sheet, position_name)
    best, best_found = 0, 0
    if source.required_columns:
        wanted = {clean_header(name) for name in source.required_columns}
        aliases = {clean_header(a): clean_header(n) for a, n in source.header_aliases.items()}
        for index in range(min(HEADER_SEARCH_ROWS, len(rows))):
            cells = join_header_rows(rows[index : index + source.header_rows], source)
            names = {aliases.get(name, name) for name in map(clean_header, filter(None, cells))}
            if wanted <= names:
                return _header_at(rows, index, source, path, sheet, position_name)
            if len(wanted & names) > best_found:
                best, best_found = index, len(wanted & names)
    return _header_at(rows, best, source, path, sheet, position_name)


def _header_at(
    rows: Sequence[tuple[int, Cells]],
    index: int,
    source: SourceSpec,
    path: Path,
    sheet: str | None,
    position_name: Callable[[int], str],
) -> Header:
    header = rows[index : index + source.header_rows]
    names = resolve_headers(
        join_header_rows(header, source),
        source,
        path=path,
        sheet=sheet,
        row=header[0][0],
        position_name=position_name,
    )
    titles = [
        (number, " ".join(cell.strip() for cell in cells if cell and cell.strip()))
        for number, cells in rows[:index]
    ]
    return Header(names, header[0][0], header[-1][0], titles)


def join_header_rows(rows: Sequence[tuple[int, Cells]], source: SourceSpec) -> list[str | None]:
    """Return one header cell per column from one or more header rows.

    In every row but the last, an empty cell takes the text on its left (a cell merged across
    columns holds its text in the first one only); the parts of a column are joined by
    ``source.header_separator``, a part equal to the one above it counted once (a cell merged
    down). ``规模`` over ``期初``/``期末`` gives ``规模-期初``, ``规模-期末``.
    """
    if len(rows) == 1:
        return list(rows[0][1])
    width = max(len(cells) for _, cells in rows)
    parts: list[list[str]] = [[] for _ in range(width)]
    for depth, (_, cells) in enumerate(rows):
        carried = ""
        for position in range(width):
            text = clean_header(cells[position] or "") if position < len(cells) else ""
            if not text and depth < len(rows) - 1:
                text = carried
            carried = text
            if text and (not parts[position] or parts[position][-1] != text):
                parts[position].append(text)
    return [source.header_separator.join(column) or None for column in parts]


def totals_pattern(markers: Sequence[str]) -> str | None:
    """Return the regex of a cell naming a totals row (``合计``, ``合 计``, ``合计：``), or None."""
    if not markers:
        return None
    spelled = ("\\s*".join(map(re.escape, clean_header(marker))) for marker in markers)
    return f"(?i)^\\s*(?:{'|'.join(spelled)})\\s*[:：]?\\s*$"


@dataclass
class TableEnd:
    """Finds the rows below a sheet's table: totals rows and, if declared, all after a blank row.

    ``skip`` returns the mask of rows to leave out of a chunk and records each one in
    ``skipped`` as ``(row, reason)``; the last totals row's cells are kept in ``totals``.
    """

    source: SourceSpec
    names: Sequence[str | None]
    header_last_row: int

    def __post_init__(self) -> None:
        self._pattern = totals_pattern(self.source.totals_markers)
        self._previous_row = self.header_last_row
        self._ended_at: int | None = None
        self.skipped: list[tuple[int, str]] = []
        self.totals: dict[str, str | None] = {}

    def skip(self, columns: Sequence[pa.Array], rows: Sequence[int]) -> np.ndarray:
        """Return a boolean mask over ``rows``: True for a row below the table or a totals row."""
        skipped = np.zeros(len(rows), dtype=bool)
        if self.source.end_at_blank_row:
            skipped |= self._after_blank_row(rows)
        if self._pattern is not None:
            totals = np.zeros(len(rows), dtype=bool)
            for column in columns:
                found = pc.match_substring_regex(column, self._pattern)
                totals |= pc.fill_null(found, False).to_numpy(zero_copy_only=False)
            totals &= ~skipped
            found = np.flatnonzero(totals).tolist()
            self.skipped += [(rows[position], "totals row") for position in found]
            if found:
                self.totals = {
                    name: column[found[-1]].as_py()
                    for name, column in zip(self.names, columns, strict=True)
                    if name is not None
                }
            skipped |= totals
        return skipped

    def _after_blank_row(self, rows: Sequence[int]) -> np.ndarray:
        """Mark the rows after the first blank row below the header, recording each."""
        after = np.zeros(len(rows), dtype=bool)
        for position, row in enumerate(rows):
            if self._ended_at is None and row > self._previous_row + 1:
                self._ended_at = self._previous_row + 1
            self._previous_row = row
            if self._ended_at is not None:
                after[position] = True
                self.skipped.append((row, f"below the table (blank row {self._ended_at})"))
        return after

    def attrs(self, header: Header) -> dict[str, object]:
        """The frame attributes the run reads (title rows, skipped rows, the totals row), those
        the sheet has."""
        found = {
            TITLE_ROWS: header.titles,
            SKIPPED_ROWS: sorted(self.skipped),
            TOTALS_ROW: self.totals,
        }
        return {key: value for key, value in found.items() if value}


class LaidOutTable:
    """The rows under a located header, added chunk by chunk as Arrow text columns.

    Totals rows and rows below the table are left out and recorded (``TableEnd``); ``frame``
    returns the reader's frame with ``header_row`` and the layout attributes set.
    """

    def __init__(
        self,
        header: Header,
        source: SourceSpec,
        *,
        path: Path,
        sheet: str | None,
        position_name: Callable[[int], str],
    ) -> None:
        self.header = header
        self._builder = TextFrameBuilder(
            header.names, path=path, sheet=sheet, position_name=position_name
        )
        self._end = TableEnd(source, header.names, header.last_row)

    def add(self, columns: Sequence[pa.Array], rows: Sequence[int]) -> None:
        """Add one chunk of rows below the header (a text column per header position)."""
        kept = ~self._end.skip(columns, rows)
        if not kept.any():
            return
        if kept.all():  # the usual chunk: no copy of its columns, no freed originals
            self._builder.add(columns, rows)
            return
        chosen = pa.array(kept)
        self._builder.add(
            [column.filter(chosen) for column in columns],
            [row for row, keep in zip(rows, kept.tolist(), strict=True) if keep],
        )

    @property
    def skipped_rows(self) -> set[int]:
        """The rows left out so far."""
        return {row for row, _ in self._end.skipped}

    def frame(self) -> pd.DataFrame:
        """Return the rows kept, with ``header_row`` and the layout in ``frame.attrs``."""
        frame = self._builder.frame()
        frame.attrs.update(header_row=self.header.first_row, **self._end.attrs(self.header))
        return frame


def search_window(row_numbers: Sequence[int], source: SourceSpec) -> int:
    """How many of the first non-empty rows (their numbers, ascending) ``locate_header`` needs."""
    window = HEADER_SEARCH_ROWS + source.header_rows
    if source.header_row is not None:
        window += bisect_left(row_numbers, source.header_row)
    return min(window, len(row_numbers))
