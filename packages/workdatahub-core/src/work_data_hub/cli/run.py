"""``workdatahub run`` and ``workdatahub run-month``: load a domain's file into the warehouse.

Exit codes: 0 every run succeeded; 1 a run failed (bad file, load error, a database that
refuses the run); 2 usage error; 3 the rejected share exceeded the domain's threshold (nothing
loaded); 4 nothing could be started (unknown domain, no file found, missing configuration);
130 and 143 the command was stopped by SIGINT or SIGTERM (the run in progress rolled back and
was recorded failed). Every error is one line, without a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, cast, get_args

import psycopg2
import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from work_data_hub.cli.database import command_settings, warehouse_engine
from work_data_hub.cli.errors import (
    EXIT_FAILED,
    EXIT_NOT_STARTED,
    EXIT_THRESHOLD,
    EXIT_USAGE,
    error_exit,
)
from work_data_hub.cli.output import print_error, print_report, reports_json
from work_data_hub.cli.progress import run_progress
from work_data_hub.io.connectors.file_connector import FileDiscoveryError
from work_data_hub.io.database import DatabaseUrlError
from work_data_hub.io.embedded import EmbeddedPostgresError
from work_data_hub.io.loader.errors import DatabaseUnavailableError
from work_data_hub.io.runs import (
    FileSelection,
    InvalidRunRequest,
    RejectsOutConflict,
    RunFailed,
    RunReport,
    RunRequest,
    run_domain,
    run_month,
)
from work_data_hub.io.runs.failures import failure_message
from work_data_hub.io.runs.interruption import RunInterrupted, interruptible
from work_data_hub.plugins.errors import UnknownDomainError

SELECT_HELP = "When several files match: error, newest, oldest or first."

console = Console(stderr=True)
"""Errors and progress: stderr, so that stdout holds only the summaries and ``--json``."""
summary = Console()

NOT_STARTED_ERRORS = (
    RunFailed,
    FileDiscoveryError,
    DatabaseUnavailableError,
    DatabaseUrlError,
    EmbeddedPostgresError,
    UnknownDomainError,
    ValidationError,
    OSError,
)
"""Errors raised before a run exists: shown as one line, exit code 4."""

DATABASE_ERRORS = (SQLAlchemyError, psycopg2.Error)
"""A database that refuses the run itself (read-only, no privilege): one line, exit code 1."""


def exit_code(reports: Sequence[RunReport]) -> int:
    """Return the process exit code for a set of run reports (see the module docstring)."""
    if any(report.threshold_exceeded for report in reports):
        return EXIT_THRESHOLD
    if any(not report.succeeded for report in reports):
        return EXIT_FAILED
    return 0


def _finish(reports: Sequence[RunReport], as_json: bool) -> None:
    for report in reports:
        print_report(summary, report)
    for report in reports:
        if report.error:
            print_error(console, f"{report.domain}: {report.error}")
    if as_json:
        typer.echo(reports_json(reports))
    raise typer.Exit(exit_code(reports))


def _selection(select: str) -> FileSelection:
    if select not in get_args(FileSelection):
        raise typer.BadParameter("--select takes error, newest, oldest or first")
    return cast(FileSelection, select)


def _not_started(error: Exception, as_json: bool) -> typer.Exit:
    return error_exit(console, failure_message(error), EXIT_NOT_STARTED, as_json)


def _refused(error: Exception, as_json: bool) -> typer.Exit:
    message = f"{failure_message(error)}; the run could not be recorded"
    return error_exit(console, message, EXIT_FAILED, as_json)


def _interrupted(interruption: RunInterrupted, as_json: bool) -> typer.Exit:
    message = f"{interruption}: the run in progress was rolled back and recorded failed"
    return error_exit(console, message, interruption.exit_code, as_json)


def run(
    domain: Annotated[
        str, typer.Argument(help="Domain name, as `workdatahub domains list` shows.")
    ],
    file: Annotated[Path | None, typer.Option("--file", help="The source file to load.")] = None,
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            help="The month to load (YYYYMM): its file is discovered, unless --file names it.",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Do everything but commit.")] = False,
    select: Annotated[
        str,
        typer.Option("--select", help=SELECT_HELP),
    ] = "error",
    rejects_out: Annotated[
        Path | None,
        typer.Option(
            "--rejects-out",
            help="Write the rejects to this file: .csv (file, sheet, row, column, value, reason) "
            "or .xlsx (the rejected source rows, bad cells highlighted, with the reasons).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object last.")] = False,
) -> None:
    """Read, validate, transform and load one domain's file in one transaction.

    The run loads one month: --month, or without it the month of most of the file's rows.
    Rows of other months are rejected (or refuse the file, as the domain declares).
    """
    if file is None and month is None:
        raise typer.BadParameter("give --file, --month, or both")
    try:
        request = RunRequest(
            domain=domain,
            file=file,
            month=month,
            dry_run=dry_run,
            select=_selection(select),
            rejects_out=rejects_out,
        )
    except InvalidRunRequest as error:
        raise typer.BadParameter(str(error), param_hint="--month") from error
    try:
        settings = command_settings()
        engine = warehouse_engine(settings, migrate_embedded=True)
        with interruptible(engine), run_progress(console) as progress:
            report = run_domain(
                request, engine=engine, settings=settings, progress=progress(domain)
            )
    except RejectsOutConflict as error:
        raise error_exit(console, str(error), EXIT_USAGE, as_json) from error
    except NOT_STARTED_ERRORS as error:
        raise _not_started(error, as_json) from error
    except DATABASE_ERRORS as error:
        raise _refused(error, as_json) from error
    except RunInterrupted as interruption:
        raise _interrupted(interruption, as_json) from interruption
    _finish([report], as_json)


def run_month_command(
    month: Annotated[str, typer.Argument(help="The month to load (YYYYMM).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Do everything but commit.")] = False,
    select: Annotated[
        str,
        typer.Option("--select", help=SELECT_HELP),
    ] = "error",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the reports as JSON last.")
    ] = False,
    inbox: Annotated[
        Path | None,
        typer.Option("--inbox", help="The inbox folder to search (default: INBOX_DIR)."),
    ] = None,
) -> None:
    """Run every installed domain with a source file for MONTH, each in its own transaction.

    Every domain's file is located first; an ambiguous folder stops the month before any load.
    """
    selection = _selection(select)
    if inbox is not None and not inbox.is_dir():
        raise typer.BadParameter(f"{str(inbox)!r} is not a folder", param_hint="--inbox")
    try:
        settings = command_settings()
        if inbox is not None:
            settings = settings.model_copy(update={"INBOX_DIR": inbox})
        engine = warehouse_engine(settings, migrate_embedded=True)
        with interruptible(engine), run_progress(console) as progress:
            reports = run_month(
                month,
                engine=engine,
                settings=settings,
                dry_run=dry_run,
                select=selection,
                progress=progress,
            )
    except NOT_STARTED_ERRORS as error:
        raise _not_started(error, as_json) from error
    except DATABASE_ERRORS as error:
        raise _refused(error, as_json) from error
    except RunInterrupted as interruption:
        raise _interrupted(interruption, as_json) from interruption
    if not reports:
        message = f"no domain found a source file for {month} under INBOX_DIR={settings.INBOX_DIR}"
        raise error_exit(console, message, EXIT_NOT_STARTED, as_json)
    _finish(reports, as_json)
