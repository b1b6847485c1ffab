"""Each domain job, executed in process against a fresh migrated PostgreSQL database.

A generated month loads with metadata and a succeeded audit row; a bad file fails the run with
the error in the event log, loads nothing and leaves a failed audit row; the sample CSV job
(``sample_csv``) reads, validates and loads the CSV its package ships.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from dagster import DagsterEventType, Definitions, ExecuteInProcessResult
from sqlalchemy import Engine
from work_data_hub.config import Settings
from work_data_hub.io.sample_data import generate_month
from work_data_hub.orchestration.assets import node_name
from work_data_hub.orchestration.definitions import build_definitions
from work_data_hub.orchestration.jobs import job_name, run_config
from work_data_hub.orchestration.ops import DomainRunConfig
from work_data_hub.orchestration.resources import WarehouseResource
from work_data_hub.plugins.registry import DomainRegistry, RegisteredDomain, load_domains

pytestmark = pytest.mark.integration

MONTH = "202411"
PARTITION = "2024-11"
REPOSITORY_DOMAINS = {"annuity_performance", "annuity_income", "sample_csv"}
INSTALLED = sorted(load_domains({}).domains)
GENERATED = sorted(
    name for name, domain in load_domains({}).domains.items() if domain.domain.sample is not None
)
"""Domains that generate sample months (``Domain.sample``)."""
PLANTED_REJECTIONS = {"annuity_income": 3, "annuity_performance": 4}
"""Rows of a generated month (seed 7) that each domain rejects by design."""

SAMPLE_CSV_DOMAIN = "sample_csv"
SAMPLE_CSV_DATA = (
    Path(__file__).parents[3] / "packages" / "workdatahub-sample-csv" / "tests" / "data"
)
SAMPLE_CSV_FILE = SAMPLE_CSV_DATA / "sample_csv_202411.csv"
SAMPLE_CSV_EXPECTED = SAMPLE_CSV_DATA / "expected_rows.csv"

LOAD_METADATA = {
    "execution_id",
    "month",
    "target_table",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "rejected_by_column",
    "rejected_rows_query",
    "enrichment_sources",
    "duration_s",
}


def _definitions(registry: DomainRegistry, settings: Settings, database: str) -> Definitions:
    warehouse = WarehouseResource(database_url=database)
    return build_definitions(registry, settings=settings, warehouse=warehouse)


def _run(
    definitions: Definitions, domain: RegisteredDomain, options: DomainRunConfig
) -> ExecuteInProcessResult:
    """Run ``<domain>_job`` for the November 2024 partition."""
    return definitions.resolve_job_def(job_name(domain.name)).execute_in_process(
        run_config=run_config(domain, options), partition_key=PARTITION, raise_on_error=False
    )


def _load_metadata(result: ExecuteInProcessResult, domain: RegisteredDomain) -> dict[str, Any]:
    [output] = [
        event
        for event in result.all_events
        if event.event_type == DagsterEventType.STEP_OUTPUT
        and event.step_key == f"{node_name(domain)}.load"
    ]
    return dict(output.step_output_data.metadata)


def _execution(engine: Engine, execution_id: str) -> sa.Row[Any]:
    with engine.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT status, rows_read, rows_loaded, rows_rejected, error_details "
                "FROM pipeline_executions WHERE execution_id = :id"
            ),
            {"id": execution_id},
        ).one()


def _count(engine: Engine, domain: RegisteredDomain) -> int:
    table = sa.table(domain.definition.table, schema=domain.definition.db_schema)
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _data_rows(csv_file: Path) -> int:
    return len(csv_file.read_text(encoding="utf-8").splitlines()) - 1


def test_the_repository_domains_are_installed() -> None:
    assert set(INSTALLED) >= REPOSITORY_DOMAINS
    assert set(GENERATED) >= {"annuity_performance", "annuity_income"}


@pytest.mark.parametrize("domain_name", GENERATED)
def test_a_domain_job_loads_a_generated_month(
    domain_name: str, settings: Settings, wdh_database: str, wdh_engine: Engine
) -> None:
    registry = load_domains({})
    domain = registry.get(domain_name)
    assert generate_month([domain], settings.INBOX_DIR, MONTH, rows=200, seed=7)

    result = _run(_definitions(registry, settings, wdh_database), domain, DomainRunConfig())

    assert result.success
    report = result.output_for_node(f"{node_name(domain)}.load")
    assert report.rows_read == 200
    assert report.rows_rejected == PLANTED_REJECTIONS[domain_name]
    assert report.rows_loaded == 200 - PLANTED_REJECTIONS[domain_name]
    assert _count(wdh_engine, domain) == report.rows_loaded
    metadata = _load_metadata(result, domain)
    assert set(metadata) >= LOAD_METADATA
    assert metadata["rows_loaded"].value == report.rows_loaded
    assert metadata["execution_id"].value == report.execution_id
    assert metadata["target_table"].value == domain.qualified_table
    execution = _execution(wdh_engine, report.execution_id)
    assert execution.status == "succeeded"
    assert (execution.rows_read, execution.rows_loaded) == (report.rows_read, report.rows_loaded)


@pytest.mark.parametrize("domain_name", INSTALLED)
def test_a_domain_job_on_a_bad_file_fails_and_loads_nothing(
    domain_name: str, settings: Settings, wdh_database: str, wdh_engine: Engine
) -> None:
    registry = load_domains({})
    domain = registry.get(domain_name)
    bad = settings.INBOX_DIR / MONTH / "not really a workbook.xlsx"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"PK\x03\x04 this is not a zip archive")

    result = _run(
        _definitions(registry, settings, wdh_database), domain, DomainRunConfig(file=str(bad))
    )

    assert not result.success
    [failure] = [
        event for event in result.all_events if event.event_type == DagsterEventType.STEP_FAILURE
    ]
    assert failure.step_key == f"{node_name(domain)}.read"
    error = failure.step_failure_data.error
    assert error is not None
    assert bad.name in error.message
    assert error.cause is not None
    shown = failure.step_failure_data.user_failure_data
    assert shown is not None
    execution = _execution(wdh_engine, str(shown.metadata["execution_id"].value))
    assert execution.status == "failed"
    assert bad.name in execution.error_details
    assert _count(wdh_engine, domain) == 0


def test_the_sample_csv_job_reads_validates_and_loads(
    settings: Settings, wdh_database: str, wdh_engine: Engine
) -> None:
    """The seed's sample job: read a CSV, validate it against the declared columns, load it."""
    registry = load_domains({})
    domain = registry.get(SAMPLE_CSV_DOMAIN)
    inbox_file = settings.INBOX_DIR / MONTH / SAMPLE_CSV_FILE.name
    inbox_file.parent.mkdir(parents=True)
    shutil.copyfile(SAMPLE_CSV_FILE, inbox_file)

    result = _run(_definitions(registry, settings, wdh_database), domain, DomainRunConfig())

    assert result.success
    report = result.output_for_node(f"{node_name(domain)}.load")
    assert report.file == str(inbox_file)
    assert report.rows_loaded == _data_rows(SAMPLE_CSV_EXPECTED) == 20
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    assert {entry["column"] for entry in report.rejected} == {"month"}
    assert _count(wdh_engine, domain) == report.rows_loaded
    assert _execution(wdh_engine, report.execution_id).status == "succeeded"
