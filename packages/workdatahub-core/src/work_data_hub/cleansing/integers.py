"""Whole numbers read exactly: from text or numbers to ``Int64`` with no binary float between.

A float64 holds every integer only up to 2**53; ``9007199254740993`` read through one becomes
``...992``. Text of up to 18 digits is parsed by Arrow straight to int64; longer text and
numbers of other types go through ``exact_decimal``, so a value either keeps every digit or
is refused, never changed.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from work_data_hub.cleansing.numbers import exact_decimal
from work_data_hub.cleansing.text import as_text

IntegerType = Literal["bigint", "integer", "smallint"]
"""The PostgreSQL integer types a column may declare."""

INTEGER_RANGES: Final[dict[IntegerType, tuple[int, int]]] = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}
"""The smallest and largest value of each integer type."""

_SHORT_INTEGER = r"[+-]?[0-9]{1,18}"
"""Integer text that always fits int64: Arrow parses it without a fallback."""


def exact_integer(value: object) -> int | None:
    """Return the exact integer a number or its text holds; None when it holds no whole number.

    ``"12"``, ``" 12 "``, ``"12.0"``, ``"1.2e3"``, ``12.0`` and ``Decimal("12")`` are 12;
    ``"12.5"``, ``"abc"``, booleans, NaN and infinities are None. No range is applied.
    """
    number = exact_decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def exact_integers(values: pd.Series, integer_type: IntegerType = "bigint") -> pd.Series:
    """Return every value as an exact ``Int64`` within ``integer_type``'s range, else missing.

    Missing values stay missing; values that are not whole numbers, or lie outside the range,
    become missing too (``out_of_range`` tells the two apart). Integer columns are range
    checked as they are; other columns are read value by value without a float in between.
    """
    low, high = INTEGER_RANGES[integer_type]
    if pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        integers = values.astype("Int64")
        return integers.where((integers >= low) & (integers <= high))
    if isinstance(values.dtype, pd.StringDtype) or values.dtype == object:
        return _integers_from_text(values, low, high)
    return _integers_one_by_one(values, low, high)


def out_of_range(value: object, integer_type: IntegerType) -> bool:
    """True when ``value`` is a whole number that ``integer_type`` cannot hold."""
    number = exact_integer(value)
    low, high = INTEGER_RANGES[integer_type]
    return number is not None and not low <= number <= high


def _integers_from_text(values: pd.Series, low: int, high: int) -> pd.Series:
    """Parse short integer text with Arrow, everything else value by value."""
    text = as_text(values).str.strip()
    short = text.str.fullmatch(_SHORT_INTEGER).fillna(False).to_numpy(dtype=bool)
    numbers = np.zeros(len(values), dtype=np.int64)
    missing = np.ones(len(values), dtype=bool)
    if short.any():
        parsed = pc.cast(pa.array(text[short].to_numpy(dtype=object), type=pa.string()), pa.int64())
        numbers[short] = parsed.to_numpy()
        missing[short] = (numbers[short] < low) | (numbers[short] > high)
    rest = ~short & values.notna().to_numpy(dtype=bool)
    if rest.any():
        others = _integers_one_by_one(values[rest], low, high)
        numbers[rest] = others.fillna(0).to_numpy(dtype=np.int64)
        missing[rest] = others.isna().to_numpy()
    return pd.Series(pd.arrays.IntegerArray(numbers, missing), index=values.index)


def _integers_one_by_one(values: pd.Series, low: int, high: int) -> pd.Series:
    """Return ``exact_integer`` of each value, missing where none or out of range."""
    numbers = [exact_integer(value) for value in values.tolist()]
    kept = [number if number is not None and low <= number <= high else None for number in numbers]
    return pd.Series(pd.array(kept, dtype="Int64"), index=values.index)
