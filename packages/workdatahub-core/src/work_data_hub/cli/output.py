"""How run reports look on a terminal: one summary table per run, JSON for scripts."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from work_data_hub.io.runs import RunReport
from work_data_hub.io.schema.drift import Difference, fix_commands

MAX_REJECTED_SHOWN = 20
MAX_SKIPPED_SHOWN = 10
MAX_REASONS_SHOWN = 10


def print_report(console: Console, report: RunReport) -> None:
    """Print the summary of one run: counts, rejections by column, enrichment, timing, target."""
    style = "green" if report.succeeded else "red"
    title = f"{report.domain}: [{style}]{report.status}[/{style}]"
    if report.dry_run:
        title += " (dry run, nothing committed)"
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value")
    table.add_row("file", Text(report.file or "-"))
    several = len(report.sources) > 1
    for part in report.sources if several else ():
        table.add_row(Text(f"  {_part(part)}"), f"{part['rows']} rows")
    table.add_row("target table", Text(report.table))
    table.add_row("execution id", report.execution_id)
    table.add_row("rows read", str(report.rows_read))
    table.add_row("rows loaded", str(report.rows_loaded))
    table.add_row("rows rejected", str(report.rows_rejected))
    for column, count in report.rejected_by_column.items():
        table.add_row(Text(f"  rejected on {column}"), str(count))
    for reason, count in list(report.rejected_by_reason.items())[:MAX_REASONS_SHOWN]:
        table.add_row(Text(f"  rejected ×{count}"), Text(reason))
    if report.new_source_columns:
        table.add_row(
            Text("new columns in the source", style="yellow"),
            Text(", ".join(report.new_source_columns)),
        )
    if report.skipped:
        reasons = Counter(entry["reason"] for entry in report.skipped)
        rows = ", ".join(
            f"{_part(entry)} {entry['row']}" if several else str(entry["row"])
            for entry in report.skipped[:MAX_SKIPPED_SHOWN]
        )
        more = "…" if len(report.skipped) > MAX_SKIPPED_SHOWN else ""
        summary = "; ".join(f"{reason} ×{count}" for reason, count in reasons.items())
        table.add_row("rows skipped", Text(f"{len(report.skipped)} ({summary}: rows {rows}{more})"))
    for check in report.totals:
        verdict = "matches" if check["matches"] else "DOES NOT MATCH"
        where = f" of {_part(check)}" if several else ""
        table.add_row(
            Text(
                f"  totals row {check['column']}{where}",
                style="" if check["matches"] else "red",
            ),
            Text(f"{check['file_total']} {verdict} the rows' sum {check['rows_sum']}"),
        )
    for source, count in report.enrichment_sources.items():
        if not count:
            continue
        table.add_row(Text(f"  company id from {source}"), str(count))
    if report.rejects_file:
        table.add_row("rejects written to", Text(report.rejects_file))
    stages = ", ".join(
        f"{stage} {seconds:.2f}s" for stage, seconds in report.stage_durations.items()
    )
    table.add_row(
        "duration",
        f"{report.duration_s:.2f}s ({stages})" if stages else f"{report.duration_s:.2f}s",
    )
    if report.error:
        table.add_row("error", Text(report.error, style="red"))
    console.print(table)
    if report.rejected:
        print_rejections(console, report)


def print_rejections(console: Console, report: RunReport) -> None:
    """Print the first rejected rows with the row number a user looks up in the source file."""
    table = Table(title=f"rejected rows (first {MAX_REJECTED_SHOWN})", title_justify="left")
    several = len(report.sources) > 1
    if several:
        table.add_column("file / sheet")
    table.add_column("row", justify="right")
    table.add_column("column")
    table.add_column("reason")
    for entry in report.rejected[:MAX_REJECTED_SHOWN]:
        table.add_row(
            *([Text(_part(entry))] if several else []),
            str(entry["row"]),
            Text(str(entry["column"] or "-")),
            Text(str(entry["reason"])),
        )
    console.print(table)


def _part(entry: Mapping[str, Any]) -> str:
    """``网点销售_东城.xlsx / 销售``: the part an entry of a run of several parts names."""
    return " / ".join(str(entry[key]) for key in ("file", "sheet") if entry.get(key))


def reports_json(reports: Sequence[RunReport]) -> str:
    """One line of JSON: a single report's object, or a list for several."""
    data = reports[0].to_json() if len(reports) == 1 else [report.to_json() for report in reports]
    return json.dumps(data, ensure_ascii=False, default=str)


def error_json(message: str, exit_code: int) -> str:
    """One line of JSON for an outcome without a report: ``{"status": "error", …}``."""
    return json.dumps(
        {"status": "error", "error": message, "exit_code": exit_code}, ensure_ascii=False
    )


def print_error(console: Console, error: object) -> None:
    """Print ``error: <message>`` on one line (never wrapped at the terminal's width); the
    message is shown as text, never read as markup."""
    console.print(Text.assemble(("error: ", "red"), str(error)), soft_wrap=True)


def print_differences(console: Console, differences: Sequence[Difference]) -> None:
    """Print each table's differences from its declaration, then the commands that fix them."""
    table = Table(title="tables that differ from their declared columns", title_justify="left")
    for heading in ("domain", "table", "change", "column or index", "declared", "database"):
        table.add_column(heading)
    for difference in differences:
        table.add_row(
            *(
                Text(value)
                for value in (
                    difference.domain,
                    difference.table,
                    difference.change,
                    difference.name,
                    difference.declared,
                    difference.database,
                )
            )
        )
    console.print(table)
    console.print("to fix:", highlight=False)
    for command in fix_commands([difference.domain for difference in differences]):
        console.print(Text(f"  {command}"), soft_wrap=True)
