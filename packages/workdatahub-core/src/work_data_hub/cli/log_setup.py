"""The command line's logging, set up before any command runs (without the database libraries
``cli.database`` brings in, so that a light command stays light)."""

from __future__ import annotations

import logging

import typer
from pydantic import ValidationError

from work_data_hub.config import get_settings
from work_data_hub.utils.logging import configure_logging

__all__ = ["configure_cli_logging"]


def configure_cli_logging(level: str) -> None:
    """Send log lines to stderr from ``level`` up, so stdout holds only the command's output."""
    if level.upper() not in logging.getLevelNamesMapping():
        raise typer.BadParameter(
            f"{level!r} is not a log level (DEBUG, INFO, WARNING, ERROR)", param_hint="--log-level"
        )
    try:
        settings = get_settings(require_database=False)
    except ValidationError:
        configure_logging(force=True, output="stderr")
        return
    configure_logging(
        settings.model_copy(update={"LOG_LEVEL": level.upper()}), force=True, output="stderr"
    )
