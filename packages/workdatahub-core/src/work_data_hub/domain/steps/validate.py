"""The schema step: cast every declared column to its kind, check values, split off bad rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Final

import numpy as np
import pandas as pd

from work_data_hub.cleansing.integers import INTEGER_RANGES, exact_integers, out_of_range
from work_data_hub.cleansing.numbers import exact_decimals
from work_data_hub.cleansing.text import as_text, is_blank, map_distinct
from work_data_hub.domain.columns import LINEAGE_COLUMNS, Column, column_names
from work_data_hub.domain.pipelines.types import PipelineContext
from work_data_hub.domain.steps.rejections import (
    BoolArray,
    RowFailure,
    failed_rows,
    require_columns,
    split_rejected,
)
from work_data_hub.domain.validation import (
    PANDAS_DTYPES,
    compact_decimals,
    dataframe_schema,
    format_value,
    required_reason,
    value_checks,
)

_BOOLEAN_WORDS: Final[dict[str, bool]] = {
    "true": True,
    "false": False,
    "t": True,
    "f": False,
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "1": True,
    "0": False,
    "1.0": True,
    "0.0": False,
    "是": True,
    "否": False,
}
_KIND_WORDS: Final = {
    "text": "text",
    "date": "a date",
    "integer": "an integer",
    "decimal": "a number",
    "boolean": "true or false",
}

Reason = tuple[int, str, str]
"""A failed check: (row position, column name, reason)."""


def cast_column(values: pd.Series, column: Column) -> tuple[pd.Series, BoolArray]:
    """Return ``values`` cast to the column's kind and a mask of present values that did not cast.

    Blank text counts as missing. Decimals become exact ``Decimal`` values, never rounded (a
    value with more places than the scale fails a check instead); dates lose their time of
    day. The cast dtypes are ``validation.PANDAS_DTYPES``.
    """
    blank = is_blank(values).to_numpy(dtype=bool)
    if column.kind == "text":
        # Masking copies the column; skip it when every blank is missing already.
        whitespace_only = blank & values.notna().to_numpy(dtype=bool)
        present = values.mask(blank) if whitespace_only.any() else values
        return as_text(present), np.zeros(len(values), dtype=bool)
    present = values.mask(blank)
    if column.kind == "date":
        cast = map_distinct(present, _dates) if _is_text(values) else _dates(present)
    elif column.kind == "boolean":
        cast = map_distinct(present, _booleans) if _is_text(values) else _booleans(present)
    elif column.kind == "integer":
        cast = exact_integers(present, column.integer_type)
    else:
        cast = exact_decimals(present)
    return cast, cast.isna().to_numpy(dtype=bool) & ~blank


def _is_text(values: pd.Series) -> bool:
    """True for string and object columns, whose values are parsed once per distinct value."""
    return isinstance(values.dtype, pd.StringDtype) or values.dtype == object


def _dates(values: pd.Series) -> pd.Series:
    """Return ISO dates, date and datetime values as midnight timestamps; NaT otherwise."""
    dates = pd.to_datetime(values, errors="coerce", format="ISO8601")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    cast: pd.Series = dates.dt.normalize().astype("datetime64[us]")
    return cast


def _booleans(values: pd.Series) -> pd.Series:
    """Return booleans from bool values or words (true/false, yes/no, 1/0, 是/否)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean")
    return as_text(values).str.strip().str.lower().map(_BOOLEAN_WORDS).astype("boolean")


