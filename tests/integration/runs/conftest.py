"""A generated month of both annuity domains, shared by the run tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from work_data_hub.config import Settings, get_settings
from work_data_hub.io.sample_data import generate_month
from work_data_hub.plugins.registry import DomainRegistry, get_registry

MONTH = "202411"


@pytest.fixture(scope="session")
def registry() -> DomainRegistry:
    """The installed domains (both annuity packages are workspace members)."""
    return get_registry()


@pytest.fixture(scope="session")
def inbox(tmp_path_factory: pytest.TempPathFactory, registry: DomainRegistry) -> Path:
    """An inbox holding one generated month (600 rows per sheet)."""
    folder = tmp_path_factory.mktemp("inbox")
    generate_month(list(registry.domains.values()), folder, MONTH, 600, seed=11)
    return folder


@pytest.fixture
def settings(inbox: Path) -> Settings:
    """Settings whose inbox is the generated one."""
    return get_settings(require_database=False).model_copy(update={"INBOX_DIR": inbox})
