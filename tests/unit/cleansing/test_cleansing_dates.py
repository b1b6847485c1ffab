"""Dates: every written form one day, impossible days none, and the printer read back."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from work_data_hub.cleansing.dates import DATE_DTYPE, format_date, parse_date

pytestmark = pytest.mark.unit

NOVEMBER_5 = pd.Timestamp("2024-11-05")


@pytest.mark.parametrize(
    "value",
    [
        "2024/11/05",
        "2024/11/5",
        "2024-11-05",
        "2024.11.05",
        "2024-11-05 13:45:10",
        "2024-11-05T13:45",
        "20241105",
        "20241105.0",
        20241105,
        "2024年11月5日",
        "2024年11月05号",
        "２０２４／１１／０５",
        "２０２４年１１月５日",
        " 2024 - 11 - 05 ",
        45601,
        45601.75,
        np.int64(45601),
        dt.date(2024, 11, 5),
        dt.datetime(2024, 11, 5, 23, 59),
        pd.Timestamp("2024-11-05 08:00"),
        np.datetime64("2024-11-05"),
    ],
    ids=repr,
)
def test_every_known_spelling_gives_the_day(value: object) -> None:
    parsed = parse_date(pd.Series([value], dtype=object))

    assert parsed.iloc[0] == NOVEMBER_5
    assert str(parsed.dtype) == DATE_DTYPE


@pytest.mark.parametrize(
    "value",
    [
        "2024/11/31",
        "2023-02-29",
        "20240230",
        20241131,
        "2024年4月31日",
        "2024-13-01",
        "2024-11/05",
        "2024-11",
        "05/11/2024",
        "abc",
        "--",
        "",
        None,
        True,
        0,
        60,
        -3,
        float("nan"),
        float("inf"),
        "18991231",
        "21010101",
    ],
    ids=repr,
)
def test_impossible_days_and_anything_else_are_missing(value: object) -> None:
    assert pd.isna(parse_date(pd.Series([value], dtype=object)).iloc[0])


def test_excel_serials_around_the_day_excel_invented() -> None:
    parsed = parse_date(pd.Series([1, 59, 61, 45658], dtype=object))

    assert parsed.tolist() == [
        pd.Timestamp("1900-01-01"),
        pd.Timestamp("1900-02-28"),
        pd.Timestamp("1900-03-01"),
        pd.Timestamp("2025-01-01"),
    ]


def test_datetime_columns_lose_time_and_time_zone() -> None:
    values = pd.Series(pd.to_datetime(["2024-11-05 10:00", None]).tz_localize("Asia/Shanghai"))

    parsed = parse_date(values)

    assert parsed.iloc[0] == NOVEMBER_5
    assert pd.isna(parsed.iloc[1])
    assert str(parsed.dtype) == DATE_DTYPE


def test_year_bounds_can_be_changed_and_the_index_is_kept() -> None:
    values = pd.Series(["2024-11-05", "2031-01-01"], index=[7, 9])

    parsed = parse_date(values, min_year=2000, max_year=2030)

    assert parsed.index.tolist() == [7, 9]
    assert parsed.iloc[0] == NOVEMBER_5
    assert pd.isna(parsed.iloc[1])


def test_format_date_prints_iso_and_keeps_missing() -> None:
    printed = format_date(pd.Series([NOVEMBER_5, pd.NaT]))

    assert printed.iloc[0] == "2024-11-05"
    assert pd.isna(printed.iloc[1])


DAYS = st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31))


@settings(max_examples=200, deadline=None)
@given(st.lists(DAYS, min_size=1, max_size=20))
def test_parse_date_reads_what_format_date_prints(days: list[dt.date]) -> None:
    dates = pd.Series(pd.to_datetime(days)).astype(DATE_DTYPE)

    assert parse_date(format_date(dates)).tolist() == dates.tolist()


@settings(max_examples=200, deadline=None)
@given(DAYS)
def test_every_written_form_of_a_day_reads_back_as_that_day(day: dt.date) -> None:
    serial = (day - dt.date(1899, 12, 30)).days
    forms = [
        f"{day:%Y/%m/%d}",
        f"{day.year}/{day.month}/{day.day}",
        f"{day:%Y%m%d}",
        f"{day.year}年{day.month}月{day.day}日",
        serial,
        float(serial),
    ]

    parsed = parse_date(pd.Series(forms, dtype=object))

    assert parsed.tolist() == [pd.Timestamp(day)] * len(forms)
