"""The Excel reader: one sheet of an xlsx/xlsm/xls/ods workbook as text, on python-calamine."""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from bisect import bisect_left
from collections.abc import Callable, Mapping
from decimal import Decimal
from itertools import islice, repeat
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import python_calamine

from work_data_hub.domain.columns import CELL_REJECTS
from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import SourceFileError
from work_data_hub.io.readers.headers import TextFrameBuilder, clean_header, column_letter
from work_data_hub.io.readers.layout import HEADER_SEARCH_ROWS, Header, TableEnd, locate_header
from work_data_hub.io.readers.xlsx_cells import SheetScan, SheetTooLarge, scan_sheet
from work_data_hub.io.readers.xlsx_container import LEGACY_SUFFIXES, check_container
from work_data_hub.utils.logging import get_logger

__all__ = ["ExcelReader", "cell_text"]

logger = get_logger(__name__)

CellValue = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta

MAX_CELL_TEXT = 32_767
"""Characters a cell may hold (Excel's own limit); a workbook with a longer text is refused."""
ALWAYS_READABLE_CELLS = 1_000_000
"""A sheet's grid (first to last used row × column) of up to this many cells is always read."""
GRID_CELLS_PER_VALUE = 10
"""Beyond that, the grid may hold at most this many cells per cell that has a value."""
MAX_GRID_CELLS = 40_000_000
"""No grid is larger (about 1.3 GB in python-calamine): 1,048,576 rows × 38 columns."""
_EXACT_INTEGER_LIMIT = float(2**53)
"""Integral numbers up to this size are exact in a double and print as integers."""
_NULL_TEXT = pa.scalar(None, pa.large_string())
_POSITIONAL_REPR_MIN = 1e-4
EXCEL_DIGITS = 15
"""Significant digits Excel keeps and shows of a number; a double's further digits are noise."""
"""``repr`` writes smaller fractions with an exponent (``1e-05``)."""


def cell_text(value: CellValue) -> str | None:
    """Return a cell value as the text the file holds; ``None`` for an empty cell.

    Integral numbers lose the ``.0`` Excel's floating-point storage adds (``202411``),
    other numbers print in the shortest form that reads back to the same value
    (``0.0509``, ``nan``, ``inf``), with at most the 15 significant digits Excel shows
    (``=0.1+0.2`` is ``0.3``), dates are ISO ``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM:SS``
    with a time of day), booleans ``TRUE``/``FALSE``.
    """
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _float_text(number: float) -> str:
    limit = _EXACT_INTEGER_LIMIT
    if number.is_integer() and -limit <= number <= limit:
        return str(int(number))
    text = repr(number)
    if len(text) > EXCEL_DIGITS + 1 and math.isfinite(number) and not number.is_integer():
        return _as_excel_shows(number)
    return text


def _as_excel_shows(number: float) -> str:
    """Return a fraction with the 15 significant digits Excel keeps, without an exponent."""
    return format(Decimal(f"{number:.{EXCEL_DIGITS}g}"), "f")


def _arrow_texts(numbers: npt.NDArray[Any]) -> pa.Array:
    """Return numbers as Arrow prints them: integers exactly, floats in shortest round-trip form."""
    return pa.array(numbers).cast(pa.large_string())


def _number_texts(numbers: npt.NDArray[np.float64]) -> pa.Array:
    """Return ``_float_text`` of every number as Arrow text, in order, vectorised.

    Integral numbers print through int64. A fraction is printed by Arrow, which finds the
    same shortest round-trip digits as ``repr``; where ``repr`` writes those digits without an
    exponent (``1e-4 <= |x| < 1e16``) and Arrow did too, the texts are equal. Arrow switches to
    an exponent earlier than ``repr``; those numbers, tiny ones, ``nan`` and ``inf`` get ``repr``.
    """
    finite = np.isfinite(numbers)
    whole = np.zeros(len(numbers), dtype=bool)
    whole[finite] = numbers[finite] == np.trunc(numbers[finite])
    magnitude = np.abs(numbers)
    integral = whole & (magnitude <= _EXACT_INTEGER_LIMIT)
    fraction = np.flatnonzero(finite & ~whole & (magnitude >= _POSITIONAL_REPR_MIN))
    shortest = _arrow_texts(numbers[fraction])
    positional = ~pc.match_substring(shortest, "e").to_numpy(zero_copy_only=False)
    rest = ~integral
    rest[fraction[positional]] = False
    order = np.concatenate([np.flatnonzero(integral), fraction[positional], np.flatnonzero(rest)])
    texts = pa.concat_arrays(
        [
            _arrow_texts(numbers[integral].astype(np.int64)),
            shortest.filter(pa.array(positional)),
            pa.array(list(map(repr, numbers[rest].tolist())), type=pa.large_string()),
        ]
    )
    position_in_texts = np.empty(len(order), dtype=np.int64)
    position_in_texts[order] = np.arange(len(order))
    return _excel_precision(texts.take(pa.array(position_in_texts)), numbers, whole)


