"""``workdatahub runs``: the recorded executions, from the audit tables.

``runs list`` and ``runs show`` read the history; ``runs mark-abandoned`` marks every
``running`` execution whose process is gone as ``abandoned`` (each run, and ``list`` and
``show``, also do this first).
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from work_data_hub.cli.database import command_settings, warehouse_engine
from work_data_hub.cli.errors import EXIT_NOT_STARTED, error_exit, reported_errors
from work_data_hub.domain.columns import SOURCE_ROW_COLUMN
from work_data_hub.domain.pipelines.types import PART_REJECTION_COLUMNS, REJECTION_COLUMNS
from work_data_hub.io.runs.history import (
    ExecutionNotFound,
    ExecutionSummary,
    list_executions,
    show_execution,
)
from work_data_hub.io.runs.liveness import mark_abandoned_runs
from work_data_hub.io.runs.rejects_export import RejectsSource, write_rejects

console = Console()
errors = Console(stderr=True)

runs_app = typer.Typer(
    help="Past runs: what was loaded, when, from which file.", no_args_is_help=True
)


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


@runs_app.command("list")
def list_command(
    domain: Annotated[str | None, typer.Option("--domain", help="Only this domain.")] = None,
    month: Annotated[
        str | None, typer.Option("--month", help="Only runs that loaded this month (YYYYMM).")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only running, succeeded, failed or abandoned runs."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many runs.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON list.")] = False,
) -> None:
    """List the latest runs, newest first; runs whose process died are marked abandoned first."""
    with reported_errors(errors, as_json=as_json):
        engine = warehouse_engine(command_settings())
        mark_abandoned_runs(engine, found_by="workdatahub runs list")
        executions = list_executions(engine, domain=domain, month=month, status=status, limit=limit)
    if as_json:
        typer.echo(json.dumps([e.to_json() for e in executions], ensure_ascii=False))
        return
    table = Table(title=f"{len(executions)} run(s)", title_justify="left")
    for column in ("id", "started", "domain", "month", "status", "read", "loaded", "rejected"):
        table.add_column(
            column, justify="right" if column in {"read", "loaded", "rejected"} else "left"
        )
    for execution in executions:
        table.add_row(
            execution.execution_id,
            f"{execution.started_at:%Y-%m-%d %H:%M:%S}",
            Text(execution.domain),
            execution.month or "-",
            execution.status + (" (dry run)" if execution.dry_run else ""),
            _count(execution.rows_read),
            _count(execution.rows_loaded),
            _count(execution.rows_rejected),
        )
    console.print(table)


def _write_rejects(execution: ExecutionSummary, target: Path) -> None:
    """Write a past run's rejects as a run writes them; the rows are the recorded raw rows,
    one part per recorded file and sheet."""
    fallback = (execution.input_file or "-", execution.details.get("sheet"))
    parts = list(
        dict.fromkeys(
            (r.source_file or fallback[0], r.sheet or fallback[1]) for r in execution.rejected
        )
    ) or [fallback]
    rejected = pd.DataFrame(
        [
            (
                r.source_row,
                r.column,
                r.reason,
                r.raw,
                Path(r.source_file or fallback[0]).name,
                r.sheet or fallback[1],
            )
            for r in execution.rejected
        ],
        columns=[*REJECTION_COLUMNS, *PART_REJECTION_COLUMNS],
    )
    sources = [
        RejectsSource(Path(file), sheet, partial(_recorded_rows, execution, file, sheet, fallback))
        for file, sheet in parts
    ]
    write_rejects(target, rejected, sources)


def _recorded_rows(
    execution: ExecutionSummary, file: str, sheet: str | None, fallback: tuple[str, str | None]
) -> pd.DataFrame:
    """The recorded raw rows of one part, with their source row numbers."""
    recorded = {
        r.source_row: r.raw
        for r in execution.rejected
        if r.source_row is not None
        and (r.source_file or fallback[0], r.sheet or fallback[1]) == (file, sheet)
    }
    return pd.DataFrame(
        [{**raw, SOURCE_ROW_COLUMN: row} for row, raw in recorded.items()],
        columns=list(
            dict.fromkeys([*(k for raw in recorded.values() for k in raw), SOURCE_ROW_COLUMN])
        ),
    )


@runs_app.command("show")
def show_command(
    execution_id: Annotated[str, typer.Argument(help="The execution id `runs list` shows.")],
    rejects_out: Annotated[
        Path | None,
        typer.Option(
            "--rejects-out", help="Write its rejects to this file (.csv or .xlsx, as `run` does)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Show one run: file, checksum, counts, timings, error, and its rejected rows."""
    with reported_errors(errors, as_json=as_json):
        engine = warehouse_engine(command_settings())
        mark_abandoned_runs(engine, found_by="workdatahub runs show")
        try:
            execution = show_execution(engine, execution_id)
        except ExecutionNotFound as error:
            raise error_exit(errors, str(error), EXIT_NOT_STARTED, as_json) from error
    if rejects_out is not None:
        _write_rejects(execution, rejects_out)
    if as_json:
        typer.echo(json.dumps(execution.to_json(), ensure_ascii=False, default=str))
        return
    table = Table(
        title=f"{execution.domain}: {execution.status}", show_header=False, title_justify="left"
    )
    table.add_column("what", style="bold")
    table.add_column("value")
    details = execution.details
    for label, value in (
        ("execution id", execution.execution_id),
        ("month", execution.month or "-"),
        ("file", execution.input_file or "-"),
        ("sha-256", details.get("input_checksum") or "-"),
        ("sheet", details.get("sheet") or "-"),
        ("target table", details.get("target_table") or "-"),
        ("started", f"{execution.started_at:%Y-%m-%d %H:%M:%S %Z}"),
        (
            "finished",
            f"{execution.finished_at:%Y-%m-%d %H:%M:%S %Z}" if execution.finished_at else "-",
        ),
        ("rows read", _count(execution.rows_read)),
        ("rows loaded", _count(execution.rows_loaded)),
        ("rows rejected", _count(execution.rows_rejected)),
        (
            "durations",
            ", ".join(f"{k} {v:.2f}s" for k, v in details.get("stage_durations", {}).items())
            or "-",
        ),
        ("error", execution.error or "-"),
        ("rejects written to", str(rejects_out) if rejects_out else "-"),
    ):
        table.add_row(label, Text(str(value)))
    console.print(table)
    if execution.rejected:
        rejected = Table(title=f"{len(execution.rejected)} rejected cell(s)", title_justify="left")
        several = len({(row.source_file, row.sheet) for row in execution.rejected}) > 1
        if several:
            rejected.add_column("file / sheet")
        rejected.add_column("row", justify="right")
        rejected.add_column("column")
        rejected.add_column("reason")
        for row in execution.rejected:
            where = [Text(f"{Path(row.source_file or '-').name} / {row.sheet or '-'}")]
            rejected.add_row(
                *(where if several else []),
                _count(row.source_row),
                Text(row.column or "-"),
                Text(row.reason),
            )
        console.print(rejected)


@runs_app.command("mark-abandoned")
def mark_abandoned() -> None:
    """Mark `running` executions whose process is gone (its execution lock free) `abandoned`."""
    with reported_errors(errors):
        engine = warehouse_engine(command_settings())
        try:
            marked = mark_abandoned_runs(engine, found_by="`workdatahub runs mark-abandoned`")
        finally:
            engine.dispose()
    console.print(f"{len(marked)} execution(s) marked abandoned", highlight=False)
    for execution_id in marked:
        console.print(f"  {execution_id}", highlight=False)
