"""What the Dagster UI shows for each op: row counts, rejections, enrichment, table, execution."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from dagster import MetadataValue, TableColumn, TableRecord, TableSchema

from work_data_hub.io.runs import PreparedRun, RunReport, TransformOutcome
from work_data_hub.io.runs.report import count_by_reason, rejected_entries, rejected_row_count

REJECTED_SAMPLE_SIZE = 50
"""Rejected rows listed one by one in the UI; the counts by reason cover every one of them."""

_REASON_SCHEMA = TableSchema(
    columns=[
        TableColumn("reason", "string", description="column and reason of the rejection"),
        TableColumn("rows", "int"),
    ]
)
_REJECTED_SCHEMA = TableSchema(
    columns=[
        TableColumn("row", "int", description="row number in the source file"),
        TableColumn("column", "string"),
        TableColumn("reason", "string"),
    ]
)


def rejected_by_reason_table(counts: Mapping[str, int]) -> MetadataValue:
    """Return rejection counts per reason as a two-column table, largest first."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    records = [TableRecord({"reason": reason, "rows": rows}) for reason, rows in ordered]
    return MetadataValue.table(records, schema=_REASON_SCHEMA)


def rejected_rows_table(entries: list[dict[str, Any]]) -> MetadataValue:
    """Return the first ``REJECTED_SAMPLE_SIZE`` rejected rows (row, column, reason) as a table."""
    records = [
        TableRecord(
            {
                "row": entry.get("row"),
                "column": entry.get("column") or "",
                "reason": str(entry.get("reason", "")),
            }
        )
        for entry in entries[:REJECTED_SAMPLE_SIZE]
    ]
    return MetadataValue.table(records, schema=_REJECTED_SCHEMA)


def read_metadata(prepared: PreparedRun, raw: pd.DataFrame, duration_s: float) -> dict[str, Any]:
    """Metadata of the ``read`` op: the file found, the target table, the execution, rows read."""
    return {
        "domain": prepared.request.domain,
        "execution_id": prepared.execution_id,
        "file": MetadataValue.path(str(prepared.path)),
        "target_table": prepared.table,
        "dry_run": prepared.request.dry_run,
        "rows_read": len(raw),
        "duration_s": round(duration_s, 3),
    }


def transform_metadata(outcome: TransformOutcome, duration_s: float) -> dict[str, Any]:
    """Metadata of the ``transform`` op: valid and rejected rows, reasons, enrichment sources,
    the source columns the domain does not know."""
    return {
        "rows_read": outcome.rows_read,
        "rows_valid": len(outcome.valid),
        "rows_rejected": rejected_row_count(outcome.rejected),
        "rejected_by_reason": rejected_by_reason_table(count_by_reason(outcome.rejected)),
        "rejected_rows": rejected_rows_table(rejected_entries(outcome.rejected)),
        "enrichment_sources": MetadataValue.json(dict(outcome.enrichment_sources)),
        "new_columns_in_the_source": MetadataValue.json(list(outcome.new_source_columns)),
        "duration_s": round(duration_s, 3),
    }


def report_metadata(report: RunReport) -> dict[str, Any]:
    """Metadata of the ``load`` op: the whole run's summary as ``workdatahub run`` reports it."""
    return {
        "domain": report.domain,
        "execution_id": report.execution_id,
        "status": report.status,
        "target_table": report.table,
        "file": MetadataValue.path(report.file or ""),
        "dry_run": report.dry_run,
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_rejected": report.rows_rejected,
        "rejected_by_reason": rejected_by_reason_table(report.rejected_by_reason),
        "rejected_rows": rejected_rows_table(report.rejected),
        "enrichment_sources": MetadataValue.json(dict(report.enrichment_sources)),
        "new_columns_in_the_source": MetadataValue.json(list(report.new_source_columns)),
        "stage_durations_s": MetadataValue.json(dict(report.stage_durations)),
        "duration_s": report.duration_s,
    }


def failure_metadata(error: BaseException, report: RunReport | None) -> dict[str, Any]:
    """Metadata of a failed op: the error, plus the failed execution's summary when one exists."""
    metadata: dict[str, Any] = {"error_type": type(error).__name__, "error": str(error)}
    if report is not None:
        metadata |= {
            "execution_id": report.execution_id,
            "target_table": report.table,
            "file": MetadataValue.path(report.file or ""),
            "rows_read": report.rows_read,
            "rows_rejected": report.rows_rejected,
            "threshold_exceeded": report.threshold_exceeded,
            "rejected_by_reason": rejected_by_reason_table(report.rejected_by_reason),
        }
    return metadata
