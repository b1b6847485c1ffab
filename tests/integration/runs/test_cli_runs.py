"""``workdatahub runs list`` and ``runs show``: the audit trail read back, exactly."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner
from work_data_hub.cli.app import app
from work_data_hub.cli.errors import EXIT_NOT_STARTED
from work_data_hub.config import Settings, get_settings
from work_data_hub.io.runs import RunReport, RunRequest, run_domain

from .conftest import MONTH

pytestmark = pytest.mark.integration


@pytest.fixture
def runs(
    monkeypatch: pytest.MonkeyPatch, wdh_database: str, wdh_engine: Engine, settings: Settings
) -> Iterator[list[RunReport]]:
    """Two runs of the generated month on a fresh database: one loads, one is a dry run."""
    monkeypatch.setenv("DATABASE_URL", wdh_database)
    get_settings.cache_clear()
    reports = [
        run_domain(
            RunRequest(domain, month=MONTH, dry_run=dry), engine=wdh_engine, settings=settings
        )
        for domain, dry in (("annuity_performance", False), ("annuity_income", True))
    ]
    assert [report.status for report in reports] == ["succeeded", "succeeded"]
    yield reports
    get_settings.cache_clear()


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "160"})
    return result.exit_code, result.stdout, result.stderr


def test_runs_list_shows_every_run_newest_first_and_filters(runs: list[RunReport]) -> None:
    performance, income = runs

    code, stdout, _ = _invoke("runs", "list", "--json")

    assert code == 0
    listed = json.loads(stdout)
    assert [entry["execution_id"] for entry in listed] == [
        income.execution_id,
        performance.execution_id,
    ]
    first = listed[1]
    assert (first["domain"], first["status"], first["month"], first["dry_run"]) == (
        "annuity_performance",
        "succeeded",
        "2024-11",
        False,
    )
    assert (first["rows_read"], first["rows_loaded"], first["rows_rejected"]) == (
        performance.rows_read,
        performance.rows_loaded,
        performance.rows_rejected,
    )
    assert listed[0]["dry_run"] is True
    code, stdout, _ = _invoke("runs", "list", "--json", "--domain", "annuity_income")
    assert [entry["execution_id"] for entry in json.loads(stdout)] == [income.execution_id]
    code, stdout, _ = _invoke("runs", "list", "--json", "--month", "202410")
    assert json.loads(stdout) == []
    code, stdout, _ = _invoke("runs", "list", "--month", MONTH)
    assert code == 0
    assert "2 run(s)" in stdout
    assert performance.execution_id in stdout


def test_each_execution_keeps_its_report_as_one_json_object(
    runs: list[RunReport], wdh_engine: Engine
) -> None:
    with wdh_engine.connect() as connection:
        stored = connection.exec_driver_sql(
            "SELECT jsonb_typeof(metadata), metadata ->> 'month' FROM pipeline_executions"
        ).all()

    assert [tuple(row) for row in stored] == [("object", "2024-11"), ("object", "2024-11")]


def test_runs_show_gives_the_file_counts_and_every_rejected_row(
    runs: list[RunReport], tmp_path: Path
) -> None:
    performance = runs[0]
    rejects = tmp_path / "rejects.csv"

    code, stdout, _ = _invoke(
        "runs", "show", performance.execution_id, "--json", "--rejects-out", str(rejects)
    )

    assert code == 0
    shown = json.loads(stdout)
    assert shown["input_file"] == performance.file
    assert len(shown["details"]["input_checksum"]) == 64
    assert shown["details"]["target_table"] == "public.annuity_performance"
    assert set(shown["details"]["stage_durations"]) == {"read", "transform", "load"}
    rejected = [(row["source_row"], row["column"], row["reason"]) for row in shown["rejected"]]
    assert rejected == [
        (entry["row"], entry["column"], entry["reason"]) for entry in performance.rejected
    ]
    with rejects.open(encoding="utf-8-sig") as handle:
        lines = list(csv.DictReader(handle))
    written = [(int(r["row"]), r["column"], r["reason"]) for r in lines]
    assert written == sorted(rejected, key=lambda entry: entry[0])
    assert {(r["file"], r["sheet"]) for r in lines} == {(Path(performance.file).name, "规模明细")}
    recorded = sorted(shown["rejected"], key=lambda entry: entry["source_row"])
    assert [r["value"] for r in lines] == [str(e["raw"].get(e["column"], "")) for e in recorded]


def test_runs_show_of_an_unknown_id_is_one_line_and_exit_4(runs: list[RunReport]) -> None:
    code, _, stderr = _invoke("runs", "show", "00000000-0000-0000-0000-000000000000")

    assert code == EXIT_NOT_STARTED == 4
    assert stderr.strip().startswith("error: no execution 00000000-0000-0000-0000-000000000000")
    code, _, stderr = _invoke("runs", "show", "not-an-id")
    assert code == 4
    assert "'not-an-id' is not an execution id" in stderr
