"""Past runs, read back from the audit tables: what ``workdatahub runs list`` and ``show`` print."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

__all__ = [
    "ExecutionNotFound",
    "ExecutionSummary",
    "RejectedRow",
    "list_executions",
    "show_execution",
]

_SUMMARY_COLUMNS = (
    "execution_id, domain, status, started_at, finished_at, input_file, rows_read, "
    "rows_loaded, rows_rejected, dry_run, error_type, error_details, metadata"
)


class ExecutionNotFound(LookupError):
    """No execution has the id asked for; the message says how to list them."""


@dataclass(frozen=True)
class RejectedRow:
    """One rejected cell of a run: where it is in the source file and why it was rejected."""

    source_row: int | None
    column: str | None
    reason: str
    raw: dict[str, Any] = field(default_factory=dict)
    source_file: str | None = None
    """The file the row is in, as recorded (its absolute path)."""
    sheet: str | None = None


@dataclass(frozen=True)
class ExecutionSummary:
    """One row of ``pipeline_executions`` as people read it; ``details`` only from ``show``."""

    execution_id: str
    domain: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    month: str | None
    input_file: str | None
    rows_read: int | None
    rows_loaded: int | None
    rows_rejected: int | None
    dry_run: bool
    error: str | None
    details: dict[str, Any] = field(default_factory=dict)
    rejected: tuple[RejectedRow, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return the execution as plain JSON-serialisable data (times as ISO 8601 text)."""
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        return data


def _month_text(month: str) -> str:
    """``"202411"`` or ``"2024-11"`` → ``"2024-11"``, the form run reports store."""
    digits = month.replace("-", "")
    return f"{digits[:4]}-{digits[4:]}"


def _metadata(stored: object) -> dict[str, Any]:
    """The run's metadata object; rows written before it was always one may hold a list."""
    if isinstance(stored, dict):
        return stored
    parts = stored if isinstance(stored, list) else []
    return {key: value for part in parts if isinstance(part, dict) for key, value in part.items()}


def _summary(row: sa.RowMapping) -> ExecutionSummary:
    metadata = _metadata(row["metadata"])
    error = row["error_details"]
    return ExecutionSummary(
        execution_id=str(row["execution_id"]),
        domain=row["domain"],
        status=row["status"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        month=metadata.get("month"),
        input_file=row["input_file"],
        rows_read=row["rows_read"],
        rows_loaded=row["rows_loaded"],
        rows_rejected=row["rows_rejected"],
        dry_run=bool(row["dry_run"]),
        error=f"{row['error_type']}: {error.splitlines()[0]}" if error else None,
    )


def list_executions(
    engine: Engine,
    *,
    domain: str | None = None,
    month: str | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[ExecutionSummary]:
    """Return the latest executions, newest first, filtered by domain, month and status.

    ``month`` is ``YYYYMM`` or ``YYYY-MM`` and matches the month a run loaded.
    """
    conditions = ["TRUE"]
    parameters: dict[str, object] = {"limit": limit}
    if domain is not None:
        conditions.append("domain = :domain")
        parameters["domain"] = domain
    if month is not None:
        conditions.append("metadata ->> 'month' = :month")
        parameters["month"] = _month_text(month)
    if status is not None:
        conditions.append("status = :status")
        parameters["status"] = status
    query = sa.text(
        f"SELECT {_SUMMARY_COLUMNS} FROM pipeline_executions WHERE {' AND '.join(conditions)} "
        "ORDER BY started_at DESC, execution_id LIMIT :limit"
    )
    with engine.connect() as connection:
        return [_summary(row) for row in connection.execute(query, parameters).mappings()]


def show_execution(engine: Engine, execution_id: str) -> ExecutionSummary:
    """Return one execution with its details (file, checksum, table, timings) and rejections.

    Raises ``ExecutionNotFound`` when no execution has that id.
    """
    try:
        key = uuid.UUID(execution_id)
    except ValueError as error:
        raise ExecutionNotFound(
            f"{execution_id!r} is not an execution id; `workdatahub runs list` shows them"
        ) from error
    with engine.connect() as connection:
        row = (
            connection.execute(
                sa.text(
                    f"SELECT {_SUMMARY_COLUMNS}, input_checksum, sheet, target_table, environment "
                    "FROM pipeline_executions WHERE execution_id = :id"
                ),
                {"id": key},
            )
            .mappings()
            .one_or_none()
        )
        if row is None:
            raise ExecutionNotFound(
                f"no execution {execution_id}; `workdatahub runs list` shows the recorded ones"
            )
        rejected = connection.execute(
            sa.text(
                "SELECT source_row, column_name, reason, raw_row, source_file, sheet "
                "FROM rejected_rows WHERE execution_id = :id "
                "ORDER BY source_file NULLS FIRST, sheet NULLS FIRST, source_row NULLS LAST, id"
            ),
            {"id": key},
        ).all()
    metadata = _metadata(row["metadata"])
    details = {
        "input_checksum": row["input_checksum"],
        "sheet": row["sheet"],
        "target_table": row["target_table"],
        "environment": row["environment"],
        "stage_durations": metadata.get("stage_durations", {}),
        "duration_s": metadata.get("duration_s"),
        "error_details": row["error_details"],
    }
    return replace(
        _summary(row),
        details=details,
        rejected=tuple(
            RejectedRow(source_row, column, reason, raw or {}, source_file, sheet)
            for source_row, column, reason, raw, source_file, sheet in rejected
        ),
    )
