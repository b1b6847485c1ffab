"""End to end: ``make dagster``'s launcher serves every domain job, runs and backfills months.

The launcher (and ``dagster dev`` under it) runs in its own process group. Through the UI's
GraphQL API a run is launched for one partition (it carries the month tag), a partition key that
is no month is refused before any run exists, and a two-month backfill of the domain's asset
(run by the daemon) materialises each month once. The launcher is then stopped with SIGINT to
the group, as Ctrl+C in a terminal would, and no process of it may outlive the test.
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
import sqlalchemy as sa
from sqlalchemy import Engine
from work_data_hub.config import Settings
from work_data_hub.io.sample_data import generate_month
from work_data_hub.orchestration.jobs import job_name
from work_data_hub.orchestration.months import MONTH_TAG
from work_data_hub.plugins.registry import load_domains

pytestmark = pytest.mark.integration

LAUNCHER = (sys.executable, "-m", "work_data_hub.orchestration.dev")
READY_TIMEOUT_S = 120.0
RUN_TIMEOUT_S = 180.0
MONTH = "202411"
PARTITION = "2024-11"
BACKFILL_MONTHS = ("202409", "202410")
BACKFILL_PARTITIONS = ["2024-09", "2024-10"]
RUN_DOMAIN = "annuity_income"
PLANTED_REJECTIONS = 3
"""Rows of each generated month (seed 7) that ``annuity_income`` rejects by design."""
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
          ... on RepositoryLocation { name repositories { name jobs { name } } }
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


def _graphql(port: int, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            answer: dict[str, Any] = json.load(response)
    except urllib.error.HTTPError as refused:
        # A launch Dagster refuses (a partition key that does not parse) answers 500 with JSON.
        answer = json.loads(refused.read())
    return answer


LAUNCH_RUN = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}
"""
RUN_STATUS = """
query Status($id: ID!) { runOrError(runId: $id) { ... on Run { status tags { key value } } } }
"""
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def _served_jobs(port: int) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Return each listed job's selector (location, repository, job) and any load errors."""
    workspace = _graphql(port, JOBS_QUERY)["data"]["workspaceOrError"]
    jobs: dict[str, dict[str, str]] = {}
    errors: list[str] = []
    for entry in workspace.get("locationEntries", []):
        location = entry["locationOrLoadError"] or {}
        if location.get("__typename") == "PythonError":
            errors.append(location["message"])
        for repository in location.get("repositories", []):
            for job in repository["jobs"]:
                if job["name"].startswith("__"):
                    continue  # Dagster's implicit asset job, not one the location declares
                jobs[job["name"]] = {
                    "repositoryLocationName": location["name"],
                    "repositoryName": repository["name"],
                    "jobName": job["name"],
                }
    return jobs, errors


def _wait_for_jobs(
    launcher: subprocess.Popen[bytes], port: int, expected: set[str]
) -> dict[str, dict[str, str]]:
    deadline = time.monotonic() + READY_TIMEOUT_S
    jobs: dict[str, dict[str, str]] = {}
    while time.monotonic() < deadline:
        assert launcher.poll() is None, f"the launcher exited early with {launcher.returncode}"
        try:
            jobs, errors = _served_jobs(port)
        except (urllib.error.URLError, ConnectionError, TimeoutError, KeyError):
            jobs, errors = {}, []
        assert not errors, f"the code location failed to load: {errors}"
        if expected <= set(jobs):
            return jobs
        time.sleep(1)
    raise AssertionError(f"after {READY_TIMEOUT_S} s the webserver lists {sorted(jobs)}")


def _launch(port: int, selector: dict[str, str], tags: dict[str, str]) -> dict[str, Any]:
    """Launch the job with ``tags`` as the UI's launchpad does; return GraphQL's answer."""
    execution_tags = [{"key": key, "value": value} for key, value in tags.items()]
    params = {
        "selector": selector,
        "runConfigData": {},
        "executionMetadata": {"tags": execution_tags},
    }
    answer: dict[str, Any] = _graphql(port, LAUNCH_RUN, {"params": params})["data"]["launchRun"]
    return answer


LAUNCH_BACKFILL = """
mutation Backfill($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}
"""
BACKFILL_RUNS = """
query Runs($filter: RunsFilter!) {
  runsOrError(filter: $filter) {
    ... on Runs { results { runId status tags { key value } } }
  }
}
"""


