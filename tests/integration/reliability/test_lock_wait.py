"""A load waits for its table's lock for a bounded time, then fails naming who holds it.

Another session takes the table's load lock (as a stuck load would) and keeps it. A run with
``WDH_TABLE_LOCK_WAIT_S=1`` must end ``failed`` within seconds, its message naming the holder's
backend process id and ``application_name``, with the table exactly as before. Once the holder
lets go, the same run loads.

The connection settings reach the server: every connection has the timeouts, TCP keepalives
and ``application_name`` of the settings, and a load's session names its execution (cut to
PostgreSQL's 63 bytes).
"""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from warehouse_state import executions, table_rows, waiting_backends
from work_data_hub.config import Settings, get_settings
from work_data_hub.io.database import create_engine_for
from work_data_hub.io.runs import RunReport, RunRequest, run_domain
from work_data_hub.io.sample_data import generate_month
from work_data_hub.plugins.registry import get_registry

pytestmark = pytest.mark.integration

DOMAIN = "annuity_performance"
MONTH = "202411"
HOLDER = "wdh-test-lock-holder"


def _run(engine: Engine, settings: Settings) -> RunReport:
    return run_domain(RunRequest(DOMAIN, month=MONTH), engine=engine, settings=settings)


def test_a_load_blocked_by_a_held_table_lock_fails_naming_the_holder(
    wdh_engine: Engine, settings: Settings
) -> None:
    generate_month([get_registry().get(DOMAIN)], settings.INBOX_DIR, MONTH, rows=200, seed=3)
    short_wait = settings.model_copy(
        update={"WDH_TABLE_LOCK_WAIT_S": 1.0, "WDH_REJECT_THRESHOLD": 1.0}
    )
    first = _run(wdh_engine, short_wait)
    assert first.status == "succeeded", first.error
    before = table_rows(wdh_engine, DOMAIN)

    with wdh_engine.connect() as holder:
        holder.execute(
            sa.text("SELECT set_config('application_name', :name, false)"), {"name": HOLDER}
        )
        holder_pid = holder.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        holder.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))"),
            {"name": f"public.{DOMAIN}"},
        )
        started = time.monotonic()
        blocked = _run(wdh_engine, short_wait)
        waited = time.monotonic() - started
        holder.rollback()

    assert blocked.status == "failed"
    assert blocked.error_type == "TableLockTimeout"
    assert waited < 30
    for named in (f"backend pid {holder_pid}", repr(HOLDER), "WDH_TABLE_LOCK_WAIT_S"):
        assert named in (blocked.error or ""), blocked.error
    recorded = executions(wdh_engine)[blocked.execution_id]
    assert (recorded.status, recorded.rows_loaded) == ("failed", 0)
    assert f"backend pid {holder_pid}" in (recorded.error_details or "")
    assert table_rows(wdh_engine, DOMAIN) == before

    again = _run(wdh_engine, short_wait)
    assert again.status == "succeeded", again.error


def test_connections_carry_the_timeouts_keepalives_and_run_names_of_the_settings(
    wdh_engine: Engine,
    wdh_database: str,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "WDH_DB_STATEMENT_TIMEOUT_S": "90",
        "WDH_DB_LOCK_TIMEOUT_S": "7.5",
        "WDH_DB_IDLE_IN_TRANSACTION_TIMEOUT_S": "120",
        "WDH_DB_CONNECT_TIMEOUT_S": "4",
        "WDH_DB_KEEPALIVES_IDLE_S": "11",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        engine = create_engine_for(wdh_database)
    finally:
        get_settings.cache_clear()
    try:
        with engine.connect() as connection:
            shown = connection.execute(
                sa.text(
                    "SELECT current_setting('statement_timeout'), current_setting('lock_timeout'),"
                    " current_setting('idle_in_transaction_session_timeout'),"
                    " current_setting('application_name')"
                )
            ).one()
            dsn = connection.connection.dbapi_connection.get_dsn_parameters()  # type: ignore[union-attr]
    finally:
        engine.dispose()
    assert tuple(shown) == ("90s", "7500ms", "2min", "workdatahub")
    assert (dsn["connect_timeout"], dsn["keepalives"], dsn["keepalives_idle"]) == ("4", "1", "11")

    generate_month([get_registry().get(DOMAIN)], settings.INBOX_DIR, MONTH, rows=150, seed=4)
    names: list[str] = []
    with wdh_engine.connect() as gate:
        gate.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))"),
            {"name": f"public.{DOMAIN}"},
        )
        reports: list[RunReport] = []
        worker = threading.Thread(
            target=lambda: reports.append(
                _run(wdh_engine, settings.model_copy(update={"WDH_REJECT_THRESHOLD": 1.0}))
            )
        )
        worker.start()
        [waiting] = waiting_backends(wdh_engine, "Lock", 1)
        names = [
            str(
                gate.execute(
                    sa.text("SELECT application_name FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": waiting.pid},
                ).scalar_one()
            )
        ]
        gate.rollback()
        worker.join(timeout=60)
    [report] = reports
    assert report.status == "succeeded", report.error
    assert names == [f"workdatahub {report.execution_id} {DOMAIN}"[:63]]
