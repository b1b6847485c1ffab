"""annuity_income end to end on PostgreSQL: read, cleanse, reject, load, rerun."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from work_data_hub.config.settings import Settings
from work_data_hub.io.runs import RunReport, RunRequest, run_domain
from work_data_hub.io.sample_data import generate_month
from work_data_hub.plugins import get_registry

pytestmark = pytest.mark.integration

DOMAIN = "annuity_income"
FIXTURE = Path(__file__).parents[4] / "tests" / "data" / "annuity_202411.xlsx"
LINEAGE = ("wdh_execution_id", "wdh_loaded_at")


def _run(
    engine: Engine, settings: Settings, file: Path | None = None, month: str | None = None
) -> RunReport:
    request = RunRequest(DOMAIN, file=file, month=month)
    report = run_domain(request, engine=engine, settings=settings)
    assert report.status == "succeeded", report.error
    return report


def _table(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        columns = [
            c for c in sa.inspect(connection).get_columns(DOMAIN) if c["name"] not in LINEAGE
        ]
        names = ", ".join(f'"{column["name"]}"' for column in columns)
        return sorted(connection.execute(sa.text(f"SELECT {names} FROM {DOMAIN}")).all(), key=repr)


@pytest.fixture
def settings(wdh_database: str, tmp_path: Path) -> Settings:
    return Settings(DATABASE_URL=wdh_database, INBOX_DIR=tmp_path)


def test_the_fixture_loads_every_valid_row_and_reports_every_rejected_one(
    wdh_engine: Engine, settings: Settings
) -> None:
    report = _run(wdh_engine, settings, file=FIXTURE)

    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (80, 77, 3)
    assert len(_table(wdh_engine)) == 77
    reasons = " | ".join(entry["reason"] for entry in report.rejected)
    for expected in (
        "is not a month",
        "is after the run month",
        "计划代码 is required",
    ):
        assert expected in reasons
    assert all(entry["row"] >= 2 for entry in report.rejected)
    assert report.enrichment_sources["temporary"] > 0


def test_a_rerun_replaces_the_month_instead_of_adding_to_it(
    wdh_engine: Engine, settings: Settings
) -> None:
    first = _run(wdh_engine, settings, file=FIXTURE)
    loaded_once = _table(wdh_engine)
    second = _run(wdh_engine, settings, file=FIXTURE)

    assert _table(wdh_engine) == loaded_once
    with wdh_engine.connect() as connection:
        executions = connection.execute(
            sa.text(f"SELECT DISTINCT wdh_execution_id::text FROM {DOMAIN}")
        ).scalars()
        assert set(executions) == {second.execution_id} != {first.execution_id}


def test_a_generated_month_is_discovered_in_the_inbox_and_loaded(
    wdh_engine: Engine, settings: Settings
) -> None:
    domain = get_registry().get(DOMAIN)
    generate_month([domain], settings.INBOX_DIR, "202411", rows=1_200, seed=3)

    report = _run(wdh_engine, settings, month="202411")

    assert report.rows_read == 1_200
    assert report.rows_rejected == 6
    assert report.rows_loaded == len(_table(wdh_engine)) == 1_194
