"""``db check`` and ``run`` against the installed domains' tables.

The frozen base revisions must create exactly the tables the declarations describe (what the
revisions built when they imported the declarations); a table changed behind the migrations'
back is named, difference by difference, with the commands that fix it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine
from typer.testing import CliRunner
from work_data_hub.cli import db as cli_db
from work_data_hub.cli.app import app
from work_data_hub.cli.db import DRIFT_EXIT_CODE
from work_data_hub.cli.run import EXIT_FAILED, EXIT_NOT_STARTED
from work_data_hub.config import get_settings
from work_data_hub.io.schema.drift import check_domains
from work_data_hub.migrations import create_domain_table
from work_data_hub.plugins.registry import get_registry

pytestmark = pytest.mark.integration

REPOSITORY = Path(__file__).resolve().parents[3]
SAMPLE = (
    REPOSITORY / "packages" / "workdatahub-sample-csv" / "tests" / "data" / "sample_csv_202411.csv"
)


@pytest.fixture
def cli_on(monkeypatch: pytest.MonkeyPatch, wdh_database: str, tmp_path: Path) -> Iterator[None]:
    """The CLI pointed at a fresh migrated database, its tables printed 200 columns wide."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", wdh_database)
    monkeypatch.setattr(cli_db.errors, "width", 200)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _invoke(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(arguments))
    return result.exit_code, result.output


def _cells(output: str) -> list[str]:
    return [" ".join(line.replace("│", " ").split()) for line in output.splitlines()]


def test_the_frozen_base_revisions_create_the_declared_tables(wdh_database: str) -> None:
    assert check_domains(wdh_database) == []


def test_db_check_passes_on_a_migrated_database(cli_on: None) -> None:
    code, output = _invoke("db", "check")

    assert code == 0, output
    assert "every installed domain's table matches its declared columns" in output


def test_db_check_names_every_difference_and_the_fix(cli_on: None, wdh_engine: Engine) -> None:
    with wdh_engine.begin() as connection:
        for statement in (
            "ALTER TABLE sample_csv ADD COLUMN region text",
            "ALTER TABLE sample_csv DROP COLUMN product",
            "ALTER TABLE sample_csv ALTER COLUMN fee TYPE numeric(20, 4)",
            "ALTER TABLE sample_csv ALTER COLUMN account DROP NOT NULL",
            "DROP INDEX ix_sample_csv_keys",
            "COMMENT ON COLUMN sample_csv.balance IS 'edited by hand'",
        ):
            connection.execute(sa.text(statement))

    code, output = _invoke("db", "check")

    assert code == DRIFT_EXIT_CODE
    table = "sample_csv public.sample_csv"
    assert {
        f"{table} column not declared region - TEXT NULL",
        f"{table} column missing product TEXT NULL -",
        f"{table} type differs fee NUMERIC(18, 2) NUMERIC(20, 4)",
        f"{table} nullability differs account NOT NULL NULL",
        f"{table} index missing ix_sample_csv_keys (month, account) -",
        f"{table} comment differs balance 'closing balance' 'edited by hand'",
    } <= set(_cells(output))
    assert (
        'workdatahub db revision --autogenerate -m "<what changed>" --branch sample_csv' in output
    )
    assert "annuity" not in output


def test_run_refuses_a_table_whose_columns_drifted(cli_on: None, wdh_engine: Engine) -> None:
    with wdh_engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE sample_csv ADD COLUMN region text NOT NULL"))

    code, output = _invoke("run", "sample_csv", "--file", str(SAMPLE), "--json")

    assert code == EXIT_FAILED
    report = json.loads(output.strip().splitlines()[-1])
    assert report["status"] == "failed"
    assert report["error"] == (
        "nothing was loaded: the table of sample_csv differs from its declared columns "
        "(public.sample_csv: column not declared region). To fix: `workdatahub db revision "
        '--autogenerate -m "<what changed>" --branch sample_csv` then `workdatahub db upgrade`'
    )
    with wdh_engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM sample_csv")).scalar_one() == 0
        status = connection.execute(
            sa.text("SELECT status FROM pipeline_executions WHERE execution_id = :id"),
            {"id": report["execution_id"]},
        ).scalar_one()
    assert status == "failed"


def test_a_comment_or_index_difference_does_not_stop_a_run(
    cli_on: None, wdh_engine: Engine
) -> None:
    with wdh_engine.begin() as connection:
        connection.execute(sa.text("COMMENT ON COLUMN sample_csv.balance IS 'edited by hand'"))
        connection.execute(sa.text("DROP INDEX ix_sample_csv_wdh_execution_id"))

    code, output = _invoke("run", "sample_csv", "--file", str(SAMPLE), "--json")

    assert code == 0, output
    assert json.loads(output.strip().splitlines()[-1])["rows_loaded"] == 20
    assert _invoke("db", "check")[0] == DRIFT_EXIT_CODE


def test_a_missing_table_names_the_upgrade_first(cli_on: None, wdh_engine: Engine) -> None:
    with wdh_engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE sample_csv"))

    code, output = _invoke("run", "sample_csv", "--file", str(SAMPLE), "--json")

    assert code == EXIT_NOT_STARTED
    assert (
        "error: the table public.sample_csv does not exist: run `workdatahub db upgrade` to apply "
        "the domain's migrations"
    ) in output


def _shape(inspector: sa.Inspector, table: str, schema: str) -> tuple[list[Any], list[Any]]:
    columns = [
        (c["name"], str(c["type"]), c["nullable"], c.get("comment"))
        for c in inspector.get_columns(table, schema=schema)
    ]
    indexes = sorted(
        (str(i["name"]), tuple(i["column_names"]), bool(i["unique"]))
        for i in inspector.get_indexes(table, schema=schema)
    )
    return columns, indexes


def test_the_frozen_revisions_build_what_the_declarations_built(wdh_engine: Engine) -> None:
    """The old base revisions passed the declared ``COLUMNS`` to ``create_domain_table``: that
    table, built in a scratch schema, equals the one the frozen revision built."""
    domains = list(get_registry().domains.values())
    with wdh_engine.begin() as connection:
        operations = Operations(MigrationContext.configure(connection))
        for domain in domains:
            definition = domain.definition
            create_domain_table(
                operations,
                definition.table,
                domain.columns,
                "declared_copy",
                definition.keys,
                unique_keys=definition.write_mode == "upsert",
            )
    inspector = sa.inspect(wdh_engine)

    assert [domain.name for domain in domains] == [
        "annuity_income",
        "annuity_performance",
        "sample_csv",
    ]
    for domain in domains:
        table = domain.definition.table
        assert _shape(inspector, table, "public") == _shape(inspector, table, "declared_copy")
