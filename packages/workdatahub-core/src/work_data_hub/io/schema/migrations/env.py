"""Alembic environment for WorkDataHub: the core's tree and every installed domain's tree.

The database comes from, in order: a connection handed over in ``config.attributes``
(``workdatahub db …``, the test fixtures), ``-x url=…``, ``sqlalchemy.url`` in alembic.ini, and
finally ``DATABASE_URL`` (``embedded`` selects the embedded server).
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.pool import NullPool
from work_data_hub.io.database import create_engine_for, resolve_database_url
from work_data_hub.io.schema.migrate import (
    WorkDataHubAlembicConfig,
    check_recorded_revisions,
    lock_migrations,
    plugin_version_locations,
)

config = context.config
if not isinstance(config, WorkDataHubAlembicConfig):
    # Plain `alembic …` from the repository root: alembic.ini names the core's tree only.
    context.script.version_locations = plugin_version_locations()
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    return (
        context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
        or resolve_database_url()
    )


def _migrate(connection: Connection) -> None:
    lock_migrations(connection)
    # ``db revision --autogenerate`` hands over the declared tables and the comparison's limits.
    options = {"target_metadata": None, **config.attributes.get("autogenerate", {})}
    context.configure(connection=connection, **options)
    migration_context = context.get_context()
    if not migration_context.opts.get("purge"):
        check_recorded_revisions(migration_context.get_current_heads(), context.script)
    with context.begin_transaction():
        context.run_migrations()


def _run() -> None:
    if context.is_offline_mode():
        context.configure(dialect_name="postgresql", literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _migrate(connection)
        return
    engine = create_engine_for(_database_url(), poolclass=NullPool)
    try:
        with engine.begin() as owned_connection:
            _migrate(owned_connection)
    finally:
        engine.dispose()


_run()
