"""The domain template, tested by being used, as a newcomer would use it.

In a temporary folder: generate one domain with ``--no-input`` (Excel) and one with other answers
(CSV, upsert, a key column the starter declaration lacks); install both with the core into one
fresh virtual environment; then the CLI lists them, migrates a fresh database, loads their sample
files, Dagster has their jobs, and their own test suites pass.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool
from work_data_hub.io.database import create_engine_for
from work_data_hub.testing import DatabaseServer, unique_database_name

pytestmark = pytest.mark.integration

REPOSITORY = Path(__file__).resolve().parents[3]
TEMPLATE = REPOSITORY / "templates" / "domain"
CORE = REPOSITORY / "packages" / "workdatahub-core"
SECOND_ANSWERS = {
    "domain_name": "plan_fees",
    "title": "Plan fees",
    "source_type": "csv",
    "target_table": "plan_fee_facts",
    "keys": "month,plan_code",
    "write_mode": "upsert",
    "author": "Template test",
}
SAMPLE_ROWS, SAMPLE_LOADED = 21, 20
COMMAND_TIMEOUT = 600


@dataclass(frozen=True)
class GeneratedDomain:
    """A generated package and what it should produce."""

    name: str
    table: str
    folder: Path
    sample: Path


@dataclass(frozen=True)
class Environment:
    """The fresh virtual environment both generated domains are installed in."""

    python: Path
    domains: tuple[GeneratedDomain, ...]
    install_seconds: float

    def command(self, name: str) -> str:
        """Return the path of a console script of this environment."""
        return str(self.python.parent / name)


def find_uv() -> str:
    """Return the uv executable: ``$UV`` (set by ``uv run``), ``PATH``, or the Makefile's copy."""
    candidates = [
        os.environ.get("UV"),
        shutil.which("uv"),
        str(REPOSITORY / ".tools" / "bin" / "uv"),
        str(Path.home() / ".local" / "bin" / "uv"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail("uv is needed to build the test environment: run `make sync` (it installs uv)")


def run(
    command: list[str], *, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``command``; fail the test with its output when it exits non-zero."""
    result = subprocess.run(
        command,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        check=False,
        timeout=COMMAND_TIMEOUT,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-6000:]}",
            pytrace=False,
        )
    return result


def generate(output: Path, answers: Mapping[str, str]) -> Path:
    """Run the cookiecutter command line with ``--no-input`` and ``answers``; return the package."""
    config = output / "cookiecutter.yaml"
    config.write_text(f"replay_dir: {json.dumps(str(output / 'replay'))}\n", "utf-8")
    before = {path.name for path in output.iterdir()}
    run(
        [
            *(sys.executable, "-m", "cookiecutter", str(TEMPLATE), "--no-input"),
            *("--config-file", str(config), "--output-dir", str(output)),
            *(f"{key}={value}" for key, value in answers.items()),
        ],
        cwd=output,
    )
    [created] = [path for path in output.iterdir() if path.name not in before | {"replay"}]
    return created


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Environment:
    """Both domains generated and installed with the core (editable) into one new venv."""
    root = tmp_path_factory.mktemp("template")
    default = generate(root, {})
    second = generate(root, SECOND_ANSWERS)
    domains = (
        GeneratedDomain(
            "account_balances",
            "account_balances",
            default,
            default / "tests" / "data" / "account_balances_202411.xlsx",
        ),
        GeneratedDomain(
            "plan_fees",
            "plan_fee_facts",
            second,
            second / "tests" / "data" / "plan_fees_202411.csv",
        ),
    )
    uv = find_uv()
    started = time.perf_counter()
    constraints = root / "constraints.txt"
    run(
        [
            uv,
            "export",
            *("--frozen", "--all-packages", "--all-groups", "--no-hashes", "--no-emit-workspace"),
            *("--quiet", "--output-file", str(constraints)),
        ],
        cwd=REPOSITORY,
    )
    venv = root / "venv"
    run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], cwd=root)
    python = venv / "bin" / "python"
    run(
        [
            *(uv, "pip", "install", "--quiet", "--python", str(python)),
            *("--constraints", str(constraints), "--editable", str(CORE)),
            *(argument for domain in domains for argument in ("--editable", str(domain.folder))),
            *("pytest", "pytest-postgresql"),
        ],
        cwd=root,
    )
    return Environment(python, domains, round(time.perf_counter() - started, 1))


@pytest.fixture(scope="module")
def fresh_database(wdh_database_url: str) -> Iterator[str]:
    """URL of a new, empty database on the test server (no migration applied); dropped after."""
    server = DatabaseServer.from_url(wdh_database_url)
    name = unique_database_name("template")
    admin = create_engine_for(server.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.url_of(name)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def cli_environment(database_url: str) -> dict[str, str]:
    """The environment of the generated packages' commands: strict plugins, the fresh database."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "WDH_STRICT_PLUGINS": "1",
        "ENVIRONMENT": "dev",
    }


@pytest.fixture(scope="module")
def migrated_database(environment: Environment, fresh_database: str) -> str:
    """The fresh database after ``workdatahub db upgrade`` run in the new environment."""
    run(
        [environment.command("workdatahub"), "db", "upgrade"],
        cwd=environment.python.parents[2],
        env=cli_environment(fresh_database),
    )
    return fresh_database


def test_the_environment_installs_quickly(environment: Environment) -> None:
    assert environment.install_seconds < 120, f"install took {environment.install_seconds} s"


def test_the_generated_code_passes_ruff_and_mypy_strict(environment: Environment) -> None:
    folders = [str(domain.folder) for domain in environment.domains]
    config = str(REPOSITORY / "pyproject.toml")
    run([sys.executable, "-m", "ruff", "check", "--config", config, *folders], cwd=REPOSITORY)
    run(
        [sys.executable, "-m", "ruff", "format", "--check", "--config", config, *folders],
        cwd=REPOSITORY,
    )
    for domain in environment.domains:
        run(
            [
                *(sys.executable, "-m", "mypy", "--strict", "--config-file", config),
                *("--cache-dir", str(REPOSITORY / ".mypy_cache"), "src", "tests"),
            ],
            cwd=domain.folder,
            env={**os.environ, "MYPYPATH": str(domain.folder / "src")},
        )


def test_domains_list_shows_both_generated_domains(environment: Environment) -> None:
    result = run(
        [environment.command("workdatahub"), "domains", "list", "--json"],
        cwd=environment.python.parents[2],
        env={**os.environ, "WDH_STRICT_PLUGINS": "1"},
    )
    listing = json.loads(result.stdout)
    tables = {domain["name"]: domain["table"] for domain in listing["domains"]}
    assert tables == {
        "account_balances": "public.account_balances",
        "plan_fees": "public.plan_fee_facts",
    }
    assert listing["broken"] == []


def test_db_upgrade_creates_their_tables(migrated_database: str) -> None:
    engine = create_engine_for(migrated_database, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            keys = {
                index["name"]: index["unique"]
                for index in sa.inspect(connection).get_indexes("plan_fee_facts")
            }
    finally:
        engine.dispose()
    assert {"account_balances", "plan_fee_facts", "pipeline_executions"} <= tables
    assert keys["ix_plan_fee_facts_keys"] is True, "upsert needs a unique index on its keys"


@pytest.mark.parametrize("name", ["account_balances", "plan_fees"])
def test_workdatahub_run_loads_the_sample_file(
    environment: Environment, migrated_database: str, name: str
) -> None:
    [domain] = [domain for domain in environment.domains if domain.name == name]
    result = run(
        [environment.command("workdatahub"), "run", name, "--file", str(domain.sample), "--json"],
        cwd=environment.python.parents[2],
        env=cli_environment(migrated_database),
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["status"] == "succeeded", report
    assert (report["rows_read"], report["rows_loaded"]) == (SAMPLE_ROWS, SAMPLE_LOADED)
    assert report["rejected"] == [
        {"row": 14, "column": "month", "reason": "month '2024-13' is not a month"}
    ]
    engine = create_engine_for(migrated_database, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            loaded = connection.execute(
                sa.text(f'SELECT count(*) FROM "{domain.table}" WHERE wdh_execution_id = :run'),
                {"run": report["execution_id"]},
            ).scalar_one()
    finally:
        engine.dispose()
    assert loaded == SAMPLE_LOADED


def test_dagster_definitions_have_a_job_per_generated_domain(environment: Environment) -> None:
    script = (
        "from work_data_hub.orchestration.definitions import defs\n"
        "definitions = defs()\n"
        "for name in ('account_balances_job', 'plan_fees_job'):\n"
        "    print('job', definitions.resolve_job_def(name).name)\n"
    )
    result = run(
        [str(environment.python), "-c", script],
        cwd=environment.python.parents[2],
        env={**os.environ, "WDH_STRICT_PLUGINS": "1"},
    )
    # Log lines share stdout; the script's own lines start with "job ".
    jobs = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("job ")]
    assert jobs == ["account_balances_job", "plan_fees_job"]


def test_the_generated_test_suites_pass(environment: Environment, wdh_database_url: str) -> None:
    result = run(
        [
            *(str(environment.python), "-m", "pytest", "-p", "no:cacheprovider", "-q"),
            *(str(domain.folder) for domain in environment.domains),
        ],
        cwd=environment.python.parents[2],
        env={**os.environ, "WDH_TEST_DATABASE_URL": wdh_database_url, "WDH_STRICT_PLUGINS": "1"},
    )
    assert "12 passed" in result.stdout, result.stdout
