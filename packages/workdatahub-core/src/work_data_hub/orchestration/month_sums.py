"""Month-over-month reconciliation of declared amounts: this month's sums against the last.

A month whose 期末资产规模 halves while its row count holds (a file of the wrong unit, a
column shifted) passes a row-count check; the sums of the columns a domain declares in
``sum_columns`` do not. Sums are exact (``NUMERIC`` in PostgreSQL, ``Decimal`` here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

import sqlalchemy as sa
from dagster import AssetCheckResult
from sqlalchemy import Engine

from work_data_hub.plugins.registry import RegisteredDomain

__all__ = ["month_sums", "sums_result"]


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_sums(
    engine: Engine, domain: RegisteredDomain, first_day: dt.date, columns: Sequence[str]
) -> dict[str, Decimal]:
    """Return the exact sum of each column over the rows of ``first_day``'s month (0 if none)."""
    definition = domain.definition
    if definition.month_column is None:
        raise ValueError(f"domain {definition.name!r} declares no month_column")
    month: sa.ColumnClause[dt.date] = sa.column(definition.month_column, sa.Date())
    amounts = [sa.column(name, sa.Numeric()) for name in columns]
    table = sa.table(definition.table, month, *amounts, schema=definition.db_schema)
    query = sa.select(*(sa.func.coalesce(sa.func.sum(amount), 0) for amount in amounts)).where(
        month >= first_day, month < _next_month(first_day)
    )
    with engine.connect() as connection:
        row = connection.execute(query.select_from(table)).one()
    return {name: Decimal(value) for name, value in zip(columns, row, strict=True)}


def sums_result(
    current: Mapping[str, Decimal], previous: Mapping[str, Decimal], tolerance: float
) -> AssetCheckResult:
    """Pass when every sum is within ``tolerance`` (a share) of the previous month's.

    A column whose previous sum is 0 passes (nothing to compare with); the metadata lists each
    column's sums and change, and the columns that moved too far.
    """
    changes: dict[str, float | None] = {}
    for name, value in current.items():
        before = previous.get(name, Decimal(0))
        changes[name] = None if before == 0 else float((value - before) / abs(before))
    moved = [
        name for name, change in changes.items() if change is not None and abs(change) > tolerance
    ]
    return AssetCheckResult(
        passed=not moved,
        metadata={
            "sums": {name: str(value) for name, value in current.items()},
            "previous_month_sums": {name: str(previous.get(name, 0)) for name in current},
            "change": {
                name: None if change is None else round(change, 4)
                for name, change in changes.items()
            },
            "tolerance": tolerance,
            "moved_too_far": moved,
        },
    )
