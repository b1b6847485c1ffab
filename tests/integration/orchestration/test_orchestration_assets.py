"""Domain tables as monthly-partitioned assets, materialised with Dagster's testing helpers.

``materialize`` on an ephemeral instance against a fresh migrated PostgreSQL database: a
partition loads its month with the asset metadata, the run carries the month tag, two
partitions (what a two-month backfill launches) load both months, and the asset checks pass on
a generated month and fail on a month with half the rows of the month before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from dagster import (
    AssetCheckEvaluation,
    AssetChecksDefinition,
    AssetKey,
    AssetsDefinition,
    DagsterInstance,
    Definitions,
    ExecuteInProcessResult,
    TableSchema,
    materialize,
)
from sqlalchemy import Engine
from work_data_hub.config import Settings
from work_data_hub.io.sample_data import generate_month
from work_data_hub.orchestration.assets import asset_key
from work_data_hub.orchestration.definitions import build_definitions
from work_data_hub.orchestration.months import MONTH_TAG
from work_data_hub.orchestration.resources import WarehouseResource
from work_data_hub.plugins.registry import DomainRegistry, RegisteredDomain, load_domains

pytestmark = pytest.mark.integration

DOMAIN = "annuity_performance"
"""Its sample months (seed 7) hold 4 rows planted to be rejected: 200 rows load 196."""


@pytest.fixture
def registry() -> DomainRegistry:
    return load_domains({})


@pytest.fixture
def domain(registry: DomainRegistry) -> RegisteredDomain:
    return registry.get(DOMAIN)


@pytest.fixture
def definitions(registry: DomainRegistry, settings: Settings, wdh_database: str) -> Definitions:
    warehouse = WarehouseResource(database_url=wdh_database)
    return build_definitions(registry, settings=settings, warehouse=warehouse)


def _selection(definitions: Definitions, key: AssetKey) -> list[Any]:
    """The domain's asset and its checks, as ``materialize`` takes them."""
    assets = [
        item
        for item in definitions.assets or []
        if isinstance(item, AssetsDefinition) and key in item.keys
    ]
    checks = [
        item
        for item in definitions.asset_checks or []
        if isinstance(item, AssetChecksDefinition)
        and {check.asset_key for check in item.check_keys} == {key}
    ]
    return [*assets, *checks]


def _materialize(
    definitions: Definitions, key: AssetKey, month: str, instance: DagsterInstance
) -> ExecuteInProcessResult:
    return materialize(
        _selection(definitions, key),
        partition_key=month,
        instance=instance,
        resources=definitions.resources,
        raise_on_error=False,
    )


def _month_rows(engine: Engine, domain: RegisteredDomain, month: str) -> int:
    column = sa.column(str(domain.definition.month_column))
    table = sa.table(domain.definition.table, column, schema=domain.definition.db_schema)
    query = (
        sa.select(sa.func.count())
        .select_from(table)
        .where(sa.func.to_char(column, "YYYY-MM") == month)
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def _checks(result: ExecuteInProcessResult) -> dict[str, AssetCheckEvaluation]:
    return {
        evaluation.check_name: evaluation for evaluation in result.get_asset_check_evaluations()
    }


def _generate(
    domain: RegisteredDomain, settings: Settings, months: Sequence[str], rows: int
) -> None:
    for month in months:
        assert generate_month([domain], settings.INBOX_DIR, month, rows=rows, seed=7)


def test_the_catalog_has_each_domain_table_with_its_declared_schema(
    definitions: Definitions, registry: DomainRegistry
) -> None:
    graph = definitions.resolve_asset_graph()
    for domain in registry.domains.values():
        node = graph.get(asset_key(domain))
        schema = node.metadata["dagster/column_schema"]
        assert isinstance(schema, TableSchema)
        assert [column.name for column in schema.columns] == [
            column.name for column in domain.columns
        ]
        assert node.partitions_def is not None
        assert node.partitions_def.get_first_partition_key() == "2020-01"


def test_a_partition_materialises_its_month_with_metadata_and_a_month_tag(
    definitions: Definitions, domain: RegisteredDomain, settings: Settings, wdh_engine: Engine
) -> None:
    _generate(domain, settings, ["202411"], rows=200)
    instance = DagsterInstance.ephemeral()

    result = _materialize(definitions, asset_key(domain), "2024-11", instance)

    assert result.success
    [materialization] = result.asset_materializations_for_node(
        asset_key(domain).to_python_identifier()
    )
    assert materialization.partition == "2024-11"
    metadata = {key: value.value for key, value in materialization.metadata.items()}
    assert metadata["rows_loaded"] == _month_rows(wdh_engine, domain, "2024-11") == 196
    assert metadata["rows_read"] == metadata["rows_loaded"] + metadata["rows_rejected"]
    assert metadata["dagster/row_count"] == metadata["rows_loaded"]
    assert metadata["month"] == "2024-11"
    assert str(metadata["execution_id"]) in str(metadata["rejected_rows_query"])
    run = instance.get_run_by_id(result.run_id)
    assert run is not None
    assert run.tags[MONTH_TAG] == "202411"
    assert run.tags["dagster/partition"] == "2024-11"
    assert all(evaluation.passed for evaluation in _checks(result).values())


def test_two_partitions_load_both_months(
    definitions: Definitions, domain: RegisteredDomain, settings: Settings, wdh_engine: Engine
) -> None:
    _generate(domain, settings, ["202410", "202411"], rows=120)
    instance = DagsterInstance.ephemeral()

    results = [
        _materialize(definitions, asset_key(domain), month, instance)
        for month in ("2024-10", "2024-11")
    ]

    assert all(result.success for result in results)
    for month, result in zip(("2024-10", "2024-11"), results, strict=True):
        [materialization] = result.asset_materializations_for_node(
            asset_key(domain).to_python_identifier()
        )
        loaded = materialization.metadata["rows_loaded"].value
        assert loaded == _month_rows(wdh_engine, domain, month) == 116
    materialized = instance.get_materialized_partitions(asset_key(domain))
    assert materialized == {"2024-10", "2024-11"}


def test_a_planted_fifty_percent_drop_fails_the_row_count_check(
    definitions: Definitions, domain: RegisteredDomain, settings: Settings
) -> None:
    _generate(domain, settings, ["202410"], rows=200)
    _generate(domain, settings, ["202411"], rows=100)
    instance = DagsterInstance.ephemeral()

    first = _materialize(definitions, asset_key(domain), "2024-10", instance)
    second = _materialize(definitions, asset_key(domain), "2024-11", instance)

    assert first.success
    assert second.success
    assert _checks(first)["row_count_vs_previous_month"].passed
    dropped = _checks(second)["row_count_vs_previous_month"]
    assert not dropped.passed
    change = dropped.metadata["change"].value
    assert isinstance(change, float)
    assert change == pytest.approx(-0.5, abs=0.1)
    assert _checks(second)["reject_share"].passed
    assert _checks(first)["sums_vs_previous_month"].passed
    sums = _checks(second)["sums_vs_previous_month"]
    assert not sums.passed
    assert sums.metadata["moved_too_far"].value == ["期末资产规模"]
