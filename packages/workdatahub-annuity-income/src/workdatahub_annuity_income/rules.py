"""收入明细 rules no generic step covers: future months, 单一计划 customers named by plan."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from work_data_hub.cleansing.names import normalise_company_name
from work_data_hub.domain.pipelines.types import PipelineContext
from work_data_hub.domain.steps import RowFailure, require_columns, split_rejected

SINGLE_PLAN = "单一计划"


def customer_or_plan_name(data: pd.DataFrame) -> pd.Series:
    """Return 客户名称, with the normalised plan name where a 单一计划 row has no customer name."""
    unnamed = data["客户名称"].isna() & data["计划类型"].eq(SINGLE_PLAN).fillna(False)
    return data["客户名称"].mask(unnamed, normalise_company_name(data["计划名称"]))


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