def _backfill_to_completion(
    port: int, asset_path: list[str], partitions: list[str]
) -> list[dict[str, str]]:
    """Backfill ``partitions`` of an asset as the UI's Materialize dialog does; return run tags."""
    params = {"assetSelection": [{"path": asset_path}], "partitionNames": partitions}
    launched = _graphql(port, LAUNCH_BACKFILL, {"params": params})["data"]
    backfill = launched["launchPartitionBackfill"]
    assert backfill["__typename"] == "LaunchBackfillSuccess", backfill
    run_filter = {"tags": [{"key": "dagster/backfill", "value": backfill["backfillId"]}]}
    deadline = time.monotonic() + RUN_TIMEOUT_S
    runs: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        answer = _graphql(port, BACKFILL_RUNS, {"filter": run_filter})["data"]["runsOrError"]
        runs = answer["results"]
        if len(runs) == len(partitions) and all(run["status"] in FINISHED for run in runs):
            break
        time.sleep(1)
    assert [run["status"] for run in runs] == ["SUCCESS"] * len(partitions), runs
    return [{tag["key"]: tag["value"] for tag in run["tags"]} for run in runs]


def _run_to_completion(
    port: int, selector: dict[str, str], partition: str
) -> tuple[str, str, dict[str, str]]:
    """Launch the job for a partition as the UI's launchpad does; return id, status and tags."""
    launched = _launch(port, selector, {"dagster/partition": partition})
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = str(launched["run"]["runId"])
    deadline = time.monotonic() + RUN_TIMEOUT_S
    run: dict[str, Any] = {"status": "", "tags": []}
    while time.monotonic() < deadline:
        run = _graphql(port, RUN_STATUS, {"id": run_id})["data"]["runOrError"]
        if run["status"] in FINISHED:
            break
        time.sleep(1)
    return run_id, run["status"], {tag["key"]: tag["value"] for tag in run["tags"]}


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


def _loaded_rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.text(
                    "SELECT coalesce(sum(rows_loaded), 0) FROM pipeline_executions "
                    "WHERE domain = :domain AND status = 'succeeded'"
                ),
                {"domain": RUN_DOMAIN},
            ).scalar_one()
        )


def test_the_webserver_lists_every_job_runs_and_backfills_months_and_stops_on_sigint(
    launcher: tuple[subprocess.Popen[bytes], int], settings: Settings, wdh_engine: Engine
) -> None:
    process, port = launcher
    registry = load_domains({})
    expected = {job_name(name) for name in registry.domains}
    assert job_name(RUN_DOMAIN) in expected
    domain = registry.get(RUN_DOMAIN)
    for month in (MONTH, *BACKFILL_MONTHS):
        generate_month([domain], settings.INBOX_DIR, month, rows=200, seed=7)

    served = _wait_for_jobs(process, port, expected)
    bad_month = _launch(port, served[job_name(RUN_DOMAIN)], {"dagster/partition": "2024-13"})
    no_month = _launch(port, served[job_name(RUN_DOMAIN)], {})
    run_id, status, tags = _run_to_completion(port, served[job_name(RUN_DOMAIN)], PARTITION)
    backfilled = _backfill_to_completion(
        port, ["warehouse", domain.definition.table], BACKFILL_PARTITIONS
    )
    family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    os.killpg(process.pid, signal.SIGINT)
    exit_code = process.wait(timeout=STOP_TIMEOUT_S)

    assert set(served) == expected
    assert status == "SUCCESS", f"run {run_id} ended {status}; see dagster-dev.log"
    assert tags[MONTH_TAG] == MONTH
    assert sorted(run_tags[MONTH_TAG] for run_tags in backfilled) == list(BACKFILL_MONTHS)
    assert sorted(run_tags["dagster/partition"] for run_tags in backfilled) == BACKFILL_PARTITIONS
    assert bad_month["__typename"] != "LaunchRunSuccess"
    assert "2024-13" in bad_month["message"]
    assert no_month["__typename"] != "LaunchRunSuccess"
    assert "a domain run loads one month: choose its partition" in no_month["message"]
    assert _loaded_rows(wdh_engine) == 3 * (200 - PLANTED_REJECTIONS)
    assert exit_code == 0
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _still_running(family) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _still_running(family) == []
