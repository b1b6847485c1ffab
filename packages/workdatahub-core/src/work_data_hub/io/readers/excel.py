"""The Excel reader: one sheet of an xlsx/xlsm/xls/ods workbook as text, on python-calamine."""

from __future__ import annotations

import zipfile
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import python_calamine

from work_data_hub.domain.columns import CELL_REJECTS
from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import SourceFileError
from work_data_hub.io.readers.calamine_rows import calamine_rows, calamine_span, rows_below
from work_data_hub.io.readers.cell_text import cell_text, text_columns
from work_data_hub.io.readers.headers import clean_header, column_letter
from work_data_hub.io.readers.layout import Header, LaidOutTable, locate_header, search_window
from work_data_hub.io.readers.xlsx_cells import SheetScan, SheetTooLarge, scan_sheet
from work_data_hub.io.readers.xlsx_container import LEGACY_SUFFIXES, check_container
from work_data_hub.io.readers.xlsx_stream import ReadWhole, SheetRows, stream_rows
from work_data_hub.utils.logging import get_logger

__all__ = ["ExcelReader", "cell_text"]

logger = get_logger(__name__)


MAX_CELL_TEXT = 32_767
"""Characters a cell may hold (Excel's own limit); a workbook with a longer text is refused."""
ALWAYS_READABLE_CELLS = 1_000_000
"""A sheet's grid (first to last used row × column) of up to this many cells is always read."""
GRID_CELLS_PER_VALUE = 10
"""Beyond that, the grid may hold at most this many cells per cell that has a value."""
STREAM_ABOVE_CELLS = 10_000_000
"""An xlsx sheet with more cells holding something is streamed from its XML (``xlsx_stream``)."""
MAX_GRID_CELLS = 40_000_000
"""No grid is larger (about 1.3 GB in python-calamine): 1,048,576 rows × 38 columns."""


