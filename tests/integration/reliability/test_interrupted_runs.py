"""A ``workdatahub run`` stopped by SIGTERM or SIGINT in the middle of its load.

The load is held inside its ``COPY`` by a trigger that sleeps (a statement blocked in the
driver, where a signal alone would wait for the statement to end). While it is held, the run's
execution is alive (its lock session, named after it, is there): another run's look for dead
executions leaves it ``running``. Then the
signal: the process cancels its statement, rolls the load back, records the execution
``failed`` with "interrupted by SIGTERM" and exits with 128 + the signal's number, saying so in
one line, without a traceback. The table is as before.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from warehouse_state import executions, stalled_inserts, table_rows, waiting_backends
from work_data_hub.config import Settings
from work_data_hub.io.runs import RunRequest, run_domain
from work_data_hub.io.runs.liveness import mark_abandoned_runs
from work_data_hub.plugins.registry import get_registry
from work_data_hub.testing.domain_runner import write_sample_file

pytestmark = pytest.mark.integration

DOMAIN = "annuity_performance"
MONTH = "202411"
ROWS = 300
CLI = Path(sys.executable).with_name("workdatahub")


def _month_file(folder: Path, seed: int) -> Path:
    domain = get_registry().get(DOMAIN)
    frame = domain.sample(MONTH, ROWS, seed)
    path = folder / f"24年11月规模收入数据_{seed}.xlsx"
    return write_sample_file(path, frame, file_type="excel", sheet=domain.definition.source.sheet)


def _start_run(wdh_database: str, folder: Path, file: Path) -> subprocess.Popen[str]:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder),
        "ENVIRONMENT": "dev",
        "DATABASE_URL": wdh_database,
        "WDH_DATA_DIR": str(folder / "wdh"),
        "WDH_STRICT_PLUGINS": "1",
        "WDH_REJECT_THRESHOLD": "1",
    }
    return subprocess.Popen(
        [str(CLI), "run", DOMAIN, "--file", str(file)],
        cwd=folder,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _sessions_named(engine: Engine, name: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": name},
            ).scalar_one()
        )


def _sleeping_backends(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event = 'PgSleep'"
                )
            ).scalar_one()
        )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signalled_run_rolls_back_and_is_recorded_failed_with_the_signal(
    wdh_engine: Engine,
    wdh_database: str,
    settings: Settings,
    tmp_path: Path,
    signum: signal.Signals,
) -> None:
    first = run_domain(
        RunRequest(DOMAIN, file=_month_file(tmp_path, seed=1)),
        engine=wdh_engine,
        settings=settings.model_copy(update={"WDH_REJECT_THRESHOLD": 1.0}),
    )
    assert first.status == "succeeded", first.error
    before = table_rows(wdh_engine, DOMAIN)
    known = set(executions(wdh_engine))

    with stalled_inserts(wdh_engine, DOMAIN, from_source_row=2):
        process = _start_run(wdh_database, tmp_path, _month_file(tmp_path, seed=2))
        try:
            [stalled] = waiting_backends(wdh_engine, "Timeout", 1, timeout_s=120)
            assert mark_abandoned_runs(wdh_engine, found_by="a test") == []
            [running] = [row for key, row in executions(wdh_engine).items() if key not in known]
            assert running.status == "running"
            assert _sessions_named(wdh_engine, f"workdatahub {running.execution_id} lock") == 1
            signalled = time.monotonic()
            process.send_signal(signum)
            output, _ = process.communicate(timeout=60)
        finally:
            process.kill()
        stopped_after = time.monotonic() - signalled

    assert process.returncode == 128 + signum, output
    assert stopped_after < 30
    assert stalled.query.startswith("COPY"), stalled
    assert f"interrupted by {signum.name}" in output
    assert "Traceback" not in output
    recorded = executions(wdh_engine)[running.execution_id]
    assert (recorded.status, recorded.rows_loaded) == ("failed", 0)
    assert recorded.error_type == "RunInterrupted"
    assert f"interrupted by {signum.name}" in (recorded.error_details or "")
    assert table_rows(wdh_engine, DOMAIN) == before
    assert _sleeping_backends(wdh_engine) == 0
