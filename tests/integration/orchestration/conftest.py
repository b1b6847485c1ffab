"""Fixtures for orchestration integration tests: settings on a fresh database and inbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from work_data_hub.config import Settings


@pytest.fixture
def settings(tmp_path: Path, wdh_database: str) -> Settings:
    """Settings on the test's fresh database, a temporary inbox and a temporary DAGSTER_HOME."""
    (tmp_path / "inbox").mkdir()
    return Settings(
        _env_file=None,
        ENVIRONMENT="dev",
        DATABASE_URL=wdh_database,
        DAGSTER_POSTGRES_URL=None,
        INBOX_DIR=tmp_path / "inbox",
        DAGSTER_HOME=tmp_path / "dagster_home",
    )
