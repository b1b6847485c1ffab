"""Asset checks per domain table, from the domain's declarations; they run with every partition.

- ``reject_share``: the share of rejected rows in the partition's latest materialisation stays
  within the domain's ``reject_threshold``.
- ``row_count_vs_previous_month``: the month's rows in the table are within the domain's
  ``row_count_tolerance`` of the previous month's; blocking when ``row_count_check_blocking``.
  A first month, or a domain without a ``month_column``, passes with the reason in metadata.
- ``sums_vs_previous_month`` (domains declaring ``sum_columns``): each declared amount's sum
  for the month is within ``sum_tolerance`` of the previous month's (``month_sums``).
- ``totals_row`` (sources declaring ``totals_columns``): the file's totals row equals the
  sums of its rows, as the materialisation's ``totals_row_checks`` record.
"""

# No ``from __future__ import annotations``: Dagster reads the check signatures at runtime.
import datetime as dt
import warnings
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetKey,
    AssetRecordsFilter,
    PartitionsDefinition,
    PreviewWarning,
    asset_check,
)
from sqlalchemy import Engine

from work_data_hub.orchestration.month_sums import month_sums, sums_result
from work_data_hub.orchestration.months import month_of
from work_data_hub.orchestration.resources import WarehouseResource
from work_data_hub.plugins.registry import RegisteredDomain


def _first_day(partition: str) -> dt.date:
    month = month_of(partition)
    return dt.date(int(month[:4]), int(month[4:]), 1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _previous_month(day: dt.date) -> dt.date:
    return (day - dt.timedelta(days=1)).replace(day=1)


def _latest_metadata(
    context: AssetCheckExecutionContext, key: AssetKey
) -> Mapping[str, Any] | None:
    """The metadata of the partition's latest materialisation, or None before it has one."""
    records = context.instance.fetch_materializations(
        AssetRecordsFilter(asset_key=key, asset_partitions=[context.partition_key]), limit=1
    ).records
    if not records or records[0].asset_materialization is None:
        return None
    metadata: Mapping[str, Any] = records[0].asset_materialization.metadata
    return metadata


def month_row_count(engine: Engine, domain: RegisteredDomain, first_day: dt.date) -> int:
    """Return the rows of ``domain``'s table whose month column falls in ``first_day``'s month."""
    definition = domain.definition
    if definition.month_column is None:
        raise ValueError(f"domain {definition.name!r} declares no month_column")
    month: sa.ColumnClause[dt.date] = sa.column(definition.month_column, sa.Date())
    table = sa.table(definition.table, month, schema=definition.db_schema)
    query = (
        sa.select(sa.func.count())
        .select_from(table)
        .where(month >= first_day, month < _next_month(first_day))
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def row_count_result(current: int, previous: int, tolerance: float) -> AssetCheckResult:
    """Pass when ``current`` is within ``tolerance`` (a share) of ``previous``; 0 before passes."""
    if previous == 0:
        return AssetCheckResult(
            passed=True,
            metadata={"rows": current, "previous_month_rows": 0, "reason": "no previous month"},
        )
    change = (current - previous) / previous
    return AssetCheckResult(
        passed=abs(change) <= tolerance,
        metadata={
            "rows": current,
            "previous_month_rows": previous,
            "change": round(change, 4),
            "tolerance": tolerance,
        },
    )


def build_domain_checks(
    domain: RegisteredDomain, key: AssetKey, partitions: PartitionsDefinition
) -> list[AssetChecksDefinition]:
    """Return the domain asset's checks: reject share, row count and (where declared) sums
    against the previous month, the totals row."""
    # Partitioned checks are a Dagster preview; its warning at every code-location load says
    # nothing the docs do not (docs/orchestration.md, Asset checks).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PreviewWarning)
        return _domain_checks(domain, key, partitions)


def _domain_checks(
    domain: RegisteredDomain, key: AssetKey, partitions: PartitionsDefinition
) -> list[AssetChecksDefinition]:
    definition = domain.definition

    @asset_check(
        asset=key,
        name="reject_share",
        description=(
            f"Rejected rows are at most {definition.reject_threshold:.0%} of the rows read "
            "(the domain's reject_threshold)."
        ),
        partitions_def=partitions,
    )
    def reject_share(context: AssetCheckExecutionContext) -> AssetCheckResult:
        metadata = _latest_metadata(context, key)
        if metadata is None:
            return AssetCheckResult(passed=False, metadata={"reason": "partition not loaded"})
        read, rejected = int(metadata["rows_read"].value), int(metadata["rows_rejected"].value)
        share = rejected / read if read else 0.0
        return AssetCheckResult(
            passed=share <= definition.reject_threshold,
            metadata={
                "rows_read": read,
                "rows_rejected": rejected,
                "reject_share": round(share, 4),
                "threshold": definition.reject_threshold,
            },
        )

    @asset_check(
        asset=key,
        name="row_count_vs_previous_month",
        description=(
            f"The month's row count is within {definition.row_count_tolerance:.0%} of the "
            "previous month's."
        ),
        blocking=definition.row_count_check_blocking,
        partitions_def=partitions,
    )
    def row_count_vs_previous_month(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        if definition.month_column is None:
            return AssetCheckResult(passed=True, metadata={"reason": "no month_column declared"})
        first_day = _first_day(context.partition_key)
        engine = warehouse.get_engine()
        return row_count_result(
            month_row_count(engine, domain, first_day),
            month_row_count(engine, domain, _previous_month(first_day)),
            definition.row_count_tolerance,
        )

    checks = [reject_share, row_count_vs_previous_month]
    if definition.sum_columns and definition.month_column is not None:
        checks.append(_sums_check(domain, key, partitions))
    if definition.source.totals_columns:
        checks.append(_totals_check(domain, key, partitions))
    return checks


def _sums_check(
    domain: RegisteredDomain, key: AssetKey, partitions: PartitionsDefinition
) -> AssetChecksDefinition:
    definition = domain.definition
    columns = ", ".join(definition.sum_columns)

    @asset_check(
        asset=key,
        name="sums_vs_previous_month",
        description=(
            f"The month's sums of {columns} are each within {definition.sum_tolerance:.0%} of "
            "the previous month's."
        ),
        blocking=definition.row_count_check_blocking,
        partitions_def=partitions,
    )
    def sums_vs_previous_month(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        first_day = _first_day(context.partition_key)
        engine = warehouse.get_engine()
        return sums_result(
            month_sums(engine, domain, first_day, definition.sum_columns),
            month_sums(engine, domain, _previous_month(first_day), definition.sum_columns),
            definition.sum_tolerance,
        )

    return sums_vs_previous_month


def _totals_check(
    domain: RegisteredDomain, key: AssetKey, partitions: PartitionsDefinition
) -> AssetChecksDefinition:
    columns = ", ".join(domain.definition.source.totals_columns)

    @asset_check(
        asset=key,
        name="totals_row",
        description=f"Where the file has a totals row, its {columns} equal the sums of the rows.",
        partitions_def=partitions,
    )
    def totals_row(context: AssetCheckExecutionContext) -> AssetCheckResult:
        metadata = _latest_metadata(context, key)
        if metadata is None:
            return AssetCheckResult(passed=False, metadata={"reason": "partition not loaded"})
        entry = metadata.get("totals_row_checks")
        checks = list(entry.value) if entry is not None else []
        if not checks:
            return AssetCheckResult(passed=True, metadata={"reason": "the file has no totals row"})
        return AssetCheckResult(
            passed=all(check["matches"] for check in checks),
            metadata={"totals_row_checks": checks},
        )

    return totals_row
