"""Reject text the warehouse cannot store, before any rule sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from work_data_hub.domain.columns import LINEAGE_COLUMNS
from work_data_hub.domain.pipelines.types import PipelineContext
from work_data_hub.domain.steps.rejections import RowFailure, split_rejected

NUL = "\x00"


@dataclass(frozen=True)
class RejectUnstorableText:
    """Reject every row holding a NUL character (U+0000): PostgreSQL text cannot store it.

    One rejection per offending column, naming the column; the other rows pass unchanged.
    """

    name: str = "reject_unstorable_text"
    rows_independent: ClassVar[bool] = True

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` unchanged, or raise ``RowValidationError`` for rows with NUL text."""
        failures = []
        for column in data.columns:
            if column in LINEAGE_COLUMNS:
                continue
            values = data[column]
            if not (pd.api.types.is_string_dtype(values) or values.dtype == object):
                continue
            mask = values.astype("string").str.contains(NUL, regex=False).fillna(False)
            mask_array = mask.to_numpy(dtype=bool)
            if mask_array.any():
                reason = (
                    f"{column} contains a NUL character (U+0000), which the warehouse cannot store"
                )
                failures.append(
                    RowFailure(str(column), mask_array, np.full(len(data), reason, dtype=object))
                )
        return split_rejected(data, data, failures)
