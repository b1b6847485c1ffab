"""Scale-out: the same definitions run their steps on two real Celery worker processes.

Dagster's run and event storage is a PostgreSQL database; the broker is the RabbitMQ named by
``WDH_CELERY_BROKER_URL`` when it is set (CI), otherwise kombu's SQLAlchemy transport on that
PostgreSQL, so the test never needs a broker service. Three months of two domains are
materialised, as a backfill launches them (one run per partition), with
``WDH_DAGSTER_EXECUTOR=celery``; every partition's rows must be in the warehouse and both workers
must have executed steps.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from work_data_hub.config import Settings
from work_data_hub.io.sample_data import generate_month
from work_data_hub.orchestration.instance import instance_environment, write_instance_config
from work_data_hub.orchestration.jobs import job_name
from work_data_hub.plugins.registry import RegisteredDomain, load_domains
from work_data_hub.testing.databases import DatabaseServer

pytestmark = pytest.mark.integration

DOMAINS = ("annuity_performance", "annuity_income")
MONTHS = ("202409", "202410", "202411")
WORKERS = ("wdh-worker-1", "wdh-worker-2")
WORKER_READY_TIMEOUT_S = 120.0
RUNS_TIMEOUT_S = 900.0

BACKFILL = """
import json, sys
from dagster import DagsterInstance, execute_job
from dagster._core.definitions.reconstruct import ReconstructableRepository

repository = ReconstructableRepository.for_module("work_data_hub.orchestration.definitions", "defs")
outcomes = []
with DagsterInstance.get() as instance:
    for job, partition in json.loads(sys.argv[1]):
        result = execute_job(
            repository.get_reconstructable_job(job), instance, tags={"dagster/partition": partition}
        )
        outcomes.append([job, partition, result.success])
print("OUTCOMES " + json.dumps(outcomes))
"""


@pytest.fixture
def dagster_database(wdh_database_url: str) -> Iterator[str]:
    """URL of an empty database for Dagster's storage (and the default broker); dropped after."""
    with DatabaseServer.from_url(wdh_database_url).clone("template0") as url:
        yield url


@pytest.fixture
def environment(settings: Settings, dagster_database: str, tmp_path: Path) -> dict[str, str]:
    """The workers' and the runs' environment: one warehouse, one instance, the celery executor."""
    configured = Settings(
        _env_file=None, **(settings.model_dump() | {"DAGSTER_POSTGRES_URL": dagster_database})
    )
    write_instance_config(configured)
    assert settings.DATABASE_URL is not None
    base = {
        name: value
        for name, value in os.environ.items()
        if name not in Settings.model_fields and not name.startswith("DAGSTER_")
    }
    broker = os.environ.get("WDH_CELERY_BROKER_URL")
    return (
        base
        | instance_environment(configured)
        | {
            "ENVIRONMENT": "dev",
            "DATABASE_URL": settings.DATABASE_URL.get_secret_value(),
            "DAGSTER_POSTGRES_URL": dagster_database,
            "INBOX_DIR": str(settings.INBOX_DIR),
            "WDH_DATA_DIR": str(tmp_path / "data"),
            "WDH_DAGSTER_EXECUTOR": "celery",
            "LOG_LEVEL": "WARNING",
        }
        | ({"WDH_CELERY_BROKER_URL": broker} if broker else {})
    )


def _start_worker(
    name: str, log: Path, environment: dict[str, str], folder: Path
) -> subprocess.Popen[bytes]:
    command = [
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
    ]
    return subprocess.Popen(command, env=environment, cwd=folder, start_new_session=True)


@pytest.fixture
def workers(environment: dict[str, str], tmp_path: Path) -> Iterator[list[Path]]:
    """Two Celery worker processes on the ``dagster`` queue; their logs; stopped afterwards."""
    logs = [tmp_path / f"{name}.log" for name in WORKERS]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        # One after the other: the first creates the broker's and the backend's tables.
        for name, log in zip(WORKERS, logs, strict=True):
            processes.append(_start_worker(name, log, environment, tmp_path))
            deadline = time.monotonic() + WORKER_READY_TIMEOUT_S
            while not (log.exists() and "ready." in log.read_text()):
                assert processes[-1].poll() is None, f"{name} exited; see {log}"
                assert time.monotonic() < deadline, f"{name} did not become ready"
                time.sleep(0.5)
        yield logs
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)


def _month_rows(engine: Engine, domain: RegisteredDomain, month: str) -> int:
    column = sa.column(str(domain.definition.month_column))
    table = sa.table(domain.definition.table, column, schema=domain.definition.db_schema)
    query = (
        sa.select(sa.func.count())
        .select_from(table)
        .where(sa.func.to_char(column, "YYYYMM") == month)
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def test_a_backfill_of_three_months_for_two_domains_runs_on_two_celery_workers(
    settings: Settings,
    environment: dict[str, str],
    workers: list[Path],
    wdh_engine: Engine,
    tmp_path: Path,
) -> None:
    registry = load_domains({})
    domains = [registry.get(name) for name in DOMAINS]
    for month in MONTHS:
        generate_month(domains, settings.INBOX_DIR, month, rows=120, seed=int(month))
    requests = [
        [job_name(name), f"{month[:4]}-{month[4:]}"] for name in DOMAINS for month in MONTHS
    ]

    backfill = subprocess.run(
        [sys.executable, "-c", BACKFILL, json.dumps(requests)],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=RUNS_TIMEOUT_S,
        check=False,
    )

    [line] = [line for line in backfill.stdout.splitlines() if line.startswith("OUTCOMES ")]
    outcomes = json.loads(line.removeprefix("OUTCOMES "))
    assert [outcome[2] for outcome in outcomes] == [True] * len(requests), backfill.stderr[-3000:]
    for domain in domains:
        for month in MONTHS:
            assert _month_rows(wdh_engine, domain, month) > 0, (domain.name, month)
    executed = [log.read_text().count(" - STEP_SUCCESS - ") for log in workers]
    assert all(count > 0 for count in executed), executed
