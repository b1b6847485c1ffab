"""What one run of one domain produced: the summary the CLI prints and Dagster shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import pandas as pd

from work_data_hub.domain.steps.rejections import rejected_row_ids
from work_data_hub.io.runs.reasons import count_by_kind
from work_data_hub.io.runs.request import RunState

RunStatus = Literal["succeeded", "failed"]


@dataclass
class RunReport:
    """The outcome of one domain run; ``to_json`` is the ``workdatahub run --json`` object."""

    domain: str
    table: str
    execution_id: str
    status: RunStatus
    file: str | None = None
    sheet: str | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)
    """Each part read, in order: ``{"file", "sheet", "rows"}`` (one, unless the source reads
    several sheets or files)."""
    month: str | None = None
    dry_run: bool = False
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    rejected_by_column: dict[str, int] = field(default_factory=dict)
    """Rejections per column they name (``"(row)"`` for reasons about a whole row)."""
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    """Rejections per reason kind, values left out (``reasons.reason_kind``), most first."""
    enrichment_sources: dict[str, int] = field(default_factory=dict)
    new_source_columns: list[str] = field(default_factory=list)
    """Columns of the source file the domain neither declares nor reads: a changed template."""
    title_rows: list[dict[str, Any]] = field(default_factory=list)
    """The rows above the header: ``{"row", "text"}`` (a report's title, its date)."""
    skipped: list[dict[str, Any]] = field(default_factory=list)
    """Rows below the table left out, neither loaded nor rejected: ``{"row", "reason"}``."""
    totals: list[dict[str, Any]] = field(default_factory=list)
    """Each declared totals column against the totals row: ``{"column", "file_total",
    "rows_sum", "unreadable", "matches"}``."""
    rejects_file: str | None = None
    """Where the run wrote its rejects (``--rejects-out``), when it did."""
    stage_durations: dict[str, float] = field(default_factory=dict)
    duration_s: float = 0.0
    error: str | None = None
    error_type: str | None = None
    threshold_exceeded: bool = False

    @property
    def succeeded(self) -> bool:
        """True when the run committed (or, in a dry run, would have committed)."""
        return self.status == "succeeded"

    def to_json(self) -> dict[str, Any]:
        """Return the report as plain JSON-serialisable data."""
        return asdict(self)


def rejected_entries(
    rejected: pd.DataFrame, sources: Sequence[Mapping[str, Any]] = ()
) -> list[dict[str, Any]]:
    """Turn a rejected-rows frame into ``{"row", "column", "reason"}`` entries, by source row.

    For a run of several ``sources`` (its ``{"file", "sheet"}`` parts, in reading order) each
    entry names its ``file`` and ``sheet`` first, and entries go by part, then by row.
    """
    if rejected.empty:
        return []
    parts = len(sources) > 1
    ids = rejected_row_ids(rejected)
    order = {(str(s["file"]), str(s["sheet"] or "")): i for i, s in enumerate(sources)}
    ranked = sorted(
        range(len(ids)),
        key=lambda i: (
            order.get(ids[i][:2], len(order)) if parts else 0,
            ids[i][2] < 0,
            ids[i][2],
        ),
    )
    columns, reasons = rejected["column"].tolist(), rejected["reason"].tolist()
    entries = []
    for i in ranked:
        file, sheet, row = ids[i]
        where = {"file": file, "sheet": sheet or None} if parts else {}
        entries.append(
            {
                **where,
                "row": None if row < 0 else row,
                "column": None if pd.isna(columns[i]) else str(columns[i]),
                "reason": str(reasons[i]),
            }
        )
    return entries


def count_by_column(rejected: pd.DataFrame) -> dict[str, int]:
    """Count rejected entries per offending column (``"(row)"`` for whole-row reasons)."""
    if rejected.empty:
        return {}
    labels = rejected["column"].fillna("(row)").astype(str)
    counts = labels.value_counts().sort_index()
    return {str(label): int(count) for label, count in counts.items()}


def rejected_row_count(rejected: pd.DataFrame) -> int:
    """Count the distinct source rows in a rejected-rows frame (a row may fail several checks);
    a row is its file, sheet and row number (``rejections.RowId``)."""
    if rejected.empty:
        return 0
    return len(set(rejected_row_ids(rejected)))


def build_report(state: RunState, status: RunStatus, **fields: Any) -> RunReport:
    """The report of the run ``state`` describes, as it ends with ``status``.

    Counts, rejections and enrichment come from the transform's outcome (none before it), the
    stage timings from the state, the duration is wall-clock since the run started (valid when
    the stages ran in separate processes); ``fields`` sets the rest (``rows_loaded``, ``error``).
    """
    outcome = state.transformed
    rejected = outcome.rejected if outcome is not None else pd.DataFrame()
    return RunReport(
        domain=state.request.domain,
        table=state.table,
        execution_id=state.execution_id,
        status=status,
        file=str(state.source_location),
        sheet=state.sheet,
        sources=list(outcome.sources) if outcome else [],
        month=f"{outcome.month:%Y-%m}" if outcome and outcome.month else None,
        dry_run=state.request.dry_run,
        rows_read=outcome.rows_read if outcome else 0,
        rows_rejected=rejected_row_count(rejected),
        rejected=rejected_entries(rejected, outcome.sources if outcome else ()),
        rejected_by_column=count_by_column(rejected),
        rejected_by_reason=count_by_kind(rejected),
        enrichment_sources=dict(outcome.enrichment_sources) if outcome else {},
        new_source_columns=list(outcome.new_source_columns) if outcome else [],
        title_rows=list(outcome.title_rows) if outcome else [],
        skipped=list(outcome.skipped_rows) if outcome else [],
        totals=list(outcome.totals) if outcome else [],
        rejects_file=None if state.rejects_written is None else str(state.rejects_written),
        stage_durations=dict(state.timings),
        duration_s=round((datetime.now(UTC) - state.started_at).total_seconds(), 4),
        **fields,
    )


def report_metrics(report: RunReport) -> dict[str, float]:
    """The run's ``data_quality_metrics``: counts, rejections by column, enrichment sources and
    seconds per stage."""
    metrics: dict[str, float] = {
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_rejected": report.rows_rejected,
        "duration_s": report.duration_s,
    }
    metrics.update({f"rejected.{label}": n for label, n in report.rejected_by_column.items()})
    metrics.update({f"enrichment.{source}": n for source, n in report.enrichment_sources.items()})
    metrics.update({f"stage_s.{stage}": s for stage, s in report.stage_durations.items()})
    return metrics
