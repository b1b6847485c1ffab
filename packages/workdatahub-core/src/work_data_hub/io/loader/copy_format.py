"""Turning a DataFrame into what PostgreSQL reads: CSV chunks for COPY, Python rows for INSERT.

Both paths go through one Arrow conversion, so a value is written the same way whichever path
carries it. The CSV is the dialect ``COPY … (FORMAT csv)`` reads by default: NULL is an empty
unquoted field and every string is quoted, so ``''`` stays an empty string; quotes, commas,
newlines and backslashes inside values need nothing more. Numbers keep their exact text: floats
in their shortest round-trip form, decimals digit for digit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from work_data_hub.cleansing.numbers import decimal_places

__all__ = [
    "ROWS_PER_CHUNK",
    "FrameSerialiser",
    "arrow_csv_chunks",
    "frame_rows",
    "to_arrow_table",
]

FrameSerialiser = Callable[[pd.DataFrame], Iterator[bytes]]
"""Turns a frame into CSV chunks (no header, columns in frame order) for ``COPY … FROM STDIN``."""

ROWS_PER_CHUNK = 16_384
"""Rows per CSV chunk: large enough to keep per-chunk overhead small, ~10 MB for 11 columns."""

_CSV_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="needed")

_CONVERSION_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)
_DECIMAL128_DIGITS = 38
_WIDE_SCALE = 18


def to_arrow_table(frame: pd.DataFrame) -> Any:
    """Return ``frame`` as a ``pyarrow.Table``, one column per frame column, in order.

    Missing values (None, NaN, NaT, pd.NA) become nulls. Columns Arrow cannot infer (mixed
    types) or cannot write as CSV (nested values, bytes, durations) become text: JSON for dicts
    and lists, ``\\x…`` hex for bytes (PostgreSQL's bytea input), ISO 8601 for durations.
    """
    arrays = [_arrow_column(frame.iloc[:, position]) for position in range(frame.shape[1])]
    return pa.Table.from_arrays(arrays, names=[f"c{index}" for index in range(len(arrays))])


def arrow_csv_chunks(frame: pd.DataFrame, rows_per_chunk: int = ROWS_PER_CHUNK) -> Iterator[bytes]:
    """Yield ``frame`` as UTF-8 CSV for ``COPY … (FORMAT csv)``, ``rows_per_chunk`` rows at a time.

    Each chunk holds whole rows, so chunks can be sent one after the other.
    """
    table = to_arrow_table(frame)
    for batch in table.to_batches(max_chunksize=rows_per_chunk):
        sink = pa.BufferOutputStream()
        pacsv.write_csv(batch, sink, _CSV_OPTIONS)
        yield sink.getvalue().to_pybytes()


def frame_rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Return the rows of ``frame`` as tuples of plain Python values the driver can bind.

    Nulls are None, decimals ``Decimal``, dates ``date``, timestamps ``datetime``; values go
    through the same conversion as the CSV path.
    """
    table = to_arrow_table(frame)
    return list(zip(*(column.to_pylist() for column in table.columns), strict=True))


def _arrow_column(values: pd.Series[Any]) -> Any:
    decimals = _decimal_array(values)
    if decimals is not None:
        return decimals
    try:
        array = pa.array(values, from_pandas=True)
    except _CONVERSION_ERRORS:
        return _text_array(values)
    return _text_array(values) if _written_as_text(array.type) else array


def _decimal_array(values: pd.Series[Any]) -> Any | None:
    """Return a column of ``Decimal``s and missing values as an exact ``decimal128`` array at
    the smallest scale that holds every value; None for any other column.

    Arrow infers a decimal type value by value, slowly; a typed conversion at a wide scale and
    one safe (digit-preserving) cast down to the places the values need are exact and faster.
    """
    if values.dtype != object:
        return None
    items = values.tolist()
    kinds = set(map(type, items))
    if Decimal not in kinds or not kinds <= {Decimal, float, type(None)}:
        return None
    if float in kinds and not all(math.isnan(item) for item in items if type(item) is float):
        return None
    cells = [item if type(item) is Decimal else None for item in items]
    try:
        wide = pa.array(cells, type=pa.decimal128(_DECIMAL128_DIGITS, _WIDE_SCALE))
    except _CONVERSION_ERRORS:
        return None
    return wide.cast(pa.decimal128(_DECIMAL128_DIGITS, _places_needed(wide)))


def _places_needed(wide: Any) -> int:
    """Return the most digits any value of a ``decimal128(38, 18)`` array needs after its
    point, trailing zeros not counted, read from the array's text (vectorised).

    Arrow writes zero and values below 1e-6 with an exponent (``0E-18``); those few are
    measured one by one.
    """
    text = wide.cast(pa.string())
    exponent = pc.fill_null(pc.match_substring(text, "E"), False)
    positional = pc.utf8_rtrim(pc.filter(text, pc.invert(exponent)), characters="0")
    places = pc.subtract(
        pc.subtract(pc.utf8_length(positional), pc.find_substring(positional, ".")), 1
    )
    scientific = [decimal_places(Decimal(t)) for t in pc.filter(text, exponent).to_pylist()]
    return max([pc.max(places).as_py() or 0, *scientific])


def _written_as_text(arrow_type: Any) -> bool:
    return bool(
        pa.types.is_nested(arrow_type)
        or pa.types.is_duration(arrow_type)
        or pa.types.is_binary(arrow_type)
        or pa.types.is_large_binary(arrow_type)
        or pa.types.is_fixed_size_binary(arrow_type)
    )


def _text_array(values: pd.Series[Any]) -> Any:
    return pa.array([_text_value(value) for value in values], type=pa.large_string())


def _text_value(value: Any) -> str | None:
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value).hex()
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, allow_nan=False, default=str)
    if isinstance(value, timedelta | np.timedelta64):
        return str(pd.Timedelta(value).isoformat())
    return str(value)
