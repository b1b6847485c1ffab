"""The audit trail: running → succeeded with the load's transaction, or failed on its own."""

from __future__ import annotations

import math
import uuid
from collections.abc import MutableMapping
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from loader_support import MakeLoader, execute, table_rows
from sqlalchemy import Engine
from work_data_hub.io.loader import AuditError, AuditWriter

pytestmark = pytest.mark.integration

EXECUTION_COLUMNS = (
    "domain, pipeline_name, status, finished_at IS NOT NULL, rows_read, rows_loaded, "
    "rows_rejected, dry_run, error_type, environment, metadata"
)


def execution(engine: Engine, execution_id: str) -> tuple[Any, ...]:
    query = sa.text(f"SELECT {EXECUTION_COLUMNS} FROM pipeline_executions WHERE execution_id = :id")
    with engine.connect() as connection:
        return tuple(connection.execute(query, {"id": execution_id}).one())


def error_details(engine: Engine, execution_id: str) -> str:
    query = sa.text("SELECT error_details FROM pipeline_executions WHERE execution_id = :id")
    with engine.connect() as connection:
        return str(connection.execute(query, {"id": execution_id}).scalar_one())


@pytest.fixture
def started(wdh_engine: Engine) -> str:
    execution_id = str(uuid.uuid4())
    AuditWriter(wdh_engine).start(
        execution_id,
        "annuity",
        input_file="inbox/202411/file.xlsx",
        input_checksum="abc",
        sheet="规模明细",
        target_table="public.facts",
        metadata={"month": "202411"},
    )
    return execution_id


def test_start_commits_a_running_row_visible_to_everyone(wdh_engine: Engine, started: str) -> None:
    assert execution(wdh_engine, started) == (
        "annuity",
        "annuity",
        "running",
        False,
        None,
        None,
        None,
        False,
        None,
        "dev",
        {"month": "202411"},
    )


def test_success_commits_with_the_load_or_not_at_all(
    make_loader: MakeLoader, wdh_engine: Engine, started: str
) -> None:
    execute(wdh_engine, "CREATE TABLE facts (n integer)")
    loader, audit = make_loader(), AuditWriter(wdh_engine)

    def load_then_fail() -> None:
        with loader.transaction() as tx:
            loader.load_dataframe(pd.DataFrame({"n": [1]}), "facts", tx=tx)
            audit.finish_succeeded(started, rows_read=1, rows_loaded=1, rows_rejected=0, tx=tx)
            raise RuntimeError("the commit never happens")

    with pytest.raises(RuntimeError):
        load_then_fail()

    assert execution(wdh_engine, started)[2] == "running"
    assert table_rows(wdh_engine, "facts") == []

    with loader.transaction() as tx:
        loader.load_dataframe(pd.DataFrame({"n": [1, 2]}), "facts", tx=tx)
        audit.finish_succeeded(
            started, rows_read=3, rows_loaded=2, rows_rejected=1, metadata={"note": "ok"}, tx=tx
        )

    assert execution(wdh_engine, started)[2:] == (
        "succeeded",
        True,
        3,
        2,
        1,
        False,
        None,
        "dev",
        {"month": "202411", "note": "ok"},
    )
    assert table_rows(wdh_engine, "facts") == [(1,), (2,)]


def test_finishing_a_run_that_never_started_rolls_its_load_back(
    make_loader: MakeLoader, wdh_engine: Engine
) -> None:
    execute(wdh_engine, "CREATE TABLE facts (n integer)")
    loader = make_loader()

    def load_unaudited() -> None:
        with loader.transaction() as tx:
            loader.load_dataframe(pd.DataFrame({"n": [1]}), "facts", tx=tx)
            AuditWriter(wdh_engine).finish_succeeded(str(uuid.uuid4()), tx=tx)

    with pytest.raises(AuditError, match="never started"):
        load_unaudited()

    assert table_rows(wdh_engine, "facts") == []


