"""Every error a newcomer meets, through the installed ``workdatahub``: exit code, one line.

Each case runs the console script in a fresh process, in a folder without ``.env``, and
asserts the exact exit code, that nothing printed a traceback, and the first line of the
message (log lines, JSON on stderr, aside); with ``--json`` the last line of stdout is one
JSON object naming the same error: ``{"status": "error", …}`` when nothing started, the
run's report when a run started and failed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

WORKDATAHUB = Path(sys.executable).with_name("workdatahub")
NO_DATABASE_URL = (
    "error: DATABASE_URL is required but not set in environment: set it to "
    "postgresql://user@host:5432/database, or to 'embedded' for a local embedded PostgreSQL "
    "(see .env.example)"
)


@dataclass(frozen=True)
class Case:
    """One mistake: the arguments, whether a database is configured, what must come back."""

    arguments: tuple[str, ...]
    exit_code: int
    first_line: str
    database: bool = True


CASES = {
    "unknown domain": Case(
        ("run", "no_such_domain", "--month", "202411"),
        4,
        "error: unknown domain 'no_such_domain'; known domains: annuity_income, "
        "annuity_performance, sample_csv",
    ),
    "malformed month": Case(
        ("run", "annuity_performance", "--month", "2024-13"),
        2,
        "Usage: workdatahub run [OPTIONS] {domain}",
    ),
    "run without DATABASE_URL": Case(
        ("run", "annuity_performance", "--month", "202411"), 4, NO_DATABASE_URL, database=False
    ),
    "db upgrade without DATABASE_URL": Case(("db", "upgrade"), 4, NO_DATABASE_URL, database=False),
    "runs list without DATABASE_URL": Case(("runs", "list"), 4, NO_DATABASE_URL, database=False),
    "no folder for the month": Case(
        ("run", "annuity_performance", "--month", "202301"),
        4,
        "error: no folder for month 202301: ",
    ),
    "nothing found for run-month": Case(
        ("run-month", "202301"), 4, "error: no domain found a source file for 202301 under"
    ),
    "unknown execution": Case(
        ("runs", "show", "not-an-id"),
        4,
        "error: 'not-an-id' is not an execution id; `workdatahub runs list` shows them",
    ),
    "a text file named .xlsx": Case(
        ("run", "annuity_performance", "--file", "{inbox}/notes.xlsx"),
        1,
        "error: annuity_performance: file 'notes.xlsx': the file is not an Excel workbook: it "
        "holds plain text, not a workbook; save it as .xlsx from Excel",
    ),
}


def _workdatahub(
    arguments: tuple[str, ...], folder: Path, database: str | None
) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "INBOX_DIR", "ENVIRONMENT", "LOG_LEVEL"}
    }
    environment |= {"INBOX_DIR": str(folder / "inbox"), "WDH_DATA_DIR": str(folder / "data")}
    if database is not None:
        environment["DATABASE_URL"] = database
    command = [str(WORKDATAHUB), *(part.format(inbox=folder / "inbox") for part in arguments)]
    return subprocess.run(
        command, capture_output=True, text=True, env=environment, cwd=folder, timeout=120
    )


def _message(stderr: str) -> str:
    """The first line of the message: stderr's first line that is not a JSON log line."""
    return next(line for line in stderr.splitlines() if not line.startswith("{"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A working folder without ``.env``; its inbox holds a text file saved as ``.xlsx``."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "notes.xlsx").write_text("these are notes and not a workbook\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_each_error_is_one_line_with_its_exit_code_and_no_traceback(
    case: Case, folder: Path, wdh_database: str
) -> None:
    result = _workdatahub(case.arguments, folder, wdh_database if case.database else None)

    assert result.returncode == case.exit_code, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert _message(result.stderr).startswith(case.first_line), result.stderr


JSON_CASES = {
    name: case
    for name, case in CASES.items()
    if case.exit_code != 2 and case.arguments[0] != "db"  # db commands have no --json
}


@pytest.mark.parametrize("case", list(JSON_CASES.values()), ids=list(JSON_CASES))
def test_with_json_every_error_ends_stdout_with_one_json_object(
    case: Case, folder: Path, wdh_database: str
) -> None:
    arguments = (*case.arguments, "--json")

    result = _workdatahub(arguments, folder, wdh_database if case.database else None)

    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert result.returncode == case.exit_code
    if "exit_code" in answer:
        assert (answer["status"], answer["exit_code"]) == ("error", case.exit_code)
        assert f"error: {answer['error']}".startswith(case.first_line)
    else:
        assert answer["status"] == "failed", "a run that started reports itself"
        assert f"error: {answer['domain']}: {answer['error']}".startswith(case.first_line)
