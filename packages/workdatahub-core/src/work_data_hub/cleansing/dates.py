"""Calendar dates written by people: Excel serials, ISO, slashes, ``YYYYMMDD``, ``2024年11月5日``.

A value names a date only when that day exists: ``2024/11/31`` and ``2023-02-29`` name none,
so a step can reject them quoting the value as the file holds it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Final

import numpy as np
import pandas as pd

from work_data_hub.cleansing.text import as_text, halfwidth, map_distinct

DATE_MIN_YEAR: Final = 1900
DATE_MAX_YEAR: Final = 2100
DATE_DTYPE: Final = "datetime64[us]"
"""The dtype of every parsed date (midnight timestamps, like ``validate_schema``'s dates)."""

_EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
"""Day 0 of Excel's 1900 date system for serials from 61 on (serial 60 is Excel's 1900-02-29,
a day that never was, so it names no date)."""

_TIME = r"(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_PATTERN = re.compile(
    r"(?:(?P<compact_year>\d{4})(?P<compact_month>\d{2})(?P<compact_day>\d{2})(?:\.0*)?"
    r"|(?P<iso_year>\d{4})(?P<separator>[-/.])(?P<iso_month>\d{1,2})(?P=separator)"
    r"(?P<iso_day>\d{1,2})" + _TIME + r"|(?P<cn_year>\d{4})年(?P<cn_month>\d{1,2})月"
    r"(?P<cn_day>\d{1,2})[日号])"
)
"""``YYYYMMDD`` (also ``YYYYMMDD.0``); ``YYYY-M-D`` with ``-``, ``/`` or ``.`` (one separator,
optional time); ``YYYY年M月D日`` (or ``号``); matched after removing whitespace and full-width
forms."""

_WHITESPACE = re.compile(r"\s+")


def parse_date(
    values: pd.Series, *, min_year: int = DATE_MIN_YEAR, max_year: int = DATE_MAX_YEAR
) -> pd.Series:
    """Return the calendar date each value names (a midnight timestamp), or NaT when none.

    Accepted: date and datetime values (the time of day is dropped), Excel serial numbers
    (``45601`` → 2024-11-05, a fraction is a time of day), ``"2024-11-05"``, ``"2024/11/05"``,
    ``"2024.11.05"`` (optionally with a time), ``"20241105"`` (text or number),
    ``"2024年11月5日"``, full-width digits and surrounding whitespace. A day that does not exist
    (``2024/11/31``, ``2023-02-29``), a year outside ``min_year..max_year`` and anything else
    give NaT. Each distinct value is parsed once; the result has dtype ``DATE_DTYPE`` and the
    input's index.
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        dates = pd.to_datetime(values, errors="coerce")
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
        parsed = dates.dt.normalize().astype(DATE_DTYPE)
    else:
        parsed = map_distinct(values, _parse_values)
    return parsed.where(parsed.dt.year.between(min_year, max_year))


def format_date(dates: pd.Series) -> pd.Series:
    """Return each date as ``"YYYY-MM-DD"`` text, missing stays missing; ``parse_date`` reads it."""
    return as_text(pd.to_datetime(dates).dt.strftime("%Y-%m-%d"))


def _parse_values(values: pd.Series) -> pd.Series:
    """Parse each value into its date (no year bounds yet)."""
    return pd.Series([date_of(value) for value in values], index=values.index, dtype=DATE_DTYPE)


def date_of(value: object) -> pd.Timestamp | None:
    """Return the date ``value`` names as a midnight timestamp, or None (see ``parse_date``)."""
    if isinstance(value, dt.date | np.datetime64):
        if pd.isna(value):
            return None
        return pd.Timestamp(value).normalize()
    if value is None or value is pd.NA or isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return _from_number(float(value))
    match = _DATE_PATTERN.fullmatch(_WHITESPACE.sub("", halfwidth(str(value))))
    if match is None:
        return None
    return _calendar_day(
        int(match["compact_year"] or match["iso_year"] or match["cn_year"]),
        int(match["compact_month"] or match["iso_month"] or match["cn_month"]),
        int(match["compact_day"] or match["iso_day"] or match["cn_day"]),
    )


def _from_number(number: float) -> pd.Timestamp | None:
    """Read a number as ``YYYYMMDD`` (eight digits) or as an Excel serial day."""
    if not math.isfinite(number) or number < 1:
        return None
    if 10_000_000 <= number < 100_000_000:
        if not number.is_integer():
            return None
        whole = int(number)
        return _calendar_day(whole // 10_000, whole // 100 % 100, whole % 100)
    serial = int(number)
    if serial == 60 or serial > 2_958_465:
        return None
    # Excel counts a 1900-02-29 that never was: serials before it start one day later.
    date = _EXCEL_EPOCH + dt.timedelta(days=serial + (1 if serial < 60 else 0))
    return _calendar_day(date.year, date.month, date.day)


def _calendar_day(year: int, month: int, day: int) -> pd.Timestamp | None:
    """Return the day as a timestamp, or None when the calendar has no such day."""
    try:
        return pd.Timestamp(dt.date(year, month, day))
    except ValueError:
        return None
