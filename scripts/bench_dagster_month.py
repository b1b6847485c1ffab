"""Time one month of a domain asset through Dagster: in this process, and through the UI.

A generated month (``--rows`` 规模明细 rows of ``annuity_performance``) is written to a temporary
inbox, and a new database ``wdh_bench_<pid>_<random>`` is created and migrated on the server of
``--dsn`` (default ``DATABASE_URL``, else the embedded PostgreSQL), then dropped at the end.

- **in process**: ``<domain>_job.execute_in_process(partition_key=...)`` on an ephemeral
  instance, imports and definitions already loaded: the run's own cost.
- **through Celery** (``--celery``): two ``celery -A work_data_hub.orchestration.celery_worker``
  workers and a run started with ``execute_job`` and ``WDH_DAGSTER_EXECUTOR=celery``, Dagster's
  storage and the broker (kombu's SQLAlchemy transport) in a second new database; timed from
  the start of the run's process until it finished (the workers already running).
- **through the UI** (``--ui``): ``python -m work_data_hub.orchestration.dev`` (``make
  dagster``) on a free port, a run launched through its GraphQL API for the partition as the
  Launchpad does, timed from the launch until Dagster reports it finished; once with the
  default in-process executor, once with ``WDH_DAGSTER_EXECUTOR=multiprocess``.

Usage: ``.venv/bin/python scripts/bench_dagster_month.py [--rows 35000] [--ui] [--celery]
[--dsn URL]``.
The last line printed is one JSON object with the seconds of each measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DOMAIN = "annuity_performance"
MONTH = "202411"
PARTITION = "2024-11"
READY_TIMEOUT_S = 180.0
RUN_TIMEOUT_S = 600.0
JOBS_QUERY = """
{ workspaceOrError { ... on Workspace { locationEntries { name locationOrLoadError {
  ... on RepositoryLocation { name repositories { name jobs { name } } } } } } } }
"""
LAUNCH_RUN = """
mutation Launch($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }
"""
RUN_STATUS = """
query S($id: ID!) { runOrError(runId: $id) {
  ... on Run { status creationTime startTime endTime } } }
