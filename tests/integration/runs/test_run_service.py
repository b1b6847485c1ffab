"""run_domain / run_month against real PostgreSQL: rows conserved, audited, atomic, idempotent."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from work_data_hub.config import Settings
from work_data_hub.io.runs import RunRequest, run_domain, run_month
from work_data_hub.plugins.registry import DomainRegistry

from .conftest import MONTH

pytestmark = pytest.mark.integration


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


def _execution(engine: Engine, execution_id: str) -> dict[str, object]:
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT * FROM pipeline_executions WHERE execution_id = :id"), {"id": execution_id}
        )
        return dict(row.mappings().one())


def test_a_month_loads_every_valid_row_and_reports_every_rejected_one(
    wdh_engine: Engine, registry: DomainRegistry, settings: Settings
) -> None:
    report = run_domain(
        RunRequest("annuity_performance", month=MONTH),
        engine=wdh_engine,
        registry=registry,
        settings=settings,
    )

    assert report.status == "succeeded", report.error
    assert report.rows_read == 600
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    assert report.rows_rejected == 4
    assert all(entry["row"] in range(2, 602) and entry["reason"] for entry in report.rejected)
    assert _count(wdh_engine, "annuity_performance") == report.rows_loaded
    execution = _execution(wdh_engine, report.execution_id)
    assert execution["status"] == "succeeded"
    assert (execution["rows_read"], execution["rows_loaded"], execution["rows_rejected"]) == (
        report.rows_read,
        report.rows_loaded,
        report.rows_rejected,
    )
    with wdh_engine.connect() as connection:
        stored_rejections = connection.execute(
            text("SELECT count(DISTINCT source_row) FROM rejected_rows WHERE execution_id = :id"),
            {"id": report.execution_id},
        ).scalar_one()
        lineage = connection.execute(
            text(
                "SELECT count(*) FROM annuity_performance "
                "WHERE wdh_execution_id = :id AND wdh_source_row BETWEEN 2 AND 601"
            ),
            {"id": report.execution_id},
        ).scalar_one()
    assert stored_rejections == report.rows_rejected
    assert lineage == report.rows_loaded


def test_rerunning_a_month_replaces_its_rows(
    wdh_engine: Engine, registry: DomainRegistry, settings: Settings
) -> None:
    request = RunRequest("annuity_income", month=MONTH)
    first = run_domain(request, engine=wdh_engine, registry=registry, settings=settings)
    with wdh_engine.connect() as connection:
        before = pd.read_sql(text("SELECT * FROM annuity_income"), connection)
    second = run_domain(request, engine=wdh_engine, registry=registry, settings=settings)
    with wdh_engine.connect() as connection:
        after = pd.read_sql(text("SELECT * FROM annuity_income"), connection)

    assert first.succeeded
    assert second.succeeded
    assert len(after) == len(before) == first.rows_loaded
    business = [c for c in after.columns if not c.startswith("wdh_")]
    key = ["wdh_source_row"]
    assert (
        before.sort_values(key)[business]
        .reset_index(drop=True)
        .equals(after.sort_values(key)[business].reset_index(drop=True))
    )
    assert set(after["wdh_execution_id"].astype(str)) == {second.execution_id}


def test_a_dry_run_commits_nothing_but_its_audit(
    wdh_engine: Engine, registry: DomainRegistry, settings: Settings
) -> None:
    report = run_domain(
        RunRequest("annuity_performance", month=MONTH, dry_run=True),
        engine=wdh_engine,
        registry=registry,
        settings=settings,
    )

    assert report.succeeded
    assert report.dry_run
    assert report.rows_loaded + report.rows_rejected == report.rows_read
    assert _count(wdh_engine, "annuity_performance") == 0
    execution = _execution(wdh_engine, report.execution_id)
    assert execution["status"] == "succeeded"
    assert execution["dry_run"] is True
    assert execution["rows_loaded"] == 0


def test_a_corrupt_file_fails_cleanly_and_leaves_the_table_as_it_was(
    wdh_engine: Engine, registry: DomainRegistry, settings: Settings, tmp_path: Path
) -> None:
    loaded = run_domain(
        RunRequest("annuity_performance", month=MONTH),
        engine=wdh_engine,
        registry=registry,
        settings=settings,
    )
    corrupt = tmp_path / "规模收入数据.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 this is not a workbook")

    report = run_domain(
        RunRequest("annuity_performance", file=corrupt),
        engine=wdh_engine,
        registry=registry,
        settings=settings,
    )

    assert report.status == "failed"
    assert corrupt.name in (report.error or "")
    assert _count(wdh_engine, "annuity_performance") == loaded.rows_loaded
    assert _execution(wdh_engine, report.execution_id)["status"] == "failed"


def test_a_rejected_share_above_the_threshold_loads_nothing(
    wdh_engine: Engine, registry: DomainRegistry, settings: Settings
) -> None:
    strict = settings.model_copy(update={"WDH_REJECT_THRESHOLD": 0.0})

    report = run_domain(
        RunRequest("annuity_performance", month=MONTH),
        engine=wdh_engine,
        registry=registry,
        settings=strict,
    )

    assert report.status == "failed"
    assert report.threshold_exceeded
    assert "threshold" in (report.error or "")
    assert _count(wdh_engine, "annuity_performance") == 0
    with wdh_engine.connect() as connection:
        kept = connection.execute(
            text("SELECT count(*) FROM rejected_rows WHERE execution_id = :id"),
            {"id": report.execution_id},
        ).scalar_one()
    assert kept == len(report.rejected)


def test_run_month_runs_every_domain_with_a_file(
    wdh_engine: Engine, registry: DomainRegistry, settings: Settings
) -> None:
    stages: dict[str, list[tuple[str, int | None]]] = {}

    def progress(domain: str) -> Callable[[str, int | None], None]:
        return lambda stage, rows: stages.setdefault(domain, []).append((stage, rows))

    reports = run_month(
        MONTH, engine=wdh_engine, registry=registry, settings=settings, progress=progress
    )

    assert sorted(report.domain for report in reports) == [
        "annuity_income",
        "annuity_performance",
        "sample_csv",
    ]
    assert all(report.succeeded for report in reports)
    assert _count(wdh_engine, "sample_csv") == 600
    assert stages["annuity_performance"] == [("read", None), ("transform", 600), ("load", 596)]
    assert set(stages) == {report.domain for report in reports}
    assert _count(wdh_engine, "annuity_income") == 597
    assert _count(wdh_engine, "annuity_performance") == 596


def test_the_audit_names_the_file_by_its_absolute_path_and_checksum(
    wdh_engine: Engine,
    registry: DomainRegistry,
    settings: Settings,
    inbox: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    [workbook] = inbox.glob("**/*.xlsx")
    (tmp_path / "in.xlsx").write_bytes(workbook.read_bytes())
    monkeypatch.chdir(tmp_path)

    report = run_domain(
        RunRequest("annuity_performance", file=Path("in.xlsx"), dry_run=True),
        engine=wdh_engine,
        registry=registry,
        settings=settings,
    )

    execution = _execution(wdh_engine, report.execution_id)
    assert execution["input_file"] == str((tmp_path / "in.xlsx").resolve())
    assert Path(str(execution["input_file"])).is_absolute()
    assert execution["input_checksum"] == hashlib.sha256(workbook.read_bytes()).hexdigest()
    assert report.file == execution["input_file"]