class _ErrorCells:
    """Error-cell texts by Excel row number, put back into the raw cells chunk by chunk."""

    def __init__(self, errors: Mapping[tuple[int, int], str], first_column: int) -> None:
        self._cells = sorted(
            (row_index + 1, column_index - first_column, text)
            for (row_index, column_index), text in errors.items()
        )
        self._rows = [row for row, _, _ in self._cells]

    def fill(self, table: npt.NDArray[np.object_], numbers: npt.NDArray[np.int64]) -> None:
        """Write the error texts into ``table``, whose rows have the Excel row ``numbers``."""
        if not len(numbers):
            return
        start = bisect_left(self._rows, int(numbers[0]))
        stop = bisect_left(self._rows, int(numbers[-1]) + 1)
        for row, position, text in self._cells[start:stop]:
            at = int(np.searchsorted(numbers, row))
            if at < len(numbers) and numbers[at] == row:
                table[at, position] = text


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

    def __init__(
        self,
        chunk_rows: int = 20_000,
        *,
        max_cell_text: int = MAX_CELL_TEXT,
        stream_above_cells: int = STREAM_ABOVE_CELLS,
    ) -> None:
        self.chunk_rows = chunk_rows
        self.max_cell_text = max_cell_text
        self.stream_above_cells = stream_above_cells

    def read(self, path: Path, source: SourceSpec) -> pd.DataFrame:
        """Return every data row of the sheet as the file has it; raise ``SourceFileError``."""
        if not path.is_file():
            raise SourceFileError(path, "the file does not exist or is not a regular file")
        check_container(path, max_cell_text=self.max_cell_text)
        with self._open(path) as workbook:
            sheet_name = self._sheet_name(path, workbook.sheet_names, source.sheet)
            scan = self._scan(path, sheet_name)
            streamed = scan.values > self.stream_above_cells and source.header_rows == 1
            if not streamed:
                frame = self._read_whole(path, source, workbook, sheet_name, scan)
        # python-calamine holds the workbook's shared strings: let them go before streaming.
        del workbook
        if streamed:
            try:
                frame = self._lay_out(
                    path,
                    source,
                    sheet_name,
                    self._streamed_rows(path, sheet_name, scan),
                    scan.first_column or 0,
                    scan,
                )
            except ReadWhole:
                streamed = False
                with self._open(path) as workbook:
                    frame = self._read_whole(path, source, workbook, sheet_name, scan)
        logger.info(
            "read excel", file=path.name, sheet=sheet_name, rows=len(frame), streamed=streamed
        )
        return frame

    def _read_whole(
        self,
        path: Path,
        source: SourceSpec,
        workbook: python_calamine.CalamineWorkbook,
        sheet_name: str,
        scan: SheetScan,
    ) -> pd.DataFrame:
        """Read the sheet from python-calamine's grid of the whole sheet."""
        sheet = self._sheet(path, workbook, sheet_name)
        span = calamine_span(sheet, scan)
        if span is None:
            raise SourceFileError(path, "the sheet is empty: no header row found", sheet=sheet_name)
        rows = calamine_rows(sheet, self.chunk_rows, span, rows_below(sheet, scan))
        return self._lay_out(path, source, sheet_name, rows, span[0], scan)

    def sheet_names(self, path: Path) -> list[str]:
        """Return the workbook's sheet names in workbook order; raise ``SourceFileError``."""
        if not path.is_file():
            raise SourceFileError(path, "the file does not exist or is not a regular file")
        check_container(path, max_cell_text=self.max_cell_text)
        with self._open(path) as workbook:
            return list(workbook.sheet_names)

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

    @staticmethod
    def _sheet(
        path: Path, workbook: python_calamine.CalamineWorkbook, sheet_name: str
    ) -> python_calamine.CalamineSheet:
        """Return the sheet as python-calamine loads it: its whole grid at once."""
        try:
            return workbook.get_sheet_by_name(sheet_name)
        except python_calamine.CalamineError as error:
            raise SourceFileError(
                path, f"the sheet is damaged and cannot be read ({error})", sheet=sheet_name
            ) from error
        except BaseException as error:
            if (panic := _panic_as_error(path, error, sheet_name)) is None:
                raise
            raise panic from error

    def _streamed_rows(self, path: Path, sheet_name: str, scan: SheetScan) -> Iterator[SheetRows]:
        """Yield the sheet's rows from its XML (``xlsx_stream``), errors as ``SourceFileError``."""
        try:
            yield from stream_rows(
                path,
                sheet_name,
                scan.first_column or 0,
                scan.last_column or 0,
                table_rows=self.chunk_rows,
            )
        except SheetTooLarge as error:
            raise SourceFileError(path, str(error), sheet=sheet_name) from error
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as error:
            raise SourceFileError(
                path, f"the sheet is damaged and cannot be read ({error})", sheet=sheet_name
            ) from error

    def _lay_out(
        self,
        path: Path,
        source: SourceSpec,
        sheet_name: str,
        chunks: Iterable[SheetRows],
        first_column: int,
        scan: SheetScan,
    ) -> pd.DataFrame:
        """Lay out the sheet's rows, chunk by chunk: empty rows skipped, Excel row numbers kept."""
        errors = _ErrorCells(scan.texts, first_column)

        def position_name(position: int) -> str:
            return column_letter(first_column + position)

        laid_out: LaidOutTable | None = None
        try:
            for table, numbers in chunks:
                errors.fill(table, numbers)
                filled = (table != "").any(axis=1)
                table, numbers = table[filled], numbers[filled]
                if laid_out is None and len(table):
                    header = _locate(table, numbers, source, path, sheet_name, position_name)
                    laid_out = LaidOutTable(
                        header, source, path=path, sheet=sheet_name, position_name=position_name
                    )
                    below = numbers > header.last_row
                    table, numbers = table[below], numbers[below]
                if laid_out is not None and len(table):
                    laid_out.add(text_columns(table), numbers.tolist())
        except OverflowError as error:
            raise SourceFileError(
                path,
                "a cell holds a number in a date, time or duration format too large for any "
                "date or duration (a duration over 999,999,999 days, or a huge negative "
                "number): give the cell a number format",
                sheet=sheet_name,
            ) from error
        except BaseException as error:
            if (panic := _panic_as_error(path, error, sheet_name)) is None:
                raise
            raise panic from error
        if laid_out is None:
            raise SourceFileError(path, "the sheet is empty: no header row found", sheet=sheet_name)
        frame = laid_out.frame()
        frame.attrs.update(sheet=sheet_name)
        header, skipped = laid_out.header, laid_out.skipped_rows
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
            if (panic := _panic_as_error(path, error)) is None:
                raise
            raise panic from error

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
    searched = search_window(numbers.tolist(), source)
    rows = [
        (int(number), [cell_text(value) for value in cells])
        for number, cells in zip(
            numbers[:searched].tolist(), table[:searched].tolist(), strict=True
        )
    ]
    return locate_header(rows, source, path=path, sheet=sheet, position_name=position_name)


def _panic_as_error(
    path: Path, error: BaseException, sheet: str | None = None
) -> SourceFileError | None:
    """Return a python-calamine panic (a ``BaseException``) as ``SourceFileError``; None for
    any other error, which the caller re-raises unchanged.

    A panic is not an ``Exception``: left alone it would escape every handler of the run.
    """
    if type(error).__name__ != "PanicException":
        return None
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
