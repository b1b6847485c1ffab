"""parse_month reads every spelling in the annuity files; format_month prints YYYYMM."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from work_data_hub.cleansing import MONTH_DTYPE, format_month, parse_month

pytestmark = pytest.mark.unit

NOVEMBER_2024 = pd.Timestamp("2024-11-01")


@pytest.mark.parametrize(
    "value",
    [
        202411,
        202411.0,
        "202411",
        "2024-11",
        "2024/11",
        "2024.11",
        "2024-11-05",
        "2024-11-05 10:30:00",
        "2024年11月",
        "24年11月",
        "2024年11月5日",
        "２０２４年１１月",
        "２０２４１１",
        " 2024 - 11 ",
        dt.date(2024, 11, 15),
        dt.datetime(2024, 11, 30, 23, 59),
        pd.Timestamp("2024-11-20", tz="Asia/Shanghai"),
        np.datetime64("2024-11-02"),
    ],
    ids=repr,
)
def test_every_known_spelling_gives_the_first_of_the_month(value: object) -> None:
    parsed = parse_month(pd.Series([value], dtype=object))

    assert parsed.iloc[0] == NOVEMBER_2024
    assert str(parsed.dtype) == MONTH_DTYPE


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "202413",
        "202400",
        "199912",
        "203101",
        "2031-01",
        "20241",
        "2024-13",
        "13年13月",
        "2024/11/31",
        "2023-02-29",
        "2024-04-31 10:00",
        "2024年2月30日",
        "",
        None,
        True,
        45597,
    ],
    ids=repr,
)
def test_anything_else_is_missing(value: object) -> None:
    assert pd.isna(parse_month(pd.Series([value], dtype=object)).iloc[0])


def test_year_bounds_can_be_changed() -> None:
    values = pd.Series(["199912", "203512"])

    assert parse_month(values).isna().all()
    assert parse_month(values, min_year=1990, max_year=2040).tolist() == [
        pd.Timestamp("1999-12-01"),
        pd.Timestamp("2035-12-01"),
    ]


def test_datetime_columns_are_moved_to_the_first_of_the_month() -> None:
    values = pd.to_datetime(pd.Series(["2024-11-15 08:00", None, "1999-01-31 00:00"]))

    parsed = parse_month(values)

    assert parsed.iloc[0] == NOVEMBER_2024
    assert parsed.iloc[1:].isna().all()


def test_the_index_is_kept_and_the_input_untouched() -> None:
    values = pd.Series(["2024-11", "x"], index=[7, 3])
    before = values.copy()

    parsed = parse_month(values)

    assert parsed.index.tolist() == [7, 3]
    pd.testing.assert_series_equal(values, before)


def test_format_month_prints_yyyymm_and_keeps_missing() -> None:
    formatted = format_month(pd.Series([NOVEMBER_2024, pd.NaT]))

    assert formatted.iloc[0] == "202411"
    assert pd.isna(formatted.iloc[1])
