"""With DAGSTER_POSTGRES_URL, the generated dagster.yaml keeps runs and events in PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from dagster import DagsterInstance, DagsterRunStatus
from sqlalchemy.pool import NullPool
from work_data_hub.config import Settings
from work_data_hub.io.database import create_engine_for
from work_data_hub.io.sample_data import generate_month
from work_data_hub.orchestration.definitions import build_definitions
from work_data_hub.orchestration.instance import instance_environment, write_instance_config
from work_data_hub.orchestration.jobs import job_name
from work_data_hub.orchestration.resources import WarehouseResource
from work_data_hub.plugins.registry import load_domains
from work_data_hub.testing.databases import DatabaseServer

pytestmark = pytest.mark.integration

MONTH = "202411"


@pytest.fixture
def dagster_database(wdh_database_url: str) -> Iterator[str]:
    """URL of an empty database for Dagster's own storage; dropped afterwards."""
    with DatabaseServer.from_url(wdh_database_url).clone("template0") as url:
        yield url


def test_a_job_run_is_recorded_in_postgres_storage(
    settings: Settings,
    wdh_database: str,
    dagster_database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configured = Settings(
        _env_file=None,
        **(
            settings.model_dump()
            | {"DAGSTER_POSTGRES_URL": dagster_database, "WDH_REJECT_THRESHOLD": 0.5}
        ),
    )
    home = write_instance_config(configured).parent
    for name, value in instance_environment(configured).items():
        monkeypatch.setenv(name, value)
    registry = load_domains({})
    domain = registry.get("annuity_income")
    generate_month([domain], settings.INBOX_DIR, MONTH, rows=200, seed=3)
    definitions = build_definitions(
        registry, settings=configured, warehouse=WarehouseResource(database_url=wdh_database)
    )

    instance = DagsterInstance.from_config(str(home))
    try:
        result = definitions.resolve_job_def(job_name(domain.name)).execute_in_process(
            partition_key="2024-11", instance=instance
        )
        stored = instance.get_run_by_id(result.run_id)
    finally:
        instance.dispose()

    assert result.success
    assert stored is not None
    assert stored.status == DagsterRunStatus.SUCCESS
    engine = create_engine_for(dagster_database, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            status = connection.execute(
                sa.text("SELECT status FROM runs WHERE run_id = :id"), {"id": result.run_id}
            ).scalar_one()
            events = connection.execute(
                sa.text("SELECT count(*) FROM event_logs WHERE run_id = :id"),
                {"id": result.run_id},
            ).scalar_one()
    finally:
        engine.dispose()
    assert status == "SUCCESS"
    assert events > 0
    assert not (home / "history").exists()
