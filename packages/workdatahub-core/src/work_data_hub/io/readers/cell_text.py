"""Excel cell values as the text the file holds: integers without ``.0``, numbers as Excel
shows them, dates in ISO form, vectorised through Arrow for whole columns."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["EXCEL_DIGITS", "CellValue", "cell_text", "column_text", "text_columns"]

CellValue = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta

_EXACT_INTEGER_LIMIT = float(2**53)
"""Integral numbers up to this size are exact in a double and print as integers."""
_NULL_TEXT = pa.scalar(None, pa.large_string())
_POSITIONAL_REPR_MIN = 1e-4
"""``repr`` writes smaller fractions with an exponent (``1e-05``)."""
EXCEL_DIGITS = 15
"""Significant digits Excel keeps and shows of a number; a double's further digits are noise."""


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


def column_text(column: npt.NDArray[np.object_]) -> pa.Array:
    """Return one column's cells (``CellValue``s) as Arrow text, empty cells null (``cell_text``).

    An all-text column converts in one Arrow call and a text-or-number column (nearly every
    column of a real sheet) with vectorised number formatting; only columns holding dates,
    booleans or integers go through ``cell_text`` cell by cell.
    """
    try:
        texts = pa.array(column, type=pa.large_string())
    except pa.ArrowTypeError:
        texts = _mixedcolumn_text(column)
    return pc.if_else(pc.equal(texts, ""), _NULL_TEXT, texts)


def _mixedcolumn_text(column: npt.NDArray[np.object_]) -> pa.Array:
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


def text_columns(table: npt.NDArray[np.object_]) -> list[pa.Array]:
    """Return every column of a 2-D object array of raw cells as Arrow text."""
    return [column_text(table[:, position]) for position in range(table.shape[1])]
