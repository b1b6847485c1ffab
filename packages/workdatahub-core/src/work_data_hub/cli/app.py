"""The ``workdatahub`` console script: one typer app, one sub-module per command group."""

from __future__ import annotations

import typer

from work_data_hub import __version__
from work_data_hub.cli.database import configure_cli_logging
from work_data_hub.cli.db import db_app
from work_data_hub.cli.demo import demo, sample_data
from work_data_hub.cli.domains import domains_app
from work_data_hub.cli.run import run, run_month_command
from work_data_hub.cli.runs import runs_app

app = typer.Typer(
    name="workdatahub",
    help="WorkDataHub: plugin-based loading of business files into PostgreSQL.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(domains_app, name="domains")
app.command("run")(run)
app.command("run-month")(run_month_command)
app.command("demo")(demo)
app.command("sample-data")(sample_data)
app.add_typer(db_app, name="db")
app.add_typer(runs_app, name="runs")


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"workdatahub {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
    ),
    log_level: str = typer.Option(
        "WARNING",
        "--log-level",
        envvar="LOG_LEVEL",
        help="Log lines from this level up go to stderr as JSON.",
    ),
) -> None:
    """WorkDataHub: plugin-based loading of business files into PostgreSQL."""
    configure_cli_logging(log_level)


def main() -> None:
    """Run the ``workdatahub`` command line."""
    app()
