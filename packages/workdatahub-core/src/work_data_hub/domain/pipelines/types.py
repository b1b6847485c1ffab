"""The contract between a pipeline and its steps, and what a run returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol, runtime_checkable

import pandas as pd

REJECTION_COLUMNS = ("source_row", "column", "reason", "raw")
"""Columns of every rejected-rows frame: source row number, offending column, reason, raw row."""

PART_REJECTION_COLUMNS = ("source_file", "sheet")
"""Columns a rejected-rows frame adds for a source read in parts: the row's file name and sheet
(with ``source_row`` they name the row; the row number alone repeats from part to part)."""

DEFAULT_RETRY_ON = (
    "TimeoutError",
    "ConnectionError",
    "psycopg2.OperationalError",
    "psycopg.OperationalError",
    "sqlalchemy.exc.OperationalError",
    "sqlalchemy.exc.DisconnectionError",
    "requests.exceptions.Timeout",
    "requests.exceptions.ConnectionError",
    "httpx.TimeoutException",
    "httpx.NetworkError",
)
"""Transient error types retried by default, by name so the domain layer imports no driver.

A builtin is named by its class name; anything else by ``module.ClassName`` or
``package.ClassName``. Subclasses match too (``socket.timeout`` is ``TimeoutError``).
"""

DEFAULT_RETRY_STATUSES = (429, 503)
"""HTTP statuses retried by default: rate limited, service unavailable."""


@dataclass(frozen=True)
class PipelineContext:
    """What every step may know about the run it belongs to."""

    pipeline_name: str
    execution_id: str
    timestamp: datetime
    config: dict[str, Any] = field(default_factory=dict)
    run_month: date | None = None
    """The month the run loads (its first day), when the run was given one."""


@dataclass(frozen=True)
class StepSkipped:
    """Returned by an optional step that cannot run now (service down); the input passes on."""

    reason: str


@runtime_checkable
class TransformStep(Protocol):
    """A named, pure transformation of a DataFrame. It must not mutate its input."""

    @property
    def name(self) -> str:
        """The step's name, used in logs, metrics and error messages."""
        ...

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame | StepSkipped:
        """Transform ``data`` and return a new DataFrame (or ``StepSkipped``)."""
        ...


def rows_independent(step: TransformStep) -> bool:
    """True when ``step`` declares ``rows_independent = True``: each row it keeps, changes or
    rejects depends on that row alone (and the context), never on the other rows.

    Such a step gives the same result on the rows in chunks as on all of them at once, so a
    pipeline with ``chunk_rows`` runs it chunk by chunk. Undeclared steps are not chunked.
    """
    return getattr(step, "rows_independent", False) is True


StepDeclaration = Mapping[str, Any] | TransformStep
"""A generic step spec (``{"step": "rename", ...}``, see ``build_step``) or a step object."""


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


@dataclass(frozen=True)
class PipelineConfig:
    """How a pipeline reacts to failures.

    ``stop_on_error=False`` (collect mode) continues after a ``RowValidationError`` with the
    valid rows and keeps the rejected ones; any other exception still ends the run, because no
    rows can be blamed for it. A step failing with a transient error (``retry_on`` names, or
    an HTTP status in ``retry_statuses``) is retried up to ``max_retries`` times, waiting
    ``backoff_base_s * 2 ** (retry - 1)`` seconds before each retry.
    """

    stop_on_error: bool = True
    max_retries: int = 3
    backoff_base_s: float = 1.0
    retry_on: tuple[str, ...] = DEFAULT_RETRY_ON
    retry_statuses: tuple[int, ...] = DEFAULT_RETRY_STATUSES
    chunk_rows: int | None = None
    """In collect mode, run the leading rows-independent steps (``rows_independent``) on at most
    this many rows at a time when the input has more; None (and stop mode, whose first
    rejecting step must name every failing row) runs every step on the whole frame."""

    def __post_init__(self) -> None:
        if self.chunk_rows is not None and self.chunk_rows < 1:
            raise ValueError(f"chunk_rows must be >= 1 or None, got {self.chunk_rows}")
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        if self.backoff_base_s < 0:
            raise ValueError(f"backoff_base_s must be >= 0, got {self.backoff_base_s}")


@dataclass(frozen=True)
class StepError:
    """Why a run stopped: the failing step (name, 0-based index), the exception type and message."""

    step_name: str
    step_index: int
    error_type: str
    message: str
    exception: Exception | None = field(default=None, compare=False, repr=False)


StepStatus = Literal["ok", "skipped", "failed"]


@dataclass(frozen=True)
class StepMetrics:
    """What one step did: time, rows in/out, rows rejected, retries, resident-memory change."""

    step_name: str
    step_index: int
    status: StepStatus
    duration_ms: float
    rows_in: int
    rows_out: int
    rows_rejected: int = 0
    retries: int = 0
    memory_delta_bytes: int = 0


@dataclass(frozen=True)
class PipelineResult:
    """The outcome of ``Pipeline.run``.

    ``output_data`` is the last step's output; when the run failed it is the data as it was when
    the run stopped (the failing step's input), so check ``success`` before using it.
    ``rejected`` holds every rejected row (``REJECTION_COLUMNS``), also those of a failing step;
    ``errors`` is empty exactly when ``success`` is true; ``metrics`` is the JSON-ready summary
    that was logged; ``step_metrics`` the same per step, typed.
    """

    success: bool
    output_data: pd.DataFrame
    metrics: dict[str, Any]
    errors: list[StepError] = field(default_factory=list)
    rejected: pd.DataFrame = field(default_factory=empty_rejections)
    step_metrics: list[StepMetrics] = field(default_factory=list)


class PipelineStepError(Exception):
    """A step failed: names the step and its 0-based index; the original exception is ``cause``.

    Raised by ``Pipeline.run(..., raise_on_error=True)``; ``result`` is the failed run's result.
    """

    def __init__(
        self, step_name: str, step_index: int, cause: Exception, result: PipelineResult
    ) -> None:
        self.step_name = step_name
        self.step_index = step_index
        self.cause = cause
        self.result = result
        super().__init__(describe_failure(step_name, step_index, cause))


def describe_failure(step_name: str, step_index: int, cause: Exception) -> str:
    """Return the one-line message used for a failed step in errors, logs and exceptions."""
    return f"Step '{step_name}' (index {step_index}) failed: {type(cause).__name__}: {cause}"
