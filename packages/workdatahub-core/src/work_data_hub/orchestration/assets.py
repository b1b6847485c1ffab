"""One asset per domain table: ``warehouse/<table>``, partitioned by month.

Materialising a partition runs that month as ``workdatahub run --month`` does: one ``Run`` in
three steps (read → transform → load) passing its ``RunState`` along. The asset's definition
carries the table's schema from the domain's declared columns; each materialisation carries the
rows read, loaded and rejected, the execution id and a query for its rejected rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from dagster import (
    AssetKey,
    AssetsDefinition,
    MetadataValue,
    RetryPolicy,
    TableColumn,
    TableColumnConstraints,
    TableSchema,
    graph_asset,
)

from work_data_hub.domain.columns import Column
from work_data_hub.orchestration.months import monthly_partitions
from work_data_hub.orchestration.ops import DOMAIN_TAG, RETRY_POLICY, load, read, transform
from work_data_hub.plugins.registry import RegisteredDomain

ASSET_PREFIX = "warehouse"
GROUP_NAME = "warehouse"


def asset_key(domain: RegisteredDomain) -> AssetKey:
    """Return the asset key of the domain's table: ``warehouse/<table>``."""
    return AssetKey([ASSET_PREFIX, domain.definition.table])


def node_name(domain: RegisteredDomain) -> str:
    """Return the name of the asset's graph node (``warehouse__<table>``), used in run config."""
    return asset_key(domain).to_python_identifier()


def _column_type(column: Column) -> str:
    if column.kind == "decimal":
        return f"decimal({column.precision},{column.scale})"
    if column.kind == "integer":
        return column.integer_type
    if column.kind == "text" and column.max_length is not None:
        return f"text({column.max_length})"
    return str(column.kind)


def table_schema(columns: Sequence[Column]) -> TableSchema:
    """Return Dagster's ``TableSchema`` of the declared columns: name, type, description."""
    return TableSchema(
        columns=[
            TableColumn(
                column.name,
                _column_type(column),
                description=column.description or None,
                constraints=TableColumnConstraints(nullable=column.nullable),
            )
            for column in columns
        ]
    )


def build_domain_asset(
    domain: RegisteredDomain, retry_policy: RetryPolicy = RETRY_POLICY
) -> AssetsDefinition:
    """Return the monthly-partitioned asset of the domain's table, its steps with retries."""
    definition = domain.definition
    read_step = read.with_retry_policy(retry_policy)
    transform_step = transform.with_retry_policy(retry_policy)
    load_step = load.with_retry_policy(retry_policy)

    @graph_asset(
        key=asset_key(domain),
        description=definition.description or f"{domain.qualified_table}, one partition a month",
        partitions_def=monthly_partitions(definition.first_month),
        group_name=GROUP_NAME,
        kinds={"postgres"},
        tags={DOMAIN_TAG: definition.name},
        metadata={
            "dagster/column_schema": table_schema(domain.columns),
            "dagster/table_name": domain.qualified_table,
            "distribution": domain.origin.label(),
            "write_mode": definition.write_mode,
            "month_column": definition.month_column or "",
            "reject_threshold": definition.reject_threshold,
            "source_patterns": ", ".join(definition.source.patterns),
            "source_folder": MetadataValue.text(definition.source.folder),
        },
    )
    def domain_table() -> object:
        return load_step(transform_step(read_step()))

    return domain_table
