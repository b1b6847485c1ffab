"""Helpers every generic step shares: required columns, and splitting off rejected rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from work_data_hub.cleansing.numbers import decimal_text
from work_data_hub.domain.columns import (
    LINEAGE_COLUMNS,
    PART_LINEAGE_COLUMNS,
    SOURCE_ROW_COLUMN,
)
from work_data_hub.domain.pipelines.types import (
    PART_REJECTION_COLUMNS,
    REJECTION_COLUMNS,
    RowValidationError,
)

BoolArray = npt.NDArray[np.bool_]


class MissingColumnsError(KeyError):
    """A step needs columns the frame does not have; the message names them and the step."""

    def __init__(self, step_name: str, missing: Sequence[str], available: Iterable[object]) -> None:
        self.step_name = step_name
        self.missing = tuple(missing)
        self.message = (
            f"step '{step_name}': column(s) {', '.join(map(repr, self.missing))} not found; "
            f"available: {', '.join(map(str, available))}"
        )
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def require_columns(data: pd.DataFrame, columns: Iterable[str], step_name: str) -> None:
    """Raise ``MissingColumnsError`` unless every one of ``columns`` is in ``data``."""
    missing = [column for column in columns if column not in data.columns]
    if missing:
        raise MissingColumnsError(step_name, missing, data.columns)


def column_tuple(columns: Sequence[str], step_name: str) -> tuple[str, ...]:
    """Return column names as a tuple; a lone string is refused (it is not a list of names)."""
    if isinstance(columns, str):
        raise TypeError(
            f"step '{step_name}': give a list of column names, not the string {columns!r}"
        )
    return tuple(columns)


@dataclass(frozen=True)
class RowFailure:
    """Rows (a boolean mask over the frame) that fail one check of one column, with reasons."""

    column: str
    mask: BoolArray
    reasons: npt.NDArray[np.object_]


def source_rows(data: pd.DataFrame) -> pd.Series:
    """Return each row's source row number: ``wdh_source_row`` when present, else the index."""
    if SOURCE_ROW_COLUMN in data.columns:
        return pd.to_numeric(data[SOURCE_ROW_COLUMN], errors="coerce").astype("Int64")
    if pd.api.types.is_integer_dtype(data.index.dtype):
        return pd.Series(data.index, index=data.index, dtype="Int64")
    return pd.Series(np.arange(len(data)), index=data.index, dtype="Int64")


RowId = tuple[str, str, int]
"""A row of a run: ``(file name, sheet, source row)``; file and sheet are ``""`` for a source
read in one part, whose source row alone names the row."""


def _text_or_blank(values: pd.Series | None, length: int) -> list[str]:
    if values is None:
        return [""] * length
    return ["" if pd.isna(value) else str(value) for value in values.tolist()]


def _row_numbers(values: pd.Series) -> list[int]:
    return pd.to_numeric(values, errors="coerce").fillna(-1).astype("int64").tolist()


def rejected_row_ids(rejected: pd.DataFrame) -> list[RowId]:
    """Return each rejection's ``RowId`` (``source_row`` and, when present, ``source_file`` /
    ``sheet``); a rejection without a source row has row -1."""
    files, sheets = (
        _text_or_blank(rejected.get(column), len(rejected)) for column in PART_REJECTION_COLUMNS
    )
    rows = _row_numbers(rejected[REJECTION_COLUMNS[0]]) if len(rejected) else []
    return list(zip(files, sheets, rows, strict=True))


def raw_records(data: pd.DataFrame) -> list[dict[str, str]]:
    """Return the rows as dicts of text (missing values as ``""``), without lineage columns;
    a validated decimal without the zero places its scale added (``1234.5``, not
    ``1234.5000``)."""
    visible = data.drop(columns=[c for c in LINEAGE_COLUMNS if c in data.columns])
    decimals = [column for column in visible.columns if _is_arrow_decimal(visible[column])]
    visible = visible.assign(**{str(c): _decimal_texts(visible[c]) for c in decimals})
    text = visible.astype("str").fillna("")
    text.columns = [str(column) for column in text.columns]
    return [{str(key): str(value) for key, value in row.items()} for row in text.to_dict("records")]


def _is_arrow_decimal(values: pd.Series) -> bool:
    dtype = values.dtype
    return isinstance(dtype, pd.ArrowDtype) and pa.types.is_decimal(dtype.pyarrow_dtype)


def _decimal_texts(values: pd.Series) -> pd.Series:
    texts = [decimal_text(v) if isinstance(v, Decimal) else None for v in values.tolist()]
    return pd.Series(texts, index=values.index, dtype="object")


def rejection_frame(data: pd.DataFrame, failures: Sequence[RowFailure]) -> pd.DataFrame:
    """Return one rejection row per (row, failure), ordered by row then by failure order."""
    positions = np.concatenate(
        [np.flatnonzero(f.mask) for f in failures] or [np.array([], dtype=int)]
    )
    columns = np.concatenate(
        [np.full(int(f.mask.sum()), f.column, dtype=object) for f in failures]
        or [np.array([], dtype=object)]
    )
    reasons = np.concatenate([f.reasons[f.mask] for f in failures] or [np.array([], dtype=object)])
    order = np.argsort(positions, kind="stable")
    positions, columns, reasons = positions[order], columns[order], reasons[order]
    failing = np.unique(positions)
    raw_by_position = dict(zip(failing.tolist(), raw_records(data.iloc[failing]), strict=True))
    parts = {
        rejection: data[lineage].iloc[positions].reset_index(drop=True).astype("object")
        for rejection, lineage in zip(PART_REJECTION_COLUMNS, PART_LINEAGE_COLUMNS, strict=True)
        if lineage in data.columns
    }
    return pd.DataFrame(
        {
            REJECTION_COLUMNS[0]: source_rows(data).iloc[positions].reset_index(drop=True),
            REJECTION_COLUMNS[1]: pd.Series(columns, dtype="object"),
            REJECTION_COLUMNS[2]: pd.Series(reasons, dtype="object"),
            REJECTION_COLUMNS[3]: pd.Series(
                [raw_by_position[p] for p in positions.tolist()], dtype="object"
            ),
            **parts,
        }
    )


def failed_rows(failures: Sequence[RowFailure], rows: int) -> BoolArray:
    """Return the mask of rows failing any of ``failures`` (over a frame of ``rows`` rows)."""
    failed = np.zeros(rows, dtype=bool)
    for failure in failures:
        failed |= failure.mask
    return failed


def split_rejected(
    data: pd.DataFrame, output: pd.DataFrame, failures: Sequence[RowFailure]
) -> pd.DataFrame:
    """Return ``output`` when no row failed; otherwise raise ``RowValidationError``.

    ``data`` is the step's input (for source rows and raw values), ``output`` the transformed
    frame with the same rows in the same order; the error carries the output rows that passed
    every check and one rejection per failed check.
    """
    failed = failed_rows(failures, len(data))
    if not failed.any():
        return output
    raise RowValidationError(output.loc[~failed], rejection_frame(data, failures))
