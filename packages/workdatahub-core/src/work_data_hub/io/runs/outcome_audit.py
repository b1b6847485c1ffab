"""How a run's outcome is recorded: the execution row, its metrics and every rejected row.

A success is recorded in the transaction of the facts it loaded (both commit, or neither); a
failure in a transaction of its own, with the rejections found before it.
"""

from __future__ import annotations

from sqlalchemy import Connection

from work_data_hub.io.loader.audit import AuditWriter
from work_data_hub.io.runs.report import RunReport, report_metrics
from work_data_hub.io.runs.request import RunState

__all__ = ["MAX_AUDITED_REJECTIONS", "record_failure", "record_success", "source_paths"]

MAX_AUDITED_REJECTIONS = 100
"""Rejected entries kept in the execution row's metadata (``rejected_rows`` keeps them all)."""


def source_paths(state: RunState) -> dict[str, str]:
    """The run's files by name, as its rejections name them, to their absolute paths."""
    return {path.name: str(path) for path in state.source_files}


def record_success(
    audit: AuditWriter, state: RunState, report: RunReport, *, rows_committed: int, tx: Connection
) -> None:
    """Record the rejections, the metrics and the succeeded execution row in ``tx``."""
    if state.transformed is not None:
        audit.record_rejections(
            state.execution_id, state.transformed.rejected, paths=source_paths(state), tx=tx
        )
    audit.record_metrics(state.execution_id, report_metrics(report), tx=tx)
    audit.finish_succeeded(
        state.execution_id,
        rows_read=report.rows_read,
        rows_loaded=rows_committed,
        rows_rejected=report.rows_rejected,
        metadata=report.to_json() | {"rejected": report.rejected[:MAX_AUDITED_REJECTIONS]},
        tx=tx,
    )


def record_failure(
    audit: AuditWriter, state: RunState, report: RunReport, error: BaseException
) -> None:
    """Record the failed execution row and the rejections found so far, in one transaction."""
    transformed = state.transformed
    with audit.transaction() as tx:
        audit.finish_failed(
            state.execution_id,
            error,
            rows_read=report.rows_read,
            rows_rejected=report.rows_rejected,
            tx=tx,
        )
        if transformed is not None and len(transformed.rejected):
            audit.record_rejections(
                state.execution_id, transformed.rejected, paths=source_paths(state), tx=tx
            )
