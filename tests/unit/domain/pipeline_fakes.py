"""Small steps and fakes shared by the pipeline tests (this folder is put on sys.path)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.pipelines import (
    PipelineContext,
    RowValidationError,
    StepSkipped,
    empty_rejections,
)


class FakeSleep:
    """Records requested delays instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class NetworkTimeout(TimeoutError):
    """A transient error, as a network client would raise it."""


@dataclass(frozen=True)
class AddColumn:
    """Adds a constant column."""

    column: str
    value: Any
    name: str = "add_field"

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        return data.assign(**{self.column: self.value})


@dataclass(frozen=True)
class FilterRows:
    """Keeps rows where ``column`` is at least ``minimum``."""

    column: str
    minimum: float
    name: str = "filter_rows"

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        return data[data[self.column] >= self.minimum]


@dataclass(frozen=True)
class SumColumn:
    """Replaces the frame by one row holding the sum of ``column``."""

    column: str
    name: str = "calculate_sum"

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        return pd.DataFrame({f"sum_{self.column}": [data[self.column].sum()]})


@dataclass(frozen=True)
class Failing:
    """Raises ``error`` every time."""

    error: Exception
    name: str = "failing"

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        raise self.error


@dataclass
class Flaky:
    """Raises the given errors on the first calls, then returns its input with a marker column."""

    errors: list[Exception]
    name: str = "enrich_data"
    calls: int = field(default=0)

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return data.assign(enriched=True)


@dataclass(frozen=True)
class Mutating:
    """Misbehaves: writes into the frame it receives and into the context's config."""

    name: str = "mutating"

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        data["added"] = 1
        data.loc[data.index[0], "amount"] = -999
        context.config["nested"]["key"].append(3)
        return data


@dataclass(frozen=True)
class RejectNegative:
    """Rejects rows whose ``column`` is negative, with the standard rejection columns."""

    column: str = "amount"
    name: str = "validate_amount"
    rows_independent: bool = False

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        bad = data[self.column] < 0
        if not bad.any():
            return data
        rejected = pd.DataFrame(
            {
                "source_row": data.loc[bad, SOURCE_ROW_COLUMN].to_numpy(),
                "column": self.column,
                "reason": [f"{self.column} {v} is below 0" for v in data.loc[bad, self.column]],
                "raw": [dict(row) for row in data[bad].astype(str).to_dict("records")],
            }
        )
        raise RowValidationError(data[~bad], rejected if len(rejected) else empty_rejections())


@dataclass(frozen=True)
class Skipping:
    """An optional step whose service is down."""

    reason: str = "enrichment service down"
    name: str = "optional_enrichment"

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> StepSkipped:
        return StepSkipped(self.reason)


@dataclass(frozen=True)
class ReturnsWrongType:
    """Returns something that is neither a DataFrame nor StepSkipped."""

    name: str = "wrong_type"

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        result: object = len(data)
        return result  # type: ignore[return-value]


@dataclass(frozen=True)
class Apply:
    """Applies a frame function; used to compose random pipelines in property tests."""

    func: Callable[[pd.DataFrame], pd.DataFrame]
    name: str = "apply"

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame:
        return self.func(data)


def amounts(count: int, negative_every: int = 0) -> pd.DataFrame:
    """A frame of ``count`` rows with source rows 2.. and amounts; every n-th amount negative."""
    values = [
        -float(i) if negative_every and i % negative_every == 0 else float(i)
        for i in range(1, count + 1)
    ]
    return pd.DataFrame({SOURCE_ROW_COLUMN: range(2, count + 2), "amount": values})
