"""The Excel reader: one sheet of an xlsx/xlsm/xls/ods workbook as text, on python-calamine."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from itertools import islice, repeat
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import python_calamine

from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import SourceFileError
from work_data_hub.io.readers.headers import (
    TextFrameBuilder,
    clean_header,
    column_letter,
    resolve_headers,
)
from work_data_hub.io.readers.xlsx_errors import error_cells
from work_data_hub.utils.logging import get_logger

__all__ = ["ExcelReader", "cell_text"]

logger = get_logger(__name__)

CellValue = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXACT_INTEGER_LIMIT = float(2**53)
"""Integral numbers up to this size are exact in a double and print as integers."""
_NULL_TEXT = pa.scalar(None, pa.large_string())
_POSITIONAL_REPR_MIN = 1e-4
"""``repr`` writes smaller fractions with an exponent (``1e-05``)."""


def cell_text(value: CellValue) -> str | None:
    """Return a cell value as the text the file holds; ``None`` for an empty cell.

    Integral numbers lose the ``.0`` Excel's floating-point storage adds (``202411``),
    other numbers print in the shortest form that reads back to the same value
    (``0.0509``, ``nan``, ``inf``), dates are ISO ``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM:SS``
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
    return str(int(number)) if number.is_integer() and -limit <= number <= limit else repr(number)


def _open_problem(path: Path, error: Exception) -> str:
    """Say in user terms why ``path`` could not be opened as a workbook."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as open_error:
        return f"the file cannot be opened ({open_error.strerror})"
    if not head:
        return "the file is empty (0 bytes), not an Excel workbook"
    is_legacy_workbook = head.startswith(_OLE_MAGIC)
    if head.startswith(_ZIP_MAGIC) or (is_legacy_workbook and path.suffix.lower() == ".xls"):
        return f"the workbook is damaged and cannot be opened ({error})"
    if is_legacy_workbook:
        return "the file is an encrypted workbook or an old .xls file saved under another name"
    if b"\x00" not in head:
        return (
            "the file is not an Excel workbook: it holds plain text "
            "(a CSV or HTML file renamed to .xlsx?); save it as .xlsx from Excel"
        )
    return f"the file is not an Excel workbook ({error})"


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
    return texts.take(pa.array(position_in_texts))


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

    def __init__(self, errors: dict[tuple[int, int], str], first_column: int) -> None:
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

    The sheet is ``source.sheet`` (the first sheet when None). The header is the first
    non-empty row; every later non-empty row is a data row whose ``wdh_source_row`` is its
    row number in Excel. A header row without data rows reads as zero rows; a sheet
    without any cell is an error.
    """

    def __init__(self, chunk_rows: int = 20_000) -> None:
        self.chunk_rows = chunk_rows

    def read(self, path: Path, source: SourceSpec) -> pd.DataFrame:
        """Return every data row of the sheet as the file has it; raise ``SourceFileError``."""
        with self._open(path) as workbook:
            sheet_name = self._sheet_name(path, workbook.sheet_names, source.sheet)
            try:
                sheet = workbook.get_sheet_by_name(sheet_name)
            except python_calamine.CalamineError as error:
                raise SourceFileError(
                    path, f"the sheet is damaged and cannot be read ({error})", sheet=sheet_name
                ) from error
            frame = self._read_sheet(path, source, sheet_name, sheet)
        logger.info("read excel", file=path.name, sheet=sheet_name, rows=len(frame))
        return frame

    def _read_sheet(
        self, path: Path, source: SourceSpec, sheet_name: str, sheet: python_calamine.CalamineSheet
    ) -> pd.DataFrame:
        """Read the sheet in chunks of rows; empty rows are skipped, Excel row numbers kept.

        python-calamine 0.9 yields rows from row 1 of the sheet but columns from the first used
        one; row numbers rest on that layout, so a change of it raises instead of misnumbering.
        """
        if sheet.start is None or sheet.end is None:
            raise SourceFileError(path, "the sheet is empty: no header row found", sheet=sheet_name)
        first_column = sheet.start[1]
        last_row = sheet.end[0] + 1
        errors = _ErrorCells(error_cells(path, sheet_name), first_column)

        def position_name(position: int) -> str:
            return column_letter(first_column + position)

        builder: TextFrameBuilder | None = None
        header_row = 0
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
            if builder is None and len(table):
                header_row = int(numbers[0])
                names = resolve_headers(
                    [cell_text(value) for value in table[0].tolist()],
                    source,
                    path=path,
                    sheet=sheet_name,
                    row=header_row,
                    position_name=position_name,
                )
                builder = TextFrameBuilder(
                    names, path=path, sheet=sheet_name, position_name=position_name
                )
                table, numbers = table[1:], numbers[1:]
            if builder is not None and len(table):
                builder.add(_text_columns(table), numbers.tolist())
        if rows_seen != last_row:
            raise RuntimeError(
                f"python-calamine yielded {rows_seen} rows for a sheet of {last_row}"
            )
        if builder is None:
            raise SourceFileError(path, "the sheet is empty: no header row found", sheet=sheet_name)
        frame = builder.frame()
        frame.attrs.update(sheet=sheet_name, header_row=header_row)
        return frame

    @staticmethod
    def _open(path: Path) -> python_calamine.CalamineWorkbook:
        if not path.is_file():
            raise SourceFileError(path, "the file does not exist or is not a regular file")
        try:
            return python_calamine.CalamineWorkbook.from_path(path)
        except (python_calamine.CalamineError, OSError) as error:
            raise SourceFileError(path, _open_problem(path, error)) from error

    @staticmethod
    def _sheet_name(path: Path, sheet_names: list[str], wanted: str | None) -> str:
        if not sheet_names:
            raise SourceFileError(path, "the workbook has no sheets")
        if wanted is None:
            return sheet_names[0]
        if wanted in sheet_names:
            return wanted
        by_clean_name = {clean_header(name): name for name in sheet_names}
        if clean_header(wanted) in by_clean_name:
            return by_clean_name[clean_header(wanted)]
        raise SourceFileError(
            path,
            f"no sheet named {wanted!r}; the workbook has: {', '.join(map(repr, sheet_names))}",
            sheet=wanted,
        )
