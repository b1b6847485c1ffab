"""The installed ``workdatahub`` on a database nobody migrated: one line that says what to do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from work_data_hub.io.embedded import stop_embedded
from work_data_hub.testing import DatabaseServer

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
WORKDATAHUB = Path(sys.executable).with_name("workdatahub")
FILE = ROOT / "tests" / "data" / "bad" / "header_only.xlsx"


@pytest.fixture
def empty_database(wdh_database_url: str) -> Iterator[str]:
    """A database with no table at all, as a newcomer has before `workdatahub db upgrade`."""
    with DatabaseServer.from_url(wdh_database_url).clone("template0") as url:
        yield url


def _workdatahub(*args: str, database: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database}
    return subprocess.run(
        [str(WORKDATAHUB), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_a_run_before_db_upgrade_is_one_line_naming_the_command_and_exit_4(
    empty_database: str,
) -> None:
    result = _workdatahub(
        "run", "annuity_performance", "--file", str(FILE), database=empty_database
    )

    assert result.returncode == 4, result.stderr
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.stderr.strip().splitlines()[0] == (
        "error: the database has no WorkDataHub tables yet (no pipeline_executions): "
        "run `workdatahub db upgrade` first"
    )


@pytest.fixture
def embedded_data() -> Iterator[Path]:
    """A short data folder for a new embedded PostgreSQL (socket paths stay under ~107 bytes)."""
    root = Path(tempfile.mkdtemp(prefix="wdh-m-"))
    yield root
    stop_embedded(root / "pg")
    shutil.rmtree(root, ignore_errors=True)


def test_a_run_on_a_new_embedded_database_migrates_it_first_and_says_so(
    embedded_data: Path,
) -> None:
    sample = (
        ROOT / "packages" / "workdatahub-sample-csv" / "tests" / "data" / "sample_csv_202411.csv"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DATABASE_URL": "embedded",
        "ENVIRONMENT": "dev",
        "WDH_DATA_DIR": str(embedded_data),
    }

    first, second = (
        subprocess.run(
            [str(WORKDATAHUB), "run", "sample_csv", "--file", str(sample)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        for _ in range(2)
    )

    assert first.returncode == 0, first.stderr
    assert first.stderr.startswith("embedded database migrated: core "), first.stderr
    assert "sample_csv 3d5f2a9c41b7" in first.stderr
    assert "embedded database migrated" not in second.stderr
    assert "Traceback" not in first.stderr + second.stderr