def test_failure_records_the_error_chain_without_passwords(
    wdh_engine: Engine, started: str
) -> None:
    try:
        try:
            raise ValueError("password=hunter2 rejected")
        except ValueError as cause:
            raise RuntimeError("cannot reach postgresql://etl:hunter2@db:5432/warehouse") from cause
    except RuntimeError as error:
        AuditWriter(wdh_engine).finish_failed(started, error, rows_read=10, rows_rejected=2)

    row = execution(wdh_engine, started)
    details = error_details(wdh_engine, started)
    assert row[2:9] == ("failed", True, 10, 0, 2, False, "RuntimeError")
    assert "hunter2" not in details
    assert details == (
        "RuntimeError: cannot reach postgresql://etl:***@db:5432/warehouse\n"
        "caused by: ValueError: password=*** rejected"
    )


def test_the_engine_password_is_masked_even_outside_a_url(wdh_database: str, started: str) -> None:
    engine = sa.create_engine(
        sa.make_url(wdh_database).set(password="Plain-Secret-42"), poolclass=sa.pool.NullPool
    )
    audit = AuditWriter(engine)

    audit.finish_failed(started, RuntimeError("server said: Plain-Secret-42 is wrong"))
    engine.dispose()

    checker = sa.create_engine(wdh_database, poolclass=sa.pool.NullPool)
    assert error_details(checker, started) == "RuntimeError: server said: *** is wrong"
    checker.dispose()


def test_failing_a_run_that_never_started_is_logged_not_raised(
    wdh_engine: Engine, log_events: list[MutableMapping[str, Any]]
) -> None:
    AuditWriter(wdh_engine).finish_failed(str(uuid.uuid4()), "TimeoutError")

    assert [event["event"] for event in log_events if event["log_level"] == "error"] == [
        "failed run not recorded"
    ]


def test_metrics_are_stored_one_row_each(wdh_engine: Engine, started: str) -> None:
    written = AuditWriter(wdh_engine).record_metrics(
        started,
        {"rows_read": 10, "rejected_share": 0.25, "broken": math.nan, "exact": Decimal("1.5")},
        details={"rejected_share": {"threshold": 0.05, "when": date(2024, 11, 1)}},
    )

    query = sa.text(
        "SELECT metric_name, metric_value, details FROM data_quality_metrics "
        "WHERE execution_id = :id ORDER BY metric_name"
    )
    with wdh_engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(query, {"id": started})]
    assert written == 4
    assert rows == [
        ("broken", None, None),
        ("exact", 1.5, None),
        ("rejected_share", 0.25, {"threshold": 0.05, "when": "2024-11-01"}),
        ("rows_read", 10.0, None),
    ]


def test_rejected_rows_keep_row_column_reason_and_the_raw_row(
    wdh_engine: Engine, started: str
) -> None:
    rejected = pd.DataFrame(
        {
            "source_row": [5, None, 7],
            "column": ["计划代码", None, "amount"],
            "reason": ["plan code is required", "empty row", None],
            "raw": [
                {"计划代码": "", "月度": pd.Timestamp("2024-11-01"), "n": math.nan},
                None,
                {"amount": "12\x003", "big": Decimal("1.10"), "inf": math.inf},
            ],
        }
    )

    written = AuditWriter(wdh_engine).record_rejections(
        started, rejected, source_file="inbox/file.xlsx", sheet="规模明细"
    )

    query = sa.text(
        "SELECT source_file, sheet, source_row, column_name, reason, raw_row FROM rejected_rows "
        "WHERE execution_id = :id ORDER BY id"
    )
    with wdh_engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(query, {"id": started})]
    assert written == 3
    assert rows == [
        (
            "inbox/file.xlsx",
            "规模明细",
            5,
            "计划代码",
            "plan code is required",
            {"计划代码": "", "月度": "2024-11-01T00:00:00", "n": None},
        ),
        ("inbox/file.xlsx", "规模明细", None, None, "empty row", None),
        (
            "inbox/file.xlsx",
            "规模明细",
            7,
            "amount",
            "no reason recorded",
            {"amount": "12\ufffd3", "big": "1.10", "inf": "inf"},
        ),
    ]


def test_rejections_without_the_standard_columns_are_refused(
    wdh_engine: Engine, started: str
) -> None:
    with pytest.raises(AuditError, match="reason"):
        AuditWriter(wdh_engine).record_rejections(
            started, pd.DataFrame({"source_row": [1], "column": ["a"], "raw": [{}]})
        )
