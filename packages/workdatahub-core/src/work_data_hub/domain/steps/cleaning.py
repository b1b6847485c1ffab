"""Steps wrapping the cleansing rules: months, dates, codes, money, rates, company names.

Values that are present but unreadable are never turned into blanks silently: the row is
rejected (``RowValidationError``) with the column and the value in the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from work_data_hub.cleansing.codes import CodeCase, CodeSpaces, clean_code
from work_data_hub.cleansing.dates import DATE_MAX_YEAR, DATE_MIN_YEAR, parse_date
from work_data_hub.cleansing.months import MAX_YEAR, MIN_YEAR, parse_month
from work_data_hub.cleansing.names import normalise_company_name
from work_data_hub.cleansing.numbers import clean_money, clean_rate
from work_data_hub.cleansing.text import is_blank
from work_data_hub.domain.pipelines.types import PipelineContext
from work_data_hub.domain.steps.rejections import (
    RowFailure,
    column_tuple,
    require_columns,
    split_rejected,
)
from work_data_hub.domain.steps.scope import first_of_month
from work_data_hub.domain.validation import format_value


def _unreadable(
    column: str,
    raw: pd.Series,
    cleaned: pd.Series,
    what: str,
    unbounded: pd.Series | None = None,
    years: tuple[int, int] | None = None,
) -> RowFailure:
    """Return the rows whose raw value is present but cleaned to missing, with reasons.

    ``unbounded`` holds the same values parsed without a year range: a value it reads names a
    real month or date outside ``years``, and its reason says so instead of "is not".
    """
    mask = (cleaned.isna() & ~is_blank(raw)).to_numpy(dtype=bool)
    real = np.zeros(len(raw), dtype=bool) if unbounded is None else unbounded.notna().to_numpy()
    reasons = np.full(len(raw), "", dtype=object)
    for position in np.flatnonzero(mask).tolist():
        value = format_value(raw.iat[position])
        reasons[position] = (
            f"{column} {value} is outside the accepted years {years[0]}–{years[1]}"
            if real[position] and years is not None
            else f"{column} {value} is not {what}"
        )
    return RowFailure(column, mask, reasons)


def _clean_columns(
    data: pd.DataFrame,
    columns: Sequence[str],
    rule: Callable[[pd.Series], pd.Series],
    what: str,
    step_name: str,
    reject_invalid: bool,
) -> pd.DataFrame:
    """Apply ``rule`` to each column; reject rows with unreadable values when asked to."""
    require_columns(data, columns, step_name)
    cleaned = {column: rule(data[column]) for column in columns}
    output = data.assign(**cleaned)
    if not reject_invalid:
        return output
    failures = [_unreadable(c, data[c], cleaned[c], what) for c in columns]
    return split_rejected(data, output, failures)


@dataclass(frozen=True)
class ParseMonth:
    """Parse ``column`` into the first day of its month (see ``cleansing.parse_month``).

    A present value that names no month in ``min_year..max_year`` rejects the row
    (``"月度 'abc' is not a month"``) unless ``reject_invalid=False``; blanks become NaT.
    With ``reject_after_run_month=True`` a month after the month of the run rejects the row too
    (``"月度 2025-01 is after the run month 2024-12"``): ``context.run_month`` when the run has
    one, else the current month.
    """

    column: str
    target: str | None = None
    min_year: int = MIN_YEAR
    max_year: int = MAX_YEAR
    reject_invalid: bool = True
    name: str = "parse_month"
    rows_independent: ClassVar[bool] = True
    reject_after_run_month: bool = False

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with the parsed months in ``target`` (default: ``column``)."""
        require_columns(data, [self.column], self.name)
        raw = data[self.column]
        months = parse_month(raw, min_year=self.min_year, max_year=self.max_year)
        output = data.assign(**{self.target or self.column: months})
        failures: list[RowFailure] = []
        if self.reject_invalid:
            unbounded = parse_month(raw, min_year=1, max_year=9999)
            years = (self.min_year, self.max_year)
            failures.append(_unreadable(self.column, raw, months, "a month", unbounded, years))
        if self.reject_after_run_month:
            failures.append(_after_run_month(self.column, months, context))
        return split_rejected(data, output, failures)


