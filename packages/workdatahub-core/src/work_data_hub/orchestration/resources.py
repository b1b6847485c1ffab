"""Resources the core owns and every domain job shares: the warehouse, the settings, the plugins."""

from __future__ import annotations

from typing import Any

from dagster import ConfigurableResource, InitResourceContext, ResourceDefinition
from pydantic import Field, PrivateAttr
from sqlalchemy import Engine

from work_data_hub.config import Settings, get_settings
from work_data_hub.io.database import create_engine_for, resolve_database_url
from work_data_hub.plugins.registry import DomainRegistry

WAREHOUSE_KEY = "warehouse"
SETTINGS_KEY = "settings"
REGISTRY_KEY = "registry"


class WarehouseResource(ConfigurableResource["WarehouseResource"]):
    """The PostgreSQL warehouse: one SQLAlchemy engine per run process, disposed when it ends.

    ``database_url`` overrides the settings; left unset, ``DATABASE_URL`` is used, and in ``dev``
    without a ``DATABASE_URL`` the embedded PostgreSQL under ``WDH_DATA_DIR/pg`` is started.
    """

    database_url: str | None = Field(
        default=None,
        description=(
            "PostgreSQL URL of the warehouse; unset means DATABASE_URL from the environment "
            "(the embedded PostgreSQL in dev when that is unset too)"
        ),
    )
    _engine: Engine | None = PrivateAttr(default=None)

    def resolved_url(self) -> str:
        """Return the URL the engine connects to, normalised to psycopg2, password included."""
        if self.database_url:
            return self.database_url
        settings = get_settings(require_database=False)
        return resolve_database_url(
            settings, allow_embedded=True, data_dir=settings.embedded_postgres_dir
        )

    def get_engine(self) -> Engine:
        """Return this process's engine on the warehouse, creating it on first use."""
        if self._engine is None:
            self._engine = create_engine_for(self.resolved_url())
        return self._engine

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        """Close the pooled connections of the engine, if one was created."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def core_resources(
    registry: DomainRegistry, settings: Settings, warehouse: WarehouseResource | None = None
) -> dict[str, Any]:
    """Return the resources every domain job needs, keyed as the ops expect them."""
    return {
        WAREHOUSE_KEY: warehouse or WarehouseResource(),
        SETTINGS_KEY: ResourceDefinition.hardcoded_resource(
            settings, "WorkDataHub settings read from the environment and .env"
        ),
        REGISTRY_KEY: ResourceDefinition.hardcoded_resource(
            registry, "The domain plugins the jobs were built from"
        ),
    }


def default_settings() -> Settings:
    """Return the process settings; DATABASE_URL may be unset (embedded PostgreSQL in dev)."""
    return get_settings(require_database=False)
