"""The 规模明细 rule no generic step covers: a month after the run's month is rejected."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from work_data_hub.domain.pipelines.types import PipelineContext
from work_data_hub.domain.steps import RowFailure, require_columns, split_rejected


@dataclass(frozen=True)
class RejectFutureMonths:
    """Reject rows whose parsed month (first of the month) lies after the month of the run."""

    column: str
    name: str = "reject_future_months"

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        """Return ``data`` unchanged, or raise ``RowValidationError`` without the future rows."""
        require_columns(data, [self.column], self.name)
        months = pd.to_datetime(data[self.column])
        run_month = pd.Timestamp(context.timestamp.year, context.timestamp.month, 1)
        future = (months > run_month).to_numpy(dtype=bool)
        reasons = np.full(len(data), "", dtype=object)
        reasons[future] = [
            f"{self.column} {month:%Y-%m} is after the run month {run_month:%Y-%m}"
            for month in months[future]
        ]
        return split_rejected(data, data, [RowFailure(self.column, future, reasons)])
