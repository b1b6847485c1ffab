"""The contract between a pipeline and its steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import pandas as pd

REJECTION_COLUMNS = ("source_row", "column", "reason", "raw")
"""Columns of every rejected-rows frame: source row number, offending column, reason, raw row (dict)."""


@dataclass(frozen=True)
class PipelineContext:
    """What every step may know about the run it belongs to."""

    pipeline_name: str
    execution_id: str
    timestamp: datetime
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StepSkipped:
    """Returned by an optional step that cannot run now (e.g. its service is down); the input passes on."""

    reason: str


@runtime_checkable
class TransformStep(Protocol):
    """A named, pure transformation of a DataFrame. It must not mutate its input."""

    name: str

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame | StepSkipped:
        """Transform ``data`` and return a new DataFrame (or ``StepSkipped``)."""
        ...


class RowValidationError(Exception):
    """Raised by a step that found invalid rows: carries the valid part and the rejected rows.

    In collect mode the pipeline continues with ``valid`` and keeps ``rejected``;
    in stop mode it fails like any other error.
    """

    def __init__(self, valid: pd.DataFrame, rejected: pd.DataFrame) -> None:
        self.valid = valid
        self.rejected = rejected
        reasons = rejected["reason"].value_counts().head(3).to_dict() if len(rejected) else {}
        super().__init__(f"{len(rejected)} row(s) rejected: {reasons}")


def empty_rejections() -> pd.DataFrame:
    """Return an empty rejected-rows frame with the standard columns."""
    return pd.DataFrame({name: pd.Series(dtype="object") for name in REJECTION_COLUMNS})
