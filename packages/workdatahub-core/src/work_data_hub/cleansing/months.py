"""Report months: many spellings in, the first day of the month out, and back to ``YYYYMM``."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Final

import numpy as np
import pandas as pd

from work_data_hub.cleansing.text import as_text, halfwidth, map_distinct

MIN_YEAR = 2000
MAX_YEAR = 2030
MONTH_DTYPE: Final = "datetime64[us]"
"""The dtype of every parsed month (pandas' default resolution for dates)."""

_TIME = r"(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_MONTH_PATTERN = re.compile(
    r"(?:(?P<compact_year>\d{4})(?P<compact_month>\d{2})(?:\.0*)?"
    r"|(?P<iso_year>\d{4})[-/.](?P<iso_month>\d{1,2})(?:[-/.](?P<iso_day>\d{1,2})" + _TIME + r")?"
    r"|(?P<cn_year>\d{2}|\d{4})年(?P<cn_month>\d{1,2})月(?:(?P<cn_day>\d{1,2})[日号])?)"
)
"""``YYYYMM`` (also ``YYYYMM.0``); ``YYYY-MM`` (``/`` or ``.``, optional day and time);
``[YY]YY年M月[D日]``; matched after removing whitespace and full-width forms. A day, when
written, must exist in that month."""

_WHITESPACE = re.compile(r"\s+")


def parse_month(
    values: pd.Series, *, min_year: int = MIN_YEAR, max_year: int = MAX_YEAR
) -> pd.Series:
    """Return the first day of the month each value names, or NaT when it names none.

    Accepted: ``202411`` (number or text, also ``202411.0``), ``"2024-11"``, ``"2024/11"``,
    ``"2024.11"``, ``"2024-11-05"`` (with an optional time), ``"2024年11月"``, ``"24年11月"``
    (20xx), full-width digits, and date/datetime values. Years outside
    ``min_year..max_year``, months outside 1..12, a day the month does not have
    (``"2024/11/31"``, ``"2023-02-29"``) and anything else give NaT. Each distinct
    value is parsed once (a file holds few months); the result has dtype ``MONTH_DTYPE`` and
    the input's index.
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _bounded(_first_of_month(values), min_year, max_year)
    return _bounded(map_distinct(values, _parse_values), min_year, max_year)


def format_month(months: pd.Series) -> pd.Series:
    """Return each month as ``"YYYYMM"`` text (missing stays missing); ``parse_month`` reads it."""
    return as_text(pd.to_datetime(months).dt.strftime("%Y%m"))


def _parse_values(values: pd.Series) -> pd.Series:
    """Parse each value into the first of its month (no year bounds yet)."""
    return pd.Series([_month_of(value) for value in values], index=values.index, dtype=MONTH_DTYPE)


def _month_of(value: object) -> pd.Timestamp | None:
    """Return the first day of the month ``value`` names, or None."""
    if isinstance(value, dt.date | np.datetime64):
        if pd.isna(value):
            return None
        timestamp = pd.Timestamp(value)
        return pd.Timestamp(timestamp.year, timestamp.month, 1)
    if value is None or value is pd.NA or isinstance(value, bool):
        return None
    if isinstance(value, float) and not np.isfinite(value):
        return None
    match = _MONTH_PATTERN.fullmatch(_WHITESPACE.sub("", halfwidth(str(value))))
    if match is None:
        return None
    year_text = match["compact_year"] or match["iso_year"] or match["cn_year"]
    month = int(match["compact_month"] or match["iso_month"] or match["cn_month"])
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    if not 1 <= month <= 12 or not 1678 <= year <= 2261:
        return None
    day = match["iso_day"] or match["cn_day"]
    if day is not None and not 1 <= int(day) <= calendar.monthrange(year, month)[1]:
        return None
    return pd.Timestamp(year, month, 1)


def _first_of_month(values: pd.Series) -> pd.Series:
    """Return datetimes moved to the first day of their month (time and time zone dropped)."""
    datetimes = pd.to_datetime(values, errors="coerce")
    if getattr(datetimes.dt, "tz", None) is not None:
        datetimes = datetimes.dt.tz_localize(None)
    months = datetimes.to_numpy(dtype="datetime64[us]").astype("datetime64[M]")
    return pd.Series(months, index=values.index).astype(MONTH_DTYPE)


def _bounded(months: pd.Series, min_year: int, max_year: int) -> pd.Series:
    """Return ``months`` with years outside ``min_year..max_year`` set to NaT."""
    return months.where(months.dt.year.between(min_year, max_year))
