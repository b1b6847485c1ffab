"""``workdatahub db …`` through the real typer app, on a database from the test fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner
from work_data_hub.cli.app import app
from work_data_hub.config import get_settings
from work_data_hub.io.database import create_engine_for
from work_data_hub.io.schema import migrate

pytestmark = pytest.mark.integration


@pytest.fixture
def settings_from(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """Run in an empty folder (no .env) and reload settings before and after the test."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _tables(url: str) -> list[str]:
    engine = create_engine_for(url)
    try:
        return sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_db_upgrade_creates_the_core_tables_and_current_reports_them(
    settings_from: pytest.MonkeyPatch, wdh_database: str
) -> None:
    settings_from.setenv("DATABASE_URL", wdh_database)
    runner = CliRunner()
    (core_head,) = [head.revision for head in migrate.heads() if head.branch == "core"]

    emptied = runner.invoke(app, ["db", "downgrade", "core@base"])
    assert emptied.exit_code == 0, emptied.output
    assert "pipeline_executions" not in _tables(wdh_database)

    upgraded = runner.invoke(app, ["db", "upgrade"])

    assert upgraded.exit_code == 0, upgraded.output
    assert core_head in upgraded.output
    assert {"pipeline_executions", "data_quality_metrics", "rejected_rows"} <= set(
        _tables(wdh_database)
    )
    current = runner.invoke(app, ["db", "current"])
    assert current.exit_code == 0, current.output
    assert core_head in current.output


def test_db_commands_without_a_database_url_say_so(settings_from: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(app, ["db", "upgrade"])

    assert result.exit_code == 4  # nothing could start, as for every command
    assert "DATABASE_URL is required but not set in environment" in result.output
