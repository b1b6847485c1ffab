"""The ``make dagster`` launcher: the command it runs, the environment it gives, how it stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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


LAUNCHER = """
import sys
from work_data_hub.orchestration.dev import run_until_stopped

child = [
    sys.executable,
    "-c",
    "import signal, sys, time; signal.signal(signal.SIGINT, lambda *a: sys.exit(7)); "
    "print('ready', flush=True); time.sleep(30)",
]
sys.exit(run_until_stopped(child, {}))
"""


def _stop(launcher: subprocess.Popen[str], stop_signal: signal.Signals) -> None:
    if stop_signal == signal.SIGINT:
        # Ctrl+C in a terminal reaches the whole foreground process group.
        os.killpg(launcher.pid, signal.SIGINT)
    else:
        launcher.send_signal(stop_signal)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_the_launcher_stops_its_child_with_sigint_and_returns_its_exit_code(
    stop_signal: signal.Signals,
) -> None:
    launcher = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert launcher.stdout is not None
        assert launcher.stdout.readline().strip() == "ready"
        time.sleep(0.2)
        _stop(launcher, stop_signal)
        assert launcher.wait(timeout=20) == 7, launcher.communicate()[1]
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