def _after_run_month(column: str, months: pd.Series, context: PipelineContext) -> RowFailure:
    """Return the rows whose month lies after the month of the run, with reasons."""
    run_month = first_of_month(context.run_month or context.timestamp.date())
    mask = (months > run_month).to_numpy(dtype=bool)
    reasons = np.full(len(months), "", dtype=object)
    reasons[mask] = [
        f"{column} {month:%Y-%m} is after the run month {run_month:%Y-%m}" for month in months[mask]
    ]
    return RowFailure(column, mask, reasons)


@dataclass(frozen=True)
class ParseDate:
    """Parse ``column`` into calendar dates (see ``cleansing.parse_date``): Excel serials and date
    cells, ``2024/11/05``, ``2024-11-05``, ``20241105``, ``2024年11月5日``, full-width digits.

    A present value that names no date in ``min_year..max_year`` — an impossible day such as
    ``2024/11/31`` included — rejects the row with the value as the file holds it
    (``"日期 '2024/11/31' is not a date"``) unless ``reject_invalid=False``; blanks become NaT.
    """

    column: str
    target: str | None = None
    min_year: int = DATE_MIN_YEAR
    max_year: int = DATE_MAX_YEAR
    reject_invalid: bool = True
    name: str = "parse_date"
    rows_independent: ClassVar[bool] = True

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with the parsed dates in ``target`` (default: ``column``)."""
        require_columns(data, [self.column], self.name)
        raw = data[self.column]
        dates = parse_date(raw, min_year=self.min_year, max_year=self.max_year)
        output = data.assign(**{self.target or self.column: dates})
        if not self.reject_invalid:
            return output
        unbounded = parse_date(raw, min_year=1, max_year=9999)
        years = (self.min_year, self.max_year)
        failure = _unreadable(self.column, raw, dates, "a date", unbounded, years)
        return split_rejected(data, output, [failure])


@dataclass(frozen=True)
class CleanCode:
    """Write the codes of ``columns`` in one spelling (see ``cleansing.clean_code``): NFKC
    (full-width to half-width), stripped, inner whitespace removed (``spaces="remove"``),
    collapsed (``"collapse"``) or kept, in ``case`` ``"upper"``, ``"lower"`` or ``"keep"``."""

    columns: Sequence[str]
    spaces: CodeSpaces = "remove"
    case: CodeCase = "upper"
    name: str = "clean_code"
    rows_independent: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", column_tuple(self.columns, self.name))

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with every listed column's codes cleaned."""
        require_columns(data, self.columns, self.name)
        return data.assign(
            **{
                column: clean_code(data[column], spaces=self.spaces, case=self.case)
                for column in self.columns
            }
        )


@dataclass(frozen=True)
class CleanMoney:
    """Read amounts in ``columns`` as exact decimals (``"¥1,234.50"`` → 1234.50); reject
    unreadable ones."""

    columns: Sequence[str]
    reject_invalid: bool = True
    name: str = "clean_money"
    rows_independent: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", column_tuple(self.columns, self.name))

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with every listed column as ``Decimal`` amounts."""
        return _clean_columns(
            data, self.columns, clean_money, "an amount", self.name, self.reject_invalid
        )


@dataclass(frozen=True)
class CleanRate:
    """Read rates in ``columns`` as fractions (``"5.09%"`` → 0.0509); unreadable rows rejected."""

    columns: Sequence[str]
    reject_invalid: bool = True
    name: str = "clean_rate"
    rows_independent: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", column_tuple(self.columns, self.name))

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with every listed column as ``Decimal`` rates."""
        return _clean_columns(
            data, self.columns, clean_rate, "a rate", self.name, self.reject_invalid
        )


@dataclass(frozen=True)
class NormaliseNames:
    """Normalise company names of ``column`` into ``target`` (``normalise_company_name``)."""

    column: str
    target: str | None = None
    name: str = "normalise_names"
    rows_independent: ClassVar[bool] = True

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with normalised names in ``target`` (default: ``column``)."""
        require_columns(data, [self.column], self.name)
        names = normalise_company_name(data[self.column])
        return data.assign(**{self.target or self.column: names})
