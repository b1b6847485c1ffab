"""A sheet's rows as python-calamine yields them, laid out like the streamed read's blocks.

python-calamine leaves error cells and formulas without a calculated value out of a sheet's
used range (dimastbk/python-calamine#105); the XML scan finds them, so the rows read here are
widened to the scanned columns, and rows below python-calamine's last one that hold such a
cell are added, for the reader to put their text back and reject them.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

import numpy as np
import python_calamine

from work_data_hub.io.readers.xlsx_cells import SheetScan
from work_data_hub.io.readers.xlsx_stream import SheetRows

__all__ = ["calamine_rows", "calamine_span", "rows_below"]


def calamine_span(sheet: python_calamine.CalamineSheet, scan: SheetScan) -> tuple[int, int] | None:
    """Return the first and last column to read: python-calamine's used range widened to the
    scanned one, whose error cells and formulas without a value python-calamine leaves out.
    None when the sheet holds nothing at all."""
    columns = [column for _, column in scan.texts]
    if sheet.start is not None and sheet.end is not None:
        columns += [sheet.start[1], sheet.end[1]]
    if not columns:
        return None
    return min(columns), max(columns)


def rows_below(sheet: python_calamine.CalamineSheet, scan: SheetScan) -> list[int]:
    """Return the Excel rows below python-calamine's last row that hold a listed cell."""
    last_row = sheet.end[0] + 1 if sheet.end is not None else 0
    return sorted({row + 1 for row, _ in scan.texts if row + 1 > last_row})


def calamine_rows(
    sheet: python_calamine.CalamineSheet,
    chunk_rows: int,
    span: tuple[int, int],
    rows_below: list[int],
) -> Iterator[SheetRows]:
    """Yield python-calamine's rows ``chunk_rows`` at a time, numbered from Excel row 1 and
    widened to the columns of ``span``, then the empty ``rows_below`` the last one.

    python-calamine 0.9 yields rows from row 1 of the sheet but columns from the first used
    one; row numbers rest on that layout, so a change of it raises instead of misnumbering.
    """
    first_column, last_column = span
    width = last_column - first_column + 1
    left = sheet.start[1] - first_column if sheet.start is not None else 0
    last_row = sheet.end[0] + 1 if sheet.end is not None else 0
    rows_seen = 0
    rows = sheet.iter_rows()
    while chunk := list(islice(rows, chunk_rows)):
        numbers = np.arange(rows_seen + 1, rows_seen + 1 + len(chunk), dtype=np.int64)
        rows_seen += len(chunk)
        table = np.array(chunk, dtype=object)
        if table.shape[1] != width:
            widened = np.full((len(chunk), width), "", dtype=object)
            widened[:, left : left + table.shape[1]] = table
            table = widened
        yield table, numbers
    if rows_seen != last_row:
        raise RuntimeError(f"python-calamine yielded {rows_seen} rows for a sheet of {last_row}")
    if rows_below:
        yield np.full((len(rows_below), width), "", dtype=object), np.array(rows_below)
