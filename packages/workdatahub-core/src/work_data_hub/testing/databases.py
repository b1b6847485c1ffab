"""Throw-away databases on a PostgreSQL server for tests, created and dropped by pytest-postgresql.

Names carry the process id and a random part, because other sessions create databases on the
same server at the same time.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import URL, text
from sqlalchemy.pool import NullPool

from work_data_hub.io.database import create_engine_for, normalise_url, render_url

TEST_DATA_SQL = "fixtures/test_data.sql"
"""The core's minimal fixture rows, inside the ``work_data_hub.io.schema`` package."""

DEFAULT_PORT = 5432


class DatabaseSetupError(RuntimeError):
    """The test databases cannot be set up; the message says how to provide a server."""


def unique_database_name(kind: str) -> str:
    """Return a database name no concurrent test session uses: ``wdh_<kind>_<pid>_<random>``."""
    return f"wdh_{kind}_{os.getpid()}_{secrets.token_hex(4)}"


def test_data_sql() -> str:
    """Return the SQL of the core's fixture rows (one succeeded run, a metric, a rejected row)."""
    return (resources.files("work_data_hub.io.schema") / TEST_DATA_SQL).read_text(encoding="utf-8")


def load_test_data(url: str) -> None:
    """Insert the core's fixture rows into the migrated database at ``url``."""
    engine = create_engine_for(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(test_data_sql())
    finally:
        engine.dispose()


def _query_value(url: URL, key: str) -> str | None:
    value = url.query.get(key)
    if isinstance(value, tuple):
        return value[0] if value else None
    return value


@dataclass(frozen=True)
class DatabaseServer:
    """A PostgreSQL server reached through ``url`` (its database is the maintenance database)."""

    url: URL

    @classmethod
    def from_url(cls, url: str) -> DatabaseServer:
        """Return the server behind ``url`` (any form ``normalise_url`` accepts)."""
        return cls(normalise_url(url))

    def url_of(self, database: str) -> str:
        """Return the full URL (password included) of ``database`` on this server."""
        return render_url(self.url.set(database=database))

    def check_reachable(self) -> None:
        """Raise ``DatabaseSetupError`` unless a connection and ``SELECT 1`` succeed within 5 s."""
        engine = create_engine_for(
            self.url, poolclass=NullPool, connect_args={"connect_timeout": 5}
        )
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:
            raise DatabaseSetupError(f"cannot connect: {exc}") from exc
        finally:
            engine.dispose()

    def _janitor(self, database: str, **options: Any) -> Any:
        try:
            from pytest_postgresql.janitor import DatabaseJanitor
        except ImportError as exc:
            raise DatabaseSetupError(
                "the test fixtures need pytest-postgresql: pip install pytest-postgresql"
            ) from exc
        return DatabaseJanitor(
            user=self.url.username or "postgres",
            password=self.url.password,
            host=self.url.host or _query_value(self.url, "host") or "localhost",
            port=self.url.port or _query_value(self.url, "port") or DEFAULT_PORT,
            dbname=database,
            maintenance_dbname=self.url.database or "postgres",
            connection_timeout=5,
            **options,
        )

    @contextmanager
    def template(self, prepare: Callable[[str], object]) -> Iterator[str]:
        """Create a template database, run ``prepare(url)`` on it, yield its name, then drop it."""
        name = unique_database_name("template")
        janitor = self._janitor(name, as_template=True)
        janitor.init()
        try:
            prepare(self.url_of(name))
            yield name
        finally:
            janitor.drop()

    @contextmanager
    def clone(self, template: str) -> Iterator[str]:
        """Create a database from ``template``, yield its URL, then drop it."""
        name = unique_database_name("test")
        with self._janitor(name, template_dbname=template):
            yield self.url_of(name)