"""
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def _graphql(port: int, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (http://127.0.0.1)
        answer: dict[str, Any] = json.load(response)["data"]
    return answer


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BenchDatabase:
    """A uniquely named database on the server of ``dsn``: created (and migrated), then dropped."""

    def __init__(self, dsn: str, *, migrate: bool = True) -> None:
        from sqlalchemy import make_url
        from work_data_hub.io.database import normalise_url, render_url

        self.migrate = migrate
        self.name = f"wdh_bench_{os.getpid()}_{secrets.token_hex(4)}"
        server = normalise_url(dsn)
        self.url = render_url(server.set(database=self.name))
        self._maintenance = render_url(server.set(database=make_url(dsn).database or "postgres"))

    def __enter__(self) -> str:
        from work_data_hub.io.database import create_database_if_missing
        from work_data_hub.io.schema.migrate import upgrade

        create_database_if_missing(self.url, maintenance_database="postgres")
        if self.migrate:
            upgrade(self.url)
        return self.url

    def __exit__(self, *exc_info: object) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool
        from work_data_hub.io.database import normalise_url

        engine = create_engine(
            normalise_url(self._maintenance), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        engine.dispose()


def in_process(url: str, inbox: Path, home: Path) -> dict[str, Any]:
    """Seconds of one partition run in this process (ephemeral instance), and its rows."""
    from dagster import DagsterInstance
    from work_data_hub.config import Settings
    from work_data_hub.orchestration.assets import node_name
    from work_data_hub.orchestration.definitions import build_definitions
    from work_data_hub.orchestration.jobs import job_name
    from work_data_hub.orchestration.resources import WarehouseResource
    from work_data_hub.plugins.registry import load_domains

    settings = Settings(
        _env_file=None, ENVIRONMENT="dev", DATABASE_URL=url, INBOX_DIR=inbox, DAGSTER_HOME=home
    )
    registry = load_domains({})
    definitions = build_definitions(
        registry, settings=settings, warehouse=WarehouseResource(database_url=url)
    )
    job = definitions.resolve_job_def(job_name(DOMAIN))
    started = time.perf_counter()
    result = job.execute_in_process(partition_key=PARTITION, instance=DagsterInstance.ephemeral())
    seconds = time.perf_counter() - started
    report = result.output_for_node(f"{node_name(registry.get(DOMAIN))}.load")
    return {
        "seconds": round(seconds, 2),
        "rows_read": report.rows_read,
        "stages": report.stage_durations,
    }


def through_ui(url: str, inbox: Path, root: Path, executor: str) -> dict[str, float]:
    """Seconds from launching the partition in ``make dagster``'s UI until the run finished."""
    port = _free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DAGSTER_", "WDH_"))
    } | {
        "ENVIRONMENT": "dev",
        "DATABASE_URL": url,
        "INBOX_DIR": str(inbox),
        "WDH_DATA_DIR": str(root / f"data-{executor}"),
        "WDH_DAGSTER_EXECUTOR": executor,
        "LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 (this interpreter, our launcher)
        [sys.executable, "-m", "work_data_hub.orchestration.dev", "--port", str(port)],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        selector = _wait_for_job(port, started)
        ready = time.perf_counter() - started
        params = {
            "selector": selector,
            "runConfigData": {},
            "executionMetadata": {"tags": [{"key": "dagster/partition", "value": PARTITION}]},
        }
        launched_at = time.perf_counter()
        launched = _graphql(port, LAUNCH_RUN, {"params": params})["launchRun"]
        if launched["__typename"] != "LaunchRunSuccess":
            raise RuntimeError(f"launch refused: {launched}")
        run = _wait_for_run(port, launched["run"]["runId"])
        seconds = time.perf_counter() - launched_at
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
    if run["status"] != "SUCCESS":
        raise RuntimeError(f"the run ended {run['status']}")
    return {
        "ui_ready_s": round(ready, 1),
        "run_s": round(seconds, 1),
        "queued_and_starting_s": round(run["startTime"] - run["creationTime"], 1),
        "started_to_finished_s": round(run["endTime"] - run["startTime"], 1),
    }


CELERY_RUN = """
import sys, time
from dagster import DagsterInstance, execute_job
from dagster._core.definitions.reconstruct import ReconstructableRepository

started = time.perf_counter()
repository = ReconstructableRepository.for_module("work_data_hub.orchestration.definitions", "defs")
with DagsterInstance.get() as instance:
    job = repository.get_reconstructable_job(sys.argv[1])
    result = execute_job(job, instance, tags={"dagster/partition": sys.argv[2]})
print("RESULT", result.success, round(time.perf_counter() - started, 1))
"""


def through_celery(url: str, storage_url: str, inbox: Path, root: Path) -> dict[str, Any]:
    """Seconds of one partition run whose steps run on two Celery workers."""
    from work_data_hub.config import Settings
    from work_data_hub.orchestration.instance import instance_environment, write_instance_config

    home = root / "celery-home"
    settings = Settings(
        _env_file=None,
        ENVIRONMENT="dev",
        DATABASE_URL=url,
        DAGSTER_POSTGRES_URL=storage_url,
        INBOX_DIR=inbox,
        DAGSTER_HOME=home,
    )
    write_instance_config(settings)
    env = (
        {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("DAGSTER_", "WDH_"))
        }
        | instance_environment(settings)
        | {
            "ENVIRONMENT": "dev",
            "DATABASE_URL": url,
            "DAGSTER_POSTGRES_URL": storage_url,
            "INBOX_DIR": str(inbox),
            "WDH_DAGSTER_EXECUTOR": "celery",
            "LOG_LEVEL": "WARNING",
        }
    )
    workers = []
    try:
        for name in ("bench-1", "bench-2"):
            log = root / f"{name}.log"
            workers.append(
                subprocess.Popen(  # noqa: S603 (this interpreter, celery)
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "work_data_hub.orchestration.celery_worker",
                        "worker",
                        "-Q",
                        "dagster",
                        "--pool",
                        "solo",
                        "-n",
                        f"{name}@%h",
                        "-l",
                        "info",
                        "--logfile",
                        str(log),
                    ],
                    env=env,
                    cwd=root,
                    start_new_session=True,
                )
            )
            deadline = time.perf_counter() + READY_TIMEOUT_S
            while not (log.exists() and "ready." in log.read_text()):
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"worker {name} did not start")
                time.sleep(0.5)
        started = time.perf_counter()
        finished = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
            [sys.executable, "-c", CELERY_RUN, f"{DOMAIN}_job", PARTITION],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if finished.returncode != 0:
            raise RuntimeError(f"the Celery run's process failed: {finished.stderr[-3000:]}")
        output = finished.stdout
        seconds = time.perf_counter() - started
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
    [line] = [line for line in output.splitlines() if line.startswith("RESULT ")]
    _, success, in_run = line.split()
    if success != "True":
        raise RuntimeError("the Celery run failed")
    return {"process_s": round(seconds, 1), "execute_job_s": float(in_run)}


