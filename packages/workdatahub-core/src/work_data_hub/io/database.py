"""PostgreSQL connection URLs and engines: one normalised form, one engine factory, masked logging.

SQLAlchemy 2.1 maps ``postgresql://`` to psycopg 3; the platform runs on psycopg2, so every URL a
user gives is normalised to ``postgresql+psycopg2`` before an engine is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, make_url, text
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool

from work_data_hub.config import Settings, get_settings
from work_data_hub.config.masking import mask_secrets
from work_data_hub.config.settings import DATABASE_URL_MISSING, EMBEDDED_DATABASE
from work_data_hub.io.embedded import embedded_database_url
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)

DRIVER_NAME = "postgresql+psycopg2"

MIN_POOLED_CONNECTIONS = 2
APPLICATION_NAME = "workdatahub"
"""``application_name`` of every connection; a run's load names itself after its execution."""
MAX_APPLICATION_NAME = 63
_POSTGRES_BACKENDS = ("postgres", "postgresql")


class DatabaseUrlError(ValueError):
    """A database URL that is missing, unparsable or not PostgreSQL."""


class MissingDatabaseUrlError(DatabaseUrlError):
    """``DATABASE_URL`` is unset where no embedded server may stand in for it."""

    def __init__(self) -> None:
        super().__init__(DATABASE_URL_MISSING)


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


def _milliseconds(seconds: float) -> int:
    return round(seconds * 1000)


def connection_arguments(settings: Settings) -> dict[str, Any]:
    """Return the libpq arguments every warehouse connection gets from ``settings``.

    Client side: ``connect_timeout``, TCP keepalives and ``tcp_user_timeout``, so a half-dead
    network path (no packets, sockets open) ends in an error instead of a hang. Server side,
    through ``options``: the same keepalives (the server notices a vanished client and rolls back
    its transaction, releasing its locks), ``statement_timeout``, ``lock_timeout`` and
    ``idle_in_transaction_session_timeout``; 0 means no limit.
    """
    server = {
        "statement_timeout": _milliseconds(settings.WDH_DB_STATEMENT_TIMEOUT_S),
        "lock_timeout": _milliseconds(settings.WDH_DB_LOCK_TIMEOUT_S),
        "idle_in_transaction_session_timeout": _milliseconds(
            settings.WDH_DB_IDLE_IN_TRANSACTION_TIMEOUT_S
        ),
        "tcp_keepalives_idle": settings.WDH_DB_KEEPALIVES_IDLE_S,
        "tcp_keepalives_interval": settings.WDH_DB_KEEPALIVES_INTERVAL_S,
        "tcp_keepalives_count": settings.WDH_DB_KEEPALIVES_COUNT,
        "tcp_user_timeout": settings.WDH_DB_TCP_USER_TIMEOUT_S * 1000,
    }
    return {
        "application_name": APPLICATION_NAME,
        "connect_timeout": settings.WDH_DB_CONNECT_TIMEOUT_S,
        "keepalives": 1,
        "keepalives_idle": settings.WDH_DB_KEEPALIVES_IDLE_S,
        "keepalives_interval": settings.WDH_DB_KEEPALIVES_INTERVAL_S,
        "keepalives_count": settings.WDH_DB_KEEPALIVES_COUNT,
        "tcp_user_timeout": settings.WDH_DB_TCP_USER_TIMEOUT_S * 1000,
        "options": " ".join(f"-c {name}={value}" for name, value in server.items()),
    }


def _with_connection_arguments(
    settings: Settings, url: URL, given: dict[str, Any]
) -> dict[str, Any]:
    """The settings' arguments, overridden by the URL's query and then by the caller's.

    ``options`` are joined instead, the settings' first, so that a later ``-c`` wins.
    """
    merged = connection_arguments(settings)
    from_url = {key: _query_text(value) for key, value in url.query.items()}
    options = [merged.pop("options"), from_url.pop("options", ""), given.get("options", "")]
    merged = merged | from_url | given
    merged["options"] = " ".join(option for option in options if option)
    return merged


def _query_text(value: str | tuple[str, ...]) -> str:
    return value[-1] if isinstance(value, tuple) else value


def name_session(connection: Connection, name: str) -> None:
    """Set ``application_name`` of ``connection`` for its current transaction only.

    ``pg_stat_activity`` then shows which run a session belongs to (the pool's connections go
    back to ``workdatahub`` at commit or rollback). Names are cut to PostgreSQL's 63 bytes.
    """
    encoded = name.encode("utf-8")[:MAX_APPLICATION_NAME]
    connection.execute(
        text("SELECT set_config('application_name', :name, true)"),
        {"name": encoded.decode("utf-8", errors="ignore")},
    )


def create_engine_for(
    url: str | URL,
    *,
    max_connections: int | None = None,
    **engine_options: Any,
) -> Engine:
    """Return a SQLAlchemy engine on psycopg2 for ``url`` (``embedded``: the embedded server).

    The pool keeps two connections and grows to ``max_connections`` (default ``DB_POOL_SIZE``,
    10); connections are checked before use so a restarted server does not surface as an error.
    Every connection gets ``connection_arguments(settings)`` (timeouts, keepalives,
    ``application_name``); ``connect_args`` in ``engine_options`` override them one by one.
    Other ``engine_options`` go to ``sqlalchemy.create_engine`` unchanged (e.g.
    ``poolclass=NullPool``).
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
    engine_options["connect_args"] = _with_connection_arguments(
        settings, target, engine_options.get("connect_args", {})
    )
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
