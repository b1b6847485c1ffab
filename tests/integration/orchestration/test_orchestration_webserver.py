"""End to end: ``make dagster``'s launcher serves every domain job over GraphQL, then stops cleanly.

The launcher (and ``dagster dev`` under it) runs in its own process group; it is stopped with
SIGINT to the group, as Ctrl+C in a terminal would, and no process of it may outlive the test.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from work_data_hub.config import Settings
from work_data_hub.orchestration.jobs import job_name
from work_data_hub.plugins import load_domains

pytestmark = pytest.mark.integration

LAUNCHER = (sys.executable, "-m", "work_data_hub.orchestration.dev")
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0
JOBS_QUERY = """
{
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        locationOrLoadError {
          __typename
          ... on PythonError { message }
          ... on RepositoryLocation { repositories { name jobs { name } } }
        }
      }
    }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _graphql(port: int, query: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, Any] = json.load(response)
    return answer


def _served_jobs(port: int) -> tuple[set[str], list[str]]:
    """Return the job names the webserver lists, and any code-location load errors."""
    workspace = _graphql(port, JOBS_QUERY)["data"]["workspaceOrError"]
    jobs: set[str] = set()
    errors: list[str] = []
    for entry in workspace.get("locationEntries", []):
        location = entry["locationOrLoadError"] or {}
        if location.get("__typename") == "PythonError":
            errors.append(location["message"])
        for repository in location.get("repositories", []):
            jobs.update(job["name"] for job in repository["jobs"])
    return jobs, errors


def _wait_for_jobs(launcher: subprocess.Popen[bytes], port: int, expected: set[str]) -> set[str]:
    deadline = time.monotonic() + READY_TIMEOUT_S
    jobs: set[str] = set()
    while time.monotonic() < deadline:
        assert launcher.poll() is None, f"the launcher exited early with {launcher.returncode}"
        try:
            jobs, errors = _served_jobs(port)
        except (urllib.error.URLError, ConnectionError, TimeoutError, KeyError):
            jobs, errors = set(), []
        assert not errors, f"the code location failed to load: {errors}"
        if expected <= jobs:
            return jobs
        time.sleep(1)
    raise AssertionError(f"after {READY_TIMEOUT_S} s the webserver lists {sorted(jobs)}")


@pytest.fixture
def launcher_environment(settings: Settings, tmp_path: Path) -> dict[str, str]:
    """This environment without platform settings, plus the test's database, inbox and home."""
    assert settings.DATABASE_URL is not None
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in Settings.model_fields and not name.startswith("DAGSTER_")
    }
    return environment | {
        "ENVIRONMENT": "dev",
        "DATABASE_URL": settings.DATABASE_URL.get_secret_value(),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "INBOX_DIR": str(settings.INBOX_DIR),
        "WDH_DATA_DIR": str(tmp_path / "data"),
    }


@pytest.fixture
def launcher(launcher_environment: dict[str, str], tmp_path: Path) -> Iterator[tuple[Any, int]]:
    """``python -m work_data_hub.orchestration.dev`` on a free port, in its own process group."""
    port = _free_port()
    with (tmp_path / "dagster-dev.log").open("wb") as log:
        process = subprocess.Popen(
            [*LAUNCHER, "--host", "127.0.0.1", "--port", str(port)],
            env=launcher_environment,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process, port
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT_S)


def _still_running(processes: list[psutil.Process]) -> list[str]:
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(" ".join(process.cmdline()))
        except psutil.NoSuchProcess:
            continue
    return alive


def test_the_webserver_lists_every_domain_job_and_stops_on_sigint(
    launcher: tuple[subprocess.Popen[bytes], int],
) -> None:
    process, port = launcher
    expected = {job_name(name) for name in load_domains({}).domains}
    assert expected

    served = _wait_for_jobs(process, port, expected)
    family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    os.killpg(process.pid, signal.SIGINT)
    exit_code = process.wait(timeout=STOP_TIMEOUT_S)

    assert served == expected
    assert exit_code == 0
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _still_running(family) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _still_running(family) == []
