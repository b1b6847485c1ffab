"""One error style for every command: one ``error:`` line, the same exit codes everywhere.

The exit codes are ``cli.exit_codes``'. No traceback is printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import typer
from alembic.util import CommandError
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from work_data_hub.cli.exit_codes import EXIT_FAILED, EXIT_NOT_STARTED, EXIT_THRESHOLD, EXIT_USAGE
from work_data_hub.cli.output import error_json, print_error
from work_data_hub.io.connectors.file_connector import FileDiscoveryError
from work_data_hub.io.database import DatabaseUrlError
from work_data_hub.io.embedded import EmbeddedPostgresError
from work_data_hub.io.loader.errors import DatabaseUnavailableError
from work_data_hub.io.runs.failures import failure_message
from work_data_hub.plugins.errors import PluginLoadError, UnknownDomainError

__all__ = [
    "EXIT_FAILED",
    "EXIT_NOT_STARTED",
    "EXIT_THRESHOLD",
    "EXIT_USAGE",
    "FAILED_ERRORS",
    "NOT_STARTED_ERRORS",
    "error_exit",
    "reported_errors",
]

NOT_STARTED_ERRORS: tuple[type[Exception], ...] = (
    FileDiscoveryError,
    DatabaseUnavailableError,
    DatabaseUrlError,
    EmbeddedPostgresError,
    UnknownDomainError,
    PluginLoadError,
    ValidationError,
)
"""Errors before any work: the configuration, the domain, the file or the server. Exit 4."""

FAILED_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, psycopg2.Error, CommandError)
"""The database or Alembic refused the work. Exit 1."""


@contextmanager
def reported_errors(console: Console, *, as_json: bool = False) -> Iterator[None]:
    """Turn the errors a user can fix into one ``error:`` line and their exit code.

    With ``as_json`` one JSON object (``{"status": "error", "error", "exit_code"}``) follows on
    stdout, so a script reading the last line always finds one.
    """
    try:
        yield
    except NOT_STARTED_ERRORS as error:
        raise error_exit(console, failure_message(error), EXIT_NOT_STARTED, as_json) from error
    except FAILED_ERRORS as error:
        raise error_exit(console, failure_message(error), EXIT_FAILED, as_json) from error


def error_exit(console: Console, message: str, code: int, as_json: bool = False) -> typer.Exit:
    """Print ``error: message`` (with ``as_json`` also one JSON object on stdout) and return
    the ``typer.Exit`` of ``code`` to raise."""
    print_error(console, message)
    if as_json:
        typer.echo(error_json(message, code))
    return typer.Exit(code)
