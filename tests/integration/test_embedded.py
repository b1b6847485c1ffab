"""The embedded PostgreSQL: start, connect, migrate, stop, restart on the same data."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from work_data_hub.config import Settings
from work_data_hub.io.database import create_engine_for, resolve_database_url
from work_data_hub.io.embedded import embedded_database_url, stop_embedded
from work_data_hub.io.schema import migrate

pytestmark = pytest.mark.integration


@pytest.fixture
def data_root() -> Iterator[Path]:
    """A short folder (the server's socket path must stay under ~107 bytes), removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="wdh-e-"))
    yield root
    stop_embedded(root / "pg")
    shutil.rmtree(root, ignore_errors=True)


def _table_exists(url: str, table: str) -> bool:
    engine = create_engine_for(url, poolclass=NullPool, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as connection:
            found = connection.execute(sa.text("SELECT to_regclass(:t)"), {"t": table}).scalar()
    finally:
        engine.dispose()
    return found is not None


def test_embedded_server_starts_migrates_stops_and_keeps_its_data(data_root: Path) -> None:
    data_dir = data_root / "pg"
    url = embedded_database_url(data_dir)

    assert f"host={data_dir}" in url
    assert embedded_database_url(data_dir) == url
    applied = migrate.upgrade(url, sources=[migrate.core_migration_source()])
    assert [revision.branch for revision in applied] == ["core"]
    assert _table_exists(url, "pipeline_executions")

    assert stop_embedded(data_dir) is True
    with pytest.raises(OperationalError):
        _table_exists(url, "pipeline_executions")
    assert stop_embedded(data_dir) is False

    settings = Settings(
        ENVIRONMENT="dev", DATABASE_URL=SecretStr("embedded"), WDH_DATA_DIR=data_root
    )
    restarted = resolve_database_url(settings)

    assert restarted.startswith("postgresql+psycopg2://")
    assert _table_exists(restarted, "pipeline_executions")
