"""Which steps a pipeline may run on the rows in chunks, and one step's metrics over its chunks.

A step's transient memory grows with its input: a step casting a million amounts to
``Decimal`` objects holds them, and the text they came from, at once. Run on a chunk of rows at
a time, the leading steps that treat every row alone (``types.rows_independent``) hold one
chunk's intermediates instead, and give the same rows, values and rejections.
"""

from __future__ import annotations

from collections.abc import Sequence

from work_data_hub.domain.pipelines.types import (
    StepMetrics,
    StepStatus,
    TransformStep,
    rows_independent,
)

__all__ = ["chunked_steps", "merged_metrics"]

_SEVERITY: dict[StepStatus, int] = {"ok": 0, "skipped": 1, "failed": 2}


def chunked_steps(steps: Sequence[TransformStep], rows: int, chunk_rows: int | None) -> int:
    """Return how many leading ``steps`` run chunk by chunk on ``rows`` rows: the leading
    rows-independent ones when ``chunk_rows`` is set and the rows exceed it, else none."""
    if chunk_rows is None or rows <= chunk_rows:
        return 0
    leading = 0
    while leading < len(steps) and rows_independent(steps[leading]):
        leading += 1
    return leading


def merged_metrics(chunks: Sequence[Sequence[StepMetrics]]) -> list[StepMetrics]:
    """Return one ``StepMetrics`` per step over the chunks it ran on: times, rows and retries
    summed, the largest memory change, and the worst status (failed, then skipped, then ok)."""
    merged: list[StepMetrics] = []
    for position in range(max((len(chunk) for chunk in chunks), default=0)):
        runs = [chunk[position] for chunk in chunks if len(chunk) > position]
        merged.append(
            StepMetrics(
                step_name=runs[0].step_name,
                step_index=runs[0].step_index,
                status=max((run.status for run in runs), key=_SEVERITY.__getitem__),
                duration_ms=round(sum(run.duration_ms for run in runs), 3),
                rows_in=sum(run.rows_in for run in runs),
                rows_out=sum(run.rows_out for run in runs),
                rows_rejected=sum(run.rows_rejected for run in runs),
                retries=sum(run.retries for run in runs),
                memory_delta_bytes=max(run.memory_delta_bytes for run in runs),
            )
        )
    return merged
