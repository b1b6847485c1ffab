"""What every command needs first: its settings and its warehouse engine."""

from __future__ import annotations

import typer
from sqlalchemy import Engine

from work_data_hub.config import Settings, get_settings
from work_data_hub.io.database import create_engine_for, resolve_database_url


def command_settings() -> Settings:
    """Settings for a command that receives its database separately."""
    return get_settings(require_database=False)


def warehouse_engine(
    settings: Settings, *, allow_embedded: bool = False, migrate_embedded: bool = False
) -> Engine:
    """Return an engine on the configured warehouse; the embedded one only when allowed.

    With ``migrate_embedded`` the embedded PostgreSQL of ``DATABASE_URL=embedded`` (a
    developer's own) is brought to every installed head first, saying so on stderr when that
    applied anything; a real server is never migrated implicitly.
    """
    url = resolve_database_url(
        settings, allow_embedded=allow_embedded, data_dir=settings.embedded_postgres_dir
    )
    if migrate_embedded and settings.external_database_url() is None:
        _migrate_embedded(url)
    return create_engine_for(url)


def _migrate_embedded(url: str) -> None:
    # Imported here: Alembic is needed by this one case, not by every command that connects.
    from work_data_hub.io.schema import migrate

    moved, _ = migrate.moved_by(migrate.upgrade, url)
    if moved:
        applied = ", ".join(f"{revision.branch} {revision.revision}" for revision in moved)
        typer.echo(f"embedded database migrated: {applied}", err=True)