def _excel_precision(
    texts: pa.Array, numbers: npt.NDArray[np.float64], whole: npt.NDArray[np.bool_]
) -> pa.Array:
    """Return fractions with more than 15 significant digits as Excel shows them.

    A cell holding ``=0.1+0.2`` stores the double 0.30000000000000004, which Excel displays
    (and a user typed or meant) as 0.3; ``12345678901234.5678`` typed into a cell is stored as
    12345678901234.6. Only texts longer than 16 characters can hold more digits.
    """
    candidates = np.flatnonzero(
        pc.greater(pc.utf8_length(texts), EXCEL_DIGITS + 1).to_numpy(zero_copy_only=False)
        & np.isfinite(numbers)
        & ~whole
    )
    if not len(candidates):
        return texts
    values = texts.to_pylist()
    for position in candidates.tolist():
        values[position] = _as_excel_shows(float(numbers[position]))
    return pa.array(values, type=pa.large_string())


def _column_text(column: npt.NDArray[np.object_]) -> pa.Array:
    """Return one column's cells (``CellValue``s) as Arrow text, empty cells null (``cell_text``).

    An all-text column converts in one Arrow call and a text-or-number column (nearly every
    column of a real sheet) with vectorised number formatting; only columns holding dates,
    booleans or integers go through ``cell_text`` cell by cell.
    """
    try:
        texts = pa.array(column, type=pa.large_string())
    except pa.ArrowTypeError:
        texts = _mixed_column_text(column)
    return pc.if_else(pc.equal(texts, ""), _NULL_TEXT, texts)


def _mixed_column_text(column: npt.NDArray[np.object_]) -> pa.Array:
    """Return the cells of a column holding more than text as Arrow text."""
    is_number = np.fromiter(map(isinstance, column, repeat(float)), dtype=bool, count=len(column))
    cells = column.copy()
    cells[is_number] = ""
    try:
        texts = pa.array(cells, type=pa.large_string())
    except pa.ArrowTypeError:
        return pa.array([cell_text(value) for value in column], type=pa.large_string())
    numbers = _number_texts(column[is_number].astype(np.float64))
    return pc.replace_with_mask(texts, pa.array(is_number), numbers)


def _text_columns(table: npt.NDArray[np.object_]) -> list[pa.Array]:
    """Return every column of a 2-D object array of raw cells as Arrow text."""
    return [_column_text(table[:, position]) for position in range(table.shape[1])]


class _ErrorCells:
    """Error-cell texts by Excel row number, put back into the raw cells chunk by chunk."""

    def __init__(self, errors: Mapping[tuple[int, int], str], first_column: int) -> None:
        self._cells = sorted(
            (row_index + 1, column_index - first_column, text)
            for (row_index, column_index), text in errors.items()
        )
        self._rows = [row for row, _, _ in self._cells]

    def fill(self, table: npt.NDArray[np.object_], first_row: int) -> None:
        """Write the error texts of rows ``first_row`` … into ``table`` (row 0 is ``first_row``)."""
        start = bisect_left(self._rows, first_row)
        stop = bisect_left(self._rows, first_row + len(table))
        for row, position, text in self._cells[start:stop]:
            table[row - first_row, position] = text


