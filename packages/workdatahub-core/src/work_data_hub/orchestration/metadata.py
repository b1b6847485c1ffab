"""What the Dagster UI shows for each op: row counts, rejections, enrichment, table, execution."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dagster import MetadataValue, TableColumn, TableRecord, TableSchema

from work_data_hub.io.runs import RunReport, RunState, TransformOutcome
from work_data_hub.io.runs.reasons import count_by_kind
from work_data_hub.io.runs.report import count_by_column, rejected_entries, rejected_row_count

REJECTED_SAMPLE_SIZE = 50
"""Rejected rows listed one by one in the UI; ``rejected_rows_query`` finds all of them."""

ENRICHMENT_DESCRIPTIONS = {
    "override": "company id from the overrides file (by plan code, then by name)",
    "cache": "company id from the warehouse cache company_id_cache",
    "data": "company id already present in the source file",
    "lookup": "company id from the external lookup service",
    "temporary": "no id found: a temporary IN... id derived from the name",
    "none": "no id and no name: left empty",
}
"""What each enrichment source means, shown next to its count."""

_COLUMN_SCHEMA = TableSchema(
    columns=[
        TableColumn("column", "string", description="column the rejection names; (row) for all"),
        TableColumn("rejections", "int", description="rejections naming that column"),
    ]
)
_REJECTED_SCHEMA = TableSchema(
    columns=[
        TableColumn("row", "int", description="row number in the source file"),
        TableColumn("part", "string", description="file and sheet, for a source of several"),
        TableColumn("column", "string"),
        TableColumn("reason", "string"),
    ]
)
_ENRICHMENT_SCHEMA = TableSchema(
    columns=[
        TableColumn("source", "string", description="where the company id came from"),
        TableColumn("entries", "int", description="customer entries resolved by that source"),
        TableColumn("meaning", "string"),
    ]
)


def rejected_by_column_table(counts: Mapping[str, int]) -> MetadataValue:
    """Return rejection counts per column as a two-column table, largest first."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    records = [TableRecord({"column": name, "rejections": rows}) for name, rows in ordered]
    return MetadataValue.table(records, schema=_COLUMN_SCHEMA)


def rejected_rows_table(entries: list[dict[str, Any]]) -> MetadataValue:
    """Return the first ``REJECTED_SAMPLE_SIZE`` rejected rows (row, column, reason) as a table."""
    records = [
        TableRecord(
            {
                "row": entry.get("row"),
                "part": _part(entry),
                "column": entry.get("column") or "",
                "reason": str(entry.get("reason", "")),
            }
        )
        for entry in entries[:REJECTED_SAMPLE_SIZE]
    ]
    return MetadataValue.table(records, schema=_REJECTED_SCHEMA)


def _part(entry: Mapping[str, Any]) -> str:
    """``"b.xlsx / 北京"`` for an entry of a run of several parts, else ``""``."""
    return " / ".join(str(entry[key]) for key in ("file", "sheet") if entry.get(key))


def enrichment_table(counts: Mapping[str, int]) -> MetadataValue:
    """Return the company-id enrichment counts per source, each with what the source means."""
    records = [
        TableRecord(
            {
                "source": source,
                "entries": entries,
                "meaning": ENRICHMENT_DESCRIPTIONS.get(source, ""),
            }
        )
        for source, entries in counts.items()
    ]
    return MetadataValue.table(records, schema=_ENRICHMENT_SCHEMA)


def rejected_rows_query(execution_id: str) -> str:
    """Return the SQL that lists every rejected row of an execution in the warehouse."""
    return (
        "SELECT source_file, sheet, source_row, column_name, reason, raw_row FROM rejected_rows "
        f"WHERE execution_id = '{execution_id}' ORDER BY source_file, sheet, source_row"
    )


