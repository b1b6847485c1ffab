"""Duplicate keys inside one file: found before loading, reported with both rows.

Two rows of one file with the same key would make an upsert fail inside PostgreSQL (``ON
CONFLICT DO UPDATE command cannot affect row a second time``, naming no row) and make other
write modes load a key twice. This step finds them first and rejects them with a reason a
business user can act on: ``duplicate key (2024-11-04, QTAN011): same as row 44``. Across the
parts of a source read in parts (several sheets or files), the other row names its part too:
``same as row 44 of file '东城.xlsx', sheet '销售'``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import numpy as np
import pandas as pd

from work_data_hub.cleansing.numbers import decimal_text
from work_data_hub.domain.columns import SOURCE_FILE_COLUMN, SOURCE_SHEET_COLUMN
from work_data_hub.domain.pipelines.types import PipelineContext
from work_data_hub.domain.steps.rejections import (
    RowFailure,
    column_tuple,
    require_columns,
    source_rows,
    split_rejected,
)
from work_data_hub.domain.validation import format_value

__all__ = ["DuplicatePolicy", "RejectDuplicateKeys", "key_value_text"]

DuplicatePolicy = Literal["reject", "first", "last"]
"""Rows sharing a key: all rejected, or the first (``"first"``) or last (``"last"``) in the
file kept and the others rejected."""


def key_value_text(value: object) -> str:
    """Return one key value as a person reads it: ``2024-11-04``, ``QTAN011``, ``12.5``."""
    if isinstance(value, pd.Timestamp | dt.datetime) and value == pd.Timestamp(value).normalize():
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_value(value)
    return str(value)


@dataclass(frozen=True)
class RejectDuplicateKeys:
    """Reject rows whose ``key`` columns repeat another row's, by ``policy``.

    ``"reject"`` rejects every row of a repeated key; ``"first"`` / ``"last"`` keep the first /
    last of them (in file order) and reject the others. Each reason names the key and the
    other rows by their source row: ``duplicate key (2024-11-04, QTAN011): same as row 44``
    (``…: same as row 44, which is kept`` under ``first``/``last``). Rows with a missing key
    value are left to the schema's checks.
    """

    key: Sequence[str]
    policy: DuplicatePolicy = "reject"
    name: str = "reject_duplicate_keys"

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", column_tuple(self.key, self.name))
        if self.policy not in ("reject", "first", "last"):
            raise ValueError(
                f"step '{self.name}': policy must be 'reject', 'first' or 'last', "
                f"got {self.policy!r}"
            )

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` unchanged, or raise ``RowValidationError`` for the repeated keys."""
        key = list(self.key)
        if not key or data.empty:
            return data
        require_columns(data, key, self.name)
        complete = data[key].notna().all(axis=1).to_numpy(dtype=bool)
        repeated = data[key].duplicated(keep=False).to_numpy(dtype=bool) & complete
        if not repeated.any():
            return data
        rows = _row_labels(data)
        mask = np.zeros(len(data), dtype=bool)
        reasons = np.full(len(data), "", dtype=object)
        positions = np.flatnonzero(repeated)
        groups = data.iloc[positions].groupby(key, sort=False, dropna=False).indices
        for members in groups.values():
            self._reject_group(positions[members], rows, mask, reasons, data)
        return split_rejected(data, data, [RowFailure(", ".join(key), mask, reasons)])

    def _reject_group(
        self,
        group: np.ndarray,
        rows: list[tuple[str, str]],
        mask: np.ndarray,
        reasons: np.ndarray,
        data: pd.DataFrame,
    ) -> None:
        """Mark the rows of one repeated key that the policy rejects, with their reasons."""
        key_text = ", ".join(key_value_text(v) for v in data.iloc[int(group[0])][list(self.key)])
        kept = {"first": int(group[0]), "last": int(group[-1])}.get(self.policy)
        for position in group.tolist():
            if position == kept:
                continue
            others = [p for p in group.tolist() if p != position]
            if kept is None:
                reason = f"duplicate key ({key_text}): same as {_others(rows, position, others)}"
            else:
                other = _other(rows, position, kept)
                reason = f"duplicate key ({key_text}): same as row {other}, which is kept"
            mask[position] = True
            reasons[position] = reason


def _row_labels(data: pd.DataFrame) -> list[tuple[str, str]]:
    """Each row's ``(source row, part)``; the part is ``""`` unless the frame has part lineage."""
    numbers = [str(n) for n in source_rows(data).to_numpy(dtype="int64", na_value=-1).tolist()]
    if SOURCE_FILE_COLUMN not in data.columns:
        return [(number, "") for number in numbers]
    files = data[SOURCE_FILE_COLUMN].tolist()
    sheets = data[SOURCE_SHEET_COLUMN].tolist() if SOURCE_SHEET_COLUMN in data.columns else []
    parts = [
        f"file {file!r}" + (f", sheet {sheet!r}" if isinstance(sheet, str) and sheet else "")
        for file, sheet in zip(files, sheets or [None] * len(files), strict=True)
    ]
    return list(zip(numbers, parts, strict=True))


def _others(rows: list[tuple[str, str]], position: int, others: list[int]) -> str:
    """``rows 44, 45`` when all are in the rejected row's part; else each row on its own,
    ``row 44, row 3 of file 'b.xlsx', sheet '西城'``."""
    if all(rows[other][1] == rows[position][1] for other in others):
        label = "row" if len(others) == 1 else "rows"
        return f"{label} {', '.join(rows[other][0] for other in others)}"
    return ", ".join(f"row {_other(rows, position, other)}" for other in others)


def _other(rows: list[tuple[str, str]], position: int, other: int) -> str:
    """The other row as the rejected one's reason names it: its number, and its part when it
    is in another part."""
    number, part = rows[other]
    return number if part == rows[position][1] else f"{number} of {part}"
