"""Two runs of the same month at the same time: the table ends as after one run.

Loads of one table serialise on an advisory lock, and ``delete_insert`` deletes the month's
key combinations inside the same transaction as the insert, so the second run replaces what
the first committed instead of adding to it: no duplicates, no gaps.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine
from warehouse_state import data_rows, executions, loaded_by
from work_data_hub.config import Settings
from work_data_hub.io.runs import RunReport, RunRequest, run_domain
from work_data_hub.io.sample_data import generate_month
from work_data_hub.plugins import get_registry

pytestmark = pytest.mark.integration

MONTH = "202411"
DOMAINS = ("annuity_performance", "annuity_income")
ROWS = {"annuity_performance": 3_000, "annuity_income": 600}


def _run_together(engine: Engine, settings: Settings, domain: str, runs: int) -> list[RunReport]:
    """Start ``runs`` runs of ``domain`` for the month at the same instant; return their reports."""
    start = threading.Barrier(runs)
    reports: list[RunReport] = []
    lock = threading.Lock()

    def run() -> None:
        start.wait()
        report = run_domain(RunRequest(domain, month=MONTH), engine=engine, settings=settings)
        with lock:
            reports.append(report)

    workers = [threading.Thread(target=run) for _ in range(runs)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert len(reports) == runs
    return reports


@pytest.mark.parametrize("domain", DOMAINS)
def test_simultaneous_runs_of_a_month_leave_exactly_one_runs_rows(
    wdh_engine: Engine, settings: Settings, domain: str
) -> None:
    registered = get_registry().get(domain)
    generate_month([registered], settings.INBOX_DIR, MONTH, rows=ROWS[domain], seed=11)
    table = registered.definition.table
    single = run_domain(RunRequest(domain, month=MONTH), engine=wdh_engine, settings=settings)
    assert single.status == "succeeded", single.error
    one_run = data_rows(wdh_engine, table)

    reports = _run_together(wdh_engine, settings, domain, runs=2)

    assert [report.status for report in reports] == ["succeeded", "succeeded"], [
        report.error for report in reports
    ]
    assert data_rows(wdh_engine, table) == one_run
    [(execution_id, count)] = loaded_by(wdh_engine, table).items()
    assert execution_id in {report.execution_id for report in reports}
    assert count == single.rows_loaded == len(one_run)
    statuses = {executions(wdh_engine)[report.execution_id].status for report in reports}
    assert statuses == {"succeeded"}
