"""Whole numbers are read exactly from text and numbers, within the declared integer type."""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from work_data_hub.cleansing.integers import (
    INTEGER_RANGES,
    IntegerType,
    exact_integer,
    exact_integers,
    out_of_range,
)

pytestmark = pytest.mark.unit

TYPES: list[IntegerType] = ["bigint", "integer", "smallint"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" -12 ", -12),
        ("+7", 7),
        ("12.0", 12),
        ("1.2e3", 1200),
        ("9007199254740993", 9007199254740993),
        ("123456789012345678901", 123456789012345678901),
        (12.0, 12),
        (np.int64(-3), -3),
        (Decimal("40"), 40),
        ("12.5", None),
        ("abc", None),
        ("", None),
        (True, None),
        (float("nan"), None),
        (float("inf"), None),
        (None, None),
    ],
)
def test_exact_integer_reads_whole_numbers_only(value: object, expected: int | None) -> None:
    assert exact_integer(value) == expected


def test_text_beyond_two_to_the_53_keeps_every_digit_beside_blanks() -> None:
    values = pd.Series(["9007199254740993", None, "", "-9007199254740993"], dtype=object)

    assert exact_integers(values).tolist() == [9007199254740993, pd.NA, pd.NA, -9007199254740993]


@pytest.mark.parametrize("integer_type", TYPES)
def test_each_type_holds_its_edges_and_refuses_one_beyond(integer_type: IntegerType) -> None:
    low, high = INTEGER_RANGES[integer_type]
    values = pd.Series([str(low), str(high), str(low - 1), str(high + 1)], dtype="str")

    assert exact_integers(values, integer_type).tolist() == [low, high, pd.NA, pd.NA]
    assert [out_of_range(value, integer_type) for value in values] == [False, False, True, True]


def test_integer_and_float_columns_are_range_checked_as_they_are() -> None:
    integers = pd.Series([1, 40_000, -40_000], dtype="int64")
    floats = pd.Series([1.0, float("nan"), 2.5, 40_000.0])

    assert exact_integers(integers, "smallint").tolist() == [1, pd.NA, pd.NA]
    assert exact_integers(floats, "smallint").tolist() == [1, pd.NA, pd.NA, pd.NA]


def test_a_fraction_is_not_out_of_range_but_no_integer() -> None:
    assert out_of_range("1.5", "smallint") is False
    assert exact_integers(pd.Series(["1.5"], dtype=object)).tolist() == [pd.NA]


@st.composite
def _column(draw: st.DrawFn) -> tuple[IntegerType, list[int | None], list[str | None]]:
    """A column of one integer type: its numbers (None for blanks) and their cell texts."""
    integer_type = draw(st.sampled_from(TYPES))
    low, high = INTEGER_RANGES[integer_type]
    numbers = draw(st.lists(st.none() | st.integers(low, high), max_size=30))
    texts = [
        None if number is None else draw(st.sampled_from(["{}", " {} ", "{}.0"])).format(number)
        for number in numbers
    ]
    return integer_type, numbers, texts


@settings(max_examples=200, deadline=None)
@given(_column())
def test_every_integer_the_type_holds_comes_back_exactly(
    column: tuple[IntegerType, list[int | None], list[str | None]],
) -> None:
    integer_type, numbers, texts = column

    cast = exact_integers(pd.Series(texts, dtype=object), integer_type)

    assert cast.dtype == "Int64"
    assert [None if pd.isna(value) else int(value) for value in cast] == numbers


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(TYPES), st.integers(1, 10**30), st.booleans())
def test_every_integer_beyond_the_type_is_refused(
    integer_type: IntegerType, distance: int, below: bool
) -> None:
    low, high = INTEGER_RANGES[integer_type]
    number = low - distance if below else high + distance

    assert exact_integers(pd.Series([str(number)], dtype=object), integer_type).tolist() == [pd.NA]
    assert out_of_range(str(number), integer_type)
