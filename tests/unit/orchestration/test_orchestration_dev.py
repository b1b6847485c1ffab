"""The ``make dagster`` launcher: the command it runs, the environment it gives, how it stops."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from work_data_hub.config import Settings
from work_data_hub.orchestration.dev import (
    DEFINITIONS_MODULE,
    dagster_dev_command,
    dev_environment,
)

pytestmark = pytest.mark.unit


def test_dagster_dev_loads_the_definitions_module_by_default() -> None:
    command = dagster_dev_command(["--port", "3001"])

    assert Path(command[0]) == Path(sys.executable).with_name("dagster")
    assert command[1:] == ["dev", "-m", DEFINITIONS_MODULE, "--port", "3001"]


@pytest.mark.parametrize("target", [["-w", "workspace.yaml"], ["--module-name=other.defs"]])
def test_a_target_given_by_the_user_replaces_the_default_module(target: list[str]) -> None:
    assert dagster_dev_command(target)[1:] == ["dev", *target]


def test_with_a_database_url_the_environment_gets_dagster_home_only(settings: Settings) -> None:
    environment = dev_environment(settings, {"PATH": "/usr/bin"})

    assert environment == {
        "PATH": "/usr/bin",
        "DAGSTER_HOME": str(settings.DAGSTER_HOME.resolve()),
    }
    assert settings.DAGSTER_HOME.is_dir()
