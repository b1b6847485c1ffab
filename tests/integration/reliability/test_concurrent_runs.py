"""Two runs of the same month at the same time: the table ends as after one run.

Loads of one table serialise on an advisory lock, and ``delete_insert`` deletes the month's
key combinations inside the same transaction as the insert, so the second run replaces what
the first committed instead of adding to it: no duplicates, no gaps.

To make sure the two loads really overlap, a trigger holds every insert into the table until
the test lets go: the test waits until one run is held at its insert and the other is waiting
for the table's lock, and only then releases them.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine
from warehouse_state import data_rows, executions, gated_inserts, loaded_by, waiting_backends
from work_data_hub.config import Settings
from work_data_hub.io.runs import RunReport, RunRequest, run_domain
from work_data_hub.io.sample_data import generate_month
from work_data_hub.plugins.registry import get_registry

pytestmark = pytest.mark.integration

MONTH = "202411"
DOMAINS = ("annuity_performance", "annuity_income")
ROWS = {"annuity_performance": 1_500, "annuity_income": 600}


def _start_runs(
    engine: Engine, settings: Settings, domain: str, runs: int
) -> tuple[list[threading.Thread], list[RunReport]]:
    reports: list[RunReport] = []
    lock = threading.Lock()

    def run() -> None:
        report = run_domain(RunRequest(domain, month=MONTH), engine=engine, settings=settings)
        with lock:
            reports.append(report)

    workers = [threading.Thread(target=run) for _ in range(runs)]
    for worker in workers:
        worker.start()
    return workers, reports


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

    with gated_inserts(wdh_engine, table) as release:
        workers, reports = _start_runs(wdh_engine, settings, domain, runs=2)
        waiting = waiting_backends(wdh_engine, "Lock", 2)
        release()
        for worker in workers:
            worker.join(timeout=120)

    held_at_insert, held_at_table_lock = sorted(waiting, key=lambda b: "pg_advisory" in b.query)
    assert held_at_insert.query.startswith(("COPY", "INSERT")), held_at_insert
    assert "pg_advisory_xact_lock" in held_at_table_lock.query, held_at_table_lock
    assert held_at_table_lock.wait_event == "advisory", held_at_table_lock
    assert [report.status for report in reports] == ["succeeded", "succeeded"], [
        report.error for report in reports
    ]
    assert data_rows(wdh_engine, table) == one_run
    [(execution_id, count)] = loaded_by(wdh_engine, table).items()
    assert execution_id in {report.execution_id for report in reports}
    assert count == single.rows_loaded == len(one_run)
    statuses = {executions(wdh_engine)[report.execution_id].status for report in reports}
    assert statuses == {"succeeded"}
