"""Errors the loader raises itself; database errors pass through as the driver raised them."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ConnectionLostError",
    "DatabaseUnavailableError",
    "InvalidLoadRequestError",
    "LoaderError",
    "MissingRequiredColumnsError",
    "TableLockTimeout",
    "TableNotFoundError",
]


class LoaderError(Exception):
    """A load the loader refused; nothing was written. The message says what to fix."""


class TableNotFoundError(LoaderError):
    """The target table does not exist (or the database user cannot see its columns)."""

    def __init__(self, qualified_table: str) -> None:
        self.table = qualified_table
        super().__init__(
            f"table {qualified_table} does not exist or has no columns visible to this user; "
            "run `workdatahub db upgrade` to create the tables the installed domains declare"
        )


class MissingRequiredColumnsError(LoaderError):
    """The frame lacks columns the table requires (NOT NULL without a default)."""

    def __init__(self, qualified_table: str, columns: Sequence[str]) -> None:
        self.table = qualified_table
        self.columns = tuple(columns)
        names = ", ".join(repr(name) for name in self.columns)
        super().__init__(
            f"cannot load into {qualified_table}: the data has no column {names}, which the table "
            "requires (NOT NULL without a default); nothing was written"
        )


class TableLockTimeout(LoaderError):
    """Another session held the table's load lock for longer than the allowed wait."""

    def __init__(self, table: str, waited_s: float, holders: Sequence[str]) -> None:
        self.table = table
        self.holders = tuple(holders)
        held_by = "; ".join(self.holders) or "a session that has ended since"
        super().__init__(
            f"{table} stayed locked by another load for {waited_s:g} s (WDH_TABLE_LOCK_WAIT_S), "
            f"held by {held_by}; nothing was loaded"
        )


class InvalidLoadRequestError(LoaderError):
    """The load call itself is inconsistent: unknown write mode, missing keys, duplicate columns."""


class DatabaseUnavailableError(Exception):
    """The database could not be reached, even after the configured retries."""


class ConnectionLostError(Exception):
    """The connection died inside a transaction: the server rolled all of it back. Not retried,
    as the transaction's work is gone; run the load again."""