class ExcelReader:
    """Reads one sheet into text columns plus ``wdh_source_row`` (the Excel row number).

    The sheet is ``source.sheet`` (the first sheet when None). The header is located as the
    source declares (``layout.locate_header``: a given row, or the first row holding the
    required columns); every later non-empty row is a data row whose ``wdh_source_row`` is
    its row number in Excel, except totals rows and rows below the table, which are listed in
    ``frame.attrs[SKIPPED_ROWS]``. A header row without data rows reads as zero rows; a sheet
    without any cell is an error.

    Before python-calamine sees a file, the container is checked and (xlsx/xlsm) the sheet's
    XML scanned: no text over ``max_cell_text`` characters and no grid far larger than the
    data is ever loaded. Error cells and formulas without a calculated value are listed in
    ``frame.attrs[CELL_REJECTS]`` as ``(row, column, reason)``, for the run to reject.
    """

    def __init__(self, chunk_rows: int = 20_000, *, max_cell_text: int = MAX_CELL_TEXT) -> None:
        self.chunk_rows = chunk_rows
        self.max_cell_text = max_cell_text

    def read(self, path: Path, source: SourceSpec) -> pd.DataFrame:
        """Return every data row of the sheet as the file has it; raise ``SourceFileError``."""
        if not path.is_file():
            raise SourceFileError(path, "the file does not exist or is not a regular file")
        check_container(path, max_cell_text=self.max_cell_text)
        with self._open(path) as workbook:
            sheet_name = self._sheet_name(path, workbook.sheet_names, source.sheet)
            scan = self._scan(path, sheet_name)
            try:
                sheet = workbook.get_sheet_by_name(sheet_name)
            except python_calamine.CalamineError as error:
                raise SourceFileError(
                    path, f"the sheet is damaged and cannot be read ({error})", sheet=sheet_name
                ) from error
            except BaseException as error:
                raise _panic_as_error(path, error, sheet_name) from error
            frame = self._read_sheet(path, source, sheet_name, sheet, scan)
        logger.info("read excel", file=path.name, sheet=sheet_name, rows=len(frame))
        return frame

    def _scan(self, path: Path, sheet_name: str) -> SheetScan:
        """Scan the sheet's XML and refuse what must not be loaded (see the class)."""
        if path.suffix.lower() in LEGACY_SUFFIXES:
            return SheetScan()
        try:
            scan = scan_sheet(
                path, sheet_name, max_cell_text=self.max_cell_text, stop_above=MAX_GRID_CELLS
            )
            if scan is not None and _grid_too_large(scan):
                scan = scan_sheet(
                    path,
                    sheet_name,
                    max_cell_text=self.max_cell_text,
                    stop_above=MAX_GRID_CELLS,
                    exact_columns=True,
                )
        except SheetTooLarge as error:
            raise SourceFileError(path, str(error), sheet=sheet_name) from error
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
            raise SourceFileError(
                path, f"the sheet is damaged and cannot be read ({error})", sheet=sheet_name
            ) from error
        if scan is None:
            return SheetScan()
        if scan.longest_text > self.max_cell_text:
            raise SourceFileError(
                path,
                f"a cell holds {scan.longest_text:,} characters, more than the "
                f"{self.max_cell_text:,} a cell may hold: the sheet is refused unread",
                sheet=sheet_name,
            )
        if _grid_too_large(scan):
            raise SourceFileError(path, _far_cells_problem(scan), sheet=sheet_name)
        return scan

    def _read_sheet(
        self,
        path: Path,
        source: SourceSpec,
        sheet_name: str,
        sheet: python_calamine.CalamineSheet,
        scan: SheetScan,
    ) -> pd.DataFrame:
        """Read the sheet in chunks of rows; empty rows are skipped, Excel row numbers kept.

        python-calamine 0.9 yields rows from row 1 of the sheet but columns from the first used
        one; row numbers rest on that layout, so a change of it raises instead of misnumbering.
        """
        if sheet.start is None or sheet.end is None:
            raise SourceFileError(path, "the sheet is empty: no header row found", sheet=sheet_name)
        first_column = sheet.start[1]
        last_row = sheet.end[0] + 1
        errors = _ErrorCells(scan.texts, first_column)

        def position_name(position: int) -> str:
            return column_letter(first_column + position)

        builder: TextFrameBuilder | None = None
        header: Header | None = None
        end: TableEnd | None = None
        rows_seen = 0
        rows = sheet.iter_rows()
        while chunk := list(islice(rows, self.chunk_rows)):
            table = np.array(chunk, dtype=object)
            first_row = rows_seen + 1
            rows_seen += len(chunk)
            errors.fill(table, first_row)
            filled = (table != "").any(axis=1)
            numbers = np.flatnonzero(filled) + first_row
            table = table[filled]
            if header is None and len(table):
                header = _locate(table, numbers, source, path, sheet_name, position_name)
                builder = TextFrameBuilder(
                    header.names, path=path, sheet=sheet_name, position_name=position_name
                )
                end = TableEnd(source, header.names, header.last_row)
                below = numbers > header.last_row
                table, numbers = table[below], numbers[below]
            if builder is not None and end is not None and len(table):
                columns = _text_columns(table)
                kept = ~end.skip(columns, numbers.tolist())
                if kept.any():
                    chosen = pa.array(kept)
                    builder.add(
                        [column.filter(chosen) for column in columns], numbers[kept].tolist()
                    )
        if rows_seen != last_row:
            raise RuntimeError(
                f"python-calamine yielded {rows_seen} rows for a sheet of {last_row}"
            )
        if builder is None or header is None or end is None:
            raise SourceFileError(path, "the sheet is empty: no header row found", sheet=sheet_name)
        frame = builder.frame()
        frame.attrs.update(sheet=sheet_name, header_row=header.first_row, **end.attrs(header))
        skipped = {row for row, _ in end.skipped}
        rejects = [
            reject
            for reject in _cell_rejects(scan, header.names, first_column, header.last_row)
            if reject[0] not in skipped
        ]
        if rejects:
            frame.attrs[CELL_REJECTS] = rejects
        return frame

    @staticmethod
    def _open(path: Path) -> python_calamine.CalamineWorkbook:
        try:
            return python_calamine.CalamineWorkbook.from_path(path)
        except (python_calamine.CalamineError, OSError) as error:
            raise SourceFileError(
                path, f"the workbook is damaged and cannot be opened ({error})"
            ) from error
        except BaseException as error:
            raise _panic_as_error(path, error) from error

    @staticmethod
    def _sheet_name(path: Path, sheet_names: list[str], wanted: str | None) -> str:
        if not sheet_names:
            raise SourceFileError(path, "the workbook has no sheets")
        if wanted is None:
            return sheet_names[0]
        matching = [name for name in sheet_names if clean_header(name) == clean_header(wanted)]
        if len(matching) > 1:
            raise SourceFileError(
                path,
                f"{len(matching)} sheets match {wanted!r}: {', '.join(map(repr, matching))}; "
                "rename or remove all but one of them",
                sheet=wanted,
            )
        if matching:
            return matching[0]
        raise SourceFileError(
            path,
            f"no sheet named {wanted!r}; the workbook has: {', '.join(map(repr, sheet_names))}",
            sheet=wanted,
        )


