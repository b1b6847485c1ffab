"""Fixtures for orchestration tests: settings on a temporary inbox, fake installed plugins."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "plugins"))

from plugin_site import site
from work_data_hub.config import Settings

__all__ = ["settings", "site"]

UNREACHABLE_DATABASE = "postgresql://nobody@127.0.0.1:9/none"
"""A well-formed URL no test connects to: unit tests build engines but never use them."""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings reading nothing from the environment: a temporary inbox and DAGSTER_HOME."""
    (tmp_path / "inbox").mkdir()
    return Settings(
        _env_file=None,
        ENVIRONMENT="dev",
        DATABASE_URL=UNREACHABLE_DATABASE,
        DAGSTER_POSTGRES_URL=None,
        INBOX_DIR=tmp_path / "inbox",
        DAGSTER_HOME=tmp_path / "dagster_home",
    )
