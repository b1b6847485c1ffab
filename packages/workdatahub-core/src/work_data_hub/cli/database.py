"""The warehouse engine a command works on, from settings (embedded only where allowed)."""

from __future__ import annotations

from sqlalchemy import Engine

from work_data_hub.config import Settings, get_settings
from work_data_hub.io.database import create_engine_for, resolve_database_url


def command_settings() -> Settings:
    """Settings for a command that receives its database separately."""
    return get_settings(require_database=False)


def warehouse_engine(settings: Settings, *, allow_embedded: bool = False) -> Engine:
    """Return an engine on the configured warehouse; the embedded one only when allowed."""
    url = resolve_database_url(
        settings, allow_embedded=allow_embedded, data_dir=settings.embedded_postgres_dir
    )
    return create_engine_for(url)