def _locate(
    table: npt.NDArray[np.object_],
    numbers: npt.NDArray[np.int64],
    source: SourceSpec,
    path: Path,
    sheet: str,
    position_name: Callable[[int], str],
) -> Header:
    """Locate the header among the first non-empty rows of the sheet (``layout.locate_header``)."""
    searched = min(len(table), HEADER_SEARCH_ROWS + source.header_rows)
    if source.header_row is not None:
        searched = max(
            searched, int(np.searchsorted(numbers, source.header_row)) + source.header_rows
        )
    rows = [
        (int(number), [cell_text(value) for value in cells])
        for number, cells in zip(
            numbers[:searched].tolist(), table[:searched].tolist(), strict=True
        )
    ]
    return locate_header(rows, source, path=path, sheet=sheet, position_name=position_name)


def _panic_as_error(path: Path, error: BaseException, sheet: str | None = None) -> BaseException:
    """Return a python-calamine panic (a ``BaseException``) as ``SourceFileError``, else ``error``.

    A panic is not an ``Exception``: left alone it would escape every handler of the run.
    """
    if type(error).__name__ != "PanicException":
        return error
    return SourceFileError(
        path, f"the workbook is damaged and cannot be read ({error})", sheet=sheet
    )


def _grid_too_large(scan: SheetScan) -> bool:
    """True when python-calamine's grid for the sheet would dwarf the cells holding data,
    or exceed ``MAX_GRID_CELLS``."""
    allowance = ALWAYS_READABLE_CELLS + GRID_CELLS_PER_VALUE * scan.values
    return scan.area > min(allowance, MAX_GRID_CELLS)


def _far_cells_problem(scan: SheetScan) -> str:
    """Say which cells stretch the sheet's grid far beyond its data."""
    first = f"{column_letter(scan.first_column or 0)}{(scan.first_row or 0) + 1}"
    last = f"{column_letter(scan.last_column or 0)}{(scan.last_row or 0) + 1}"
    row_cell, column_cell = scan.far_row_cell or last, scan.far_column_cell or last
    edges = (
        f"its last row and column come from cell {row_cell}"
        if row_cell == column_cell
        else f"its last row comes from cell {row_cell} and its last column from cell {column_cell}"
    )
    if scan.complete and scan.area > ALWAYS_READABLE_CELLS + GRID_CELLS_PER_VALUE * scan.values:
        return (
            f"the used range {first}:{last} spans {scan.area:,} cells but only {scan.values:,} "
            f"hold a value: {edges}; delete the stray cells far outside the data in Excel and "
            "save again"
        )
    return (
        f"the used range {first}:{last} spans more than {MAX_GRID_CELLS:,} cells, the most "
        f"the reader loads at once: {edges}; delete stray cells far outside the data, or "
        "split the sheet, and save again"
    )


def _cell_rejects(
    scan: SheetScan, names: list[str | None], first_column: int, header_row: int
) -> list[tuple[int, str, str]]:
    """Return ``(Excel row, column, reason)`` for every problem cell below the header."""
    rejects = []
    for (row, column), problem in sorted(scan.problems.items()):
        position = column - first_column
        if row + 1 <= header_row or not 0 <= position < len(names):
            continue
        name = names[position] or f"column_{column_letter(column)}"
        rejects.append((row + 1, name, f"{name} {problem}"))
    return rejects
