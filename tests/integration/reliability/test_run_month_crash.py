"""A ``workdatahub run-month`` process killed between its domains: each domain all or nothing.

``run-month`` runs the installed domains one after the other, each in its own transaction
(``annuity_income`` first, then ``annuity_performance``). The process is killed with SIGKILL
after ``annuity_income`` committed, while ``annuity_performance`` is held inside its load by a
trigger. Afterwards ``annuity_income`` holds exactly the new month and ``annuity_performance``
exactly what it held before; running the month again (the service ``run-month`` calls) then
completes both.

Nobody is left to record the killed execution's outcome: its row stays ``running`` until the
next run starts, finds that no live session holds the execution's lock, and marks it
``abandoned`` with when and why.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from warehouse_state import (
    executions,
    loaded_by,
    stalled_inserts,
    table_rows,
    terminate_backend,
    wait_for_lock_release,
    waiting_backends,
)
from work_data_hub.config import Settings
from work_data_hub.io.runs import RunRequest, run_domain, run_month
from work_data_hub.io.runs.liveness import EXECUTION_LOCK_NAMESPACE
from work_data_hub.io.sample_data import generate_month
from work_data_hub.plugins.registry import get_registry

pytestmark = pytest.mark.integration

MONTH = "202411"
FIRST, SECOND = "annuity_income", "annuity_performance"
ROWS = {FIRST: 300, SECOND: 1_200}
CLI = Path(sys.executable).with_name("workdatahub")


def _run_month(settings: Settings, wdh_database: str, folder: Path) -> subprocess.Popen[bytes]:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder),
        "ENVIRONMENT": "dev",
        "DATABASE_URL": wdh_database,
        "INBOX_DIR": str(settings.INBOX_DIR),
        "WDH_DATA_DIR": str(folder / "wdh"),
        "WDH_STRICT_PLUGINS": "1",
    }
    with (folder / "run-month.log").open("ab") as log:
        return subprocess.Popen(
            [str(CLI), "run-month", MONTH], cwd=folder, env=environment, stdout=log, stderr=log
        )


def _load_earlier_issue(engine: Engine, settings: Settings, folder: Path) -> None:
    """Load both domains from an earlier issue of the month's workbook (another seed)."""
    registry = get_registry()
    [workbook] = generate_month(
        [registry.get(FIRST), registry.get(SECOND)], folder, MONTH, rows=ROWS, seed=1
    )
    for domain in (FIRST, SECOND):
        report = run_domain(RunRequest(domain, file=workbook), engine=engine, settings=settings)
        assert report.status == "succeeded", report.error


def test_a_run_month_killed_after_its_first_domain_leaves_each_domain_whole(
    wdh_engine: Engine, settings: Settings, wdh_database: str, tmp_path: Path
) -> None:
    registry = get_registry()
    assert [name for name in registry.domains if name in ROWS] == [FIRST, SECOND]
    _load_earlier_issue(wdh_engine, settings, tmp_path / "earlier")
    second_before = table_rows(wdh_engine, SECOND)
    domains = [registry.get(FIRST), registry.get(SECOND)]
    generate_month(domains, settings.INBOX_DIR, MONTH, rows=ROWS, seed=2)
    known = set(executions(wdh_engine))

    with stalled_inserts(wdh_engine, SECOND, from_source_row=2):
        process = _run_month(settings, wdh_database, tmp_path)
        try:
            [stalled] = waiting_backends(wdh_engine, "Timeout", 1, timeout_s=120)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        terminate_backend(wdh_engine, stalled.pid)

    assert process.returncode == -signal.SIGKILL
    crashed = {key: row for key, row in executions(wdh_engine).items() if key not in known}
    by_domain = {row.domain: row for row in crashed.values()}
    assert sorted(by_domain) == [FIRST, SECOND]
    assert by_domain[FIRST].status == "succeeded"
    assert loaded_by(wdh_engine, FIRST) == {
        by_domain[FIRST].execution_id: by_domain[FIRST].rows_loaded
    }
    killed = by_domain[SECOND]
    assert killed.status == "running"
    assert (killed.pid, killed.host) == (process.pid, socket.gethostname())
    assert killed.lock_key is not None
    assert table_rows(wdh_engine, SECOND) == second_before
    wait_for_lock_release(wdh_engine, EXECUTION_LOCK_NAMESPACE, killed.lock_key)

    reruns = run_month(MONTH, engine=wdh_engine, settings=settings)
    assert [report.status for report in reruns] == ["succeeded", "succeeded"]
    abandoned = executions(wdh_engine)[killed.execution_id]
    assert (abandoned.status, abandoned.rows_loaded) == ("abandoned", 0)
    assert abandoned.error_type == "RunAbandoned"
    assert abandoned.abandoned_at is not None
    why = abandoned.error_details or ""
    assert f"pid {process.pid} on host {socket.gethostname()}" in why
    assert f"execution {reruns[0].execution_id}" in why
    completed = {
        row.domain: row
        for key, row in executions(wdh_engine).items()
        if key not in known and key not in crashed
    }
    assert {row.status for row in completed.values()} == {"succeeded"}
    for domain in (FIRST, SECOND):
        assert loaded_by(wdh_engine, domain) == {
            completed[domain].execution_id: completed[domain].rows_loaded
        }
