"""PostgreSQL connection URLs and engines: one normalised form, one engine factory, masked logging.

SQLAlchemy 2.1 maps ``postgresql://`` to psycopg 3; the platform runs on psycopg2, so every URL a
user gives is normalised to ``postgresql+psycopg2`` before an engine is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, make_url, text
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool

from work_data_hub.config import Settings, get_settings
from work_data_hub.config.masking import mask_secrets
from work_data_hub.config.settings import EMBEDDED_DATABASE
from work_data_hub.io.embedded import embedded_database_url
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)

DRIVER_NAME = "postgresql+psycopg2"

MIN_POOLED_CONNECTIONS = 2
_POSTGRES_BACKENDS = ("postgres", "postgresql")


class DatabaseUrlError(ValueError):
    """A database URL that is missing, unparsable or not PostgreSQL."""


class MissingDatabaseUrlError(DatabaseUrlError):
    """``DATABASE_URL`` is unset where no embedded server may stand in for it."""

    def __init__(self) -> None:
        super().__init__("DATABASE_URL is required but not set in environment")


def is_embedded(url: str | URL) -> bool:
    """Return True when ``url`` is the word ``embedded`` (any case, surrounding blanks ignored)."""
    return isinstance(url, str) and url.strip().lower() == EMBEDDED_DATABASE


def normalise_url(url: str | URL) -> URL:
    """Return ``url`` as a SQLAlchemy URL on the psycopg2 driver.

    ``postgres://`` and any ``postgresql+<driver>://`` become ``postgresql+psycopg2://``; user,
    password (percent-decoded once, as libpq does), host, port, database and query parameters
    such as ``host=/socket/dir`` are kept. Anything that is not a PostgreSQL URL, including the
    word ``embedded`` (resolve it with ``resolve_database_url`` first), raises ``DatabaseUrlError``.
    """
    if is_embedded(url):
        raise DatabaseUrlError(
            "'embedded' names the embedded PostgreSQL server, not a URL: "
            "resolve it with resolve_database_url() or create_engine_for()"
        )
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUrlError(
            "cannot parse the database URL; expected postgresql://user:password@host:port/database"
        ) from exc
    if parsed.get_backend_name() not in _POSTGRES_BACKENDS:
        raise DatabaseUrlError(
            f"the warehouse is PostgreSQL only; got a {parsed.get_backend_name()!r} URL "
            "(expected postgresql://user:password@host:port/database)"
        )
    return parsed.set(drivername=DRIVER_NAME)


def masked(url: str | URL) -> str:
    """Return ``url`` fit for logs and messages: every password (URL or query) becomes ``***``."""
    return mask_secrets(url if isinstance(url, str) else render_url(url))


def render_url(url: URL) -> str:
    """Return the full URL text, password included, for handing to a driver or a subprocess."""
    return url.render_as_string(hide_password=False)


def resolve_database_url(
    settings: Settings | None = None,
    *,
    allow_embedded: bool = False,
    data_dir: Path | None = None,
) -> str:
    """Return the warehouse URL to use, normalised to psycopg2, as text with its password.

    ``DATABASE_URL=embedded`` always means the embedded server in ``data_dir`` (default
    ``settings.embedded_postgres_dir``), started or reused. An unset ``DATABASE_URL`` means the
    embedded server too, but only when the caller allows it (the demo, the tests) and
    ``ENVIRONMENT`` is ``dev``; otherwise it raises ``MissingDatabaseUrlError``
    ("DATABASE_URL is required but not set in environment").
    """
    settings = settings or get_settings(require_database=False)
    configured = settings.external_database_url()
    if configured is not None:
        return render_url(normalise_url(configured))
    explicitly_embedded = settings.DATABASE_URL is not None
    if not (explicitly_embedded or (allow_embedded and settings.ENVIRONMENT == "dev")):
        raise MissingDatabaseUrlError()
    folder = data_dir or settings.embedded_postgres_dir
    return render_url(normalise_url(embedded_database_url(folder)))


def create_engine_for(
    url: str | URL,
    *,
    max_connections: int | None = None,
    **engine_options: Any,
) -> Engine:
    """Return a SQLAlchemy engine on psycopg2 for ``url`` (``embedded``: the embedded server).

    The pool keeps two connections and grows to ``max_connections`` (default ``DB_POOL_SIZE``,
    10); connections are checked before use so a restarted server does not surface as an error.
    ``engine_options`` go to ``sqlalchemy.create_engine`` unchanged (e.g. ``poolclass=NullPool``).
    """
    settings = get_settings(require_database=False)
    embedded = is_embedded(url)
    target = normalise_url(
        embedded_database_url(settings.embedded_postgres_dir) if embedded else url
    )
    if "poolclass" not in engine_options:
        largest = max_connections or settings.DB_POOL_SIZE
        kept = min(MIN_POOLED_CONNECTIONS, largest)
        engine_options = {"pool_size": kept, "max_overflow": largest - kept, **engine_options}
    engine_options.setdefault("pool_pre_ping", True)
    logger.debug("database_engine_created", url=masked(target))
    return create_engine(target, **engine_options)


def create_database_if_missing(url: str | URL, maintenance_database: str = "postgres") -> bool:
    """Create the database ``url`` names unless it exists; return whether it was created.

    Connects to ``maintenance_database`` on the same server, as ``CREATE DATABASE`` cannot run
    inside a transaction or from a connection to the database itself.
    """
    target = normalise_url(url)
    if not target.database:
        raise DatabaseUrlError(f"{masked(target)} names no database")
    engine = create_engine(
        target.set(database=maintenance_database), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).first()
            if exists:
                return False
            quoted = connection.dialect.identifier_preparer.quote_identifier(target.database)
            connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
    finally:
        engine.dispose()
    logger.info("database_created", url=masked(target))
    return True
