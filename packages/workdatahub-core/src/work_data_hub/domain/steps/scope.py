"""Steps that bound what a run may replace: key values made canonical, one month per run.

A ``delete_insert`` load replaces the key combinations present in the frame. Two spellings of
one key (``"企年受托"`` and ``"企年受托 "``) would be two combinations, and a row of another
month would make the load replace that month too. These steps run after the domain's steps and
the schema check, so that only canonical keys of the run's own month reach the loader.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import pandas as pd

from work_data_hub.cleansing.text import as_text, map_distinct
from work_data_hub.domain.pipelines.types import PipelineContext
from work_data_hub.domain.steps.rejections import (
    RowFailure,
    column_tuple,
    require_columns,
    source_rows,
    split_rejected,
)

__all__ = [
    "KeepRunMonth",
    "NormaliseKeyText",
    "OtherMonthPolicy",
    "OtherMonthRows",
    "first_of_month",
    "key_text",
]

OtherMonthPolicy = Literal["reject", "refuse"]
"""What a row of another month does to a run: it is rejected, or the whole file is refused."""

_EDGE_INVISIBLES = re.compile(r"^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$")
"""Whitespace of any width and the zero-width characters Excel users cannot see."""


def key_text(value: str) -> str:
    """Return the canonical spelling of one key value: NFKC, no invisible edge characters."""
    return _EDGE_INVISIBLES.sub("", unicodedata.normalize("NFKC", value))


def _canonical(values: pd.Series) -> pd.Series:
    text = as_text(values)
    present = text.notna().to_numpy(dtype=bool)
    return text.mask(present, text[present].map(key_text))


@dataclass(frozen=True)
class NormaliseKeyText:
    """Make the text of ``columns`` canonical (``key_text``): one key, one spelling.

    ``"企年受托 "``, ``"\\u200b企年受托"`` and ``"企年受托"`` become the same value, so a corrected
    file refreshes the rows it corrects instead of adding a second copy of them.
    """

    columns: Sequence[str]
    name: str = "normalise_key_text"
    rows_independent: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", column_tuple(self.columns, self.name))

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` with the text of every listed column present in canonical form."""
        present = [column for column in self.columns if column in data.columns]
        return data.assign(**{column: map_distinct(data[column], _canonical) for column in present})


class OtherMonthRows(ValueError):
    """A file refused because it holds rows of months other than the run's."""


def first_of_month(month: dt.date) -> pd.Timestamp:
    """Return midnight of the first day of ``month``'s month."""
    return pd.Timestamp(month.year, month.month, 1)


def _months(values: pd.Series) -> pd.Series:
    dates = pd.to_datetime(values, errors="coerce").to_numpy(dtype="datetime64[us]")
    return pd.Series(dates.astype("datetime64[M]").astype("datetime64[us]"), index=values.index)


def _infer_run_month(months: pd.Series, column: str) -> pd.Timestamp | None:
    """The month most rows belong to; a tie between months names them and asks for the month."""
    counts = months.value_counts()
    if counts.empty:
        return None
    top = counts[counts == counts.iloc[0]]
    if len(top) > 1:
        tied = ", ".join(
            f"{month:%Y-%m} ({count} rows)" for month, count in top.sort_index().items()
        )
        raise OtherMonthRows(
            f"the rows of {column} are split evenly between months {tied}: give the run's month "
            "(--month YYYYMM)"
        )
    return pd.Timestamp(counts.index[0])


@dataclass(frozen=True)
class KeepRunMonth:
    """Keep only rows of the run's month: a run for a month never touches another month.

    The run's month is ``context.run_month``; when the run was given none, it is the month of
    most rows (an even split between months refuses the file). A run month after the current
    month refuses the file. Rows of any other month are rejected
    (``"月度 2024-10 is not the run month 2024-11"``), or with ``other_months="refuse"`` the
    whole file is refused (``OtherMonthRows``) naming the months and their first rows.
    """

    column: str
    other_months: OtherMonthPolicy = "reject"
    name: str = "keep_run_month"

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return the rows of the run's month; reject or refuse the others."""
        require_columns(data, [self.column], self.name)
        months = _months(data[self.column])
        run_month = self._run_month(months, context)
        if run_month is None:
            return data
        other = (months.notna() & months.ne(run_month)).to_numpy(dtype=bool)
        if other.any() and self.other_months == "refuse":
            raise OtherMonthRows(self._refusal(data, months, other, run_month))
        reasons = np.full(len(data), "", dtype=object)
        reasons[other] = [
            f"{self.column} {month:%Y-%m} is not the run month {run_month:%Y-%m}"
            for month in months[other]
        ]
        return split_rejected(data, data, [RowFailure(self.column, other, reasons)])

    def _run_month(self, months: pd.Series, context: PipelineContext) -> pd.Timestamp | None:
        if context.run_month is not None:
            run_month: pd.Timestamp | None = first_of_month(context.run_month)
        else:
            run_month = _infer_run_month(months, self.column)
        current = first_of_month(context.timestamp.date())
        if run_month is not None and run_month > current:
            raise OtherMonthRows(
                f"the run month {run_month:%Y-%m} is after the current month {current:%Y-%m}"
            )
        return run_month

    def _refusal(
        self, data: pd.DataFrame, months: pd.Series, other: np.ndarray, run_month: pd.Timestamp
    ) -> str:
        rows = source_rows(data)[other]
        by_month = pd.Series(rows.to_numpy(), index=months[other].to_numpy())
        found = "; ".join(
            f"{month:%Y-%m}: {len(group)} row(s), first row {int(group.min())}"
            for month, group in by_month.groupby(level=0)
        )
        return (
            f"column {self.column!r} holds rows of other months than the run month "
            f"{run_month:%Y-%m} ({found}); the domain refuses such files"
        )
