"""Server-side limits and unreadable files end a ``workdatahub`` command with one line, exit 1.

Each case runs the real command in a subprocess and asserts its exit code, its one-line
``error:`` or report error, that no ``Traceback`` appears anywhere in its output, the
execution rows and the table afterwards:

- a load cut off by ``statement_timeout`` (``WDH_DB_STATEMENT_TIMEOUT_S=1`` while a trigger
  holds the ``COPY``): recorded ``failed``, the table unchanged;
- a database with ``default_transaction_read_only = on``: every write is refused, the run
  cannot even be recorded, and the command says so;
- a file found by ``--month`` that cannot be read (mode 000; a root test process drops the
  capabilities that bypass file modes, so the permission check is real): each domain's run is
  recorded ``failed`` naming the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, make_url
from warehouse_state import executions, stalled_inserts, table_rows
from work_data_hub.config import Settings
from work_data_hub.io.runs import RunRequest, run_domain
from work_data_hub.io.sample_data import generate_month
from work_data_hub.plugins.registry import get_registry

pytestmark = pytest.mark.integration

DOMAIN = "annuity_performance"
MONTH = "202411"
CLI = Path(sys.executable).with_name("workdatahub")
WITHOUT_FILE_MODE_BYPASS = [
    "setpriv",
    "--bounding-set=-dac_override,-dac_read_search",
    "--inh-caps=-dac_override,-dac_read_search",
]
"""Run as root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: file modes apply to it."""


@contextmanager
def _socket_folder_open_to_all(database_url: str) -> Iterator[None]:
    """Let a process without root's file-mode bypass reach a unix-socket server whose socket
    sits in a folder only its owner may enter (the embedded server keeps it in its data folder).
    """
    folder = make_url(database_url).query.get("host")
    path = Path(folder) if isinstance(folder, str) and folder.startswith("/") else None
    if path is None or not path.is_dir():
        yield
        return
    mode = path.stat().st_mode & 0o777
    path.chmod(mode | 0o011)
    try:
        yield
    finally:
        path.chmod(mode)


def _cli(
    arguments: list[str],
    settings: Settings,
    wdh_database: str,
    folder: Path,
    *,
    prefix: list[str] | None = None,
    **variables: str,
) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder),
        "ENVIRONMENT": "dev",
        "DATABASE_URL": wdh_database,
        "INBOX_DIR": str(settings.INBOX_DIR),
        "WDH_DATA_DIR": str(folder / "wdh"),
        "WDH_STRICT_PLUGINS": "1",
        "WDH_REJECT_THRESHOLD": "1",
        "COLUMNS": "200",
        **variables,
    }
    return subprocess.run(
        [*(prefix or []), str(CLI), *arguments],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _month(settings: Settings, seed: int, rows: int = 200) -> None:
    generate_month([get_registry().get(DOMAIN)], settings.INBOX_DIR, MONTH, rows=rows, seed=seed)


def _load_first(engine: Engine, settings: Settings) -> list[tuple[object, ...]]:
    _month(settings, seed=1)
    first = run_domain(
        RunRequest(DOMAIN, month=MONTH),
        engine=engine,
        settings=settings.model_copy(update={"WDH_REJECT_THRESHOLD": 1.0}),
    )
    assert first.status == "succeeded", first.error
    return table_rows(engine, DOMAIN)


def _output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def test_a_statement_timeout_ends_the_run_failed_with_one_line(
    wdh_engine: Engine, wdh_database: str, settings: Settings, tmp_path: Path
) -> None:
    before = _load_first(wdh_engine, settings)
    known = set(executions(wdh_engine))
    _month(settings, seed=2)

    with stalled_inserts(wdh_engine, DOMAIN, from_source_row=2):
        result = _cli(
            ["run", DOMAIN, "--month", MONTH],
            settings,
            wdh_database,
            tmp_path,
            WDH_DB_STATEMENT_TIMEOUT_S="1",
        )

    assert result.returncode == 1, _output(result)
    assert "Traceback" not in _output(result)
    assert "statement_timeout (WDH_DB_STATEMENT_TIMEOUT_S) ran out" in result.stderr
    [recorded] = [row for key, row in executions(wdh_engine).items() if key not in known]
    assert (recorded.status, recorded.rows_loaded) == ("failed", 0)
    assert "statement timeout" in (recorded.error_details or "")
    assert table_rows(wdh_engine, DOMAIN) == before


def test_a_read_only_database_refuses_the_run_with_one_line(
    wdh_engine: Engine, wdh_database: str, settings: Settings, tmp_path: Path
) -> None:
    before = _load_first(wdh_engine, settings)
    known = set(executions(wdh_engine))
    _month(settings, seed=2)
    database = sa.make_url(wdh_database).database
    with wdh_engine.connect() as connection:
        connection.exec_driver_sql(
            f'ALTER DATABASE "{database}" SET default_transaction_read_only = on'
        )
        connection.commit()
    try:
        result = _cli(["run", DOMAIN, "--month", MONTH], settings, wdh_database, tmp_path)
    finally:
        with wdh_engine.connect() as connection:
            connection.exec_driver_sql(
                f'ALTER DATABASE "{database}" RESET default_transaction_read_only'
            )
            connection.commit()

    assert result.returncode == 1, _output(result)
    assert "Traceback" not in _output(result)
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "the database refused to write: the transaction is read-only" in line
    assert "the run could not be recorded" in line
    assert set(executions(wdh_engine)) == known
    assert table_rows(wdh_engine, DOMAIN) == before


def test_an_unreadable_file_found_by_month_fails_each_run_with_one_line(
    wdh_engine: Engine, wdh_database: str, settings: Settings, tmp_path: Path
) -> None:
    registry = get_registry()
    domains = [registry.get("annuity_income"), registry.get(DOMAIN)]
    [workbook] = generate_month(domains, settings.INBOX_DIR, MONTH, rows=100, seed=5)
    workbook.chmod(0)
    before = {domain.name: table_rows(wdh_engine, domain.definition.table) for domain in domains}
    known = set(executions(wdh_engine))
    prefix = WITHOUT_FILE_MODE_BYPASS if os.geteuid() == 0 else None

    try:
        with _socket_folder_open_to_all(wdh_database):
            result = _cli(["run-month", MONTH], settings, wdh_database, tmp_path, prefix=prefix)
    finally:
        workbook.chmod(0o644)

    assert result.returncode == 1, _output(result)
    assert "Traceback" not in _output(result)
    assert "cannot be read: Permission denied" in result.stderr
    recorded = [row for key, row in executions(wdh_engine).items() if key not in known]
    assert sorted(row.domain for row in recorded) == ["annuity_income", DOMAIN]
    for row in recorded:
        assert (row.status, row.rows_loaded) == ("failed", 0)
        assert f"file {str(workbook)!r} cannot be read: Permission denied" in (
            row.error_details or ""
        )
    for domain in domains:
        assert table_rows(wdh_engine, domain.definition.table) == before[domain.name]
