"""The pipeline: runs steps in order, with retries, skips, rejected-row collection and metrics."""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import psutil

from work_data_hub.domain.pipelines.chunks import chunked_steps, merged_metrics
from work_data_hub.domain.pipelines.retry import backoff_delay, is_transient
from work_data_hub.domain.pipelines.types import (
    PART_REJECTION_COLUMNS,
    REJECTION_COLUMNS,
    PipelineConfig,
    PipelineContext,
    PipelineResult,
    PipelineStepError,
    RowValidationError,
    StepError,
    StepMetrics,
    StepSkipped,
    StepStatus,
    TransformStep,
    describe_failure,
    empty_rejections,
)
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)


class StepOutputError(TypeError):
    """A step returned something other than a DataFrame or ``StepSkipped``."""


@dataclass
class _StepOutcome:
    """What running one step (with its retries) produced."""

    data: pd.DataFrame
    status: StepStatus = "ok"
    retries: int = 0
    rejected: pd.DataFrame | None = None
    rows_rejected: int = 0
    error: Exception | None = None
    skip_reason: str = ""


@dataclass
class _RunState:
    """Mutable bookkeeping of one run; turned into a ``PipelineResult`` at the end."""

    data: pd.DataFrame
    rows_in: int
    process: psutil.Process
    rejected: list[pd.DataFrame] = field(default_factory=list)
    step_metrics: list[StepMetrics] = field(default_factory=list)
    errors: list[StepError] = field(default_factory=list)
    cause: Exception | None = None
    chunk: int | None = None
    """The chunk of rows this state runs (``_run_in_chunks``); None for the whole frame."""


def new_context(pipeline_name: str, config: dict[str, Any] | None = None) -> PipelineContext:
    """Return a context for a fresh run: a random execution id and the current UTC time."""
    return PipelineContext(
        pipeline_name=pipeline_name,
        execution_id=uuid.uuid4().hex,
        timestamp=datetime.now(UTC),
        config=dict(config or {}),
    )


