"""One line saying why a run failed, for the report, the CLI and the log.

Driver errors carry the statement, its parameters and a link on further lines; the full text
stays in ``pipeline_executions.error_details``. Server-side limits get a sentence naming the
setting behind them.
"""

from __future__ import annotations

import psycopg2
from sqlalchemy.exc import DBAPIError

__all__ = ["failure_message"]

_SERVER_LIMITS = {
    "57014": "the database cancelled a statement",
    "25006": (
        "the database refused to write: the transaction is read-only "
        "(default_transaction_read_only is on for this role or database, or the server is a "
        "read-only standby)"
    ),
    "55P03": "a lock could not be taken within lock_timeout (WDH_DB_LOCK_TIMEOUT_S)",
    "25P03": (
        "the database ended the session after idle_in_transaction_session_timeout "
        "(WDH_DB_IDLE_IN_TRANSACTION_TIMEOUT_S)"
    ),
    "42501": "the database user lacks a privilege",
}


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def _driver_error(error: BaseException) -> psycopg2.Error | None:
    """Return the driver's error among ``error`` and its causes; a cycle of causes ends the walk."""
    current: BaseException | None = error
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        if isinstance(current, DBAPIError) and isinstance(current.orig, psycopg2.Error):
            return current.orig
        if isinstance(current, psycopg2.Error):
            return current
        seen.add(id(current))
        current = current.__cause__
    return None


def _database_message(driver: psycopg2.Error) -> str:
    reason = _first_line(str(driver)) or type(driver).__name__
    code = driver.pgcode or ""
    if code == "57014" and "statement timeout" in reason:
        return (
            f"the database cancelled a statement after statement_timeout "
            f"(WDH_DB_STATEMENT_TIMEOUT_S) ran out: {reason}; nothing was loaded"
        )
    if code in _SERVER_LIMITS:
        return f"{_SERVER_LIMITS[code]}: {reason}; nothing was loaded"
    return f"{type(driver).__name__}: {reason}"


def failure_message(error: BaseException) -> str:
    """Return why ``error`` failed the run, in one line.

    Database errors become a sentence with the server's reason (and the setting for a
    statement timeout, a read-only transaction, a lock or idle timeout); an unreadable file
    names the file and the reason; other errors keep their message (their type when empty).
    """
    driver = _driver_error(error)
    if driver is not None:
        return _database_message(driver)
    if isinstance(error, OSError) and error.filename is not None:
        return f"file {str(error.filename)!r} cannot be read: {error.strerror or error}"
    return str(error) or type(error).__name__