def _rejections(
    entries: list[dict[str, Any]], by_column: Mapping[str, int], by_reason: Mapping[str, int]
) -> dict[str, Any]:
    shown = min(len(entries), REJECTED_SAMPLE_SIZE)
    return {
        "rejected_by_column": rejected_by_column_table(by_column),
        "rejected_by_reason": MetadataValue.json(dict(by_reason)),
        f"rejected_rows_first_{REJECTED_SAMPLE_SIZE}": rejected_rows_table(entries),
        "rejected_rows_shown": f"{shown} of {len(entries)} rejections",
    }


def read_metadata(state: RunState, duration_s: float) -> dict[str, Any]:
    """Metadata of the ``read`` op: the file found, the target table, the execution, rows read."""
    return {
        "domain": state.request.domain,
        "execution_id": state.execution_id,
        "file": MetadataValue.path(str(state.path)),
        "target_table": state.table,
        "dry_run": state.request.dry_run,
        "rows_read": 0 if state.raw is None else sum(len(frame) for frame in state.raw),
        "sources": MetadataValue.json(
            [{"file": part.path.name, "sheet": part.sheet} for part in state.parts]
        ),
        "duration_s": round(duration_s, 3),
    }


def transform_metadata(outcome: TransformOutcome, duration_s: float) -> dict[str, Any]:
    """Metadata of the ``transform`` op: valid and rejected rows, reasons, enrichment sources,
    the source columns the domain does not know."""
    return {
        "rows_read": outcome.rows_read,
        "rows_valid": len(outcome.valid),
        "rows_rejected": rejected_row_count(outcome.rejected),
        **_rejections(
            rejected_entries(outcome.rejected, outcome.sources),
            count_by_column(outcome.rejected),
            count_by_kind(outcome.rejected),
        ),
        "enrichment_sources": enrichment_table(outcome.enrichment_sources),
        "new_columns_in_the_source": MetadataValue.json(list(outcome.new_source_columns)),
        **_layout(outcome.title_rows, outcome.skipped_rows, outcome.totals),
        "duration_s": round(duration_s, 3),
    }


def report_metadata(report: RunReport) -> dict[str, Any]:
    """Metadata of the ``load`` op (the asset's materialisation): the run's summary.

    The same figures ``workdatahub run`` reports, plus ``dagster/row_count`` (rows loaded) and
    ``rejected_rows_query``, the SQL listing every rejected row of the execution, and
    ``rejected_rows_command``, the command writing them to a workbook the sender can fix.
    """
    return {
        "domain": report.domain,
        "month": report.month or "",
        "execution_id": report.execution_id,
        "status": report.status,
        "target_table": report.table,
        "file": MetadataValue.path(report.file or ""),
        "dry_run": report.dry_run,
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_rejected": report.rows_rejected,
        "dagster/row_count": report.rows_loaded,
        **_rejections(report.rejected, report.rejected_by_column, report.rejected_by_reason),
        "rejected_rows_command": MetadataValue.md(
            f"```sh\nworkdatahub runs show {report.execution_id} --rejects-out rejects.xlsx\n```"
        ),
        "rejected_rows_query": MetadataValue.md(
            f"```sql\n{rejected_rows_query(report.execution_id)}\n```"
        ),
        "enrichment_sources": enrichment_table(report.enrichment_sources),
        "new_columns_in_the_source": MetadataValue.json(list(report.new_source_columns)),
        **_layout(report.title_rows, report.skipped, report.totals),
        "stage_durations_s": MetadataValue.json(dict(report.stage_durations)),
        "duration_s": report.duration_s,
    }


def _layout(
    titles: Sequence[dict[str, Any]],
    skipped: Sequence[dict[str, Any]],
    totals: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """The sheet's title rows, the rows skipped below its table and the totals checks."""
    return {
        "title_rows": MetadataValue.json(list(titles)),
        "rows_skipped": len(skipped),
        "skipped_rows": MetadataValue.json(list(skipped)),
        "totals_row_checks": MetadataValue.json(list(totals)),
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
            "rejected_by_column": rejected_by_column_table(report.rejected_by_column),
        }
    return metadata