class Pipeline:
    """An ordered list of ``TransformStep``s run one after the other on a DataFrame.

    Every step receives a shallow copy of the previous output (copy-on-write keeps the caller's
    frame intact) and a context whose ``config`` is a deep copy. ``sleep`` is the function used
    to wait between retries; tests inject a fake.
    """

    def __init__(
        self,
        name: str,
        steps: Sequence[TransformStep] | None = None,
        config: PipelineConfig | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self.config = config or PipelineConfig()
        self._steps: list[TransformStep] = list(steps or [])
        self._sleep = sleep

    @property
    def steps(self) -> tuple[TransformStep, ...]:
        """The steps in execution order."""
        return tuple(self._steps)

    def add_step(self, step: TransformStep) -> Pipeline:
        """Append ``step`` and return the pipeline, so calls can be chained."""
        if not isinstance(step, TransformStep):
            raise TypeError(f"{step!r} is not a TransformStep: it needs a name and execute()")
        self._steps.append(step)
        return self

    def run(
        self,
        initial_data: pd.DataFrame,
        context: PipelineContext | None = None,
        *,
        raise_on_error: bool = False,
    ) -> PipelineResult:
        """Run every step in order and return the result; never mutates ``initial_data``.

        A failing step ends the run: the result has ``success=False`` and one ``StepError``
        naming the step, its 0-based index and the exception. With ``raise_on_error=True`` a
        ``PipelineStepError`` is raised instead (``__cause__`` is the original exception).
        In collect mode (``stop_on_error=False``) rows rejected through ``RowValidationError``
        are set aside and the run continues with the valid rows. With ``config.chunk_rows`` the
        leading rows-independent steps run chunk by chunk (``chunks.chunked_steps``); the
        result is the same, and each step's metrics cover all its chunks.
        """
        context = context or new_context(self.name)
        state = _RunState(data=initial_data, rows_in=len(initial_data), process=psutil.Process())
        del initial_data  # the state holds the input only until the first step replaces it
        started = time.perf_counter()
        steps = list(enumerate(self._steps))
        chunk_rows = None if self.config.stop_on_error else self.config.chunk_rows
        chunked = chunked_steps(self._steps, state.rows_in, chunk_rows)
        if chunked and not self._run_in_chunks(steps[:chunked], state, context):
            steps = []
        for index, step in steps[chunked:]:
            if not self._run_step(index, step, state, context):
                break
        result = self._result(state, context, time.perf_counter() - started)
        if raise_on_error and state.cause is not None:
            failure = state.errors[0]
            raise PipelineStepError(
                failure.step_name, failure.step_index, state.cause, result
            ) from state.cause
        return result

    def _run_in_chunks(
        self,
        steps: list[tuple[int, TransformStep]],
        state: _RunState,
        context: PipelineContext,
    ) -> bool:
        """Run ``steps`` on ``state.data`` ``chunk_rows`` rows at a time; leave the chunks'
        outputs (in row order), rejections and merged metrics in ``state``. Return False when a
        step failed: ``state`` then holds the failing chunk's input and error."""
        size = self.config.chunk_rows or state.rows_in
        # The reader's columns are chunked arrays: a slice holds only the buffers of its rows, so
        # once the whole frame is let go each chunk's input is freed as its steps replace it.
        pending = [state.data.iloc[start : start + size] for start in range(0, state.rows_in, size)]
        pending.reverse()
        state.data = state.data.iloc[:0]
        outputs: list[pd.DataFrame] = []
        metrics: list[list[StepMetrics]] = []
        while pending:
            chunk = _RunState(
                data=pending.pop(), rows_in=0, process=state.process, chunk=len(metrics)
            )
            finished = all(self._run_step(index, step, chunk, context) for index, step in steps)
            state.rejected += chunk.rejected
            metrics.append(chunk.step_metrics)
            if not finished:
                state.data, state.errors, state.cause = chunk.data, chunk.errors, chunk.cause
                state.step_metrics = merged_metrics(metrics)[: len(chunk.step_metrics)]
                return False
            outputs.append(chunk.data)
        state.data = pd.concat(outputs) if len(outputs) > 1 else outputs[0]
        state.step_metrics = merged_metrics(metrics)
        for merged in state.step_metrics:
            logger.info(
                "step_finished", pipeline=self.name, chunks=len(metrics), **_metrics_dict(merged)
            )
        return True

    def _run_step(
        self, index: int, step: TransformStep, state: _RunState, context: PipelineContext
    ) -> bool:
        """Run one step, record its metrics and rejections; return False when the run must stop."""
        rows_in = len(state.data)
        memory_before = state.process.memory_info().rss
        started = time.perf_counter()
        outcome = self._attempt(step, state.data, context)
        duration_ms = (time.perf_counter() - started) * 1000
        if outcome.rejected is not None:
            state.rejected.append(_standard_rejections(outcome.rejected))
        metrics = StepMetrics(
            step_name=step.name,
            step_index=index,
            status=outcome.status,
            duration_ms=round(duration_ms, 3),
            rows_in=rows_in,
            rows_out=len(outcome.data),
            rows_rejected=outcome.rows_rejected,
            retries=outcome.retries,
            memory_delta_bytes=state.process.memory_info().rss - memory_before,
        )
        state.step_metrics.append(metrics)
        if outcome.status == "skipped":
            logger.warning(
                "step_skipped", pipeline=self.name, step=step.name, reason=outcome.skip_reason
            )
        if outcome.error is not None:
            message = describe_failure(step.name, index, outcome.error)
            state.errors.append(
                StepError(step.name, index, type(outcome.error).__name__, message, outcome.error)
            )
            state.cause = outcome.error
            logger.error("step_failed", pipeline=self.name, step=step.name, error=message)
            return False
        if state.chunk is None:
            logger.info("step_finished", pipeline=self.name, **_metrics_dict(metrics))
        else:  # the whole step is logged once its last chunk is done
            logger.debug(
                "chunk_finished", pipeline=self.name, chunk=state.chunk, **_metrics_dict(metrics)
            )
        state.data = outcome.data
        return True

    def _attempt(
        self, step: TransformStep, data: pd.DataFrame, context: PipelineContext
    ) -> _StepOutcome:
        """Execute ``step``, retrying transient failures; classify what came back."""
        retries = 0
        last_error_type = ""
        while True:
            step_context = replace(context, config=copy.deepcopy(context.config))
            try:
                output = step.execute(data.copy(deep=False), step_context)
            except RowValidationError as rejection:
                return self._rejection_outcome(data, rejection, retries)
            except Exception as error:
                if retries >= self.config.max_retries or not is_transient(
                    error, self.config.retry_on, self.config.retry_statuses
                ):
                    return _StepOutcome(data=data, status="failed", retries=retries, error=error)
                retries += 1
                last_error_type = type(error).__name__
                delay = backoff_delay(self.config.backoff_base_s, retries)
                logger.warning(
                    "step_retry",
                    pipeline=self.name,
                    step=step.name,
                    attempt=retries,
                    max_retries=self.config.max_retries,
                    error_type=last_error_type,
                    error=str(error),
                    delay_s=delay,
                )
                self._sleep(delay)
                continue
            if retries:
                logger.info(
                    f"Step '{step.name}' succeeded on retry {retries}/{self.config.max_retries}"
                    f" after {last_error_type}",
                    pipeline=self.name,
                    step=step.name,
                    attempt=retries,
                    error_type=last_error_type,
                )
            return _classify_output(step, data, output, retries)

    def _rejection_outcome(
        self, data: pd.DataFrame, rejection: RowValidationError, retries: int
    ) -> _StepOutcome:
        """Continue with the valid rows in collect mode; fail (keeping the reasons) in stop mode."""
        rows_rejected = len(data) - len(rejection.valid)
        if self.config.stop_on_error:
            return _StepOutcome(
                data=data,
                status="failed",
                retries=retries,
                rejected=rejection.rejected,
                rows_rejected=rows_rejected,
                error=rejection,
            )
        return _StepOutcome(
            data=rejection.valid,
            retries=retries,
            rejected=rejection.rejected,
            rows_rejected=rows_rejected,
        )

    def _result(
        self, state: _RunState, context: PipelineContext, duration_s: float
    ) -> PipelineResult:
        """Assemble, log and return the run's result."""
        success = not state.errors
        rejected = (
            pd.concat(state.rejected, ignore_index=True) if state.rejected else empty_rejections()
        )
        metrics: dict[str, Any] = {
            "pipeline": self.name,
            "execution_id": context.execution_id,
            "success": success,
            "duration_ms": round(duration_s * 1000, 3),
            "step_count": len(self._steps),
            "steps_run": len(state.step_metrics),
            "rows_in": state.rows_in,
            "rows_out": len(state.data),
            "rows_rejected": sum(m.rows_rejected for m in state.step_metrics),
            "rejections": len(rejected),
            "steps": [_metrics_dict(m) for m in state.step_metrics],
        }
        log = logger.info if success else logger.error
        log("pipeline_finished", **metrics)
        return PipelineResult(
            success=success,
            output_data=state.data,
            metrics=metrics,
            errors=state.errors,
            rejected=rejected,
            step_metrics=state.step_metrics,
        )


def _classify_output(
    step: TransformStep, data: pd.DataFrame, output: object, retries: int
) -> _StepOutcome:
    """Turn a step's return value into an outcome; anything but a frame or a skip is an error."""
    if isinstance(output, StepSkipped):
        return _StepOutcome(data=data, status="skipped", retries=retries, skip_reason=output.reason)
    if isinstance(output, pd.DataFrame):
        return _StepOutcome(data=output, retries=retries)
    error = StepOutputError(
        f"step '{step.name}' returned {type(output).__name__}, expected a DataFrame or StepSkipped"
    )
    return _StepOutcome(data=data, status="failed", retries=retries, error=error)


def _standard_rejections(rejected: pd.DataFrame) -> pd.DataFrame:
    """Return ``rejected`` with exactly the standard rejection columns, missing ones empty, and
    the part columns (``PART_REJECTION_COLUMNS``) where the step gave them."""
    parts = [column for column in PART_REJECTION_COLUMNS if column in rejected.columns]
    return rejected.reindex(columns=[*REJECTION_COLUMNS, *parts]).reset_index(drop=True)


def _metrics_dict(metrics: StepMetrics) -> dict[str, Any]:
    """Return one step's metrics as a JSON-ready dict."""
    return {
        "step": metrics.step_name,
        "index": metrics.step_index,
        "status": metrics.status,
        "duration_ms": metrics.duration_ms,
        "rows_in": metrics.rows_in,
        "rows_out": metrics.rows_out,
        "rows_rejected": metrics.rows_rejected,
        "retries": metrics.retries,
        "memory_delta_bytes": metrics.memory_delta_bytes,
    }
