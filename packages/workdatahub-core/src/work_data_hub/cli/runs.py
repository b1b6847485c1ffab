"""``workdatahub runs``: the recorded executions.

``runs mark-abandoned`` marks every ``running`` execution whose process is gone as
``abandoned`` (each run also does this as it starts).
"""

from __future__ import annotations

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from work_data_hub.cli.database import command_settings, warehouse_engine
from work_data_hub.cli.output import print_error
from work_data_hub.io.database import DatabaseUrlError
from work_data_hub.io.loader.errors import DatabaseUnavailableError
from work_data_hub.io.runs.failures import failure_message
from work_data_hub.io.runs.liveness import mark_abandoned_runs

runs_app = typer.Typer(
    name="runs",
    help="The recorded executions (pipeline_executions).",
    no_args_is_help=True,
)

console = Console()
errors = Console(stderr=True)

_USER_ERRORS = (DatabaseUrlError, DatabaseUnavailableError, SQLAlchemyError, ValidationError)


@runs_app.command("mark-abandoned")
def mark_abandoned() -> None:
    """Mark `running` executions whose process is gone (its execution lock free) `abandoned`."""
    try:
        engine = warehouse_engine(command_settings())
        try:
            marked = mark_abandoned_runs(engine, found_by="`workdatahub runs mark-abandoned`")
        finally:
            engine.dispose()
    except _USER_ERRORS as error:
        print_error(errors, failure_message(error))
        raise typer.Exit(1) from error
    console.print(f"{len(marked)} execution(s) marked abandoned", highlight=False)
    for execution_id in marked:
        console.print(f"  {execution_id}", highlight=False)
