"""The ``workdatahub`` console script: one typer app, one sub-module per command group.

The sub-modules are imported only when one of their commands runs (``lazy.LazyGroup``), so
``--help`` and ``--version`` answer at once.
"""

from __future__ import annotations

import typer

from work_data_hub import __version__
from work_data_hub.cli.lazy import LazyCommand, LazyGroup

COMMANDS = {
    "domains": LazyCommand(
        "work_data_hub.cli.domains:domains_app", "Inspect the installed domain plugins."
    ),
    "run": LazyCommand(
        "work_data_hub.cli.run:run",
        "Read, validate, transform and load one domain's file in one transaction.",
    ),
    "run-month": LazyCommand(
        "work_data_hub.cli.run:run_month_command",
        "Run every installed domain with a source file for MONTH, each in its own transaction.",
    ),
    "demo": LazyCommand(
        "work_data_hub.cli.demo:demo",
        "Start an embedded PostgreSQL, migrate it, generate a month and load every domain.",
    ),
    "sample-data": LazyCommand(
        "work_data_hub.cli.demo:sample_data",
        "Write a deterministic sample month for every installed domain into an inbox folder.",
    ),
    "db": LazyCommand(
        "work_data_hub.cli.db:db_app",
        "Database migrations: the core's tree and one tree per installed domain (Alembic).",
    ),
    "runs": LazyCommand(
        "work_data_hub.cli.runs:runs_app", "Past runs: what was loaded, when, from which file."
    ),
}
"""Every command: where it lives and the line the root's help shows (a test keeps the line
equal to the command's own)."""


class _Commands(LazyGroup):
    COMMANDS = COMMANDS


app = typer.Typer(
    name="workdatahub",
    cls=_Commands,
    help="WorkDataHub: plugin-based loading of business files into PostgreSQL.",
    no_args_is_help=True,
    add_completion=False,
)


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
    from work_data_hub.cli.log_setup import configure_cli_logging

    configure_cli_logging(log_level)


def main() -> None:
    """Run the ``workdatahub`` command line."""
    app()
