"""Reject the rows whose cells the reader could not read truly: errors, uncalculated formulas."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from work_data_hub.domain.columns import CELL_REJECTS
from work_data_hub.domain.pipelines.types import PipelineContext
from work_data_hub.domain.steps.rejections import RowFailure, source_rows, split_rejected


@dataclass(frozen=True)
class RejectUnreadCells:
    """Reject every row the reader listed in ``data.attrs[CELL_REJECTS]``, one reason per cell.

    A reader lists a cell there when the file holds no true value for it: an Excel error
    (``#DIV/0!``), or a formula saved without its calculated value. Such a row must not load
    with a blank or a made-up value in its place; the reason names the column and the formula.
    """

    name: str = "reject_unread_cells"
    rows_independent: ClassVar[bool] = True

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` unchanged, or raise ``RowValidationError`` for the listed rows."""
        listed = data.attrs.get(CELL_REJECTS) or []
        if not listed:
            return data
        rows = source_rows(data).to_numpy(dtype="int64", na_value=-1)
        by_column: dict[str, dict[int, str]] = defaultdict(dict)
        for row, column, reason in listed:
            by_column[str(column)][int(row)] = str(reason)
        failures = []
        for column, reasons in by_column.items():
            mask = np.isin(rows, list(reasons))
            texts = np.array([reasons.get(int(row), "") for row in rows], dtype=object)
            failures.append(RowFailure(column, mask, texts))
        return split_rejected(data, data, failures)