@dataclass(frozen=True)
class ValidateSchema:
    """Cast and check the declared columns; rows failing any check leave with reasons.

    Every declared column is cast to its kind (``"月度 'abc' is not a date"`` when it cannot
    be), then pandera checks nullability, ``ge``/``le``, ``isin``, ``max_length`` and decimal
    digits (``"计划代码 is required"``, ``"当期收益率 12.5 is above 10"``). A rejected row
    appears once per failing column (several failed checks of one column are joined by
    ``"; "``). A missing nullable column is added empty; a missing required column is an
    error. ``drop_undeclared=True`` keeps only declared and lineage columns.
    """

    columns: Sequence[Column]
    drop_undeclared: bool = False
    name: str = "validate_schema"
    rows_independent: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return the cast frame, or raise ``RowValidationError`` (valid rows and reasons)."""
        require_columns(data, [c.name for c in self.columns if not c.nullable], self.name)
        cast_values: dict[str, pd.Series] = {}
        cast_failed: dict[str, BoolArray] = {}
        reasons: list[Reason] = []
        for column in self.columns:
            raw = data[column.name] if column.name in data.columns else _empty(column, data.index)
            cast_values[column.name], cast_failed[column.name] = cast_column(raw, column)
            reasons += _cast_reasons(column, raw, cast_failed[column.name])
        output = data.assign(**cast_values)
        if self.drop_undeclared:
            lineage = [c for c in LINEAGE_COLUMNS if c in data.columns]
            output = output[column_names(self.columns) + lineage]
        reasons += self._check_reasons(cast_values, cast_failed, len(data))
        failures = self._failures(reasons, len(data))
        output = output.assign(
            **compact_decimals(output, self.columns, failed_rows(failures, len(data)))
        )
        return split_rejected(data, output, failures)

    def _check_reasons(
        self, cast_values: dict[str, pd.Series], cast_failed: dict[str, BoolArray], rows: int
    ) -> list[Reason]:
        """Run the pandera checks on the cast columns and phrase each failure.

        A value that failed its cast is missing afterwards; its ``not_nullable`` failure is
        dropped because the cast reason already names the value.
        """
        import pandera.errors  # when a run validates: commands that only list domains skip it

        frame = pd.DataFrame(
            {name: values.reset_index(drop=True) for name, values in cast_values.items()},
            index=pd.RangeIndex(rows),
        )
        try:
            dataframe_schema(self.columns, with_dtypes=False).validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as errors:
            return _phrase_failures(self.columns, errors.failure_cases, frame, cast_failed)
        return []

    def _failures(self, reasons: list[Reason], rows: int) -> list[RowFailure]:
        """Group reasons into one ``RowFailure`` per column, one reason per (row, column)."""
        by_column: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        for position, column, reason in reasons:
            by_column[column][position].append(reason)
        failures: list[RowFailure] = []
        for column in column_names(self.columns):
            if column not in by_column:
                continue
            mask = np.zeros(rows, dtype=bool)
            texts = np.full(rows, "", dtype=object)
            for position, texts_of_row in by_column[column].items():
                mask[position] = True
                texts[position] = "; ".join(texts_of_row)
            failures.append(RowFailure(column, mask, texts))
        return failures


def _empty(column: Column, index: pd.Index) -> pd.Series:
    """Return an all-missing Series for a declared nullable column absent from the data."""
    return pd.Series(index=index, dtype=PANDAS_DTYPES[column.kind])


def _cast_reasons(column: Column, raw: pd.Series, failed: BoolArray) -> list[Reason]:
    """Phrase the values of ``raw`` that could not be cast to the column's kind."""
    return [
        (int(p), column.name, _cast_reason(column, raw.iat[int(p)])) for p in np.flatnonzero(failed)
    ]


def _cast_reason(column: Column, value: object) -> str:
    """``"计划数 'abc' is not an integer"``, or the range a whole number lies outside."""
    if column.kind == "integer" and out_of_range(value, column.integer_type):
        low, high = INTEGER_RANGES[column.integer_type]
        return (
            f"{column.name} {format_value(value)} is outside the {column.integer_type} range "
            f"{low} to {high}"
        )
    return f"{column.name} {format_value(value)} is not {_KIND_WORDS[column.kind]}"


def _phrase_failures(
    columns: Sequence[Column],
    failure_cases: pd.DataFrame,
    checked: pd.DataFrame,
    cast_failed: dict[str, BoolArray],
) -> list[Reason]:
    """Turn pandera's failure cases into (position, column, reason) triples.

    The value quoted is taken from ``checked`` (pandera reports some values as text).
    """
    by_name = {column.name: column for column in columns}
    describers = {column.name: [c.describe for c in value_checks(column)] for column in columns}
    if failure_cases["index"].isna().any():
        unlocated = failure_cases[failure_cases["index"].isna()]
        raise ValueError(f"schema check failed for the whole frame: {unlocated.to_dict('records')}")
    reasons: list[Reason] = []
    for position, name, check_number in zip(
        failure_cases["index"].astype("int64"),
        failure_cases["column"],
        failure_cases["check_number"],
        strict=True,
    ):
        column = by_name[str(name)]
        if check_number is None or pd.isna(check_number):
            if not cast_failed[column.name][position]:
                reasons.append((int(position), column.name, required_reason(column)))
            continue
        value = checked[column.name].iat[position]
        reasons.append(
            (int(position), column.name, describers[column.name][int(check_number)](value))
        )
    return reasons
