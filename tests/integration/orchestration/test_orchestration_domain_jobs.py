"""Each domain job, executed in process against a fresh migrated PostgreSQL database.

A generated month loads with metadata and a succeeded audit row; a bad file fails the run with
the error in the event log, loads nothing and leaves a failed audit row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from dagster import DagsterEventType, Definitions, ExecuteInProcessResult
from plugin_site import Site
from sqlalchemy import Engine
from work_data_hub.config import Settings
from work_data_hub.io.sample_data import generate_month, write_csv
from work_data_hub.io.schema.tables import lineage_columns, sqlalchemy_columns
from work_data_hub.orchestration.definitions import build_definitions
from work_data_hub.orchestration.jobs import job_name, run_config
from work_data_hub.orchestration.ops import DomainRunConfig
from work_data_hub.orchestration.resources import WarehouseResource
from work_data_hub.plugins import DomainRegistry, RegisteredDomain, load_domains

pytestmark = pytest.mark.integration

MONTH = "202411"
REPOSITORY_DOMAINS = {"annuity_performance", "annuity_income"}
INSTALLED = sorted(load_domains({}).domains)
TEST_PLUGIN = Path(__file__).parents[2] / "plugins" / "workdatahub-test-plugin"
"""The installable CSV domain ``test_events`` shipped with the tests."""

LOAD_METADATA = {
    "execution_id",
    "target_table",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "rejected_by_reason",
    "enrichment_sources",
    "duration_s",
}


def _definitions(registry: DomainRegistry, settings: Settings, database: str) -> Definitions:
    warehouse = WarehouseResource(database_url=database)
    return build_definitions(registry, settings=settings, warehouse=warehouse)


def _run(definitions: Definitions, domain: str, options: DomainRunConfig) -> ExecuteInProcessResult:
    return definitions.resolve_job_def(job_name(domain)).execute_in_process(
        run_config=run_config(options), raise_on_error=False
    )


def _load_metadata(result: ExecuteInProcessResult) -> dict[str, Any]:
    [output] = [
        event
        for event in result.all_events
        if event.event_type == DagsterEventType.STEP_OUTPUT and event.step_key == "load"
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


def test_the_repository_domains_are_installed() -> None:
    assert set(INSTALLED) >= REPOSITORY_DOMAINS


@pytest.mark.parametrize("domain_name", INSTALLED)
def test_a_domain_job_loads_a_generated_month(
    domain_name: str, settings: Settings, wdh_database: str, wdh_engine: Engine
) -> None:
    registry = load_domains({})
    domain = registry.get(domain_name)
    assert generate_month([domain], settings.INBOX_DIR, MONTH, rows=200, seed=7)

    result = _run(
        _definitions(registry, settings, wdh_database), domain_name, DomainRunConfig(month=MONTH)
    )

    assert result.success
    report = result.output_for_node("load")
    assert report.rows_loaded > 0
    assert report.rows_read == report.rows_loaded + report.rows_rejected
    assert _count(wdh_engine, domain) == report.rows_loaded
    metadata = _load_metadata(result)
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
        _definitions(registry, settings, wdh_database), domain_name, DomainRunConfig(file=str(bad))
    )

    assert not result.success
    [failure] = [
        event for event in result.all_events if event.event_type == DagsterEventType.STEP_FAILURE
    ]
    assert failure.step_key == "read"
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


def _install_test_plugin(site: Site, monkeypatch: pytest.MonkeyPatch) -> RegisteredDomain:
    site.add_metadata(
        "workdatahub-test-plugin", "0.1.0", {"test_events": "workdatahub_test_plugin"}
    )
    monkeypatch.syspath_prepend(str(TEST_PLUGIN / "src"))
    site.modules.append("workdatahub_test_plugin")
    return site.load().get("test_events")


def _create_table(engine: Engine, domain: RegisteredDomain) -> None:
    metadata = sa.MetaData()
    sa.Table(
        domain.definition.table,
        metadata,
        *sqlalchemy_columns(domain.columns),
        *lineage_columns(),
        schema=domain.definition.db_schema,
    )
    metadata.create_all(engine)


def test_the_sample_csv_job_reads_validates_and_loads(
    site: Site,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    wdh_database: str,
    wdh_engine: Engine,
) -> None:
    """The seed's sample job: read a CSV, validate it against the declared columns, load it."""
    domain = _install_test_plugin(site, monkeypatch)
    _create_table(wdh_engine, domain)
    events = pd.DataFrame(
        {
            "event_date": ["2024-11-01", "2024-11-02", "not a date"],
            "customer": ["华信科技有限公司", "Acme", "Bad Row"],
            "amount": ["12.50", "7", "3"],
        }
    )
    write_csv(settings.INBOX_DIR / MONTH / "events 11.csv", events)
    tolerant = settings.model_copy(update={"WDH_REJECT_THRESHOLD": 0.5})
    definitions = _definitions(load_domains({}), tolerant, wdh_database)

    result = _run(definitions, "test_events", DomainRunConfig(month=MONTH))

    assert result.success
    report = result.output_for_node("load")
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 2, 1)
    [rejection] = report.rejected
    assert (rejection["row"], rejection["column"]) == (4, "event_date")
    assert _count(wdh_engine, domain) == 2
    assert _execution(wdh_engine, report.execution_id).status == "succeeded"