def _wait_for_job(port: int, started: float) -> dict[str, str]:
    while time.perf_counter() - started < READY_TIMEOUT_S:
        try:
            entries = _graphql(port, JOBS_QUERY)["workspaceOrError"]["locationEntries"]
        except (urllib.error.URLError, ConnectionError, TimeoutError, KeyError):
            entries = []
        for entry in entries:
            location = entry["locationOrLoadError"] or {}
            for repository in location.get("repositories", []):
                if any(job["name"] == f"{DOMAIN}_job" for job in repository["jobs"]):
                    return {
                        "repositoryLocationName": entry["name"],
                        "repositoryName": repository["name"],
                        "jobName": f"{DOMAIN}_job",
                    }
        time.sleep(0.5)
    raise RuntimeError(f"the UI did not list {DOMAIN}_job within {READY_TIMEOUT_S} s")


def _wait_for_run(port: int, run_id: str) -> dict[str, Any]:
    """Poll the run until it finished; return its status and creation, start and end times."""
    deadline = time.perf_counter() + RUN_TIMEOUT_S
    run: dict[str, Any] = {"status": ""}
    while time.perf_counter() < deadline:
        run = _graphql(port, RUN_STATUS, {"id": run_id})["runOrError"]
        if run["status"] in FINISHED:
            return run
        time.sleep(0.25)
    return run


def _server_url(dsn: str | None) -> str:
    from work_data_hub.config import get_settings
    from work_data_hub.io.database import resolve_database_url

    if dsn is not None:
        return dsn
    return resolve_database_url(get_settings(require_database=False), allow_embedded=True)


def main(argv: list[str]) -> int:
    """Generate the month, run the measurements, print them; the last line is JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=35_000)
    parser.add_argument("--ui", action="store_true", help="also time runs launched in the UI")
    parser.add_argument("--celery", action="store_true", help="also time a run on Celery workers")
    parser.add_argument("--dsn", default=None, help="PostgreSQL server (default DATABASE_URL)")
    args = parser.parse_args(argv)
    from work_data_hub.io.sample_data import generate_month
    from work_data_hub.plugins.registry import load_domains

    figures: dict[str, Any] = {"rows": args.rows, "domain": DOMAIN, "month": MONTH}
    with tempfile.TemporaryDirectory(prefix="wdh-bench-dagster-") as folder:
        root = Path(folder)
        inbox = root / "inbox"
        generate_month([load_domains({}).get(DOMAIN)], inbox, MONTH, args.rows, seed=7)
        with BenchDatabase(_server_url(args.dsn)) as url:
            figures["in_process"] = in_process(url, inbox, root / "home")
            print(f"in process: {figures['in_process']['seconds']} s", flush=True)
            if args.celery:
                with BenchDatabase(_server_url(args.dsn), migrate=False) as storage_url:
                    figures["celery"] = through_celery(url, storage_url, inbox, root)
                print(f"Celery workers: {figures['celery']}", flush=True)
            if args.ui:
                for executor in ("in_process", "multiprocess"):
                    figures[f"ui_{executor}"] = through_ui(url, inbox, root, executor)
                    print(f"UI, {executor} executor: {figures[f'ui_{executor}']}", flush=True)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
