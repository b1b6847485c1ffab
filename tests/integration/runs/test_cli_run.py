"""``workdatahub run`` / ``run-month``: exit codes, the JSON line, the rejects file."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner
from work_data_hub.cli.app import app
from work_data_hub.cli.run import EXIT_FAILED, EXIT_NOT_STARTED, EXIT_THRESHOLD, EXIT_USAGE
from work_data_hub.config import get_settings

from .conftest import MONTH

pytestmark = pytest.mark.integration


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, wdh_database: str, inbox: Path
) -> Iterator[dict[str, str]]:
    """Environment pointing the CLI at a fresh migrated database and the generated inbox."""
    monkeypatch.setenv("DATABASE_URL", wdh_database)
    monkeypatch.setenv("INBOX_DIR", str(inbox))
    get_settings.cache_clear()
    yield {"DATABASE_URL": wdh_database}
    get_settings.cache_clear()


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def _invoke_with_errors(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stderr


def test_run_prints_one_json_object_last_and_exits_zero(
    cli_env: dict[str, str], wdh_engine: Engine, tmp_path: Path
) -> None:
    rejects = tmp_path / "rejects.csv"

    code, stdout = _invoke(
        "run", "annuity_performance", "--month", MONTH, "--json", "--rejects-out", str(rejects)
    )

    assert code == 0, stdout
    summary = json.loads(stdout.strip().splitlines()[-1])
    assert summary["status"] == "succeeded"
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_rejected"]
    assert {"domain", "file", "table", "execution_id", "rejected", "duration_s"} <= set(summary)
    assert all({"row", "column", "reason"} == set(entry) for entry in summary["rejected"])
    with rejects.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(summary["rejected"])
    with wdh_engine.connect() as connection:
        loaded = connection.execute(text("SELECT count(*) FROM annuity_performance")).scalar_one()
    assert loaded == summary["rows_loaded"]


def test_run_exits_with_the_threshold_code_when_too_many_rows_are_rejected(
    cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WDH_REJECT_THRESHOLD", "0")
    get_settings.cache_clear()

    code, stdout = _invoke("run", "annuity_performance", "--month", MONTH, "--json")

    assert code == EXIT_THRESHOLD
    assert json.loads(stdout.strip().splitlines()[-1])["threshold_exceeded"] is True


def test_run_exits_with_the_failure_code_on_a_bad_file(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "renamed.xlsx"
    bad.write_text("月度,计划代码\n202411,P0001\n", encoding="utf-8")

    code, stdout = _invoke("run", "annuity_performance", "--file", str(bad), "--json")

    assert code == EXIT_FAILED
    summary = json.loads(stdout.strip().splitlines()[-1])
    assert summary["status"] == "failed"
    assert "renamed.xlsx" in summary["error"]


def test_a_malformed_month_is_a_usage_error(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["run", "annuity_performance", "--month", "2024-13"])

    assert result.exit_code == EXIT_USAGE == 2
    assert "'2024-13'" in result.output


def test_run_cannot_start_for_an_unknown_domain_or_a_missing_month(cli_env: dict[str, str]) -> None:
    assert _invoke("run", "no_such_domain", "--month", MONTH)[0] == EXIT_NOT_STARTED
    assert _invoke("run", "annuity_performance", "--month", "199901")[0] == EXIT_NOT_STARTED


def test_run_month_loads_every_domain(cli_env: dict[str, str]) -> None:
    code, stdout = _invoke("run-month", MONTH, "--json")

    assert code == 0, stdout
    reports = json.loads(stdout.strip().splitlines()[-1])
    assert sorted(report["domain"] for report in reports) == [
        "annuity_income",
        "annuity_performance",
        "sample_csv",
    ]


def test_run_month_searches_the_inbox_it_is_given(
    cli_env: dict[str, str], inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-inbox"
    empty.mkdir()
    monkeypatch.setenv("INBOX_DIR", str(empty))
    get_settings.cache_clear()

    assert _invoke("run-month", MONTH)[0] == EXIT_NOT_STARTED
    code, stdout = _invoke("run-month", MONTH, "--inbox", str(inbox), "--json")

    assert code == 0, stdout
    reports = json.loads(stdout.strip().splitlines()[-1])
    assert sorted(report["domain"] for report in reports) == [
        "annuity_income",
        "annuity_performance",
        "sample_csv",
    ]
    assert all(report["file"].startswith(str(inbox.resolve())) for report in reports)
    assert _invoke("run-month", MONTH, "--inbox", str(tmp_path / "nowhere"))[0] == EXIT_USAGE


def test_text_from_the_data_is_printed_as_text_not_markup(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    sample = tmp_path / "markup.csv"
    sample.write_text(
        "month,account,customer_name,branch_name,product,balance,fee\n"
        "202411,A0001,上海东方机械有限公司,上海,deposit,100.00,1\n"
        "202411,A0002,[red]北京[/red],北京,deposit,[/],1\n",
        encoding="utf-8",
    )

    code, stdout = _invoke("run", "sample_csv", "--file", str(sample), "--json")

    summary = json.loads(stdout.strip().splitlines()[-1])
    assert code == EXIT_THRESHOLD
    assert [entry["row"] for entry in summary["rejected"]] == [3]
    assert "[/]" in summary["rejected"][0]["reason"]


def test_run_month_stops_before_loading_when_a_domain_has_two_files(
    cli_env: dict[str, str], inbox: Path, wdh_engine: Engine
) -> None:
    [workbook] = inbox.glob("**/*.xlsx")
    twin = workbook.with_name("copy of " + workbook.name)
    twin.write_bytes(workbook.read_bytes())
    try:
        code, _ = _invoke("run-month", MONTH)
        chosen, stdout = _invoke("run-month", MONTH, "--select", "first", "--json")
    finally:
        twin.unlink()

    assert code == EXIT_NOT_STARTED
    assert chosen == 0, stdout
    with wdh_engine.connect() as connection:
        runs = connection.execute(text("SELECT count(*) FROM pipeline_executions")).scalar_one()
    assert runs == 3


def _executions(engine: Engine) -> int:
    with engine.connect() as connection:
        runs = connection.execute(text("SELECT count(*) FROM pipeline_executions"))
        return int(runs.scalar_one())


def test_rejects_out_naming_the_input_file_is_refused_before_anything_is_written(
    cli_env: dict[str, str], inbox: Path, wdh_engine: Engine, tmp_path: Path
) -> None:
    [original] = inbox.glob("**/*.xlsx")
    workbook = tmp_path / "in.xlsx"
    workbook.write_bytes(original.read_bytes())
    before = workbook.read_bytes()
    (tmp_path / "link.xlsx").symlink_to(workbook)
    same_file_spellings = [
        str(workbook),
        str(tmp_path / "sub" / ".." / "in.xlsx"),
        str(tmp_path / "link.xlsx"),
    ]

    results = [
        _invoke_with_errors(
            "run", "annuity_performance", "--file", str(workbook), "--rejects-out", target
        )
        for target in same_file_spellings
    ]
    discovered = _invoke(
        "run", "annuity_performance", "--month", MONTH, "--rejects-out", str(original)
    )

    assert [code for code, _ in results] == [EXIT_USAGE] * 3
    for _, errors in results:
        [line] = errors.strip().splitlines()
        assert line.startswith("error: --rejects-out ")
        assert f"the run's input file {str(workbook)!r}" in line
    assert discovered[0] == EXIT_USAGE
    assert workbook.read_bytes() == before
    assert original.read_bytes() == before
    assert _executions(wdh_engine) == 0
