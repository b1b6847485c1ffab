"""A password in DATABASE_URL never shows: not in logs, errors, CLI output, Dagster events or reprs.

A role with a password is created on the test server and granted the test database; its URL
then drives real runs (succeeded and failed), the CLI, a Dagster job and a connection that
cannot succeed. Everything they print, log, raise, record or represent is captured and scanned
for the password, its percent-encoded form and its random core.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from bad_files import CORPUS, generator
from dagster import DagsterInstance
from dagster._serdes import serialize_value
from sqlalchemy import Engine, make_url
from sqlalchemy.pool import NullPool
from work_data_hub.config import Settings
from work_data_hub.io.database import create_engine_for, render_url
from work_data_hub.io.loader import (
    AuditWriter,
    DatabaseUnavailableError,
    RetryPolicy,
    WarehouseLoader,
)
from work_data_hub.io.runs import RunRequest, run_domain
from work_data_hub.orchestration.definitions import build_definitions
from work_data_hub.orchestration.jobs import job_name, run_config
from work_data_hub.orchestration.ops import DomainRunConfig
from work_data_hub.orchestration.resources import WarehouseResource
from work_data_hub.plugins.registry import get_registry
from work_data_hub.testing.domain_runner import write_sample_file
from work_data_hub.utils.logging import configure_logging

pytestmark = pytest.mark.integration

DOMAIN = "annuity_performance"
SHEET = "规模明细"
CLI = Path(sys.executable).with_name("workdatahub")
GRANTS = (
    "GRANT ALL ON SCHEMA public TO {role}",
    "GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}",
)


@dataclass(frozen=True)
class Secret:
    """A password and the URLs that carry it."""

    password: str
    core: str
    url: str
    unreachable_url: str

    @property
    def forms(self) -> tuple[str, ...]:
        """Every spelling of the password a leak could take."""
        return (self.password, quote(self.password, safe=""), self.core)

    def assert_absent(self, where: str, text: str) -> None:
        """Fail naming ``where`` when ``text`` holds any form of the password."""
        assert text, f"nothing was captured from {where}"
        for form in self.forms:
            if form in text:
                # Not an assert: pytest would print the text, password included.
                line = next(line for line in text.splitlines() if form in line)
                pytest.fail(f"the password appears in {where}, at: {line.replace(form, '<PW>')}")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def secret(wdh_database_url: str, wdh_database: str) -> Iterator[Secret]:
    """A login role with a password, allowed to use the test database; dropped afterwards."""
    core = secrets.token_hex(8)
    password = f"Wdh{core}@p%ss:w/rd"
    role = f"wdh_secret_{secrets.token_hex(4)}"
    server = create_engine_for(wdh_database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    database = create_engine_for(wdh_database, poolclass=NullPool)
    with server.connect() as connection:
        connection.exec_driver_sql(
            f"CREATE ROLE {role} LOGIN PASSWORD %(password)s", {"password": password}
        )
    with database.begin() as connection:
        for grant in GRANTS:
            connection.exec_driver_sql(grant.format(role=role))
    url = make_url(wdh_database).set(username=role, password=password)
    unreachable = url.set(host="127.0.0.1", port=_closed_port(), query={})
    try:
        yield Secret(password, core, render_url(url), render_url(unreachable))
    finally:
        with database.begin() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
        with server.connect() as connection:
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :role"
                ),
                {"role": role},
            )
            connection.exec_driver_sql(f"DROP ROLE {role}")
        database.dispose()
        server.dispose()


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    """A small valid 规模明细 workbook (the bad-input corpus's clean sheet)."""
    return write_sample_file(
        tmp_path / "24年11月规模收入数据.xlsx",
        generator.clean_sheet(),
        file_type="excel",
        sheet=SHEET,
    )


def _settings(url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        ENVIRONMENT="dev",
        DATABASE_URL=url,
        INBOX_DIR=tmp_path / "inbox",
        WDH_DATA_DIR=tmp_path / "wdh",
    )


def _audit_trail(engine: Engine) -> str:
    with engine.connect() as connection:
        return "\n".join(
            str(row)
            for table in ("pipeline_executions", "data_quality_metrics", "rejected_rows")
            for row in connection.execute(
                sa.text(f"SELECT row_to_json(t)::text FROM {table} AS t")
            ).scalars()
        )


def _log_records(caplog: pytest.LogCaptureFixture) -> str:
    """Every log record as any handler receives it, before the platform's formatter masks it."""
    return "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)


def test_runs_and_their_records_never_show_the_password(
    secret: Secret,
    good_file: Path,
    tmp_path: Path,
    wdh_engine: Engine,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = _settings(secret.url, tmp_path)
    configure_logging(settings, force=True)  # to stdout, whatever an earlier test configured
    engine = create_engine_for(secret.url)
    shown: list[str] = [repr(settings), str(settings.model_dump()), settings.masked_database_url]
    try:
        for file in (good_file, CORPUS / "corrupt_zip.xlsx", CORPUS / "nul_character.xlsx"):
            report = run_domain(RunRequest(DOMAIN, file=file), engine=engine, settings=settings)
            shown += [repr(report), str(report.to_json()), report.error or ""]
        loader = WarehouseLoader(engine, settings=settings)
        shown += [repr(engine), str(engine.url), repr(engine.url), repr(loader)]
        shown.append(repr(AuditWriter(engine)))
    finally:
        engine.dispose()
    captured = capfd.readouterr()

    assert "run finished" in captured.out
    secret.assert_absent("the log output", captured.out + captured.err)
    secret.assert_absent("the log records", _log_records(caplog))
    secret.assert_absent("reports, settings and reprs", "\n".join(shown))
    secret.assert_absent("the audit tables", _audit_trail(wdh_engine))


def test_a_failed_connection_never_shows_the_password(
    secret: Secret, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine_for(secret.unreachable_url, poolclass=NullPool)
    loader = WarehouseLoader(engine, retry=RetryPolicy(sleep=lambda _: None))

    with pytest.raises(DatabaseUnavailableError) as raised, loader.transaction():
        pass

    error = raised.value
    assert "could not connect" in str(error)
    text = "".join(traceback.format_exception(error))
    secret.assert_absent("the error and its traceback", text + repr(error) + repr(loader))
    captured = capfd.readouterr()
    secret.assert_absent("the retry log lines", captured.out + captured.err)
    secret.assert_absent("the retry log records", _log_records(caplog))


def _cli(secret_url: str, tmp_path: Path, *arguments: str) -> subprocess.Popen[str]:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "ENVIRONMENT": "dev",
        "DATABASE_URL": secret_url,
        "INBOX_DIR": str(tmp_path / "inbox"),
        "WDH_DATA_DIR": str(tmp_path / "wdh"),
        "COLUMNS": "300",
    }
    return subprocess.Popen(
        [str(CLI), *arguments],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_the_cli_never_shows_the_password(secret: Secret, good_file: Path, tmp_path: Path) -> None:
    commands = {
        "run (succeeds)": (secret.url, "run", DOMAIN, "--file", str(good_file), "--json"),
        "run (no server)": (secret.unreachable_url, "run", DOMAIN, "--file", str(good_file)),
        "db current (no server)": (secret.unreachable_url, "db", "current"),
    }
    started = {name: _cli(url, tmp_path, *args) for name, (url, *args) in commands.items()}
    outputs = {name: process.communicate(timeout=120) for name, process in started.items()}
    codes = {name: process.returncode for name, process in started.items()}

    assert codes["run (succeeds)"] == 0, outputs["run (succeeds)"][0]
    assert codes["run (no server)"] != 0
    assert ":***@127.0.0.1" in outputs["run (no server)"][0]
    for name, (output, _) in outputs.items():
        secret.assert_absent(f"`workdatahub {name}`", output)


def test_dagster_events_never_show_the_password(
    secret: Secret, good_file: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(secret.url, tmp_path)
    warehouse = WarehouseResource(database_url=secret.url)
    registry = get_registry()
    definitions = build_definitions(registry, settings=settings, warehouse=warehouse)
    job = definitions.resolve_job_def(job_name(DOMAIN))
    shown: list[str] = []

    with DagsterInstance.ephemeral() as instance:
        for file, succeeds in ((good_file, True), (CORPUS / "corrupt_zip.xlsx", False)):
            result = job.execute_in_process(
                run_config=run_config(registry.get(DOMAIN), DomainRunConfig(file=str(file))),
                partition_key="2024-11",
                instance=instance,
                raise_on_error=False,
            )
            assert result.success is succeeds
            entries = instance.all_logs(result.run_id)
            assert entries
            shown += [serialize_value(entry) for entry in entries]
            shown.append(serialize_value(instance.get_run_by_id(result.run_id)))
    captured = capfd.readouterr()

    secret.assert_absent("the Dagster event log and run records", "\n".join(shown))
    secret.assert_absent("Dagster's console output", captured.out + captured.err)
