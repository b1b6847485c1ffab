"""The wheels carry everything: installed by plain pip, the domains and their migrations work."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect
from work_data_hub.io.database import create_engine_for
from work_data_hub.testing.databases import DatabaseServer

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
PACKAGES = (
    "workdatahub-core",
    "workdatahub-annuity-common",
    "workdatahub-annuity-performance",
    "workdatahub-annuity-income",
)


def _uv() -> str:
    found = os.environ.get("WDH_UV") or shutil.which("uv") or str(REPO / ".tools" / "bin" / "uv")
    if not Path(found).exists() and shutil.which(found) is None:
        pytest.fail("uv is needed to build the wheels: run the tests through `make test`")
    return found


def _run(*command: str | Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the project's wheels installed by plain pip."""
    root = tmp_path_factory.mktemp("wheels")
    dist = root / "dist"
    uv = _uv()
    for package in PACKAGES:
        _run(uv, "build", "--wheel", "--out-dir", dist, REPO / "packages" / package)
    venv = root / "venv"
    _run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    requirements = root / "requirements.txt"
    _run(
        uv,
        "export",
        "--frozen",
        "--no-dev",
        "--no-emit-workspace",
        "--no-hashes",
        "--package",
        "workdatahub-core",
        "--directory",
        REPO,
        "--output-file",
        requirements,
    )
    # Third-party dependencies come from the lock (uv's cache keeps this fast); the
    # project's own wheels then go through plain pip with no index at all.
    _run(uv, "pip", "install", "--python", python, "-r", requirements)
    wheels = sorted(dist.glob("*.whl"))
    assert len(wheels) == len(PACKAGES), wheels
    _run(python, "-m", "pip", "install", "--no-index", "--no-deps", *wheels)
    _run(python, "-m", "pip", "check")
    return venv


def test_each_wheel_carries_its_migrations_and_mapping_files(wheel_venv: Path) -> None:
    site = next((wheel_venv / "lib").glob("python*/site-packages"))
    assert list((site / "work_data_hub/io/schema/migrations/versions").glob("*.py"))
    assert (site / "work_data_hub/io/schema/migrations/env.py").is_file()
    for package in ("workdatahub_annuity_performance", "workdatahub_annuity_income"):
        assert list((site / package / "migrations/versions").glob("*.py")), package
    assert (site / "workdatahub_annuity_performance/mappings/company_id_overrides.csv").is_file()
    assert (site / "workdatahub_annuity_common/mappings/branches.csv").is_file()


def test_installed_wheels_list_both_domains(wheel_venv: Path) -> None:
    env = {**os.environ, "WDH_STRICT_PLUGINS": "1"}
    listing = json.loads(
        _run(wheel_venv / "bin" / "workdatahub", "domains", "list", "--json", env=env)
    )
    names = {domain["name"] for domain in listing["domains"]}
    assert names == {"annuity_performance", "annuity_income"}
    assert listing["broken"] == []


def test_installed_wheels_migrate_an_empty_database(
    wheel_venv: Path, wdh_database_url: str
) -> None:
    server = DatabaseServer.from_url(wdh_database_url)
    with server.template(lambda _url: None) as empty:
        url = server.url_of(empty)
        env = {**os.environ, "WDH_STRICT_PLUGINS": "1", "DATABASE_URL": url}
        _run(wheel_venv / "bin" / "workdatahub", "db", "upgrade", env=env)
        engine = create_engine_for(url)
        try:
            tables = set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
    assert {"pipeline_executions", "annuity_performance", "annuity_income"} <= tables
