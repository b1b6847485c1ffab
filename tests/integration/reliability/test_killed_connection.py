"""The database connection killed in the middle of a load: nothing of the load remains.

A first run loads a month. A second run of the same month (a re-issued file) is stopped inside
its ``delete_insert`` transaction, after the DELETE and part of the COPY, by a trigger that
sleeps at source row 1,000; another connection then kills that backend with
``pg_terminate_backend``. The table must be exactly as the first run left it, the second
execution recorded as failed, and a rerun must load the new file.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine
from warehouse_state import (
    data_rows,
    executions,
    loaded_by,
    stalled_inserts,
    table_rows,
    terminate_backend,
    waiting_backends,
)
from work_data_hub.config import Settings
from work_data_hub.io.runs import RunReport, RunRequest, run_domain
from work_data_hub.plugins.registry import get_registry
from work_data_hub.testing.domain_runner import write_sample_file

pytestmark = pytest.mark.integration

DOMAIN = "annuity_performance"
TABLE = "annuity_performance"
MONTH = "202411"
ROWS = 2_000
STALL_AT_ROW = 1_000


def _month_file(folder: Path, seed: int) -> Path:
    domain = get_registry().get(DOMAIN)
    frame = domain.sample(MONTH, ROWS, seed)
    path = folder / f"24年11月规模收入数据_{seed}.xlsx"
    return write_sample_file(path, frame, file_type="excel", sheet=domain.definition.source.sheet)


def _run(engine: Engine, settings: Settings, file: Path) -> RunReport:
    return run_domain(RunRequest(DOMAIN, file=file), engine=engine, settings=settings)


def test_a_load_killed_mid_copy_leaves_the_table_as_before_and_a_rerun_succeeds(
    wdh_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    first = _run(wdh_engine, settings, _month_file(tmp_path, seed=1))
    assert first.status == "succeeded", first.error
    before = table_rows(wdh_engine, TABLE)
    first_data = data_rows(wdh_engine, TABLE)
    reissued = _month_file(tmp_path, seed=2)

    outcome: list[RunReport] = []
    with stalled_inserts(wdh_engine, TABLE, from_source_row=STALL_AT_ROW):
        worker = threading.Thread(
            target=lambda: outcome.append(_run(wdh_engine, settings, reissued))
        )
        worker.start()
        [stalled] = waiting_backends(wdh_engine, "Timeout", 1)
        terminate_backend(wdh_engine, stalled.pid)
        worker.join(timeout=60)
    assert not worker.is_alive()

    [killed] = outcome
    assert (stalled.wait_event, stalled.query[:4]) == ("PgSleep", "COPY"), stalled
    assert killed.status == "failed"
    assert killed.rows_loaded == 0
    assert table_rows(wdh_engine, TABLE) == before
    recorded = executions(wdh_engine)[killed.execution_id]
    assert (recorded.status, recorded.rows_loaded) == ("failed", 0)
    assert recorded.error_type == killed.error_type
    assert "terminat" in (recorded.error_details or "")

    rerun = _run(wdh_engine, settings, reissued)
    assert rerun.status == "succeeded", rerun.error
    assert loaded_by(wdh_engine, TABLE) == {rerun.execution_id: rerun.rows_loaded}
    assert rerun.rows_loaded == ROWS - rerun.rows_rejected
    assert data_rows(wdh_engine, TABLE) != first_data
    assert executions(wdh_engine)[rerun.execution_id].status == "succeeded"
