"""A sample month from a domain's declarations alone, for domains without a sample generator.

``workdatahub demo`` and ``sample-data`` load every installed domain. A domain that declares
no ``sample`` still gets a clean month: one value per declared column and row, of the
column's kind and within its checks (``isin``, ``ge``/``le``, ``max_length``, scale), the
month column on the month, keys distinct. It shows the domain loads; a domain's own generator
adds the quirks of its real files.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pandas as pd

from work_data_hub.cleansing.integers import INTEGER_RANGES
from work_data_hub.domain.columns import Column
from work_data_hub.domain.definition import DomainDefinition

__all__ = ["DEFAULT_SAMPLE_ROWS", "declared_sample"]

DEFAULT_SAMPLE_ROWS = 100
"""Rows of a typical declared sample month."""
_SAMPLE_PLACES = 2
"""Decimal places of sample amounts (fewer when the column's scale is smaller)."""
_DEFAULT_UPPER = 1_000_000


def declared_sample(
    definition: DomainDefinition,
    columns: Sequence[Column],
    month: str,
    rows: int | None,
    seed: int,
) -> pd.DataFrame:
    """Return ``rows`` rows (``DEFAULT_SAMPLE_ROWS`` when None) valid under ``columns``.

    Columns are the declared ones, in order, plus any ``source.required_columns`` not among
    them (as text). Same arguments, same rows.
    """
    rng = np.random.default_rng(seed)
    count = DEFAULT_SAMPLE_ROWS if rows is None else rows
    first_day = dt.date(int(month[:4]), int(month[4:]), 1)
    data: dict[str, list[object]] = {}
    for column in columns:
        if column.kind == "date":
            data[column.name] = _dates(column, definition, first_day, count, rng)
        elif column.kind == "decimal":
            data[column.name] = _amounts(column, count, rng)
        elif column.kind == "integer":
            data[column.name] = _integers(column, count, rng)
        elif column.kind == "boolean":
            data[column.name] = [bool(value) for value in rng.integers(0, 2, count)]
        else:
            data[column.name] = _texts(column, count, rng)
    for name in definition.source.required_columns:
        if name not in data:
            data[name] = _texts(Column(name), count, rng)
    return pd.DataFrame(data)


def _dates(
    column: Column,
    definition: DomainDefinition,
    first_day: dt.date,
    count: int,
    rng: np.random.Generator,
) -> list[object]:
    if column.name == definition.month_column:
        return [first_day] * count
    days = calendar.monthrange(first_day.year, first_day.month)[1]
    return [first_day + dt.timedelta(days=int(day)) for day in rng.integers(0, days, count)]


def _amounts(column: Column, count: int, rng: np.random.Generator) -> list[object]:
    """Amounts as text, drawn as whole hundredths so that every one is exact and in bounds."""
    places = min(column.scale, _SAMPLE_PLACES)
    largest = 10 ** min(column.precision - column.scale, 9) - 1
    high = min(column.le if column.le is not None else _DEFAULT_UPPER, largest)
    low = max(column.ge if column.ge is not None else min(0.0, high), -largest)
    if low > high:
        raise ValueError(f"column {column.name!r}: ge/le leave no value that {column.kind} holds")
    units = 10**places
    drawn = rng.integers(int(np.ceil(low * units)), int(np.floor(high * units)) + 1, count)
    return [str(Decimal(int(value)).scaleb(-places)) for value in drawn]


def _integers(column: Column, count: int, rng: np.random.Generator) -> list[object]:
    smallest, largest = INTEGER_RANGES[column.integer_type]
    high = min(int(np.floor(column.le)) if column.le is not None else 1000, largest)
    low = max(int(np.ceil(column.ge)) if column.ge is not None else min(0, high), smallest)
    return [str(value) for value in rng.integers(low, high + 1, count)]


def _texts(column: Column, count: int, rng: np.random.Generator) -> list[object]:
    if column.isin:
        return [str(value) for value in rng.choice(list(column.isin), count)]
    width = len(str(count))
    texts: list[object] = [
        f"S{number:0{width}d}"[-(column.max_length or 0) :] for number in range(1, count + 1)
    ]
    return texts
